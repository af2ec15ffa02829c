"""Lesson 6: evaluating a policy with an interrupted time series."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=6,
    slug="interrupted_time_series",
    title=md("用中断时间序列评估政策", "Evaluating a policy with an interrupted time series"),
    minutes="60",
    objectives=md(
        """
- 说明为什么“政策实施后比实施前少了”不足以说明政策有效：原有趋势、季节性和偶然波动都会造成差异；
- 用**中断时间序列**（分段拟泊松回归）估计政策开始时的**水平变化**和之后的**斜率变化**，并给出区间；
- 用模型的**反事实**估计政策“少了多少”，并说明它依赖的假设；
- 做**安慰剂检验**，并如实解读它的结果。
""",
        """
- explain why "fewer after than before" does not show that a policy worked: the earlier trend, the seasons and
  chance all make differences;
- estimate the **level change** when a policy began and the **change in slope** after it, with intervals, using an
  **interrupted time series** (segmented quasi-Poisson regression);
- estimate what the policy averted from the model's **counterfactual**, and state the assumption it rests on;
- run a **placebo test** and read its result honestly.
""",
    ),
    prerequisites=md("第 2 课（过度离散、季节性）；回归的基本概念。",
                     "Lesson 2 (overdispersion, seasonality); the basic idea of regression."),
    cells=[
        md(
            """
## 一、专项治理

2019 年 1 月 1 日起，XX 市开展了一项减少越级上访的专项治理。我们要回答：到省里的来访是否因此减少了？减少了多少？

中断时间序列（ITS）模型：

log μₜ = a + b·t + 月份效应 + β_水平·政策后 + β_斜率·(t − t₀)·政策后，以当月天数为暴露量。

- exp(β_水平)：政策开始时，实际水平与“原趋势延续”之比（**水平变化**，率比）；
- β_斜率：政策之后趋势的变化；
- 把 β 都设为 0 得到的预测就是**反事实**：没有政策时本应有的样子。

下面以**赴省来访**为例（练习用进京访）：
""",
            """
## 1. The campaign

From 1 January 2019 XX City ran a special campaign (专项治理) against leapfrog petitioning. Did visits to the
province fall because of it, and by how much?

The interrupted time series (ITS) model:

log μₜ = a + b·t + month effects + β_level·after + β_slope·(t − t₀)·after, with the days of the month as exposure.

- exp(β_level): the level right after the start against the earlier trend continued (the **level change**, a rate
  ratio);
- β_slope: the change in trend after the start;
- the prediction with both β set to 0 is the **counterfactual**: what would have happened without the policy.

We work through visits **to the province** (the exercises use visits to Beijing):
""",
        ),
        code(
            '''
prov = df[(df["channel"] == "visit") & (df["level"] == "province")]["received_date"]
monthly_prov = pa.stats.monthly_counts(prov, start="2014-01-01", end="2023-12-31")
its_prov = pa.stats.interrupted_time_series(monthly_prov, "2019-01-01")
lo, hi = its_prov.level_ci
print(f"水平变化 {its_prov.level_change:.3f}（95% 区间 {lo:.3f}–{hi:.3f}），p = {its_prov.level_p:.2g}")
print(f"斜率变化（对数尺度，每年）{its_prov.slope_change:+.3f}，p = {its_prov.slope_p:.2g}")
print(f"离散系数 φ = {its_prov.dispersion:.2f}")
''',
            '''
prov = df[(df["channel"] == "visit") & (df["level"] == "province")]["received_date"]
monthly_prov = pa.stats.monthly_counts(prov, start="2014-01-01", end="2023-12-31")
its_prov = pa.stats.interrupted_time_series(monthly_prov, "2019-01-01")
lo, hi = its_prov.level_ci
print(f"level change {its_prov.level_change:.3f} (95 % interval {lo:.3f}–{hi:.3f}), p = {its_prov.level_p:.2g}")
print(f"slope change (log scale, per year) {its_prov.slope_change:+.3f}, p = {its_prov.slope_p:.2g}")
print(f"dispersion φ = {its_prov.dispersion:.2f}")
''',
        ),
        code(
            '''
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(10, 3.5))
its_prov.observed.plot(ax=ax, color="0.6", label="observed")
its_prov.fitted.plot(ax=ax, label="fitted")
its_prov.counterfactual["2019":].plot(ax=ax, linestyle="--", label="counterfactual")
ax.axvline(pd.Timestamp("2019-01-01"), color="k", linewidth=0.8)
ax.set_ylabel("visits to the province per month")
ax.legend()
plt.show()
''',
        ),
        md(
            """
