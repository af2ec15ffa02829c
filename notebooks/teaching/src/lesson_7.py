"""Lesson 7: publishing safely."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=7,
    slug="publishing_safely",
    title=md("安全发布：抑制、差分攻击与补充抑制", "Publishing safely: suppression, differencing and complementary suppression"),
    minutes="60",
    objectives=md(
        """
- 说明为什么小计数（1 到 4）需要隐藏：在小县区，一个小数字就可能指向具体的人；
- 对只做了 `<5` 抑制、照常公布合计的表实施**差分攻击**：用整数规划（`scipy.optimize.milp`）求出每个隐藏格子的可能范围；
- 用 `petition_analysis.publish.disclosure`（`CellTable`、`protect`、`audit`）做**补充抑制**，并读懂审计结果；
- 知道审计证明了什么：每个隐藏数字在攻击者看来仍至少有 k − 1 个可能的值。
""",
        """
- explain why small counts (1 to 4) are hidden: in a small county one small number can point at a person;
- run a **differencing attack** on a table with only `<5` suppression and its totals printed: find each hidden
  cell's possible range with integer programming (`scipy.optimize.milp`);
- apply **complementary suppression** with `petition_analysis.publish.disclosure` (`CellTable`, `protect`,
  `audit`) and read its audit;
- know what the audit proves: every hidden count keeps at least k − 1 possible values in the attacker's eyes.
""",
    ),
    prerequisites=md("第 1 课；线性方程组的基本概念。", "Lesson 1; the basic idea of a system of linear equations."),
    cells=[
        md(
            """
## 一、一张看似安全的表

季度通报常有这样一张表：各县区赴省、进京来访的批次，带行合计和列合计。按惯例，1 到 4 的数显示为 `<5`，0 照常显示。
下面是 2023 年第三季度（练习用第四季度）：
""",
            """
## 1. A table that looks safe

A quarterly bulletin often prints a table like this: visits to the province and to Beijing by region, with row and
column totals. By custom, counts from 1 to 4 are shown as `<5` and zeros as 0. Here is 2023 Q3 (the exercises use
Q4):
""",
        ),
        code(
            '''
from petition_analysis.teaching import lesson7

t3 = lesson7.visits_table("2023Q3")
lesson7.naive_suppress(t3)
''',
        ),
        md(
            """
## 二、差分攻击

攻击者知道：每个 `<5` 是 1 到 4 之间的整数，每一行、每一列的数加起来等于合计。如果一行只藏了一个格子，用合计减去其他格子就还原了它。
多个格子交织在一起时，把所有关系写成一个**整数规划**：对每个隐藏格子，分别求它在所有约束下的最小值和最大值。
两者相等，这个格子就被算出来了；范围小于 1–4，`<5` 的承诺就被打破了。
""",
            """
## 2. A differencing attack

