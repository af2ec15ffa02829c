"""Lesson 1: items and person-times, year to date."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=1,
    slug="items_and_yoy",
    title=md("件次与人次，年初至今的同比", "Items and person-times, year to date"),
    minutes="45",
    objectives=md(
        """
- 分清**件次（批次）**与**人次**：一行是一件，人次是人数之和；
- 按“截至某日”的口径统计，并与**上年同期**比较，而不是与上年全年比较；
- 正确计算同比变化的百分数，注意分母和符号；
- 用公开数字之间的关系核对一份工作总结，发现不可能同时成立的数字。
""",
        """
- tell **items** (件次, batches 批次 for visits) from **person-times** (人次): one row is one item, person-times
  add up the persons;
- count a period "to date" and compare it with **the same period** of the year before, not with the whole year;
- compute a year-on-year change in percent, with the right denominator and sign;
- check a work summary's figures against each other and spot figures that cannot all be true.
""",
    ),
    prerequisites=md(
        "会用 pandas 按条件筛选行（`df[条件]`）、计数（`len`）和求和（`.sum()`）。",
        "Selecting rows with pandas (`df[condition]`), counting them (`len`) and adding up a column (`.sum()`).",
    ),
    cells=[
        md(
            """
## 一、台账里的一行是什么

信访登记台账（登记台账）每一行是一**件**信访事项：一封来信、一次网上信访、一个来电，或者一批来访。
来访按**批次**登记：同一件事一起来的 7 个人是 1 批、7 人次。所以：

- **件次（批次）** = 行数；
- **人次** = `persons` 列之和。

工作总结通常两个数都报，而且它们的走势可能相反：来访批次少了、每批人数多了，件次下降而人次上升。
我们先看看台账的样子（所有数据都是合成的，信访人只以假名编号出现）。
""",
            """
## 1. What one row of a register is

A petition register (登记台账) has one row per **item**: a letter, an online submission, a call, or one visiting
group. Visits are registered in **batches** (批次): seven people who come together about one matter are 1 item and
7 person-times. So:

- **items** = the number of rows;
- **person-times** (人次) = the sum of the `persons` column.

Work summaries report both, and they can move in opposite directions: fewer but larger groups lower the items and
raise the person-times. Here is what the register looks like (all of it synthetic; petitioners appear only as
pseudonyms).
""",
        ),
        code('df[["received_date", "channel", "persons", "level", "region", "category"]].head()'),
        md(
            """
## 二、“截至某日”与上年同期

工作总结往往在年底前就要写，统计截至某一天，比如“截至 6 月 30 日”。这时：

1. 本期是 1 月 1 日到截止日，**两端都包含**（`<=`，不是 `<`）；
2. 对比期是上年的**同一段日子**，而不是上年全年：半年的数和全年比，必然“大幅下降”。

下面用 2021 年上半年作例子（练习里问的是另一个时段）。
""",
            """
## 2. "To date" and the same period last year

A work summary is often written before the year ends and counts to a given day, say "to 30 June". Then:

1. the period runs from 1 January to that day, **both ends included** (`<=`, not `<`);
2. it is compared with **the same days** of the year before, not with the whole year: half a year against a whole
   year always looks like a steep fall.

We work through the first half of 2021 here (the exercises ask about another period).
""",
        ),
        code(
            '''
def to_date(df, year, end):
    """年初到 end（含当天）登记的事项。"""
    d = df["received_date"]
    return df[(d >= f"{year}-01-01") & (d <= f"{year}-{end}")]

h21, h20 = to_date(df, 2021, "06-30"), to_date(df, 2020, "06-30")
print(f"2021 上半年：{len(h21)} 件，{h21['persons'].sum()} 人次")
print(f"2020 上半年：{len(h20)} 件，{h20['persons'].sum()} 人次")
''',
            '''
def to_date(df, year, end):
    """Rows received from 1 January to `end` of `year`, both ends included."""
    d = df["received_date"]
    return df[(d >= f"{year}-01-01") & (d <= f"{year}-{end}")]

h21, h20 = to_date(df, 2021, "06-30"), to_date(df, 2020, "06-30")
print(f"2021 H1: {len(h21)} items, {h21['persons'].sum()} person-times")
print(f"2020 H1: {len(h20)} items, {h20['persons'].sum()} person-times")
''',
        ),
        md(
            """
同比变化 = (本期 − 上年同期) ÷ 上年同期 × 100。分母是上年同期：变化是相对“原来的水平”说的。
""",
            """
