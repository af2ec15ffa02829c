"""Lesson 2: is the decline real?"""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=2,
    slug="is_the_decline_real",
    title=md("下降是真的吗？", "Is the decline real?"),
    minutes="60",
    objectives=md(
        """
- 用**精确（条件）检验**给两个计数之比（率比）配上置信区间，并知道它与 Wald 近似区间的区别；
- 理解**过度离散**：月度信访量的波动比纯泊松噪声大，用 φ 度量它；
- 按**工作日**而不是日历天比较两个时段；
- 读懂指标登记表里的区间、校正后的 p 值和结论，判断工作总结里的“下降”哪些站得住。
""",
        """
- give the ratio of two counts (a rate ratio) an **exact (conditional) interval**, and tell it from the Wald
  approximation;
- understand **overdispersion**: monthly petition counts vary more than Poisson noise, and φ measures by how much;
- compare periods per **working day**, not per calendar day;
- read the figure registry's intervals, adjusted p-values and verdicts, and decide which of a summary's
  "declines" stand up.
""",
    ),
    prerequisites=md(
        "第 1 课；置信区间和 p 值的基本概念。",
        "Lesson 1; the basic idea of a confidence interval and a p-value.",
    ),
    cells=[
        md(
            """
## 一、两个计数之比

今年 491 件、去年 536 件，下降了 8.4%。这是真的下降，还是偶然波动？如果信访事项彼此独立地随机到来，
计数服从泊松分布。给定两年合计 n，今年的计数服从二项分布 Binomial(n, p)，于是 p 的精确（Clopper–Pearson）
区间可以换算成率比 p/(1−p) 的区间。`pa.stats.rate_ratio_test` 就是这么做的。

常见的另一种做法是 **Wald 区间**：log(率比) ± 1.96 × √(1/c₁ + 1/c₀)。计数大时两者几乎一样，计数小时会有差别。
""",
            """
## 1. The ratio of two counts

491 items this year against 536 last year: 8.4 % fewer. A real fall, or chance? If items arrive independently at
random, counts are Poisson. Given the total n of both years, this year's count is Binomial(n, p), so the exact
(Clopper–Pearson) interval of p maps to an interval of the rate ratio p/(1−p). `pa.stats.rate_ratio_test` does
exactly that.

The common alternative is the **Wald interval**: log(rate ratio) ± 1.96 × √(1/c₁ + 1/c₀). With large counts the two
agree; with small counts they differ.
""",
        ),
        code(
            '''
exact = pa.stats.rate_ratio_test(491, 536)
wald = pa.stats.overdispersed_rate_ratio_test(491, 536, dispersion=1.0)
print(f"率比 {exact.rate_ratio:.3f}")
print(f"精确区间 ({exact.ci_low:.3f}, {exact.ci_high:.3f})，Wald 区间 ({wald.ci_low:.3f}, {wald.ci_high:.3f})")
''',
            '''
exact = pa.stats.rate_ratio_test(491, 536)
wald = pa.stats.overdispersed_rate_ratio_test(491, 536, dispersion=1.0)
print(f"rate ratio {exact.rate_ratio:.3f}")
print(f"exact ({exact.ci_low:.3f}, {exact.ci_high:.3f}), Wald ({wald.ci_low:.3f}, {wald.ci_high:.3f})")
''',
        ),
        md(
            """
试着把计数改小（比如 12 对 25），看看两种区间差多少。下面的练习用 2019 年（截至 12 月 20 日）与 2018 年同期的进京访批次；
计数请从台账或 2019 年的指标登记表中取得。
""",
            """
Try smaller counts (say 12 against 25) and see how far the two intervals drift apart. The exercise uses the
national-level visits of 2019 (to 20 December) against the same period of 2018; take the counts from the register
or from the 2019 registry.
""",
        ),
        ex("2.1", '''
reg19 = pa.build_registry(df, year=2019, as_of="2019-12-20")
f = reg19["visits_national_items"]
r = pa.stats.rate_ratio_test(int(f.current), int(f.previous))
answer_2_1 = (r.ci_low, r.ci_high)
'''),
        md(
            """
## 二、过度离散：波动比泊松大

泊松模型假定方差等于均值。实际的月度信访量受天气、政策、集中办理等影响，波动大得多。
拟泊松模型用离散系数 φ = Pearson χ² ÷ 残差自由度 度量这种“多出来的”波动：在扣除年份效应（整年水平的升降）
和月份效应（春节低、两会高等季节性）之后再看残差。φ = 2 意味着方差是泊松假定的两倍，区间要宽 √2 倍。

注意：直接算月度计数的“方差 ÷ 均值”会把季节性和逐年趋势都当成噪声，严重高估 φ。下面以**来信**的月度件次为例：
""",
            """
## 2. Overdispersion: more variation than Poisson

A Poisson model assumes the variance equals the mean. Monthly petition counts move with the weather, campaigns,
batch processing and more, and vary far more. The quasi-Poisson model measures the extra variation with the
dispersion φ = Pearson χ² ÷ residual degrees of freedom, after year effects (whole-year shifts) and calendar-month
effects (the Spring Festival dip, the Two Sessions peak). φ = 2 means twice the Poisson variance: intervals √2
times wider.

Beware: the plain variance ÷ mean of monthly counts treats the seasons and the trend as noise and overstates φ
badly. Here is the example of **letters**:
""",
        ),
        code(
            '''
letters = df.loc[df["channel"] == "letter", "received_date"]
monthly_letters = pa.stats.monthly_counts(letters)["2014-01":"2018-12"]
naive = monthly_letters.var() / monthly_letters.mean()
phi_letters = pa.stats.estimate_dispersion(monthly_letters)
print(f"方差 ÷ 均值：{naive:.1f}；扣除年份和月份效应后的 φ：{phi_letters:.2f}")
''',
            '''
letters = df.loc[df["channel"] == "letter", "received_date"]
monthly_letters = pa.stats.monthly_counts(letters)["2014-01":"2018-12"]
naive = monthly_letters.var() / monthly_letters.mean()
phi_letters = pa.stats.estimate_dispersion(monthly_letters)
print(f"variance / mean: {naive:.1f}; φ after year and month effects: {phi_letters:.2f}")
''',
        ),
        code(
            '''
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(9, 3))
monthly_letters.plot(ax=ax)
ax.set_ylabel("letters per month")
plt.show()
''',
        ),
        md(
            """
检验 2019 年时，φ 要从 2019 年**之前**的历史中估计：要检验的年份不应参与估计它自己的噪声水平。
""",
            """
To test 2019, φ is estimated from the history **before** 2019: the year being tested should not help estimate its
own noise.
""",
        ),
        ex("2.2", '''
monthly = pa.stats.monthly_counts(df["received_date"])["2014-01":"2018-12"]
answer_2_2 = pa.stats.estimate_dispersion(monthly)
'''),
        md(
            """
## 三、工作日

信访主要在工作日登记，周末和法定假日很少。两个时段的日历天数相同，工作日却可能不同：春节在 1 月还是 2 月、
国庆调休落在哪一天，都会改变工作日数。`workdays.count_working_days` 按国务院每年的放假和调休安排计算。
指标登记表比较的是**每个工作日当量**的率。下面看 2023 年上半年：
""",
            """
## 3. Working days

Items are registered mostly on working days, rarely on weekends and public holidays. Two periods with the same
calendar days can differ in working days: whether the Spring Festival falls in January or February, and where the
make-up working days (调休) land, change the count. `workdays.count_working_days` follows the State Council's
holiday notices. The registry compares rates **per working-day equivalent**. The first half of 2023:
""",
        ),
        code(
            '''
from petition_analysis.analysis import workdays

calendar_days = (pd.Timestamp("2023-06-30") - pd.Timestamp("2023-01-01")).days + 1
weekdays = np.busday_count("2023-01-01", "2023-07-01")  # 周一至周五，不管节假日
working = workdays.count_working_days("2023-01-01", "2023-06-30")
print(f"日历天 {calendar_days}，周一至周五 {weekdays}，工作日 {working}")
''',
            '''
from petition_analysis.analysis import workdays

calendar_days = (pd.Timestamp("2023-06-30") - pd.Timestamp("2023-01-01")).days + 1
weekdays = np.busday_count("2023-01-01", "2023-07-01")  # Mondays to Fridays, holidays ignored
working = workdays.count_working_days("2023-01-01", "2023-06-30")
print(f"calendar days {calendar_days}, Mondays to Fridays {weekdays}, working days {working}")
''',
        ),
        ex("2.3", 'answer_2_3 = workdays.count_working_days("2019-01-01", "2019-12-20")'),
        md(
            """
## 四、指标登记表的结论

报告里的结论来自指标登记表：它对每个指标按工作日折算、考虑月内过度离散和年际波动，并对一组指标
（比如工作总结里的“五下降”）做 Benjamini–Hochberg 校正，区间的水平与校正一致，所以**区间不含 1 当且仅当结论为显著**。
下面是 2023 年的登记表（练习问 2019 年）：
""",
            """
## 4. The registry's verdicts

A report's verdicts come from the figure registry: every figure per working day, allowing for overdispersion
within the year and variation between years, with a Benjamini–Hochberg correction over each family of figures
(such as the five declines a work summary claims), and intervals at the matching level, so that **an interval
excludes 1 exactly when the verdict is significant**. Here is the registry of 2023 (the exercises ask about 2019):
""",
        ),
        code(
            '''
reg23 = pa.build_registry(df, year=2023)
cols = ["current", "previous", "rate_ratio", "ci_low", "ci_high", "p_value", "verdict"]
reg23.family("primary")[cols].round(3)
''',
            '''
reg23 = pa.build_registry(df, year=2023)
cols = ["current", "previous", "rate_ratio", "ci_low", "ci_high", "p_value", "verdict"]
reg23.family("primary")[cols].round(3)
''',
        ),
        ex("2.4", '''
reg19 = pa.build_registry(df, year=2019, as_of="2019-12-20")
answer_2_4 = bool(reg19["items"].significant)
'''),
        ex("2.5", '''
five = ["visits", "letters", "leapfrog_visits", "repeat_visits", "collective_visits"]
answer_2_5 = [s for s in five if reg19[f"{s}_items"].verdict == "decline"]
'''),
    ],
    takeaways=md(
        """
- 计数小的时候，用精确区间；Wald 区间只是近似。
- 信访计数普遍过度离散：不考虑它，几乎任何变化都“显著”。
- 按工作日比较；节假日安排每年不同。
- “比上年少”不等于“显著下降”。报告下降时，同时给出区间，并以登记表的结论为准。
""",
        """
- With small counts use the exact interval; the Wald interval is an approximation.
- Petition counts are overdispersed: ignore it and almost any change looks significant.
- Compare per working day; the holidays move from year to year.
- "Lower than last year" is not "a significant decline". Report a fall with its interval, and go by the registry's
  verdict.
""",
    ),
    discussion=md(
        """
1. 工作总结说“五下降”，但其中有的下降在正常波动之内。你会怎样向领导解释这一点？
2. 如果某项指标连续三年都“略有下降”但每年都不显著，能说明什么？可以怎样检验？
3. 为什么对一组指标要做多重比较校正？不校正会有什么后果？
""",
        """
1. The summary claims five declines, yet some are within ordinary variation. How would you explain that to the
   bureau's leadership?
2. A figure "fell slightly" three years running, never significantly. What does that tell you, and how could you
   test it?
3. Why correct for the number of figures tested together? What happens if you do not?
""",
    ),
)
