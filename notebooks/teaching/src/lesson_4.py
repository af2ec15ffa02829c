"""Lesson 4: the three rates and censoring."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=4,
    slug="three_rates_and_censoring",
    title=md("三率与删失", "The three rates, and why censoring biases them"),
    minutes="50",
    objectives=md(
        """
- 说出**三率**（及时受理率、按期办结率、满意率）和参评率的分子、分母；
- 理解**删失**：台账提取时还在办理期限内的事项，既不能算及时也不能算超期；
- 看出两种常见错误的方向：把未到期的事项算作超期（偏低），只剔除未受理的而保留已受理的（偏高）；
- 为小样本的比率配上 Wilson 区间，并判断它能不能单独发布。
""",
        """
- state the numerator and denominator of the **three rates** (timely acceptance 及时受理率, on-time conclusion
  按期办结率, satisfaction 满意率) and of participation (参评率);
- understand **censoring**: an item still inside its time limit when the register is extracted is neither on time
  nor late;
- see which way the two common mistakes lean: counting unexpired items as late (too low), and dropping only the
  items still waiting while keeping the quick ones (too high);
- give a rate on few items a Wilson interval, and judge whether it can be published on its own.
""",
    ),
    prerequisites=md("第 1 课；比例的置信区间。", "Lesson 1; confidence intervals for a proportion."),
    cells=[
        md(
            """
## 一、三率的定义

按《信访工作条例》的时限：

| 指标 | 分子 | 分母 |
|---|---|---|
| 及时受理率 | 登记后 15 日内受理的 | 15 日期限已届满的事项 |
| 按期办结率 | 在期限内办结的（60 日，延期的 90 日） | 已受理、办结期限已届满的事项 |
| 满意率 | 满意 + 基本满意 | 参加评价的事项 |
| 参评率 | 参加评价的 | 已办结的事项 |

关键在分母的“已届满”：台账是在某一天（提取日）读出的，那时最近登记的事项还在期限内。
`pa.three_rates(df, 时段, as_of=提取日)` 按提取日当天台账的样子计算，并报告每个比率删失了多少件。
""",
            """
## 1. What the rates are

With the time limits of the petition regulations (信访工作条例):

| rate | numerator | denominator |
|---|---|---|
| timely acceptance | accepted within 15 days of receipt | items whose 15 days have run out |
| on-time conclusion | concluded within the limit (60 days, 90 if extended) | accepted items whose limit has run out |
| satisfaction | satisfied + basically satisfied | items evaluated |
| participation | evaluated | items concluded |

The key is "have run out": the register is read on one day (the extraction date), and the latest items are still
inside their limits then. `pa.three_rates(df, period, as_of=extraction_date)` reads the register as it stood on
that day, and reports how many items each rate left out (censored).
""",
        ),
        code(
            '''
pa.three_rates(df, "2023Q3", as_of="2023-12-31")[["rate_name", "numerator", "denominator", "censored", "rate", "ci_low", "ci_high"]]
''',
        ),
        md(
            """
## 二、删失为什么重要

假设在 9 月 30 日就提取台账，来算第三季度。9 月下旬登记的事项，有的已经受理，有的还在 15 天期限之内。
下面比较三种算法：
""",
            """
## 2. Why censoring matters

Suppose the register is extracted on 30 September, and we compute Q3. Some items received in late September are
accepted already, others are still within their 15 days. Three ways of computing the rate:
""",
        ),
        code(
            '''
q3 = pa.periods.parse("2023Q3").select(df)
as_of = pd.Timestamp("2023-09-30")
accepted = q3["accepted_date"].notna() & (q3["accepted_date"] <= as_of)
in_time = accepted & ((q3["accepted_date"] - q3["received_date"]).dt.days <= 15)
closed = q3["received_date"] + pd.Timedelta(days=15) <= as_of
rates = pa.three_rates(df, "2023Q3", as_of=as_of)  # one row per rate (rate_name)

print("未到期的都算超期：       ", round(100 * in_time.sum() / len(q3), 1))
print("只剔除未受理的未到期事项：", round(100 * in_time.sum() / (closed | accepted).sum(), 1))
print("正确删失：               ", round(100 * (in_time & closed).sum() / closed.sum(), 1))
print("三率函数：               ", round(100 * rates.loc[rates["rate_name"] == "timely_acceptance", "rate"].item(), 1))
''',
            '''
q3 = pa.periods.parse("2023Q3").select(df)
as_of = pd.Timestamp("2023-09-30")
accepted = q3["accepted_date"].notna() & (q3["accepted_date"] <= as_of)
in_time = accepted & ((q3["accepted_date"] - q3["received_date"]).dt.days <= 15)
closed = q3["received_date"] + pd.Timedelta(days=15) <= as_of
rates = pa.three_rates(df, "2023Q3", as_of=as_of)  # one row per rate (rate_name)

print("unexpired items as late:           ", round(100 * in_time.sum() / len(q3), 1))
print("drop only the unexpired not accepted:", round(100 * in_time.sum() / (closed | accepted).sum(), 1))
print("censored properly:                 ", round(100 * (in_time & closed).sum() / closed.sum(), 1))
print("three_rates:                       ", round(100 * rates.loc[rates["rate_name"] == "timely_acceptance", "rate"].item(), 1))
''',
        ),
        md(
            """