The year-on-year change is (current − same period last year) ÷ same period last year × 100. The denominator is
last year's figure: a change is measured against where things started.
""",
        ),
        code(
            '''
change = (len(h21) - len(h20)) / len(h20) * 100
print(f"件次同比：{change:+.2f} %")
''',
            '''
change = (len(h21) - len(h20)) / len(h20) * 100
print(f"items, year on year: {change:+.2f} %")
''',
        ),
        md(
            """
报告里的每个数字都应该来自**指标登记表**（`FigureRegistry`）：它把每个指标只算一次，表格、图、文字和 JSON
里用的都是同一个值。我们用同一时段建一个登记表，看它给出的件次和人次：
""",
            """
Every number in a report should come from the **figure registry** (`FigureRegistry`): each figure is computed once,
and tables, charts, text and JSON all use that one value. Build a registry for the same half year and look at its
items and person-times:
""",
        ),
        code(
            '''
reg21 = pa.build_registry(df, year=2021, as_of="2021-06-30")
reg21.figures.loc[["items", "person_times"], ["label_zh", "current", "previous", "change", "change_pct"]]
''',
            '''
reg21 = pa.build_registry(df, year=2021, as_of="2021-06-30")
reg21.figures.loc[["items", "person_times"], ["label_en", "current", "previous", "change", "change_pct"]]
''',
        ),
        md(
            """
## 三、练习：一份 2019 年工作总结

XX 市信访局的 2019 年工作总结（截至 12 月 20 日）报告了全年信访总量和进京访等数字。下面的练习请你从台账中
重新算出这些数字。进京访是指到国家信访局的来访：`channel == 'visit'` 且 `level == 'national'`。
""",
            """
## 3. Exercises: a 2019 work summary

XX City's 2019 work summary (to 20 December) reports the year's total and the visits to Beijing, among other
figures. Recompute them from the register. National-level visits (进京访) are visits received by the national
bureau: `channel == 'visit'` and `level == 'national'`.
""",
        ),
        ex("1.1", 'answer_1_1 = len(to_date(df, 2019, "12-20"))'),
        ex("1.2", '''
d19 = to_date(df, 2019, "12-20")
answer_1_2 = int(d19.loc[(d19["channel"] == "visit") & (d19["level"] == "national"), "persons"].sum())
'''),
        ex("1.3", '''
cur, prev = len(to_date(df, 2019, "12-20")), len(to_date(df, 2018, "12-20"))
answer_1_3 = round((cur - prev) / prev * 100, 2)
'''),
        md(
            """
## 四、核对公开数字

公开的数字之间有必然的关系：人次 ≥ 件次（每件至少一人），分项之和不超过总数，等等。这些关系可以用来核对一份总结。
""",
            """
## 4. Checking published figures

Published figures are tied to each other: person-times ≥ items (every item has at least one person), parts never
exceed the whole, and so on. Those ties let you check a summary.
""",
        ),
        ex("1.4", "answer_1_4 = 28797 - 28792"),
        ex("1.5", '''
room = 28797 - 28792        # 总量允许多出的人数 / the room the total leaves
national_extra = 159 - 80   # 进京访一项多出的人数 / what the national visits alone bring
answer_1_5 = room >= national_extra
'''),
    ],
    takeaways=md(
        """
- 件次和人次回答的是不同的问题，两个都要报。
- 同比要比同一时段；“截至某日”是不完整的年份，报告里要写明。
- 公开数字可以互相核对。核对不上的数字（比如总人次容不下进京访一项的人数）先问清楚再用；本课程的合成数据保留来访数字，
  总人次按逐行数据计算。
""",
        """
- Items and person-times answer different questions; report both.
- Year on year compares the same days; a year to date is a partial year and must say so.
- Published figures can be checked against each other. Figures that do not add up (a total of person-times too
  small for the visits to Beijing alone) must be queried before use; the course's synthetic data keeps the visit
  figures and lets total person-times follow from the rows.
""",
    ),
    discussion=md(
        """
1. 来访批次下降、人次上升，可能说明什么？写进工作总结时应该怎么表述？
2. 为什么截至 12 月 20 日的数不能和上年全年比？如果只有上年全年的数，该怎么办？
3. 发现工作总结里两个数字矛盾，作为分析人员你会怎么处理？
""",
        """
1. Visits fall in batches but rise in person-times: what might that mean, and how should a summary put it?
2. Why can figures to 20 December not be compared with last year's whole year? What if only whole-year figures
   exist for last year?
3. As an analyst, what do you do when two figures in a work summary contradict each other?
""",
    ),
)