与简单方法比一比：政策前后月均值之比、2019 年对 2018 年的同比。它们各忽略了什么？
""",
            """
Compare with the simple methods: the ratio of the mean month after to the mean month before, and 2019 against
2018. What does each of them ignore?
""",
        ),
        code(
            '''
before_after = monthly_prov["2019":].mean() / monthly_prov[:"2018"].mean()
yoy = monthly_prov["2019"].sum() / monthly_prov["2018"].sum()
print(f"前后均值之比 {before_after:.3f}；2019 ÷ 2018 {yoy:.3f}；ITS 水平变化 {its_prov.level_change:.3f}")
''',
            '''
before_after = monthly_prov["2019":].mean() / monthly_prov[:"2018"].mean()
yoy = monthly_prov["2019"].sum() / monthly_prov["2018"].sum()
print(f"after/before means {before_after:.3f}; 2019 / 2018 {yoy:.3f}; ITS level change {its_prov.level_change:.3f}")
''',
        ),
        md(
            """
## 二、练习：进京访

进京访（`channel == 'visit'` 且 `level == 'national'`）的月度批次，2014 年 1 月至 2023 年 12 月。
""",
            """
## 2. Exercises: visits to Beijing

The monthly number of national-level visits (`channel == 'visit'` and `level == 'national'`), January 2014 to
December 2023.
""",
        ),
        code(
            '''
nat = df[(df["channel"] == "visit") & (df["level"] == "national")]["received_date"]
monthly_nat = pa.stats.monthly_counts(nat, start="2014-01-01", end="2023-12-31")
''',
        ),
        ex("6.1", '''
its_nat = pa.stats.interrupted_time_series(monthly_nat, "2019-01-01")
answer_6_1 = round(its_nat.level_change, 3)
'''),
        ex("6.2", "answer_6_2 = its_nat.level_ci"),
        ex("6.3", '''
after = slice("2019-01", "2023-12")
answer_6_3 = round(float((its_nat.counterfactual[after] - its_nat.observed[after]).sum()))
'''),
        md(
            """
## 三、安慰剂检验

如果模型在**什么也没发生**的日期上也报告“显著的变化”，我们对真实日期上的结果就要打折扣。安慰剂检验的做法：
只用政策之前的数据，假设政策在更早的某个日期开始，看模型怎么说。
""",
            """
## 3. A placebo test

If the model reports a "significant change" on a date when **nothing happened**, we must trust its result on the
real date less. A placebo test uses the data before the policy only, pretends the policy began on an earlier date,
and sees what the model says.
""",
        ),
        ex("6.4", '''
placebo = pa.stats.interrupted_time_series(monthly_nat[:"2018-12"], "2017-01-01")
answer_6_4 = bool(placebo.level_p < 0.05)
'''),
    ],
    takeaways=md(
        """
- 前后比较和同比都不能区分政策效果与原有趋势；ITS 用原趋势和季节性构造反事实。
- 报告水平变化和斜率变化时给出区间；“少了多少”依赖“原趋势会延续”的假设，要写明。
- 安慰剂检验要如实报告：在假日期上也“显著”，说明模型的 p 值可能偏乐观，需要更多的安慰剂日期或对照序列
  （例如不受政策影响的到县来访）来佐证。
""",
        """
- Before/after and year-on-year comparisons cannot separate a policy's effect from the trend; ITS builds the
  counterfactual from the earlier trend and seasons.
- Report level and slope changes with intervals; "how many averted" rests on the earlier trend continuing, so say
  so.
- Report a placebo test as it comes out: a "significant" fake date says the model's p-values may be optimistic, and
  calls for more placebo dates or a control series (such as county-level visits, which the campaign did not target).
""",
    ),
    discussion=md(
        """
1. 专项治理期间，进京访少了。有没有可能只是“转移”到了其他渠道或层级？怎样用数据检验？
2. 如果 2019 年同时还有别的变化（比如网上信访平台推广），ITS 能区分吗？
3. 评估报告中，应如何表述“政策使进京访减少了约 X 批”这一结论的不确定性？
""",
        """
1. Visits to Beijing fell during the campaign. Could they simply have moved to another channel or level? How would
   you check with the data?
2. If something else changed in 2019 as well (say, the online petition platform was promoted), can ITS tell the two
   apart?
3. How should an evaluation state the uncertainty of "the policy averted about X visits to Beijing"?
""",
    ),
)
