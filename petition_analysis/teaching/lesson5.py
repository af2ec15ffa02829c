"""Lesson 5: repeat petitioners and accumulated cases (重复信访与积案)."""

from __future__ import annotations

import functools

import pandas as pd

from . import data
from .core import Exercise, Mistake


@functools.cache
def _cases(**kw) -> pd.DataFrame:
    from ..analysis.petitioners import accumulated_cases

    return accumulated_cases(data.reference(), **dict(kw))


def _n(**kw) -> int:
    return len(_cases(**kw))


@functools.cache
def _concentration(period: str | None = "2023") -> pd.Series:
    """The one row of repeat_concentration, as a Series of its figures."""
    from ..analysis.petitioners import repeat_concentration

    return repeat_concentration(data.reference(), period).iloc[0]


def _anonymous_in_denominator() -> float:
    """Top 1 % share when anonymous items stay in the total (they have no petitioner)."""
    c = _concentration()
    d = data.reference()
    total = int((d["received_date"].dt.year == 2023).sum())
    return 100 * c["top_1pct_share"] * c["items"] / total


def _first_year_hits(col: str, year: int = 2019) -> int:
    return int((_cases()[col].dt.year == year).sum())


EXERCISES = [
    Exercise(
        "5.1", "number",
        {"zh": "按本地口径（两年内赴省进京上访超过 3 次），整个参考台账（2014—2023）中有多少名积案信访人？",
         "en": "By the local rule (more than 3 visits to the province or Beijing within 2 years), how many "
               "petitioners in the whole reference register (2014–2023) are accumulated cases (积案)?"},
        expected=lambda: _n(),
        explain={"zh": "积案按人数，不按次数；“超过 3 次”是至少 4 次，且这几次要落在同一个两年窗口内。",
                 "en": "Accumulated cases count people, not visits; \"more than 3\" means at least 4, inside one "
                       "two-year window."},
        hint={"zh": "pa.accumulated_cases(df) 按这一口径逐人判断，每个符合的人一行。",
              "en": "pa.accumulated_cases(df) applies the rule person by person, one row per petitioner who meets it."},
        mistakes=[
            Mistake("at_least_three", lambda: _n(more_than=2),
                    {"zh": "你用的是“3 次及以上”。口径是“超过 3 次”，即至少 4 次。",
                     "en": "you used \"3 or more\". The rule says more than 3, that is at least 4."}),
            Mistake("one_year", lambda: _n(window_days=365),
                    {"zh": "你用的是一年的窗口。口径是两年（730 天）内。",
                     "en": "you used a one-year window. The rule's window is two years (730 days)."}),
            Mistake("no_window", lambda: _n(window_days=100_000),
                    {"zh": "你把十年里的所有次数加在一起了。口径要求这些次数落在同一个两年窗口之内：多年里零星几次不算积案。",
                     "en": "you added up visits over all ten years. The visits must fall inside one two-year window: a "
                           "few visits spread over many years are not an accumulated case."}),
            Mistake("visits", lambda: int(_cases()["visits"].sum()),
                    {"zh": "这是这些人赴省进京的总次数。积案数的是人。",
                     "en": "that is how many province and Beijing visits these people made. Accumulated cases count "
                           "people."}),
        ],
    ),
    Exercise(
        "5.2", "number",
        {"zh": "这些积案信访人中，有多少人是在 2019 年首次达到积案标准的？",
         "en": "How many of the accumulated-case petitioners first met the rule in 2019?"},
        expected=lambda: _first_year_hits("window_end"),
        explain={"zh": "积案从满足口径的那一天算起（window_end），不是从第一次上访算起。",
                 "en": "A case becomes an accumulated case on the day the rule is first met (window_end), not on the "
                       "first visit."},
        hint={"zh": "看 accumulated_cases 结果的 window_end 列。",
              "en": "Look at the window_end column of the accumulated_cases result."},
        mistakes=[
            Mistake("first_visit", lambda: _first_year_hits("first"),
                    {"zh": "你用的是第一次上访的日期（first）。首次达到标准要看第四次落入两年窗口的那一天（window_end）。",
                     "en": "you used the date of the first visit (first). The rule is met on the visit that makes it "
                           "more than 3 within two years (window_end)."}),
            Mistake("by_then", lambda: int((_cases()["window_end"].dt.year <= 2019).sum()),
                    {"zh": "这是到 2019 年底为止累计达到标准的人数，包括以前年份就已达到的。题目只问 2019 年首次达到的。",
                     "en": "that counts everyone who had met the rule by the end of 2019, earlier years included. The "
                           "question asks about those who first met it in 2019."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "5.3", "number",
        {"zh": "2023 年，最活跃的 1% 信访人贡献了已识别信访人事项的百分之几？保留一位小数。",
         "en": "In 2023, what share of the items of identified petitioners came from the most active 1 % of "
               "petitioners? In percent, to one decimal."},
        expected=lambda: round(100 * float(_concentration()["top_1pct_share"]), 1), tol=0.051,
        explain={"zh": "少数人贡献了相当比例的事项：化解这些重复信访，对总量的影响远大于他们在人数中的占比。",
                 "en": "A few people bring a large share of the items: resolving their cases moves the totals far "
                       "more than their number suggests."},
        hint={"zh": "pa.repeat_concentration(df, '2023') 的 top_1pct_share 列（比例）。",
              "en": "pa.repeat_concentration(df, '2023') has a column top_1pct_share (a proportion)."},
        mistakes=[
            Mistake("proportion", lambda: float(_concentration()["top_1pct_share"]), tol=0.0006,
                    hint={"zh": "这是比例，题目要百分数：乘以 100。",
                     "en": "that is a proportion; the question asks for percent: multiply by 100."}),
            Mistake("top_ten", lambda: 100 * float(_concentration()["top_10pct_share"]), tol=0.051,
                    hint={"zh": "这是最活跃的 10% 信访人的占比。题目问的是 1%。",
                     "en": "that is the share of the most active 10 %. The question asks about 1 %."}),
            Mistake("all_years", lambda: 100 * float(_concentration(None)["top_1pct_share"]), tol=0.051,
                    hint={"zh": "这是 2014—2023 全部年份合起来的结果。时间越长，重复信访人积累的事项越多，集中度越高。题目只问 2023 年。",
                     "en": "that is 2014–2023 together. Over a longer span repeat petitioners pile up more items and "
                           "concentration rises. The question asks about 2023."}),
            Mistake("anonymous", _anonymous_in_denominator, tol=0.051,
                    hint={"zh": "你把匿名事项（没有信访人）也算进了分母。匿名来信、来电无法归到人，集中度只在已识别信访人的事项中计算。",
                     "en": "you kept anonymous items (no petitioner) in the total. Anonymous letters and calls cannot "
                           "be assigned to anyone: concentration is measured among identified petitioners' items."}),
        ],
    ),
    Exercise(
        "5.4", "number",
        {"zh": "2023 年已识别信访人每人事项数的基尼系数是多少？保留三位小数。",
         "en": "What is the Gini coefficient of items per identified petitioner in 2023? To three decimals."},
        expected=lambda: round(float(_concentration()["gini"]), 3), tol=0.0006,
        explain={"zh": "基尼系数 0 表示人人一样多，越接近 1 越集中在少数人身上。",
                 "en": "A Gini of 0 means everyone brings the same number of items; the closer to 1, the more the "
                       "items come from a few people."},
        hint={"zh": "pa.repeat_concentration(df, '2023') 的 gini 列。",
              "en": "The gini column of pa.repeat_concentration(df, '2023')."},
        mistakes=[
            Mistake("all_years", lambda: float(_concentration(None)["gini"]), tol=0.0006,
                    hint={"zh": "这是 2014—2023 全部年份的基尼系数。题目只问 2023 年。",
                     "en": "that is the Gini of 2014–2023 together. The question asks about 2023."}),
            Mistake("complement", lambda: 1 - float(_concentration()["gini"]), tol=0.0006,
                    hint={"zh": "你算的是 1 − 基尼系数。基尼系数越大越不平均。",
                     "en": "you computed 1 − Gini. The larger the Gini, the more unequal."}),
            Mistake("repeat_share", lambda: float(_concentration()["repeat_item_share"]), tol=0.0006,
                    hint={"zh": "这是标为重复信访的事项占比，不是基尼系数。",
                     "en": "that is the share of items flagged as repeat, not the Gini coefficient."}),
        ],
    ),
]
