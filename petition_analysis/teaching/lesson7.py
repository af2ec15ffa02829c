"""Lesson 7: publishing safely (安全发布): small-count suppression, a differencing attack on
a naive ``<5`` table, and complementary suppression with an audit.

The table is the one a quarterly bulletin might print: visits to the province (赴省) and to
Beijing (进京) in 2023 Q4, by region, with row and column totals.

>>> t = visits_table()
>>> list(t.columns)
['province', 'national']
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..publish import suppression
from . import data
from .core import Exercise, Mistake

K = 5
QUARTER = "2023Q4"
LEVELS = ("province", "national")
TOTAL = "total"


@functools.cache
def _rows(quarter: str = QUARTER) -> pd.DataFrame:
    from .. import periods

    d = periods.parse(quarter).select(data.reference())
    return d[(d["channel"] == "visit") & d["level"].isin(LEVELS)].reset_index(drop=True)


def visits_table(quarter: str = QUARTER) -> pd.DataFrame:
    """Visits by region × level (province, national) in ``quarter``, without margins."""
    d = _rows(quarter)
    t = pd.crosstab(d["region"].astype("str"), d["level"].astype("str"))
    return t.reindex(columns=list(LEVELS), fill_value=0).rename_axis(index="region", columns=None)


def with_margins(t: pd.DataFrame) -> pd.DataFrame:
    """The lesson's table with its totals (the package's own margins, labelled "total")."""
    return suppression.with_margins(t, total=TOTAL)


def naive_suppress(t: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """Every count from 1 to k − 1 shown as ``<k``, margins included; nothing else hidden."""
    m = with_margins(t)
    return m.astype(object).where(~((m > 0) & (m < k)), f"<{k}")


def attack(t: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """The smallest and largest value of every hidden cell of :func:`naive_suppress` that
    an attacker can reach from what it prints: an integer programme over the inner cells,
    with every shown count as an equality and every ``<k`` as 1 … k − 1."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = [(r, c) for r in t.index for c in t.columns]
    n = len(cells)
    pos = {rc: i for i, rc in enumerate(cells)}
    m = with_margins(t)
    rows, lo, hi = [], [], []

    def publish(members, value):
        a = np.zeros(n)
        a[[pos[x] for x in members]] = 1
        rows.append(a)
        small = 0 < value < k
        lo.append(1 if small else value)
        hi.append(k - 1 if small else value)

    for rc in cells:
        publish([rc], int(t.loc[rc]))
    for r in t.index:
        publish([(r, c) for c in t.columns], int(m.loc[r, TOTAL]))
    for c in t.columns:
        publish([(r, c) for r in t.index], int(m.loc[TOTAL, c]))
    publish(cells, int(m.loc[TOTAL, TOTAL]))
    constraint = LinearConstraint(np.array(rows), lo, hi)
    out = []
    for rc in cells:
        v = int(t.loc[rc])
        if not 0 < v < k:
            continue
        bounds = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[pos[rc]] = sign
            res = milp(c, constraints=constraint, integrality=np.ones(n), bounds=Bounds(0, np.inf))
            bounds.append(int(round(sign * res.fun)))
        out.append({"region": rc[0], "level": rc[1], "value": v, "lo": bounds[0], "hi": bounds[1]})
    return pd.DataFrame(out, columns=["region", "level", "value", "lo", "hi"])


@functools.cache
def protection(quarter: str = QUARTER):
    """The table of ``quarter`` protected by ``publish.disclosure``: every inner cell and
    margin a count over the quarter's visit rows; primary and complementary suppression;
    the audit."""
    from ..publish.disclosure import CellTable, protect

    d = _rows(quarter)
    cells = CellTable(d)
    region = d["region"].astype("str")
    level = d["level"].astype("str")
    for r in visits_table(quarter).index:
        for c in LEVELS:
            cells.add(f"{r}|{c}", (region == r) & (level == c))
        cells.add(f"{r}|{TOTAL}", region == r)
    for c in LEVELS:
        cells.add(f"{TOTAL}|{c}", level == c)
    cells.add(f"{TOTAL}|{TOTAL}", np.ones(len(d), dtype=bool))
    return protect(cells, k=K)


