"""Lesson 1: items and person-times, year to date (件次与人次，年初至今的同比).

The exercises are about the period of the city's 2019 work summary (1 January – 20 December
2019); the lesson itself works through another period, so that no answer is shown above its
exercise.
"""

from __future__ import annotations

from . import data
from .core import Exercise, Mistake


def _fig(figure: str, col: str = "current"):
    return float(data.registry()[figure][col])


def _ytd_len(year: int, end: str = "12-20", inclusive: bool = True) -> int:
    return len(data.year_to_date(year, end, inclusive=inclusive))


def _full_year(year: int):
    d = data.reference()["received_date"]
    return data.reference()[d.dt.year == year]


EXERCISES = [
    Exercise(
        "1.1", "number",
        {"zh": "2019 年 1 月 1 日至 12 月 20 日，XX 市共登记信访事项多少件（批次）？",
         "en": "How many items (件次/批次) did XX City register from 1 January to 20 December 2019?"},
        expected=lambda: _fig("items"),
        explain={"zh": "件次就是台账的行数，统计区间两端都要包含在内。",
                 "en": "Items are rows of the register, and both ends of the period are included."},
        hint={"zh": "先按登记日期筛出这一时段的行，再数行数。",
              "en": "Select the rows received in the period by received_date, then count the rows."},
        mistakes=[
            Mistake("full_year", lambda: len(_full_year(2019)),
                    {"zh": "这是 2019 年全年的件数。工作总结写于年底之前，统计口径是“截至 12 月 20 日”，"
                           "12 月 21 日以后登记的不能算进去。",
                     "en": "that is the whole of 2019. The work summary was written before the year ended and counts "
                           "to 20 December; items received after that day do not belong in it."}),
            Mistake("end_exclusive", lambda: _ytd_len(2019, inclusive=False),
                    {"zh": "少了 12 月 20 日当天：你大概写成了 < '2019-12-20'。“截至 12 月 20 日”包含这一天，应该用 <=。",
                     "en": "20 December itself is missing: you probably wrote < '2019-12-20'. \"To 20 December\" "
                           "includes that day, so use <=."}),
            Mistake("one_day_late", lambda: _ytd_len(2019, "12-21"),
                    {"zh": "多算了一天：12 月 21 日不在统计区间内。",
                     "en": "one day too many: 21 December is outside the period."}),
            Mistake("person_times", lambda: data.year_to_date(2019)["persons"].sum(),
                    {"zh": "这是人次（把每件的人数加起来）。件次（批次）数的是事项本身：一行算一件，不管来了几个人。",
                     "en": "that is person-times (the persons column added up). Items count the matters themselves: "
                           "one row is one item, however many people came."}),
            Mistake("previous_year", lambda: _ytd_len(2018),
                    {"zh": "这是 2018 年同期的数。检查一下年份。",
                     "en": "that is the same period of 2018. Check the year."}),
        ],
    ),
    Exercise(
        "1.2", "number",
        {"zh": "同一时段内，进京访（channel == 'visit' 且 level == 'national'）共多少人次？",
         "en": "In the same period, how many person-times did national-level visits (进京访: "
               "channel == 'visit' and level == 'national') bring?"},
        expected=lambda: _fig("visits_national_person_times"),
        explain={"zh": "人次是这些来访批次的人数之和：一批 5 人算 5 人次。",
                 "en": "Person-times add up the persons of those visits: a group of five is five person-times."},
        hint={"zh": "两个条件要同时满足（用 & 连接），再对 persons 列求和。",
              "en": "Both conditions must hold (combine them with &), then add up the persons column."},
        mistakes=[
            Mistake("items", lambda: _fig("visits_national_items"),
                    {"zh": "这是批次数（行数）。题目问的是人次：把每批的人数加起来。",
                     "en": "that counts the visits (batches, rows). The question asks for person-times: add up the "
                           "persons of each visit."}),
            Mistake("previous_year", lambda: _fig("visits_national_person_times", "previous"),
                    {"zh": "这是 2018 年同期的数。检查一下年份。",
                     "en": "that is the same period of 2018. Check the year."}),
            Mistake("all_visits", lambda: _fig("visits_person_times"),
                    {"zh": "这是所有来访的人次，到县、到市、赴省的都算进去了。还要加上 level == 'national' 这个条件。",
                     "en": "that is all visits, to county, city and province offices as well. Add the condition "
                           "level == 'national'."}),
            Mistake("leapfrog_only", lambda: _fig("leapfrog_national_person_times"),
                    {"zh": "这只是越级进京的人次。进京访包括所有到国家信访局的来访，不论是否越级。",
                     "en": "that counts only the leapfrog visits to Beijing. National-level visits are every visit "
                           "received at national level, leapfrog or not."}),
            Mistake("extra_persons", lambda: _fig("visits_national_person_times") - _fig("visits_national_items"),
                    {"zh": "这是人次减批次，即“一批一人”之外多出来的人数。人次是人数的总和。",
                     "en": "that is person-times minus batches, the persons beyond one per visit. Person-times are "
                           "the total of persons."}),
        ],
    ),
    Exercise(
        "1.3", "number",
        {"zh": "与 2018 年同期相比，件次的同比变化是百分之多少？保留两位小数（下降为负数）。",
         "en": "What is the year-on-year change in items against the same period of 2018, in percent, to two "
               "decimals (negative for a fall)?"},
        expected=lambda: round(_fig("items", "change_pct"), 2),
        tol=0.006,
        explain={"zh": "同比 = (本期 − 上年同期) ÷ 上年同期 × 100。",
                 "en": "Year on year = (current − same period last year) ÷ same period last year × 100."},
        hint={"zh": "分母是上年同期，结果乘以 100 换成百分数。",
              "en": "Divide by the same period of the previous year and multiply by 100."},
        mistakes=[
            Mistake("over_current", lambda: (_fig("items") - _fig("items", "previous")) / _fig("items") * 100,
                    {"zh": "你除以的是本期数。同比的分母是上年同期：变化是相对“原来”的水平而言的。",
                     "en": "you divided by the current year. A year-on-year change is relative to where it started: "
                           "divide by the same period of the previous year."}),
            Mistake("sign", lambda: -_fig("items", "change_pct"),
                    {"zh": "符号反了：先看件次是升了还是降了，下降应为负数（本期 − 上年同期）。",
                     "en": "the sign is wrong. Did the items rise or fall? A fall is negative (current − previous)."}),
            Mistake("proportion", lambda: _fig("items", "change_pct") / 100, tol=0.00006,
                    hint={"zh": "这是比例，不是百分数：再乘以 100。",
                     "en": "that is a proportion, not a percentage: multiply by 100."}),
            Mistake("full_year", lambda: (len(_full_year(2019)) - len(_full_year(2018))) / len(_full_year(2018)) * 100,
                    {"zh": "这是全年对全年。截至 12 月 20 日的数要和上年同一时段（1 月 1 日至 12 月 20 日）比，不能和上年全年比，"
                           "也不能两边都用全年。",
                     "en": "that compares whole years. The figures run to 20 December, so compare with the same days of "
                           "2018 (1 January – 20 December), not with whole years."}),
            Mistake("person_times", lambda: _fig("person_times", "change_pct"),
                    {"zh": "这是人次的同比。题目问的是件次：人次还受每批来访人数多少的影响。",
                     "en": "that is the change in person-times. The question asks about items; person-times also move "
                           "with the size of visiting groups."}),
            Mistake("count_change", lambda: _fig("items", "change"), tol=0.5,
                    hint={"zh": "这是变化的件数，不是百分比：再除以上年同期并乘以 100。",
                     "en": "that is the change in items, not a percentage: divide by the previous period and multiply "
                           "by 100."}),
            Mistake("ratio", lambda: _fig("items") / _fig("items", "previous") * 100,
                    {"zh": "这是本期占上年同期的百分比（“为上年的百分之几”），同比变化还要减去 100。",
                     "en": "that is the current period as a percentage of the previous one; the change is that minus 100."}),
        ],
    ),
    Exercise(
        "1.4", "number",
        {"zh": f"工作总结写道：全年信访总量 {data.SUMMARY_ITEMS:,} 批 {data.SUMMARY_PERSON_TIMES:,} 人次。"
               "每件至少一人，那么这一总数最多允许多少人是“一件一人”之外多出来的？",
         "en": f"The work summary reports {data.SUMMARY_ITEMS:,} items and {data.SUMMARY_PERSON_TIMES:,} "
               "person-times. Every item has at least one person: how many persons beyond one per item does that "
               "total allow?"},
        expected=lambda: data.SUMMARY_PERSON_TIMES - data.SUMMARY_ITEMS,
        explain={"zh": "人次 − 件次就是“一件一人”之外还能容纳的人数。",
                 "en": "Person-times − items is the room left for persons beyond one per item."},
        hint={"zh": "如果每件恰好一人，人次会等于多少？",
              "en": "If every item had exactly one person, what would the person-times be?"},
        mistakes=[
            Mistake("national_extra", lambda: _fig("visits_national_person_times") - _fig("visits_national_items"),
                    {"zh": "这是进京访一项多出来的人数。题目问的是总数允许多出多少人，用总量的两个数来算。",
                     "en": "that is how many extra persons the national-level visits bring. The question asks how "
                           "many the summary's total allows: use its two totals."}),
            Mistake("register_extra", lambda: data.year_to_date(2019)["persons"].sum() - len(data.year_to_date(2019)),
                    {"zh": "这是台账数据里实际多出来的人数。题目问的是工作总结那两个数字允许多少。",
                     "en": "that is what the register's rows give. The question is about the two figures the work "
                           "summary prints."}),
            Mistake("negative", lambda: data.SUMMARY_ITEMS - data.SUMMARY_PERSON_TIMES,
                    {"zh": "减反了：人次不会少于件次。",
                     "en": "the subtraction is the wrong way round: person-times are never fewer than items."}),
        ],
        leak_forms=lambda: ["仅 5", "只有 5", "多出 5 人", "多出5人", "only 5", "room for 5", "5 extra",
                            "5 persons beyond"],
    ),
    Exercise(
        "1.5", "bool",
        {"zh": "工作总结中总人次与进京访的数字（80 批 159 人次）能同时成立吗？（True 或 False）",
         "en": "Can the summary's total person-times and its national-level visits (80 batches, 159 person-times) "
               "both be right? (True or False)"},
        expected=lambda: (data.SUMMARY_PERSON_TIMES - data.SUMMARY_ITEMS)
        >= (_fig("visits_national_person_times") - _fig("visits_national_items")),
        explain={"zh": "进京访一项就多出 79 人，而总数只留出了 5 人的余地，两者不能同时成立。这说明公开数字可以互相核对，"
                       "而核对不上的数字要先问清楚再用。",
                 "en": "The national visits alone bring 79 extra persons, while the total leaves room for 5: both "
                       "cannot be right. Published figures can be checked against each other, and figures that do "
                       "not add up must be queried before they are used."},
        hint={"zh": "把练习 1.4 的结果与进京访一项多出来的人数比一比。",
              "en": "Compare your answer to exercise 1.4 with the extra persons that the national-level visits "
                    "bring on their own."},
        mistakes=[
            Mistake("trust_print", lambda: True,
                    {"zh": "先别凭印象判断，算一算：进京访一项多出几个人（人次 − 批次）？总量又给“一件一人”之外留了多少余地？"
                           "把两个数比一比。",
                     "en": "do not decide on trust; work it out: how many extra persons do the national visits bring "
                           "(person-times − batches), and how much room does the total leave beyond one per item? "
                           "Compare the two."}),
        ],
        leak_forms=lambda: ["不能同时成立", "cannot both be right", "cannot be true", "不可能成立"],
    ),
]
