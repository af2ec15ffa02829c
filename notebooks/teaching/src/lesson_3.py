"""Lesson 3: hotspots and multiple testing."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=3,
    slug="hotspots_and_multiple_testing",
    title=md("热点与多重检验", "Hotspots and multiple testing"),
    minutes="50",
    objectives=md(
        """
- 算出同时做很多次检验时，**仅凭偶然**会冒出多少个“显著”结果；
- 区分 Bonferroni（控制“至少一个误报”）和 Benjamini–Hochberg（控制错误发现率）；
- 用 `pa.emerging_hotspots` 找出“县区 × 类别 × 季度”的新兴热点：与这一格自己的历史比，并扣除全市的整体变化；
- 知道机构改革前后的类别要换算（crosswalk）才能比较。
""",
        """
- work out how many "significant" results appear **by chance alone** when many tests run at once;
- tell Bonferroni (controls the chance of any false alarm) from Benjamini–Hochberg (controls the false-discovery
  rate);
- find emerging region × category × quarter hotspots with `pa.emerging_hotspots`: each cell against its own
  history, allowing for the city-wide change;
- know that categories before and after the 2018 institutional reform must be crosswalked to be compared.
""",
    ),
    prerequisites=md("第 2 课；p 值。", "Lesson 2; p-values."),
    cells=[
        md(
            """
## 一、检验越多，误报越多

每次检验在没有真实变化时，有 α 的概率误报。检验一次，误报的机会很小；一张“县区 × 类别”的大表逐格检验，
误报就成了必然。先做个模拟：100 格，全都没有变化，每格期望 40 件。
""",
            """
## 1. More tests, more false alarms

When nothing has changed, each test raises a false alarm with probability α. One test rarely does; a whole
region × category table tested cell by cell is certain to. A simulation first: 100 cells, nothing changed anywhere,
40 items expected in each.
""",
        ),
        code(
            '''
from scipy import stats

rng = np.random.default_rng(2022)
observed = rng.poisson(40, size=100)
p_null = stats.poisson.sf(observed - 1, 40)   # 单侧：是否偏多 / one-sided: an excess?
print((p_null < 0.05).sum(), "cells with p < 0.05, though nothing changed")
''',
        ),
        ex("3.1", "answer_3_1 = 13 * 17 * 0.05"),
        md(
            """
## 二、Bonferroni 与 Benjamini–Hochberg

- **Bonferroni**：每格用 α ÷ m 作门槛（m 为检验次数）。它保证“至少一个误报”的概率不超过 α，
  代价是真实的变化也很难被发现。
- **Benjamini–Hochberg（BH）**：把 p 值从小到大排序，第 i 个与 i × α ÷ m 比较。它控制的是**错误发现率**：
  在被判为显著的格子中，假的占比平均不超过 α。做热点筛查时，这通常是更合适的目标。

再模拟一次，这次 95 格没有变化，5 格真的多了 80%：
""",
            """
## 2. Bonferroni and Benjamini–Hochberg

- **Bonferroni** tests each cell at α ÷ m (m tests). The chance of any false alarm stays below α, at the price of
  missing real changes.
- **Benjamini–Hochberg (BH)** sorts the p-values and compares the i-th smallest with i × α ÷ m. It controls the
  **false-discovery rate**: among the cells flagged, the share of false ones is at most α on average. For
  screening hotspots that is usually the better goal.

Another simulation: 95 cells with no change, 5 with a real excess of 80 %:
""",
        ),
        code(
            '''
from statsmodels.stats.multitest import multipletests

expected = np.full(100, 40.0)
observed = rng.poisson(np.r_[expected[:95], expected[95:] * 1.8])
p = stats.poisson.sf(observed - 1, expected)
print("uncorrected:", (p < 0.05).sum())
print("Bonferroni: ", (p < 0.05 / len(p)).sum())
print("BH:         ", multipletests(p, alpha=0.05, method="fdr_bh")[0].sum())
''',
        ),
        md(
            """
`teaching.lesson3_pvalues()` 是另一次模拟的 p 值：200 格没有变化，10 格真的多了 80%。
""",
            """