第一种算法把“还有时间的”当成“没做到的”，结果偏低；第二种只留下了“快的”，结果偏高；正确的做法是把期限未满的事项整体剔除。
季度报告的指标登记表（`pa.build_registry(df, kind="quarterly", ...)`）里的 `rate_*` 行用的就是正确的做法。

下面的练习按 2023 年 12 月 31 日提取的台账，看 2023 年第四季度。
""",
            """
The first way counts "still has time" as "did not make it" and comes out too low; the second keeps only the quick
ones and comes out too high; the right way leaves out every item whose window is still open. The `rate_*` rows of
a quarterly registry (`pa.build_registry(df, kind="quarterly", ...)`) do exactly that.

The exercises use the register as extracted on 31 December 2023, and look at 2023 Q4.
""",
        ),
        ex("4.1", '''
reg_q4 = pa.build_registry(df, kind="quarterly", year=2023, quarter=4)
answer_4_1 = round(100 * reg_q4["rate_timely_acceptance"].rate, 1)
'''),
        ex("4.2", 'answer_4_2 = int(reg_q4["rate_timely_acceptance"].censored)'),
        md(
            """
## 三、小样本的比率

按期办结的期限最长 90 天，所以到年底，第四季度只有很少的事项能判断是否按期办结。比率看起来可能很好，也可能很差，
但区间会非常宽。比例的区间用 **Wilson** 区间：n 小、比例接近 0 或 1 时，常见的 Wald 区间（p ± 1.96·√(p(1−p)/n)）
会越过 [0, 1] 的边界，覆盖率也不够。
""",
            """
## 3. Rates on few items

The on-time conclusion window is up to 90 days, so by the end of the year only a few Q4 items can be judged. The rate
may look very good or very bad, but its interval is very wide. Use the **Wilson** interval for a proportion: with
small n and a proportion near 0 or 1 the usual Wald interval (p ± 1.96·√(p(1−p)/n)) runs outside [0, 1] and covers
too rarely.
""",
        ),
        code(
            '''
for k, n in [(18, 20), (180, 200), (1800, 2000)]:
    lo, hi = pa.stats.wilson_interval(k, n)
    print(f"{k}/{n}: Wilson ({float(lo):.3f}, {float(hi):.3f})")
''',
        ),
        ex("4.3", '''
f = reg_q4["rate_on_time_conclusion"]
lo, hi = pa.stats.wilson_interval(int(f.numerator), int(f.denominator))
answer_4_3 = (float(lo), float(hi))
'''),
        md(
            """
## 四、不做删失会怎样

很多单位的统计表只是把“已按期办结的”除以“全部已受理的”。对最近一个季度，这会把大量还在办理期限内的事项算成超期。
""",
            """
## 4. Without censoring

Many offices simply divide "concluded on time" by "all accepted". For the latest quarter that counts a great many
items still inside their limits as late.
""",
        ),
        ex("4.4", '''
q4 = pa.periods.parse("2023Q4").select(df)
end = pd.Timestamp("2023-12-31")
acc = q4[q4["status"].isin(["accepted", "concluded"]) & (q4["accepted_date"] <= end)]
took = (acc["concluded_date"] - acc["accepted_date"]).dt.days
limit = np.where(acc["extended"], 90, 60)
done = (acc["status"] == "concluded") & (acc["concluded_date"] <= end) & (took <= limit)
answer_4_4 = round(100 * done.sum() / len(acc), 1)
'''),
    ],
    takeaways=md(
        """
- 三率的分母只包括期限已经届满的事项；期限未满的事项整体剔除（删失），并在报告中写明剔除了多少。
- 把未到期的算作超期，最近的时段看起来会比实际差；只剔除“慢的”，又会比实际好。
- 分母小的比率要配区间（Wilson），区间太宽的不宜单独发布或排名。
""",
        """
- A rate's denominator holds only items whose time limit has run out; the others leave as a whole (censoring), and
  the report says how many.
- Counting unexpired items as late makes the latest period look worse than it is; dropping only the slow ones makes
  it look better.
- A rate on a small denominator needs its interval (Wilson); one too wide should not be published alone or ranked.
""",
    ),
    discussion=md(
        """
1. 某县第四季度按期办结率“全市垫底”，但分母只有 6 件。你会怎样写这一段？
2. 如果满意度评价在办结后一个月才录入，满意率和参评率会受到怎样的影响？该怎么处理？
3. 考核指标如果按“未到期算超期”计算，会给基层带来什么样的激励？
""",
        """
1. A county's on-time conclusion rate for Q4 is "the worst in the city", on a denominator of 6. How would you
   write that paragraph?
2. If satisfaction is recorded a month after conclusion, how are satisfaction and participation affected, and what
   would you do about it?
3. What incentives does an appraisal create if it counts unexpired items as late?
""",
    ),
)
