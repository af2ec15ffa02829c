"""Lesson 3: hotspots and multiple testing (热点与多重检验)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from . import data
from .core import Exercise, Feedback, Mistake

N_REGIONS, N_CATEGORIES, ALPHA = 13, 17, 0.05


def _bh() -> int:
    from ..analysis.stats import fdr_bh

    return int((fdr_bh(data.lesson3_pvalues()) < ALPHA).sum())


def _raw() -> int:
    return int((data.lesson3_pvalues() < ALPHA).sum())


def _bonferroni() -> int:
    p = data.lesson3_pvalues()
    return int((p < ALPHA / len(p)).sum())


@functools.cache
def scan() -> pd.DataFrame:
    """Emerging-hotspot tests of every region × category × quarter with a full history."""
    from ..analysis.hotspots import emerging_hotspots

    return emerging_hotspots(data.reference())


def _strongest() -> tuple[str, str, str]:
    top = scan()[scan()["flag"]].sort_values("p_value", kind="stable").iloc[0]
    return (str(top["region"]), str(top["category"]), str(top["period"]))


@functools.cache
def _region_names() -> dict[str, str]:
    from ..reference import load_manifest

    out = {}
    for r in load_manifest()["regions"]:
        for name in (r["zh"], r["en"], r["slug"]):
            out[_key(name)] = r["zh"]
        out[_key(r["en"].split(" (")[0])] = r["zh"]
    return out


def _key(s) -> str:
    return re.sub(r"[\s_\-·]+", "", str(s).strip().lower())


_FORM = {
    "zh": "请用三元组作答：(问题属地, 类别代码, 季度)，例如 ('甲区', 'politics_law', '2020Q1')。",
    "en": "answer with a tuple (region, category code, quarter), e.g. ('甲区', 'politics_law', '2020Q1').",
}


def _normalize_hotspot(answer):
    """(region, category, quarter) in the register's spelling; what cannot be read is kept
    as typed (lower-cased) so that it is simply wrong. A wrong shape gives Feedback."""
    from .. import taxonomy

    if isinstance(answer, pd.Series) and {"region", "category", "period"} <= set(answer.index):
        answer = (answer["region"], answer["category"], answer["period"])
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return Feedback("3.3", False, "", "form")  # message filled in by _hotspot_form
    region, category, quarter = answer
    region = _region_names().get(_key(region), _key(region))
    code = taxonomy.lookup(category) or _key(category)
    m = re.fullmatch(r"(\d{4})[\s\-_]*q([1-4])", _key(quarter)) or re.fullmatch(r"(\d{4})年?第?([1-4])季度?", str(quarter).strip())
    quarter = f"{m.group(1)}Q{m.group(2)}" if m else _key(quarter)
    return (region, code, quarter)


class _HotspotExercise(Exercise):
    def parse(self, answer, lang):
        got = _normalize_hotspot(answer)
        if isinstance(got, Feedback):
            return Feedback(self.id, False, ("还不对。" if lang == "zh" else "Not quite: ") + _FORM[lang], "form", lang)
        return got


def _old_code() -> str:
    from .. import taxonomy

    e = _strongest()
    old = [c for c in taxonomy.category_codes() if c != e[1] and taxonomy.crosswalk(c) == e[1]]
    return old[0] if old else e[1]


EXERCISES = [
    Exercise(
        "3.1", "number",
        {"zh": f"对 {N_REGIONS} 个县区 × {N_CATEGORIES} 个类别逐格检验，每格 α = {ALPHA}。假如实际上哪儿都没有变化，"
               "预计会有多少格仅凭偶然被标为“显著”？",
         "en": f"{N_REGIONS} regions × {N_CATEGORIES} categories are each tested at α = {ALPHA}, and nothing has "
               "really changed anywhere. How many cells do you expect to be flagged by chance alone?"},
        expected=lambda: N_REGIONS * N_CATEGORIES * ALPHA, tol=0.06,
        explain={"zh": "期望的假阳性数 = 检验次数 × α。格子越多，偶然“冒出来”的热点越多。",
                 "en": "Expected false positives = number of tests × α. The more cells, the more hotspots appear "
                       "by chance."},
        hint={"zh": "一共做了多少次检验？每次检验在没有真实变化时有多大概率误报？",
              "en": "How many tests are there in all, and how often does each one raise a false alarm when nothing "
                    "has changed?"},
        mistakes=[
            Mistake("alpha_only", lambda: ALPHA, tol=1e-9,
                    hint={"zh": "这是每一次检验的误报率。题目问的是所有格子加起来预计误报多少格。",
                     "en": "that is the error rate of one test. The question asks how many cells, over all of them."}),
            Mistake("tests_only", lambda: N_REGIONS * N_CATEGORIES, tol=0.5,
                    hint={"zh": "这是检验的格子数。每格只有一小部分概率误报。",
                     "en": "that is the number of cells tested. Each raises a false alarm only a small share of the "
                           "time."}),
            Mistake("added", lambda: (N_REGIONS + N_CATEGORIES) * ALPHA, tol=0.01,
                    hint={"zh": "县区和类别是交叉的：每个县区的每个类别各是一格，格数是相乘而不是相加。",
                     "en": "regions and categories cross: every category in every region is a cell, so multiply "
                           "rather than add."}),
            Mistake("zero", lambda: 0, tol=0.01,
                    hint={"zh": "即使没有任何真实变化，显著性检验也会按 α 的比例误报。",
                     "en": "even when nothing has changed, tests raise false alarms at the rate α."}),
        ],
    ),
    Exercise(
        "3.2", "number",
        {"zh": "对 lesson3_pvalues() 的全部 p 值做 Benjamini–Hochberg 校正（错误发现率 5%），有几个被判为显著？",
         "en": "How many of the p-values in lesson3_pvalues() does Benjamini–Hochberg reject at a 5 % false-discovery "
               "rate?"},
        expected=_bh,
        explain={"zh": "BH 控制的是“被判显著的格子中有多少是假的”，比 Bonferroni 宽松，又比不校正严格得多。",
                 "en": "BH controls the share of false findings among those flagged: less strict than Bonferroni, "
                       "far stricter than no correction."},
        hint={"zh": "statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='fdr_bh')，或 pa.stats.fdr_bh(p) < 0.05。",
              "en": "statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='fdr_bh'), or "
                    "pa.stats.fdr_bh(p) < 0.05."},
        mistakes=[
            Mistake("uncorrected", _raw,
                    {"zh": "这是不做任何校正、直接看 p < 0.05 的结果，其中混着不少偶然误报。请做 BH 校正。",
                     "en": "that is p < 0.05 with no correction, which mixes in chance findings. Apply "
                           "Benjamini–Hochberg."}),
            Mistake("bonferroni", _bonferroni,
                    {"zh": "这是 Bonferroni（p < 0.05 ÷ 检验数）的结果。它控制的是“至少一个误报”的概率，过于保守；"
                           "BH 控制错误发现率，能找出更多。",
                     "en": "that is the Bonferroni count (p < 0.05 ÷ number of tests). It controls the chance of any "
                           "false alarm and is too strict; BH controls the false-discovery rate and finds more."}),
            Mistake("true_effects", lambda: data.LESSON3_REAL,
                    {"zh": "这是模拟中真正有变化的格子数。BH 并不知道哪些是真的：它可能漏掉一些，也可能混进一些。"
                           "请真正算一下 BH 判了几个。",
                     "en": "that is how many cells really changed in the simulation. BH does not know which are real: "
                           "it may miss some and let some false ones in. Count what BH actually rejects."}),
            Mistake("all_tests", lambda: data.LESSON3_NULL + data.LESSON3_REAL,
                    {"zh": "这是 p 值的总个数。要数的是校正后仍显著的个数。",
                     "en": "that is how many p-values there are. Count those still significant after the correction."}),
        ],
    ),
    _HotspotExercise(
        "3.3", "tuple",
        {"zh": "在参考数据中，哪个“县区 × 类别 × 季度”是最强的新兴热点？以 (问题属地, 类别代码, 'YYYYQn') 作答。",
         "en": "Which region × category × quarter is the strongest emerging hotspot in the reference data? Answer "
               "(region, category code, 'YYYYQn')."},
        expected=_strongest,
        explain={"zh": "它与自己同季度的历史相比、并扣除全市整体变化后仍明显偏高，而且经过了 BH 校正。",
                 "en": "It stands out against its own history in the same quarter, after allowing for the city-wide "
                       "change, and survives the Benjamini–Hochberg correction."},
        hint={"zh": "pa.emerging_hotspots(df) 对每一格做检验并做 BH 校正；看 flag 为 True 的行中 p 值最小的一行。",
              "en": "pa.emerging_hotspots(df) tests every cell with FDR control; take the flagged row with the "
                    "smallest p-value."},
        mistakes=[
            Mistake("old_code", None,
                    {"zh": "地点和时间都对。但类别要用机构改革后统一的代码：2019 年起旧类别已改名，请用 taxonomy.crosswalk 换算。",
                     "en": "right place and time. Use the category code after the 2018 reform: old codes were renamed "
                           "from 2019; taxonomy.crosswalk converts them."},
                    match=lambda a: (a[0], a[2]) == (_strongest()[0], _strongest()[2]) and a[1] == _old_code()),
            Mistake("wrong_quarter", None,
                    {"zh": "县区和类别都对，季度不对。要的是被标记的那个季度，而不是这一格计数最多的季度：热点是相对它自己的历史而言的。",
                     "en": "right region and category, wrong quarter. Give the flagged quarter, not the one with the "
                           "most items: a hotspot is measured against the cell's own history."},
                    match=lambda a: a[:2] == _strongest()[:2]),
            Mistake("wrong_category", None,
                    {"zh": "县区和季度都对，类别不对。检查一下 category 列，用类别代码作答。",
                     "en": "right region and quarter, wrong category. Check the category column and answer with its code."},
                    match=lambda a: (a[0], a[2]) == (_strongest()[0], _strongest()[2])),
            Mistake("wrong_region", None,
                    {"zh": "类别和季度都对，县区不对。注意 region 是问题属地，也就是问题发生在哪个县区。",
                     "en": "right category and quarter, wrong region. region is where the problem lies (问题属地)."},
                    match=lambda a: a[1:] == _strongest()[1:]),
            Mistake("largest_count", None,
                    {"zh": "这是件数最多的一格，而不是最强的新兴热点：大县区的常见类别件数本来就多。热点要和这一格自己的历史比。",
                     "en": "that is the cell with the most items, not the strongest emerging hotspot: large regions "
                           "have many items in common categories anyway. A hotspot is measured against the cell's own "
                           "history."},
                    match=lambda a: a == _largest_cell()),
        ],
        leak_forms=lambda: ["2022Q3", "2022 Q3", "2022年第三季度", "2022 年第三季度"],
    ),
    Exercise(
        "3.4", "number",
        {"zh": "在这次新兴热点扫描的全部检验中，有多少格的原始 p 值（未校正）小于 0.05？",
         "en": "Of all the cells tested in that emerging-hotspot scan, how many have a raw (uncorrected) p-value "
               "below 0.05?"},
        expected=lambda: int((scan()["p_value"] < ALPHA).sum()),
        explain={"zh": "几百格“原始显著”，校正后只剩极少数：这正是多重检验要防的情形。",
                 "en": "Hundreds of cells are nominally significant, and almost none survive the correction: exactly "
                       "what multiple-testing control is for."},
        hint={"zh": "在 emerging_hotspots 的结果中数 p_value < 0.05 的行。",
              "en": "Count the rows of the emerging_hotspots result with p_value < 0.05."},
        mistakes=[
            Mistake("flagged", lambda: int(scan()["flag"].sum()),
                    {"zh": "这是校正后被标记的格数。题目问的是校正前：原始 p 值小于 0.05 的有多少。",
                     "en": "that is how many are flagged after the correction. The question asks for raw p-values "
                           "below 0.05."}),
            Mistake("tests", lambda: len(scan()),
                    {"zh": "这是检验的总格数。再加上条件 p_value < 0.05。",
                     "en": "that is the number of cells tested. Add the condition p_value < 0.05."}),
            Mistake("expected_share", lambda: len(scan()) * ALPHA, tol=0.6,
                    hint={"zh": "这是没有任何变化时预期的误报数（检验数 × α）。题目要你去数实际的原始 p 值。",
                     "en": "that is how many you would expect by chance (tests × α). Count the actual raw p-values."}),
        ],
    ),
]


def _largest_cell() -> tuple[str, str, str]:
    s = scan().sort_values(["observed", "p_value"], ascending=[False, True], kind="stable").iloc[0]
    return (str(s["region"]), str(s["category"]), str(s["period"]))
