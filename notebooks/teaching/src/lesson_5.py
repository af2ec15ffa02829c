"""Lesson 5: repeat petitioners and accumulated cases."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=5,
    slug="repeat_petitioners_and_accumulated_cases",
    title=md("重复信访与积案", "Repeat petitioners and accumulated cases"),
    minutes="45",
    objectives=md(
        """
- 用假名编号（`petitioner_id`）把同一信访人的事项连起来，而不接触任何个人信息；
- 按口径准确统计**积案**：两年内赴省进京上访超过 3 次的信访人，数的是人，不是次数；
- 用最活跃 1%、10% 信访人的占比和基尼系数描述重复信访的**集中度**；
- 理解口径中每个参数（次数、窗口、层级）对结果的影响。
""",
        """
- link one petitioner's items through the pseudonym (`petitioner_id`) without touching any personal data;
- count **accumulated cases** (积案) by the rule: petitioners with more than 3 visits to the province or Beijing
  within two years; people, not visits;
- describe how **concentrated** repeat petitioning is with the share of the most active 1 % and 10 % and the Gini
  coefficient;
- see how each parameter of the rule (count, window, levels) moves the result.
""",
    ),
    prerequisites=md("第 1 课；pandas 的 groupby。", "Lesson 1; pandas groupby."),
    cells=[
        md(
            """
## 一、假名编号

台账里没有姓名、身份证号或电话：每位信访人只有一个**假名编号**（带密钥的 HMAC-SHA256），同一个人在各次登记中编号相同，
但无法从编号反推出身份。匿名来信、来电没有编号（缺失值）。
""",
            """
## 1. Pseudonyms

The register holds no names, ID numbers or phone numbers: each petitioner has a **pseudonym** (a keyed HMAC-SHA256),
the same across their items, from which the identity cannot be recovered. Anonymous letters and calls have none
(a missing value).
""",
        ),
        code(
            '''
per_person = df.dropna(subset=["petitioner_id"]).groupby("petitioner_id").size()
print(f"{df['petitioner_id'].isna().mean():.1%} of items are anonymous")
per_person.describe()
''',
        ),
        md(
            """
## 二、积案的口径

本地口径：**两年（730 天）内赴省、进京上访超过 3 次**的信访人。三个要点：

1. 只算来访（`channel == 'visit'`），且层级为赴省（province）或进京（national）；
2. “超过 3 次”是至少 4 次，而且要落在**同一个**两年窗口内；
3. 数的是**人**。

先看一个小例子：
""",
            """
## 2. The rule

The local rule: a petitioner with **more than 3 visits to the province or to Beijing within two years (730 days)**.
Three points:

1. visits only (`channel == 'visit'`), at province or national level;
2. "more than 3" is at least 4, inside **one** two-year window;
3. it counts **people**.

A small example first:
""",
        ),
        code(
            '''
toy = pd.DataFrame({
    "petitioner_id": ["a"] * 4 + ["b"] * 4,
    "received_date": pd.to_datetime(["2018-01-01", "2018-06-01", "2019-01-01", "2019-12-01",
                                     "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"]),
    "level": ["province", "national", "province", "province"] * 2,
    "channel": ["visit"] * 8,
})
pa.accumulated_cases(toy)
''',
        ),
        md(
            """
b 也去了 4 次，但分散在三年里，任何两年窗口内都只有 3 次，所以不算。`window_end` 是首次达到口径的日期。
""",
            """
b also went 4 times, but over three years: no two-year window holds more than 3, so b is not a case. `window_end`
is the day the rule was first met.
""",
        ),
        ex("5.1", "cases = pa.accumulated_cases(df)\nanswer_5_1 = len(cases)"),
        ex("5.2", "answer_5_2 = int((cases[\"window_end\"].dt.year == 2019).sum())"),
        md(
            """
## 三、集中度

重复信访往往集中在少数人身上。`pa.repeat_concentration` 只在**已识别**信访人的事项中计算（匿名事项无法归到人）：
最活跃 1%、10% 信访人的事项占比，以及每人事项数的基尼系数。以 2019 年为例：
""",
            """
## 3. Concentration

Repeat petitioning is usually concentrated in a few people. `pa.repeat_concentration` works among the items of
**identified** petitioners (anonymous items belong to no one): the share of items from the most active 1 % and
10 %, and the Gini coefficient of items per petitioner. For 2019:
""",
        ),
        code("pa.repeat_concentration(df, \"2019\").round(3)"),
        ex("5.3", 'answer_5_3 = round(100 * pa.repeat_concentration(df, "2023")["top_1pct_share"].item(), 1)'),
        ex("5.4", 'answer_5_4 = round(pa.repeat_concentration(df, "2023")["gini"].item(), 3)'),
    ],
    takeaways=md(
        """
- 积案数的是人；口径中的“超过”、窗口长度和层级都要照原文执行，并在报告中写明。
- 重复信访高度集中：少数人的事项占了可观的份额，化解这些案件对总量的影响远大于其人数占比。
- 集中度只在已识别信访人的事项中计算，匿名事项要另外说明。
- 个人层面的结果只在内部工作中使用，公开发布只给汇总数字（见第 7 课）。
""",
        """
- Accumulated cases count people; apply "more than", the window and the levels exactly as the rule says, and state
  them.
- Repeat petitioning is concentrated: a few people bring a sizeable share of the items, so resolving their cases
  moves the totals far more than their number suggests.
- Concentration is measured among identified petitioners; say how many items were anonymous.
- Results about individuals stay inside the office; publish only aggregates (see lesson 7).
""",
    ),
    discussion=md(
        """
1. 积案口径从“超过 3 次”改为“3 次及以上”，数字会变多。口径变化在年度比较中应怎样处理？
2. 最活跃的 1% 信访人贡献了相当比例的事项。这对“减少总量”的工作方法有什么启示？
3. 用假名编号连接记录，仍可能泄露个人信息吗？在什么情况下？
""",
        """
1. Changing the rule from "more than 3" to "3 or more" raises the count. How should a change of rule be handled when
   comparing years?
2. The most active 1 % bring a sizeable share of the items. What does that suggest about how to reduce the totals?
3. Can linking records through pseudonyms still reveal something about a person? When?
""",
    ),
)