The attacker knows that every `<5` is a whole number from 1 to 4, and that every row and column adds up to its total.
A row that hides a single cell gives it back by subtraction. When hidden cells are tangled together, write every
relation as an **integer programme**: for each hidden cell, find its smallest and largest value subject to all of
them. If the two are equal, the cell is recovered; if the range is narrower than 1–4, the promise of `<5` is broken.
""",
        ),
        code(
            '''
from scipy.optimize import Bounds, LinearConstraint, milp

def attack(t, k=5):
    """每个隐藏格子的最小、最大可能值（给定表中公布的所有数字）。"""
    m = lesson7.with_margins(t)
    cells = [(r, c) for r in t.index for c in t.columns]
    pos = {rc: i for i, rc in enumerate(cells)}
    A, lo, hi = [], [], []

    def published(members, value):          # 每个公布的数字是一条约束
        row = np.zeros(len(cells))
        row[[pos[x] for x in members]] = 1
        A.append(row)
        small = 0 < value < k                # "<k" 表示 1 … k−1
        lo.append(1 if small else value)
        hi.append(k - 1 if small else value)

    for rc in cells:
        published([rc], int(t.loc[rc]))
    for r in t.index:
        published([(r, c) for c in t.columns], int(m.loc[r, "total"]))
    for c in t.columns:
        published([(r, c) for r in t.index], int(m.loc["total", c]))
    published(cells, int(m.loc["total", "total"]))
    constraint = LinearConstraint(np.array(A), lo, hi)

    out = []
    for rc in cells:
        if not 0 < t.loc[rc] < k:
            continue
        ends = []
        for sign in (1, -1):                 # 先求最小，再求最大
            c = np.zeros(len(cells))
            c[pos[rc]] = sign
            res = milp(c, constraints=constraint, integrality=np.ones(len(cells)), bounds=Bounds(0, np.inf))
            ends.append(int(round(sign * res.fun)))
        out.append({"region": rc[0], "level": rc[1], "lo": ends[0], "hi": ends[1]})
    return pd.DataFrame(out)

attack(t3)
''',
            '''
from scipy.optimize import Bounds, LinearConstraint, milp

def attack(t, k=5):
    """The smallest and largest possible value of every hidden cell, given every number the table prints."""
    m = lesson7.with_margins(t)
    cells = [(r, c) for r in t.index for c in t.columns]
    pos = {rc: i for i, rc in enumerate(cells)}
    A, lo, hi = [], [], []

    def published(members, value):          # every printed number is a constraint
        row = np.zeros(len(cells))
        row[[pos[x] for x in members]] = 1
        A.append(row)
        small = 0 < value < k                # "<k" means 1 … k−1
        lo.append(1 if small else value)
        hi.append(k - 1 if small else value)

    for rc in cells:
        published([rc], int(t.loc[rc]))
    for r in t.index:
        published([(r, c) for c in t.columns], int(m.loc[r, "total"]))
    for c in t.columns:
        published([(r, c) for r in t.index], int(m.loc["total", c]))
    published(cells, int(m.loc["total", "total"]))
    constraint = LinearConstraint(np.array(A), lo, hi)

    out = []
    for rc in cells:
        if not 0 < t.loc[rc] < k:
            continue
        ends = []
        for sign in (1, -1):                 # smallest, then largest
            c = np.zeros(len(cells))
            c[pos[rc]] = sign
            res = milp(c, constraints=constraint, integrality=np.ones(len(cells)), bounds=Bounds(0, np.inf))
            ends.append(int(round(sign * res.fun)))
        out.append({"region": rc[0], "level": rc[1], "lo": ends[0], "hi": ends[1]})
    return pd.DataFrame(out)

attack(t3)
''',
        ),
        md(
            """
现在对第四季度的表做同样的攻击。
""",
            """
Now attack the table of the fourth quarter the same way.
""",
        ),
        code('''
t4 = lesson7.visits_table("2023Q4")
lesson7.naive_suppress(t4)
'''),
        ex("7.1", '''
a4 = attack(t4)
answer_7_1 = int((a4["lo"] == a4["hi"]).sum())
'''),
        ex("7.2", '''
region, level = lesson7.target_cell()
row = a4[(a4["region"] == region) & (a4["level"] == level)].iloc[0]
answer_7_2 = (int(row["lo"]), int(row["hi"]))
'''),
        md(
            """
## 三、补充抑制与审计

补救的办法是再多藏几个数（显示为 `x`），让任何一个 `<5` 都不能靠加减法被缩小。哪几个要藏，不能靠手工挑：
`petition_analysis.publish.disclosure` 把表中每个数字都看作台账中某些行的计数（`CellTable`），
这样数字之间**所有**的线性关系都是已知的；`protect` 先做初次抑制（`<5`），再根据线性规划的对偶值挑选要补充隐藏的数字，
最后用整数规划**审计**：证明每个隐藏数字的可能范围 hi − lo ≥ k − 2，即至少有 k − 1 个可能的值。
公开版报告（`--public`）就是这样保护的。先看第三季度：
""",
            """
## 3. Complementary suppression and the audit