`teaching.lesson3_pvalues()` holds the p-values of another simulation: 200 cells with no change and 10 with a real
excess of 80 %.
""",
        ),
        ex("3.2", '''
p = teaching.lesson3_pvalues()
answer_3_2 = int(multipletests(p, alpha=0.05, method="fdr_bh")[0].sum())
''', scaffold="p = teaching.lesson3_pvalues()"),
        md(
            """
## 三、新兴热点

一个县区的某类问题件数多，不一定是“热点”：大县区的常见问题本来就多。`pa.emerging_hotspots` 把每一格与**它自己**
过去三年同一季度的平均水平比较，并扣除全市的整体变化（全市都在增长时，单个格子增长不算异常），然后对所有格子做 BH 校正。
件数太少（少于 5 件）的格子会列出但不标记。

2018 年机构改革后，部分类别改了名（例如“国土资源”变为“自然资源”）。函数内部先用 `taxonomy.crosswalk` 把旧类别换算成新类别，
改革前后才能比较。

先只看 2023 年的四个季度：
""",
            """
## 3. Emerging hotspots

A region with many items in one category is not necessarily a hotspot: large regions have many items in common
categories anyway. `pa.emerging_hotspots` compares each cell with **its own** average in the same quarter of the
three years before, allowing for the city-wide change (when the whole city grows, one cell growing is no surprise),
then applies BH over every cell tested. Cells with fewer than 5 items are listed but never flagged.

The 2018 institutional reform renamed some categories (land resources 国土资源 became natural resources 自然资源).
The function crosswalks old codes to new ones (`taxonomy.crosswalk`) so that the years before and after compare.

First the four quarters of 2023 alone:
""",
        ),
        code(
            '''
h23 = pa.emerging_hotspots(df, quarters=["2023Q1", "2023Q2", "2023Q3", "2023Q4"])
print(len(h23), "cells tested;", int(h23["flag"].sum()), "flagged")
h23.head(5)[["region", "category", "period", "observed", "expected", "p_value", "p_adjusted", "flag"]]
''',
        ),
        md(
            """
现在请对所有有完整历史的季度做一次扫描（不指定 `quarters`）。
""",
            """
Now scan every quarter that has a full history (leave out `quarters`).
""",
        ),
        ex("3.3", '''
scan = pa.emerging_hotspots(df)
top = scan[scan["flag"]].sort_values("p_value").iloc[0]
answer_3_3 = (top["region"], top["category"], top["period"])
'''),
        ex("3.4", "answer_3_4 = int((scan[\"p_value\"] < 0.05).sum())"),
    ],
    takeaways=md(
        """
- 检验 m 次，没有任何变化也会有约 m × α 个“显著”。
- 做筛查时用 BH 控制错误发现率；Bonferroni 适合“一个误报都不能有”的场合。
- 热点要和这一格自己的历史比，并扣除全市的整体变化；件数太少的格子不宜据此采取行动。
- 跨越机构改革比较类别，先做类别换算。
""",
        """
- Test m times and about m × α results are "significant" with nothing going on.
- For screening, control the false-discovery rate with BH; Bonferroni suits cases where even one false alarm is too
  many.
- A hotspot is measured against the cell's own history, allowing for the city-wide change; tiny cells are no basis
  for action.
- Across the institutional reform, crosswalk the categories first.
""",
    ),
    discussion=md(
        """
1. 一位领导看到原始 p 值小于 0.05 的几百个格子，要求逐一督办。你会怎么回应？
2. 被标记的热点一定是“问题变多了”吗？还有哪些可能的解释（登记口径变化、集中交办、分类调整……）？
3. 热点扫描是用来“发现线索”还是“下结论”？这对 α 的选择有什么影响？
""",
        """
1. A leader sees hundreds of cells with raw p < 0.05 and wants each one followed up. How do you respond?
2. Does a flagged hotspot always mean more problems? What else could explain it (a change in registration,
   cases handed down in a batch, reclassification …)?
3. Is a hotspot scan for finding leads or for reaching conclusions? How does that bear on the choice of α?
""",
    ),
)