@functools.cache
def _attack_q4() -> pd.DataFrame:
    return attack(visits_table())


def _pinned() -> int:
    a = _attack_q4()
    return int((a["lo"] == a["hi"]).sum())


def target_cell() -> tuple[str, str]:
    """The hidden cell exercise 7.2 asks about: the first, in table order, that the attack
    narrows without pinning it."""
    a = _attack_q4()
    part = a[(a["lo"] < a["hi"]) & ((a["lo"] > 1) | (a["hi"] < K - 1))]
    row = (part if len(part) else a).iloc[0]
    return (row["region"], row["level"])


def _range() -> tuple[int, int]:
    a = _attack_q4().set_index(["region", "level"])
    lo, hi = a.loc[target_cell(), ["lo", "hi"]]
    return (int(lo), int(hi))


def _status_count(*kinds: str) -> int:
    p = protection()
    return sum(p.status[key] in kinds for key in p.keys)


def _narrowed() -> bool:
    a = protection().audit
    return bool(((a["hi"] - a["lo"]) < K - 2).any())


def _target_label(lang: str) -> str:
    region, level = target_cell()
    return f"{region} × {'进京' if level == 'national' else '赴省'}" if lang == "zh" else f"{region} × {level}"


EXERCISES = [
    Exercise(
        "7.1", "number",
        {"zh": "2023 年第四季度那张只做了 <5 抑制、照常公布行合计和列合计的表中，有多少个被隐藏的格子能被攻击者精确算出？",
         "en": "In the 2023 Q4 table with only <5 suppression and the row and column totals printed as usual, how many "
               "hidden cells can an attacker work out exactly?"},
        expected=_pinned,
        explain={"zh": "一行里如果只藏了一个格子，用合计减去其他格子就能还原它；整数规划把所有这类推算一次做完。",
                 "en": "When a row hides a single cell, its total minus the others gives it back; the integer programme "
                       "does every such subtraction at once."},
        hint={"zh": "对每个隐藏格子，用 milp 求它在所有公布数字约束下的最小值和最大值，数一数两者相等的有几个。",
              "en": "For each hidden cell, find its smallest and largest value given everything printed (milp), and "
                    "count the cells where the two are equal."},
        mistakes=[
            Mistake("all_hidden", lambda: len(_attack_q4()),
                    {"zh": "这是被隐藏的格子总数。不是每个都能被精确还原：有的只能缩小范围，有的仍在 1 到 4 之间都有可能。",
                     "en": "that is how many cells are hidden. Not all of them can be recovered exactly: some can only "
                           "be narrowed, some may still be anything from 1 to 4."}),
            Mistake("none", lambda: 0,
                    {"zh": "“<5”看上去保护了这些格子，但合计照常公布：试着在只藏了一个格子的行或列上做减法。",
                     "en": "\"<5\" looks protective, but the totals are printed: try subtracting in a row or column "
                           "that hides only one cell."}),
            Mistake("hidden_margins", lambda: int(((with_margins(visits_table()) > 0)
                                                   & (with_margins(visits_table()) < K)).sum().sum()),
                    {"zh": "这是包括合计在内的被隐藏数字个数。题目问的是其中能被精确算出的内部格子。",
                     "en": "that counts every hidden number, totals included. The question asks how many inner cells "
                           "can be worked out exactly."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "7.2", "interval",
        {"zh": "在同一张表中，攻击者对“{cell}”这个隐藏格子能推出的取值范围是多少？以 (最小值, 最大值) 作答。",
         "en": "In the same table, what range (smallest, largest) can an attacker narrow the hidden cell {cell} to?"},
        expected=_range,
        explain={"zh": "“<5”承诺这个数在 1 到 4 之间任何一个都有可能；合计泄露了更多信息，范围被缩小了。",
                 "en": "\"<5\" promises any value from 1 to 4; the totals give more away and the range shrinks."},
        hint={"zh": "用 milp 分别最小化和最大化这个格子，约束是表中公布的每一个数。",
              "en": "Minimise and maximise this cell with milp, subject to every number the table prints."},
        mistakes=[
            Mistake("promise", lambda: (1, K - 1),
                    {"zh": "这是“<5”本身承诺的范围。但表里还公布了合计：把合计也作为约束加进去再算。",
                     "en": "that is what \"<5\" promises on its own. The table also prints totals: add them as "
                           "constraints and solve again."}),
            Mistake("with_zero", lambda: (0, K - 1),
                    {"zh": "“<5”表示 1 到 4：零会照常显示为 0，所以被隐藏的格子至少是 1。再加上合计的约束。",
                     "en": "\"<5\" means 1 to 4: zeros are printed as 0, so a hidden cell is at least 1. Then add the "
                           "totals as constraints."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "7.3", "number",
        {"zh": "用 disclosure.protect（k = 5）保护同一张表后，有多少个数字因保护其他格子而被隐藏（显示为 x，补充抑制）？",
         "en": "After protecting the same table with disclosure.protect (k = 5), how many counts are hidden to protect "
               "others (shown as x, complementary suppression)?"},
        expected=lambda: _status_count("complementary"),
        explain={"zh": "补充抑制再多藏几个数，使任何一个“<5”都无法通过加减法被缩小到少于 4 个可能的值。",
                 "en": "Complementary suppression hides a few more counts so that no \"<5\" can be narrowed below four "
                       "possible values by adding and subtracting."},
        hint={"zh": "protection.counts() 按状态计数：shown、primary（<5）、complementary（x）。",
              "en": "protection.counts() counts the statuses: shown, primary (<5) and complementary (x)."},
        mistakes=[
            Mistake("primary", lambda: _status_count("primary"),
                    {"zh": "这是因为本身小于 5 而隐藏的（primary，显示为 <5）。题目问的是为保护它们而额外隐藏的（x）。",
                     "en": "that counts those hidden because they are small (primary, shown <5). The question asks for "
                           "those hidden in addition to protect them (x)."}),
            Mistake("all_hidden", lambda: _status_count("primary", "complementary"),
                    {"zh": "这是所有隐藏的数字。只数显示为 x 的那些。",
                     "en": "that is every hidden count. Count only those shown as x."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "7.4", "bool",
        {"zh": "保护之后，攻击者还能把某个隐藏数字的范围缩小到少于 4 个可能的值吗？（True 或 False）",
         "en": "After protection, can an attacker still narrow some hidden count to fewer than four possible values? "
               "(True or False)"},
        expected=_narrowed,
        explain={"zh": "审计（audit）对每个隐藏数字都求出了整数意义下的最小值和最大值，并证明 hi − lo ≥ k − 2。",
                 "en": "The audit finds, over the integers, the smallest and largest value of every hidden count and "
                       "proves hi − lo ≥ k − 2."},
        hint={"zh": "看 protection.audit 的 lo、hi 两列和 ok 列。",
              "en": "Look at the lo, hi and ok columns of protection.audit."},
        mistakes=[
            Mistake("guess", lambda: not _narrowed(),
                    {"zh": "不要凭感觉判断，看审计结果：每个隐藏数字 hi − lo 至少要是多少，才能保证有 4 个可能的值？",
                     "en": "do not judge by feel; read the audit: how large must hi − lo be for a count to keep four "
                           "possible values?"}),
        ],
        leak_forms=lambda: [],
    ),
]

# The question of 7.2 names its cell, which is known only once the table is built.
_Q72 = dict(EXERCISES[1].question)


class _Question(dict):
    def __getitem__(self, lang):
        return _Q72[lang].format(cell=_target_label(lang))


EXERCISES[1].question = _Question(_Q72)