The remedy is to hide a few more counts (shown as `x`) so that no `<5` can be narrowed by adding and subtracting.
Which ones cannot be picked by hand: `petition_analysis.publish.disclosure` holds every printed number as a count of
rows of the register (`CellTable`), so that **every** linear relation between them is known; `protect` hides the
small counts (`<5`), picks further counts to hide from the duals of linear programmes, and finally **audits** over
the integers, proving that every hidden count's range has hi − lo ≥ k − 2, that is at least k − 1 possible values.
The public edition of a report (`--public`) is protected this way. The third quarter first:
""",
        ),
        code(
            '''
from petition_analysis.publish.disclosure import CellTable, protect

# 表中每个数字都是第三季度若干来访行的计数
rows3 = pa.periods.parse("2023Q3").select(df)
rows3 = rows3[(rows3["channel"] == "visit") & rows3["level"].isin(["province", "national"])].reset_index(drop=True)
region, level = rows3["region"].astype("str"), rows3["level"].astype("str")
cells = CellTable(rows3)
for r in t3.index:
    for c in ["province", "national"]:
        cells.add(f"{r}|{c}", (region == r) & (level == c))
    cells.add(f"{r}|total", region == r)
for c in ["province", "national"]:
    cells.add(f"total|{c}", level == c)
cells.add("total|total", np.ones(len(rows3), dtype=bool))
p3 = protect(cells, k=5)
''',
            '''
from petition_analysis.publish.disclosure import CellTable, protect

# every number of the table is a count of some of the quarter's visit rows
rows3 = pa.periods.parse("2023Q3").select(df)
rows3 = rows3[(rows3["channel"] == "visit") & rows3["level"].isin(["province", "national"])].reset_index(drop=True)
region, level = rows3["region"].astype("str"), rows3["level"].astype("str")
cells = CellTable(rows3)
for r in t3.index:
    for c in ["province", "national"]:
        cells.add(f"{r}|{c}", (region == r) & (level == c))
    cells.add(f"{r}|total", region == r)
for c in ["province", "national"]:
    cells.add(f"total|{c}", level == c)
cells.add("total|total", np.ones(len(rows3), dtype=bool))
p3 = protect(cells, k=5)
''',
        ),
        code(
            '''
shown = pd.DataFrame({c: {r: p3.display(f"{r}|{c}") for r in list(t3.index) + ["total"]}
                      for c in ["province", "national", "total"]})
print(p3.counts())
shown
''',
        ),
        code("p3.audit.head(8)"),
        md(
            """
`lesson7.protection()` 用同样的方法保护第四季度的表。
""",
            """
`lesson7.protection()` protects the fourth quarter's table the same way.
""",
        ),
        ex("7.3", '''
p4 = lesson7.protection()
answer_7_3 = p4.counts()["complementary"]
'''),
        ex("7.4", 'answer_7_4 = bool(((p4.audit["hi"] - p4.audit["lo"]) < 5 - 2).any())'),
    ],
    takeaways=md(
        """
- 只隐藏小数字而照常公布合计，是不安全的：攻击者可以做减法，甚至解一个整数规划。
- 补充抑制要考虑表中所有的线性关系，包括跨表、跨季度的关系；手工挑选很容易漏掉。
- 审计给出证明，而不是“看起来安全”：每个隐藏数字至少还有 k − 1 个可能的值，`<5` 的承诺才成立。
- 人次、比率、变化量也会泄露被隐藏的件次；公开版报告会一并处理它们。
""",
        """
- Hiding the small counts while printing the totals is not safe: an attacker can subtract, or solve an integer
  programme.
- Complementary suppression must consider every linear relation, across tables and quarters too; picking by hand
  misses some.
- The audit is a proof, not a feeling of safety: every hidden count keeps at least k − 1 possible values, so that
  `<5` means what it says.
- Person-times, rates and changes can give hidden items away as well; the public edition of a report handles them
  together.
""",
    ),
    discussion=md(
        """
1. 如果同一张表按季度发布，第四季度的表和全年表放在一起，会出现什么新的差分关系？
2. 补充抑制会藏掉一些本身并不小的数字。怎样向读者解释 `x`？信息损失和隐私保护之间如何取舍？
3. 除了隐藏，还有哪些发布方式（合并县区、取整、加噪声）？各有什么利弊？
""",
        """
1. If the table is published every quarter, what new differences appear when the fourth quarter's table sits next
   to the whole year's?
2. Complementary suppression hides counts that are not small. How do you explain `x` to readers, and how do you
   weigh the loss of information against privacy?
3. Besides hiding, what other ways of publishing are there (merging regions, rounding, adding noise)? What are
   their costs?
""",
    ),
)
