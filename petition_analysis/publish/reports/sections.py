"""Report sections: the package calls a report notebook makes, one per section, each
returning a display-ready table in ``zh`` or ``en``.

Every number comes from the tested analysis modules (:mod:`~petition_analysis.analysis.compare`,
:mod:`~petition_analysis.analysis.rates`, :mod:`~petition_analysis.analysis.hotspots`,
:mod:`~petition_analysis.analysis.petitioners`); this module only chooses, labels and formats. In
public mode every count from 1 to k−1 is shown as ``<k`` and what could reveal it (change,
percentage, interval, p-value) is left blank.

>>> from petition_analysis.publish import reports
>>> ctx = reports.prepare("annual", year=2019, as_of="2019-12-20", lang="en")
>>> t = headline(ctx)
>>> t.loc[t["figure"] == "items", ["current", "previous", "change %"]].to_dict("records")
[{'current': '28,792', 'previous': '29,368', 'change %': '−1.96%'}]
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ... import periods
from ...analysis import compare, hotspots, petitioners
from ...analysis._checks import labels_in
from .. import narrative as _narrative
from ... import taxonomy
from ...analysis.registry import (FIVE_DECLINES, HEADLINE_SERIES, VERDICTS, FigureRegistry, build_registry,
                                 figure_id, report_period)
from .params import ReportContext

__all__ = [
    "registry", "show", "period_of", "period_labels", "title", "heading", "SECTION_TEXT", "narrative", "emerging_note", "headline", "headline_figures", "comparison_display", "channels", "levels",
    "leapfrog_collective_repeat", "five_declines", "three_rates", "categories", "emerging", "regions",
    "accumulated", "quality", "provenance", "region_context", "city_registry", "summary_figures", "figures_text",
    "plot", "PLOTS", "figure", "ReportFigure", "alt_text", "FIGURE_TEXT", "EMPTY_TABLE", "PROVENANCE_LABELS", "heatmap_quarter", "heatmap_counts", "category_years", "category_years_json", "share_scan", "emerging_over_years", "seasonal", "hotspot_heading", "scan_note",
]

LEVEL_LABELS = {"county": {"zh": "到县", "en": "county"}, "city": {"zh": "到市", "en": "city"},
                "province": {"zh": "赴省", "en": "province"}, "national": {"zh": "进京", "en": "national"}}
CHANNEL_LABELS = {"letter": {"zh": "来信", "en": "letters"}, "visit": {"zh": "来访", "en": "visits"},
                  "online": {"zh": "网上信访", "en": "online"}, "phone": {"zh": "来电", "en": "phone"}}
MEASURE_LABELS = {"items": {"zh": "批次（件次）", "en": "items"}, "person_times": {"zh": "人次", "en": "person-times"}}
HEAD = {
    "zh": {"label": "指标", "measure": "计量", "current": "本期", "previous": "上年同期", "change": "增减",
           "change %": "增减率", "rate ratio (CI)": "率比（置信区间）",
           "vs seasonal expectation (CI)": "相对季节性预期（置信区间）", "CI level": "区间水平", "p (adjusted)": "p值（校正）",
           "assessment": "判断"},
    "en": {},
}


def _t(lang: str, key: str) -> str:
    return HEAD[lang].get(key, key)


def period_of(ctx: ReportContext) -> periods.Period:
    """The period a report compares with the same period a year earlier: the year (or year
    to date), the quarter, or, for a multi-year hotspot report, its last year."""
    return report_period(ctx.kind, year=ctx.year, as_of=ctx.as_of, quarter=ctx.quarter, end_year=ctx.end_year)


def title(ctx: ReportContext) -> str:
    """The report's title, e.g. 'XX市2019年信访工作分析报告（截至12月20日）'.

    >>> from petition_analysis.publish import reports
    >>> title(reports.prepare("quarterly", year=2019, quarter=3, lang="en"))
    'XX City: petition report, 2019 Q3'
    """
    place = ctx.region_label
    zh = ctx.lang == "zh"
    if ctx.kind == "annual":
        period = f"{ctx.year}年" if zh else f"{ctx.year}"
        if ctx.as_of is not None:
            period += f"（截至{ctx.as_of.month}月{ctx.as_of.day}日）" if zh else f", year to {ctx.as_of.day} {ctx.as_of:%b}"
        return f"{place}{period}信访工作分析报告" if zh else f"{place}: annual petition report, {period}"
    if ctx.kind == "quarterly":
        return (f"{place}{ctx.year}年第{'一二三四'[ctx.quarter - 1]}季度信访工作分析报告" if zh
                else f"{place}: petition report, {ctx.year} Q{ctx.quarter}")
    return (f"{place}{ctx.start_year}—{ctx.end_year}年信访热点问题分析" if zh
            else f"{place}: petition hotspots, {ctx.start_year}–{ctx.end_year}")


#: Section headings and the sentence under each, in both languages.
SECTION_TEXT = {
    "headline": ("总体情况", "Headline",
                 "率比按工作日折算；置信区间考虑了月度波动、年度之间的波动和人次的成批聚集。"
                 "同一组指标一并作多重检验校正（Benjamini–Hochberg），区间水平随之调整（错误覆盖率），"
                 "因此区间不含1当且仅当判断为“显著”。",
                 "Rate ratios are per working day; intervals allow for month-to-month variation, variation "
                 "between years and visitors arriving in groups. Figures of one family are corrected together "
                 "(Benjamini–Hochberg) and their interval level is adjusted to match (false-coverage-rate "
                 "intervals), so an interval excludes 1 exactly when the verdict is 'significant'."),
    "channels": ("信访渠道与层级", "Channels and levels",
                 "按信访形式和到达层级统计的件次与人次，同比。",
                 "Items and person-times by channel and by the level that received them, year on year."),
    "leapfrog": ("越级访、集体访与重复访", "Leapfrog, collective and repeat visits", "", ""),
    "five_declines": ("“五下降”情况", "The five declines",
                      "来访、来信、越级访、重复访、集体访同比变化及其统计判断。",
                      "Visits, letters, leapfrog, repeat and collective visits, year on year, with the statistical verdict."),
    "rates": ("“三率”情况", "The three rates",
              "及时受理率（15日内受理）、按期办结率（60日内办结，延期的90日）、满意率与参评率，附Wilson置信区间。",
              "Timely acceptance (within 15 days), on-time conclusion (60 days, 90 if extended), satisfaction "
              "and participation, with Wilson intervals."),
    "hotspots": ("热点问题", "Hotspot categories",
                 "问题类别按2018年机构改革后的口径统一（如国土资源→自然资源）。",
                 "Categories are made comparable across the 2018 reform (e.g. land resources → natural resources)."),
    "emerging": ("新出现的区域热点", "Emerging regional hotspots",
                 "与各区县×类别自身历史同季度相比显著偏高的单元（错误发现率控制）。",
                 "Region × category cells well above their own history for the same quarter (false-discovery-rate controlled)."),
    "regions": ("各区县情况", "Regions", "", ""),
    "accumulated": ("积案情况", "Accumulated cases",
                    "积案：两年内赴省进京访3次以上的信访人（仅列人数，不列个人信息）。",
                    "Accumulated cases: petitioners with more than 3 province or national visits within 2 years "
                    "(counts only, no personal data)."),
    "trend": ("月度趋势与季节性", "Monthly trend and seasonality", "", ""),
    "quality": ("附录：数据质量", "Appendix: data quality", "", ""),
    "provenance": ("附录：数据来源与参数", "Appendix: provenance", "", ""),
}


def heading(ctx: ReportContext, key: str, level: int = 2) -> str:
    """A Markdown heading with its explanatory sentence, in the report's language."""
    zh_h, en_h, zh_t, en_t = SECTION_TEXT[key]
    head, text = (zh_h, zh_t) if ctx.lang == "zh" else (en_h, en_t)
    return f"{'#' * level} {head}" + (f"\n\n{text}" if text else "")


# --- the registry: every number of the report, computed once ---------------------------

def _memo(ctx: ReportContext, key: tuple, compute):
    """Compute a table once per report and share it between sections."""
    if key not in ctx.cache:
        ctx.cache[key] = compute()
    return ctx.cache[key]


def registry(ctx: ReportContext) -> FigureRegistry:
    """The report's figure registry (:mod:`petition_analysis.analysis.registry`): tables,
    charts, narrative and JSON all look their numbers up here."""
    def compute():
        return build_registry(
            ctx.data, kind=ctx.kind, year=ctx.year, as_of=ctx.as_of, quarter=ctx.quarter,
            start_year=ctx.start_year, end_year=ctx.end_year, region=ctx.region,
            extraction_date=getattr(ctx, "extraction_date", None), emerging=True,
            # flagged cells show their count: never one that public mode would hide
            min_emerging=max(5, ctx.suppression_k))
    return _memo(ctx, ("registry",), compute)


def disclosure(ctx: ReportContext):
    """Public mode: which counts the report shows, hides as small (``<k``) or hides to protect
    others (``x``), with the audit that proves it (:mod:`petition_analysis.publish.disclosure`);
    ``None`` for an internal report. In a public batch the series' decisions are kept, so
    every report of the series hides the same cells."""
    if not ctx.public:
        return None

    def compute():
        import json

        from ..disclosure import SHOWN, AuditFailed, Protection, protect
        from .cells import report_cells

        table = report_cells(ctx)
        if not ctx.disclosure_plan:
            return protect(table, ctx.suppression_k)
        # A series decided and audited these cells together (reports.series); its proof
        # covers this report, which prints exactly what the series decided.
        plan = json.loads(open(ctx.disclosure_plan, encoding="utf-8").read())
        missing = [key for key in table.keys if key not in plan["status"]]
        if missing or int(plan["k"]) != ctx.suppression_k:
            raise AuditFailed(f"the series' disclosure plan does not match this report (e.g. {(missing or ['k'])[0]}); "
                              "run the whole series again with `petition-analysis batch`.")
        values = {key: table.value(key) for key in table.keys}
        status = {key: plan["status"][key] for key in table.keys}
        if any(0 < values[key] < ctx.suppression_k and status[key] == SHOWN for key in table.keys):
            raise AuditFailed("the series' disclosure plan would show a small count; run the series again.")
        rows = [{"key": key, "status": st, "value": values[key], "lo": plan["audit"][key][0],
                 "hi": plan["audit"][key][1]} for key, st in status.items() if st != SHOWN]
        audit = pd.DataFrame(rows, columns=["key", "status", "value", "lo", "hi"]).set_index("key")
        audit["ok"] = (audit["hi"] - audit["lo"] >= ctx.suppression_k - 2) & audit["value"].between(audit["lo"], audit["hi"])
        prot = Protection(ctx.suppression_k, values, status, audit, stats={"series": True})
        if not prot.ok:
            raise AuditFailed("the series' audit does not prove the rule for this report; run the series again.")
        return prot
    return _memo(ctx, ("disclosure",), compute)


def _hidden_figures(ctx: ReportContext) -> set[str]:
    """Figure ids with a hidden count (public mode), whose change and verdict are not shown."""
    prot = disclosure(ctx)
    if prot is None:
        return set()
    out = set()
    for key in prot.keys:
        if key.startswith("fig:") and prot.hidden(key):
            out.add(key.split(":")[1])
    return out


def _emerging_flags(ctx: ReportContext) -> pd.DataFrame:
    return registry(ctx).emerging


# --- formatting ----------------------------------------------------------------------

#: What a report says instead of an empty table, unless the table names its own sentence
#: (``table.attrs["empty"]``).
EMPTY_TABLE = {"zh": "本期没有符合条件的记录。", "en": "Nothing to report for this period."}


def _lang_of(table: pd.DataFrame) -> str:
    text = "".join(map(str, table.columns))
    return "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"


def show(table: pd.DataFrame, empty: str | None = None):
    """A table for the report: no row numbers, text left-aligned, numbers right-aligned, and
    no column that is empty in every row (a verdict blanked throughout, say). An empty table
    becomes one sentence instead of a lone header row: ``empty``, or the table's
    ``attrs["empty"]``, or :data:`EMPTY_TABLE`.

    The styled table's id is a hash of its content, so the same report gives the same HTML.

    >>> show(pd.DataFrame({"区县": [], "件次": []})).data
    '本期没有符合条件的记录。'
    >>> list(show(pd.DataFrame({"a": ["x"], "b": [""], "c": ["1"]})).data.columns)
    ['a', 'c']
    """
    import hashlib

    from IPython.display import Markdown
    from pandas.io.formats.style import Styler

    if table.empty:
        sentence = empty if empty is not None else table.attrs.get("empty", EMPTY_TABLE[_lang_of(table)])
        return Markdown(sentence)  # "" when the text around the table already says so
    text = table.astype("str")
    blank = text.apply(lambda col: col.str.strip().isin(["", "nan", "<NA>", "None"]).all())
    keep = [c for c in table.columns if not blank[c] or c == table.columns[0]]
    table, text = table[keep], text[keep]
    uuid = hashlib.sha256(text.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
    # escaped: "<5" is text, not the start of a tag
    styler = Styler(table, uuid=uuid, cell_ids=False).hide(axis="index").format(escape="html")
    if table.attrs.get("caption"):  # a sentence that reads the table, above it
        styler = styler.set_caption(table.attrs["caption"])
    numeric = r"^[\s<+\-−±\d.,%()–x/]*$"
    text_cols = [c for c in table.columns if not text[c].str.match(numeric).all()]
    if text_cols:
        # text may wrap (a verdict, a long category name); numbers stay on one line
        styler = styler.set_table_styles({c: [{"selector": "td", "props": "text-align: left; white-space: normal"},
                                              {"selector": "th", "props": "text-align: left"}] for c in text_cols},
                                         overwrite=False)
    return styler


def _count(v) -> str:
    return "" if pd.isna(v) else f"{int(v):,}"


def _signed(v, digits=0, suffix="") -> str:
    if pd.isna(v) or not np.isfinite(v):
        return ""
    text = f"{abs(v):,.{digits}f}{suffix}"
    if text.strip("0.,% ") == "":  # rounds to zero: no sign
        return f"{0:.{digits}f}{suffix}"
    return ("−" if v < 0 else "+") + text


def _p(v) -> str:
    if pd.isna(v):
        return ""
    return "<0.001" if v < 0.001 else f"{v:.3f}"


def _ratio(v) -> str:
    return f"{v:.2f}" if pd.notna(v) and np.isfinite(v) else ""


def comparison_display(t: pd.DataFrame, ctx: ReportContext, labels, against: str = "yoy",
                       cells=None) -> pd.DataFrame:
    """Format registry rows for display: label, counts, change, change %, the rate ratio with
    the interval that agrees with the verdict (its level adjusted for the figure's family),
    the adjusted p-value and the verdict, with public-mode suppression. ``cells``: each row's
    disclosure cell key before ``:current`` / ``:previous`` (default ``fig:<figure id>``)."""
    lang, k = ctx.lang, ctx.suppression_k
    out = pd.DataFrame(index=t.index)
    out[_t(lang, "label")] = list(labels)
    out[_t(lang, "current")] = t["current"].map(_count)
    prev_head = _t(lang, "previous") if against == "yoy" else ("上期" if lang == "zh" else "previous quarter")
    out[prev_head] = t["previous"].map(_count)
    out[_t(lang, "change")] = t["change"].map(lambda v: _signed(v))
    out[_t(lang, "change %")] = t["change_pct"].map(lambda v: _signed(v, 2, "%"))
    rr_head = _t(lang, "rate ratio (CI)") if against == "yoy" else _t(lang, "vs seasonal expectation (CI)")
    out[rr_head] = [f"{_ratio(r)} ({_ratio(lo)}–{_ratio(hi)})" if _ratio(r) and _ratio(hi) else _ratio(r)
                    for r, lo, hi in zip(t["rate_ratio"], t["ci_low"], t["ci_high"])]
    out[_t(lang, "CI level")] = [f"{100 * v:.1f}%" if pd.notna(v) else "" for v in t["ci_level"]]
    out[_t(lang, "p (adjusted)")] = t["p_value"].map(_p)
    out[_t(lang, "assessment")] = t["verdict"].map(lambda a: VERDICTS[a][lang])
    if ctx.public:
        prot = disclosure(ctx)
        keys = list(cells) if cells is not None else [f"fig:{fid}" for fid in t.index]
        out[_t(lang, "current")] = [prot.display(f"{key}:current") for key in keys]
        out[prev_head] = [prot.display(f"{key}:previous") for key in keys]
        hidden = np.array([prot.hidden(f"{key}:current") or prot.hidden(f"{key}:previous") for key in keys], dtype=bool)
        derived = [_t(lang, "change"), _t(lang, "change %"), rr_head, _t(lang, "CI level"),
                   _t(lang, "p (adjusted)"), _t(lang, "assessment")]
        out.loc[hidden, derived] = ""
    return out.reset_index(drop=True)


def _measure_rows(ctx: ReportContext, pairs, against: str = "yoy") -> pd.DataFrame:
    """Registry rows for ``(figure stem, label)`` pairs, items then person-times of each."""
    reg = registry(ctx)
    ids, labels = [], []
    prefix = "qoq_" if against == "previous" else ""
    for stem, label in pairs:
        for m in ("items", "person_times"):
            fid = figure_id(stem, m, prefix)
            if fid in reg:
                ids.append(fid)
                labels.append(f"{label} · {MEASURE_LABELS[m][ctx.lang]}")
    return comparison_display(reg.rows(ids), ctx, labels, against)


# --- sections ------------------------------------------------------------------------

def period_labels(ctx: ReportContext) -> dict:
    """The period and its comparison period, labelled in zh and en (partial periods say so)."""
    if ctx.kind == "hotspots":
        return {"start": f"{ctx.start_year}-01-01", "end": f"{ctx.end_year}-12-31", "partial": False,
                "zh": f"{ctx.start_year}—{ctx.end_year}年", "en": f"{ctx.start_year}–{ctx.end_year}"}
    reg = registry(ctx)
    p, c = reg.period, reg.comparison
    return {"start": p.start.date().isoformat(), "end": p.end.date().isoformat(), "partial": p.partial,
            "zh": p.label("zh"), "en": p.label("en"),
            "extraction_date": reg.extraction_date.date().isoformat(),
            "comparison": {"start": c.start.date().isoformat(), "end": c.end.date().isoformat(),
                           "zh": c.label("zh"), "en": c.label("en")}}


def narrative(ctx: ReportContext) -> str:
    """Headline paragraphs in the register of a work summary, read from the registry
    (:mod:`petition_analysis.publish.narrative`). In public mode a paragraph that would state a count
    below k is left out, and a sentence says so."""
    return _narrative.registry_text(registry(ctx), lang=ctx.lang, place=ctx.region_label,
                                    suppress_below=ctx.suppression_k if ctx.public else None,
                                    hidden=_hidden_figures(ctx) if ctx.public else None)


def headline_figures(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """The headline registry rows (numbers, not formatted): all items and person-times,
    national-level visits and leapfrog visits received at city level.
    ``against``: ``"yoy"`` (同比) or ``"previous"`` (环比, the previous quarter)."""
    reg = registry(ctx)
    prefix = "qoq_" if against == "previous" else ""
    ids = [figure_id(s, m, prefix) for s in HEADLINE_SERIES for m in ("items", "person_times")]
    return reg.rows(ids)


def headline(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """Headline figures, formatted; the ``figure`` column keeps the JSON key."""
    t = headline_figures(ctx, against)
    out = comparison_display(t, ctx, t["label_" + ctx.lang], against)
    out.insert(0, "figure", t.index.to_numpy())
    return out


def channels(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """Items and person-times by channel (来信/来访/网上/来电)."""
    return _measure_rows(ctx, [(s, CHANNEL_LABELS[c][ctx.lang]) for s, c in
                               (("letters", "letter"), ("visits", "visit"), ("online", "online"), ("phone", "phone"))])


def levels(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """Visits by the level that received them (到县/到市/赴省/进京)."""
    pre = "来访 · " if ctx.lang == "zh" else "visits · "
    return _measure_rows(ctx, [(f"visits_{lv}", pre + LEVEL_LABELS[lv][ctx.lang])
                               for lv in ("county", "city", "province", "national")])


def leapfrog_collective_repeat(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """Leapfrog visits by level, then collective and repeat visits."""
    pre = "越级访 · " if ctx.lang == "zh" else "leapfrog · "
    pairs = [(f"leapfrog_{lv}", pre + LEVEL_LABELS[lv][ctx.lang]) for lv in ("city", "province", "national")]
    pairs += [(s, compare.SERIES_LABELS[s][ctx.lang]) for s in ("collective_visits", "repeat_visits")]
    return _measure_rows(ctx, pairs)


def five_declines(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """The five declines scorecard (五下降), formatted."""
    return _measure_rows(ctx, [(s, compare.SERIES_LABELS[s][ctx.lang]) for s in FIVE_DECLINES])


def three_rates(ctx: ReportContext) -> pd.DataFrame:
    """The three rates and participation with numerator, denominator, Wilson interval and how
    many items left the denominator because their time limit had not run out (censored)."""
    t = registry(ctx).family("rates")
    lang, k = ctx.lang, ctx.suppression_k
    head = {"zh": ["指标", "分子", "分母", "比率", "95%置信区间", "未到期未计入"],
            "en": ["rate", "numerator", "denominator", "rate %", "95% CI", "not yet due (left out)"]}[lang]
    out = pd.DataFrame({
        head[0]: t["label_" + lang].to_numpy(),
        head[1]: t["numerator"].map(_count).to_numpy(),
        head[2]: t["denominator"].map(_count).to_numpy(),
        head[3]: [f"{100 * r:.1f}%" if pd.notna(r) else "" for r in t["rate"]],
        head[4]: [f"{100 * lo:.1f}–{100 * hi:.1f}%" if pd.notna(lo) else "" for lo, hi in zip(t["ci_low"], t["ci_high"])],
        head[5]: t["censored"].map(_count).to_numpy(),
    })
    if ctx.public:
        prot = disclosure(ctx)
        names = [fid.removeprefix("rate_") for fid in t.index]
        for col, part in ((head[1], "numerator"), (head[2], "denominator"), (head[5], "censored")):
            out[col] = [prot.display(f"rate:{n}:{part}") for n in names]
        out.loc[_rates_hidden(ctx, t), [head[3], head[4]]] = ""
    return out


def _rates_hidden(ctx: ReportContext, t: pd.DataFrame) -> np.ndarray:
    """Rates whose numerator or denominator is hidden: rate × denominator would give it back."""
    prot = disclosure(ctx)
    names = [fid.removeprefix("rate_") for fid in t.index]
    return np.array([prot.hidden(f"rate:{n}:numerator") or prot.hidden(f"rate:{n}:denominator") for n in names],
                    dtype=bool)


def _categories(ctx: ReportContext) -> pd.DataFrame:
    t = registry(ctx).family("categories")
    return t.sort_values(["current", "previous"], ascending=False)


def categories(ctx: ReportContext, top: int | None = None) -> pd.DataFrame:
    """Problem categories ranked by volume, with share and change in both (crosswalked
    across the 2018 taxonomy change)."""
    t = _categories(ctx)
    if top:
        t = t.head(top)
    lang = ctx.lang
    out = comparison_display(t, ctx, t["label_" + lang])
    share = {"zh": ["占比", "占比变化（百分点）", "占比判断"], "en": ["share", "share change (pp)", "share test"]}[lang]
    flag = {"up": {"zh": "占比显著上升", "en": "share up"}, "down": {"zh": "占比显著下降", "en": "share down"},
            "none": {"zh": "无显著变化", "en": "no significant change"}}
    out.insert(2, share[0], [f"{100 * s:.1f}%" if pd.notna(s) else "" for s in t["share_current"]])
    out[share[1]] = [_signed(v, 2) for v in t["share_change_pp"]]
    out[share[2]] = [flag[f][lang] if f in flag else "" for f in t["share_flag"]]
    if ctx.public:  # a share × the total would give a hidden count back
        hidden = np.array([fid in _hidden_figures(ctx) for fid in t.index], dtype=bool)
        out.loc[hidden, share] = ""
    return out


def emerging(ctx: ReportContext, only_flagged: bool = True) -> pd.DataFrame:
    """Emerging hotspots: region × category cells of the report's quarter(s) with an excess
    over their own history and seasonality, FDR-controlled across every cell tested."""
    return _emerging_display(ctx, _emerging_flags(ctx), only_flagged)


def _emerging_display(ctx: ReportContext, t: pd.DataFrame, only_flagged: bool = True) -> pd.DataFrame:
    tests = t.attrs.get("tests")
    if ctx.region is not None:
        t = t[t["region"] == ctx.region]
    if only_flagged:
        t = t[t["flag"]]
    lang = ctx.lang
    head = {"zh": ["区县", "问题类别", "季度", "实际", "预期", "倍数", "p值（校正）"],
            "en": ["region", "category", "quarter", "observed", "expected", "ratio", "p (adjusted)"]}[lang]
    region_name = t["region"] if lang == "zh" else t["region"].map(_region_en)
    out = pd.DataFrame({
        head[0]: region_name.to_numpy(),
        head[1]: [taxonomy.label(c, lang) for c in t["category"]],
        head[2]: t["period"].to_numpy(),
        head[3]: t["observed"].map(_count).to_numpy(),
        head[4]: [f"{e:.1f}" for e in t["expected"]],
        head[5]: [f"{r:.2f}" for r in t["ratio"]],
        head[6]: t["p_adjusted"].map(_p).to_numpy(),
    })
    if ctx.public:
        # The expected count, the ratio and the p-value come from the cell's own history
        # (earlier quarters, not printed): the public edition shows the flagged cell only.
        prot = disclosure(ctx)
        out[head[3]] = [prot.display(f"cell:{q}:{r}:{c}") for q, r, c in zip(t["period"], t["region"], t["category"])]
        out = out[head[:4]]
    out.attrs["tests"] = tests
    # Nothing: the note above the table (emerging_note) already says that no cell was flagged.
    out.attrs["empty"] = ""
    return out


def emerging_note(ctx: ReportContext, flags: pd.DataFrame) -> str:
    """One sentence on how many cells were tested and how many were flagged."""
    n = flags.attrs.get("tests") or 0
    if n == 0:
        k = flags.attrs.get("history_years", 3)
        if ctx.lang == "zh":
            return f"新热点检验需要同一季度此前{k}年的数据，本期之前的数据不足，未作检验。"
        return (f"Emerging hotspots need the same quarter of the {k} previous years; the data before this period "
                "are too short, so no cell was tested.")
    if len(flags) == 0:
        if ctx.lang == "zh":
            return f"共检验{n:,}个区县×类别×季度单元，没有单元被标记为新热点（错误发现率5%）。"
        return f"{n:,} region × category × quarter cells were tested; none was flagged as an emerging hotspot (FDR 5%)."
    if ctx.lang == "zh":
        return f"共检验{n:,}个区县×类别×季度单元，{len(flags)}个被标记为新热点（错误发现率5%）。"
    return f"{n:,} region × category × quarter cells were tested; {len(flags)} flagged as emerging hotspots (FDR 5%)."


def _region_en(name: str) -> str:
    from ...synth.city import region_label

    return region_label(name, "en")


def regions(ctx: ReportContext, against: str = "yoy") -> pd.DataFrame:
    """Items by region (问题属地), year on year, tested together across the whole city.

    A county's report shows its own context instead (:func:`region_context`): the county
    against the whole city, its share of the city's items and its rank among the regions."""
    if ctx.region is not None:
        return region_context(ctx)
    t = registry(ctx).family("regions").sort_values("current", ascending=False)
    names = t["dimension_value"].astype("str")
    return comparison_display(t, ctx, names if ctx.lang == "zh" else names.map(_region_en))


def _city_label(ctx: ReportContext) -> str:
    office = getattr(ctx, "office", None)
    if office is not None and hasattr(office, "label"):
        return office.label(ctx.lang)
    from ...synth.city import CITY

    return CITY[ctx.lang]


def city_registry(ctx: ReportContext) -> FigureRegistry:
    """The whole city's headline and regional figures for the report's period: a county's
    report compares itself with them (the same numbers as the city's own report)."""
    if ctx.region is None:
        return registry(ctx)

    def compute():
        return build_registry(
            ctx.data, kind=ctx.kind, year=ctx.year, as_of=ctx.as_of, quarter=ctx.quarter,
            start_year=ctx.start_year, end_year=ctx.end_year, region=None,
            extraction_date=getattr(ctx, "extraction_date", None), families=["primary", "regions"])
    return _memo(ctx, ("registry", "city"), compute)


def region_context(ctx: ReportContext) -> pd.DataFrame:
    """A county's report: the county's items against the whole city's, year on year (each
    with its own report's verdict), the county's share of the city's items and its rank
    among the city's regions now and a year earlier (1 = the most items).

    The public edition prints the same table through disclosure control: the city's totals
    and every region's counts are cells of the report's audit (:mod:`.cells`), a hidden
    count is printed ``<k`` or ``x`` and the share and change that would give it back are
    left out. The ranks are worked out from every region's counts, so they are printed only
    when none of those counts is hidden (an order among hidden counts would narrow them)."""
    lang = ctx.lang
    zh = lang == "zh"
    own = registry(ctx).rows(["items"])
    head = "地区" if zh else "region"
    city = city_registry(ctx)
    whole = city.rows(["items"])
    fam = city.family("regions")
    t = pd.concat([own, whole])
    prot = disclosure(ctx)  # None in an internal report
    # the county's own total is fig:items; the city's "items" figure is the city:items cell
    cells = ["fig:items", "city:items"] if prot is not None else None
    out = comparison_display(t, ctx, [ctx.region_label, _city_label(ctx)], cells=cells).rename(
        columns={_t(lang, "label"): head})

    def hidden(key: str) -> bool:
        # a count the audit never saw is treated as hidden: a rank must not rest on it
        return prot is not None and any(f"{key}:{part}" not in prot.status or prot.hidden(f"{key}:{part}")
                                        for part in ("current", "previous"))

    mine = fam[fam["dimension_value"].astype("str") == ctx.region]
    n = len(fam)
    share = (float(own["current"].iloc[0]) / float(whole["current"].iloc[0])
             if len(own) and len(whole) and whole["current"].iloc[0] else np.nan)
    if prot is not None and (prot.hidden("fig:items:current") or prot.hidden("city:items:current")):
        share = np.nan  # a share beside a total gives the hidden count back
    out.insert(2, "占全市" if zh else "share of city", [f"{100 * share:.1f}%" if pd.notna(share) else "", "100%"])
    # A rank orders every region's count: printed only when none of them is hidden.
    ranked = not mine.empty and not any(hidden(f"fig:{fid}") for fid in fam.index)

    def rank(column: str) -> str:
        if not ranked:
            return ""
        r = fam[column].rank(ascending=False, method="min")[mine.index[0]]
        return f"{int(r)}/{n}" if zh else f"{int(r)} of {n}"

    out["全市排名" if zh else "rank in city"] = [rank("current"), ""]
    out["上年同期排名" if zh else "rank a year earlier"] = [rank("previous"), ""]
    if ranked and pd.notna(share):
        now, before = (int(fam[c].rank(ascending=False, method="min")[mine.index[0]]) for c in ("current", "previous"))
        if zh:
            out.attrs["caption"] = (f"{ctx.region_label}本期件次占全市的{100 * share:.1f}%，在{n}个区县中居第{now}位"
                                    f"（上年同期第{before}位；按件次从多到少排列）。")
        else:
            out.attrs["caption"] = (f"{ctx.region_label} had {100 * share:.1f}% of the city's items, ranking {now} of {n} "
                                    f"regions ({before} a year earlier; 1 = the most items).")
    elif prot is not None and not mine.empty:
        out.attrs["caption"] = ("部分区县的件次在公开版中不予公布，按件次的排名会缩小它们的可能取值，因此不列排名。" if zh else
                                "Some regions' counts are withheld in the public edition; a ranking by items would "
                                "narrow them down, so the ranks are left out.")
    return out


def accumulated(ctx: ReportContext) -> pd.DataFrame:
    """Accumulated cases (积案) as counts only: petitioners meeting the rule by the end of the
    period, those who first met it in the period, and their province/national visits in it."""
    p = period_of(ctx)
    acc = petitioners.accumulated_cases(ctx.region_data[ctx.region_data["received_date"] <= p.end])
    new = acc["window_end"].between(p.start, p.end)
    sel = ctx.region_data
    in_p = p.contains(sel["received_date"])
    visits = int((in_p & sel["petitioner_id"].isin(acc["petitioner_id"]) &
                  labels_in(sel["level"], ["province", "national"])).sum())
    rule = acc.attrs.get("rule", {})
    conc = petitioners.repeat_concentration(sel, p).iloc[0]
    rows = {
        "zh": [("累计积案人数（截至期末）", len(acc)), ("本期新增积案人数", int(new.sum())),
               ("积案人员本期赴省进京访（批次）", visits),
               ("最活跃1%信访人所占件次比例", f"{100 * conc['top_1pct_share']:.1f}%"),
               ("最活跃10%信访人所占件次比例", f"{100 * conc['top_10pct_share']:.1f}%"),
               ("集中度基尼系数", f"{conc['gini']:.2f}")],
        "en": [("accumulated-case petitioners (by period end)", len(acc)), ("newly meeting the rule in the period", int(new.sum())),
               ("their province/national visits in the period", visits),
               ("share of items from the most active 1% of petitioners", f"{100 * conc['top_1pct_share']:.1f}%"),
               ("share of items from the most active 10%", f"{100 * conc['top_10pct_share']:.1f}%"),
               ("Gini coefficient of items per petitioner", f"{conc['gini']:.2f}")],
    }[ctx.lang]
    out = pd.DataFrame(rows, columns=["", "value"] if ctx.lang == "en" else ["", "数值"])
    if ctx.public:
        prot = disclosure(ctx)
        col = out.columns[1]
        out.loc[0, col] = prot.display("accumulated:petitioners")
        out.loc[1, col] = prot.display("accumulated:new")
        # Their visits cut across every table, and a top 1 % of fewer than k people
        # describes single petitioners: neither is printed in the public edition.
        drop = [2]
        top = math.ceil(conc["petitioners"] * 0.01) if conc["petitioners"] else 0
        if top < ctx.suppression_k:
            drop += [3]
        if math.ceil(conc["petitioners"] * 0.10) < ctx.suppression_k:
            drop += [4, 5]
        out = out.drop(index=drop).reset_index(drop=True)
    out.attrs["rule"] = rule
    return out


def quality(ctx: ReportContext) -> pd.DataFrame:
    """Data-quality appendix: rows read, clean, rejected by reason, unmapped labels."""
    q = ctx.quality or {}
    zh = ctx.lang == "zh"
    if "rows_clean" not in q:
        # A table given to the report (not read and cleaned by it) has no cleaning record:
        # say so rather than print its length as "clean rows" (the provenance counts its rows).
        text = ("输入为已清洗的数据表，本报告未读取或清洗原始数据。" if zh
                else "The input was a table already cleaned: this report read and cleaned no export.")
        return pd.DataFrame([(text, "")], columns=["", "数值" if zh else "value"])
    rows = [("读取行数" if zh else "rows read", q.get("rows_read")),
            ("有效行数" if zh else "clean rows", q["rows_clean"]),
            ("剔除行数" if zh else "rejected rows", q.get("rows_rejected"))]
    if not ctx.public:  # totals only in public: small counts of rejected rows are not for publication
        if q.get("rows_after_as_of"):  # clean rows − these = the rows the report uses (provenance)
            rows.append(("截至日期之后收到、未纳入本报告的行数" if zh
                         else "clean rows received after the as-of date (left out)", q["rows_after_as_of"]))
        for reason, n in (q.get("rejected_by_reason") or {}).items():
            rows.append((("剔除原因：" if zh else "rejected: ") + _named(reason), n))
        for fld, n in (q.get("unmapped_labels") or {}).items():  # rows per field (labels are raw text)
            rows.append((("未识别标签的行：" if zh else "rows with an unmapped label: ") + _named(fld), n))
    # a field the record lacks prints a dash, never "None" or a blank that reads as zero
    return pd.DataFrame([(label, _count(n) or "—") for label, n in rows], columns=["", "数值" if zh else "value"])


def _named(key) -> str:
    """A reason or field name of the cleaning record as printed: a dash when it has none."""
    return "—" if key is None or (isinstance(key, float) and pd.isna(key)) or not str(key).strip() else str(key)


#: Provenance rows: the label of each parameter in both languages.
PROVENANCE_LABELS = {
    "kind": ("报告类型", "report"), "year": ("年份", "year"), "as_of": ("截至日期", "as of"),
    "quarter": ("季度", "quarter"), "start_year": ("起始年份", "first year"), "end_year": ("截止年份", "last year"),
    "region": ("地区", "region"), "city": ("城市", "city"), "office": ("机构配置文件", "office file"),
    "lang": ("语言", "language"), "public": ("公开版", "public edition"), "data": ("数据文件", "data file(s)"),
    "mapping": ("映射文件", "mapping file"), "disclosure_plan": ("披露控制方案", "disclosure plan"),
    "period": ("报告期", "period"), "comparison": ("对比期", "compared with"),
    "extraction_date": ("数据读取截至", "register read as of"), "data_sha256": ("数据SHA-256", "data SHA-256"),
    "rows": ("数据行数", "rows"), "petition_analysis": ("软件版本", "software"),
}
_KIND_NAMES = {"annual": ("年度报告", "annual report"), "quarterly": ("季度报告", "quarterly report"),
               "hotspots": ("热点问题分析", "hotspot analysis")}
_NOT_SHOWN = "(not shown in public reports)"


def _file_names(value) -> str:
    """File names without their folders: a report never shows where files sit on a machine."""
    import os

    values = value if isinstance(value, (list, tuple)) else [value]
    return ", ".join(os.path.basename(str(v).rstrip("/\\")) or str(v) for v in values if v)


def _date(value, lang: str) -> str:
    """A date as the report's language writes it: 2019年12月20日, 20 December 2019."""
    d = pd.Timestamp(value)
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d:%B %Y}"


def provenance(ctx: ReportContext) -> pd.DataFrame:
    """Where the report's numbers come from, in the report's language: its parameters, the
    period and the period compared, the input's file names (never their folders; none in a
    public report) and SHA-256, the rows read and the package version. Parameters left
    empty are not listed."""
    from ..._version import __version__

    zh = ctx.lang == "zh"
    i = 0 if zh else 1
    rows = []
    for key, value in ctx.published_parameters().items():
        if value is None or value == "" or value == []:
            continue
        if value == _NOT_SHOWN:
            text = "（公开版不列出）" if zh else "not shown in a public report"
        elif key == "kind":
            text = _KIND_NAMES.get(value, (value, value))[i]
        elif key == "lang":
            text = {"zh": ("中文", "Chinese"), "en": ("英文", "English")}.get(value, (value, value))[i]
        elif key == "public":
            text = ("是" if value else "否") if zh else ("yes" if value else "no")
        elif key in ("data", "mapping", "office", "disclosure_plan"):
            text = _file_names(value)
        elif key == "region":
            text = ctx.region_label
        elif key == "city":
            text = _city_label(ctx)  # its English name in an English report
        elif key == "as_of":
            text = _date(value, ctx.lang)
        else:
            text = str(value)
        rows.append((PROVENANCE_LABELS.get(key, (key, key))[i], text))
    if ctx.region is None:
        rows.append((PROVENANCE_LABELS["region"][i], ("全市：" if zh else "whole city: ") + ctx.region_label))
    if ctx.kind != "hotspots":
        labels = period_labels(ctx)
        rows.append((PROVENANCE_LABELS["period"][i], labels[ctx.lang]))
        rows.append((PROVENANCE_LABELS["comparison"][i], labels["comparison"][ctx.lang]))
        rows.append((PROVENANCE_LABELS["extraction_date"][i], _date(labels["extraction_date"], ctx.lang)))
    rows += [(PROVENANCE_LABELS["data_sha256"][i], ctx.data_sha256),
             (PROVENANCE_LABELS["rows"][i], _count(len(ctx.data))),
             (PROVENANCE_LABELS["petition_analysis"][i], f"petition-analysis {__version__}")]
    return pd.DataFrame(rows, columns=["项目", "内容"] if zh else ["item", "value"])


def summary_figures(ctx: ReportContext) -> dict[str, dict]:
    """Figures for the JSON summary: every registry figure, keyed by its id."""
    return registry(ctx).to_json()


# --- figures --------------------------------------------------------------------------------

PLOTS = ("headline", "five_declines", "rates", "category_shares", "heatmap", "trend")


def heatmap_quarter(ctx: ReportContext) -> str:
    """The quarter a report's heatmap shows: the report's quarter, or the last complete
    quarter of an annual report's period (e.g. 2019Q3 for 2019 to 20 December)."""
    if ctx.kind == "quarterly":
        return f"{ctx.year}Q{ctx.quarter}"
    if ctx.kind == "hotspots":
        # the quarter of the strongest emerging hotspot over the report's years, if any
        flags = _emerging_flags(ctx)
        flags = flags[flags["flag"]]
        if ctx.region is not None:
            flags = flags[flags["region"] == ctx.region]
        if len(flags):
            return str(flags.iloc[0]["period"])
    end = period_of(ctx).end
    q = (end.month - 1) // 3 + 1
    if end < pd.Timestamp(end.year, 3 * q, 1) + pd.offsets.MonthEnd(0):
        q -= 1
    return f"{end.year}Q{q}" if q >= 1 else f"{end.year - 1}Q4"


def heatmap_counts(ctx: ReportContext, quarter: str, own: bool = False) -> pd.DataFrame:
    """The region × category counts a report's heatmap draws for ``quarter``, read from the
    registry's quarter cells (which the emerging-hotspot test counts from, so a flagged
    cell and its heatmap cell show one number): every region of the city, or with ``own``
    the report's region only."""
    from .. import plots

    return plots.heatmap_counts(registry(ctx).quarter_cells, quarter, region=ctx.region if own else None)


def plot(ctx: ReportContext, what: str):
    """One of the report's figures (:data:`PLOTS`) from :mod:`petition_analysis.publish.plots`, in the
    report's language; public mode draws only what disclosure control shows."""
    from .. import plots

    prot = disclosure(ctx)
    hidden = _hidden_figures(ctx)
    p = period_of(ctx)
    lang = ctx.lang

    def visible(t: pd.DataFrame) -> pd.DataFrame:
        return t[[fid not in hidden for fid in t.index]]

    where = ctx.region_label if ctx.region else None
    if what == "headline":
        title = plots._place_title(where, plots._t("headline_title", lang, p=p.label(lang)), lang)
        return plots.yoy_bars(visible(headline_figures(ctx)), label_column=f"label_{lang}", lang=lang, title=title)
    if what == "five_declines":
        t = visible(registry(ctx).rows([figure_id(s, "items") for s in FIVE_DECLINES]))
        title = plots._place_title(where, plots._t("five_title", lang, p=p.label(lang)), lang)
        return plots.yoy_bars(t, lang=lang, title=title)
    if what == "rates":
        t = registry(ctx).family("rates")
        return plots.three_rates_chart(None, p, lang=lang, table=t,
                                       hidden=_rates_hidden(ctx, t) if prot is not None else np.zeros(len(t), bool))
    if what == "category_shares":
        return plots.category_share_change(None, period=p, lang=lang, ranking=visible(_categories(ctx)))
    if what == "heatmap":
        quarter = heatmap_quarter(ctx)
        # A county's report maps its own categories, not every region of the city; the public
        # edition can do so only where disclosure control decided every cell of that row.
        counts = heatmap_counts(ctx, quarter)
        if ctx.region is not None:
            own = heatmap_counts(ctx, quarter, own=True)
            if prot is None or all(f"cell:{quarter}:{r}:{c}" in prot.status for r in own.index for c in own.columns):
                counts = own
        display = None
        if prot is not None:
            display = pd.DataFrame([[prot.display(f"cell:{quarter}:{r}:{c}", str) for c in counts.columns]
                                    for r in counts.index], index=counts.index, columns=counts.columns)
        return plots.hotspot_heatmap(None, quarter, lang=lang, flags=_emerging_flags(ctx), display=display,
                                     counts=counts)
    if what == "trend":
        if prot is not None:
            start = p.comparison("yoy").start
            months = pd.period_range(start, p.end, freq="M")
            values = pd.Series([np.nan if prot.hidden(f"month:{m}") else prot.values[f"month:{m}"] for m in months],
                               index=months, dtype=float)
            from .cells import PUBLIC_TREND_NOTE

            title = ("月度信访量（批次）" if lang == "zh" else "Monthly items")
            return plots.monthly_counts(values, lang=lang, note=PUBLIC_TREND_NOTE[lang], title=title)
        return plots.monthly_trend(ctx.region_data[ctx.region_data["received_date"] <= p.end], lang=lang)
    raise ValueError(f"unknown plot {what!r}; one of {', '.join(PLOTS)}.")


#: What each chart is, for its alt text: (zh, en).
FIGURE_TEXT = {
    "headline": ("条形图：主要指标的同比变化及置信区间", "Bar chart: year-on-year change of the headline figures, with intervals"),
    "five_declines": ("条形图：“五下降”各项的同比变化及置信区间",
                      "Bar chart: year-on-year change of the five declines, with intervals"),
    "rates": ("点图：“三率”及参评率及其Wilson置信区间", "Dot chart: the three rates and participation, with Wilson intervals"),
    "category_shares": ("条形图：各问题类别占比的变化（百分点）", "Bar chart: change in each category's share, in percentage points"),
    "heatmap": ("热力图：区县×问题类别的件次，新出现的热点加框", "Heatmap: items by region and problem category, emerging hotspots outlined"),
    "trend": ("折线图：月度件次及拟合的趋势与季节性", "Line chart: monthly items with the fitted trend and seasonality"),
    "trend_public": ("柱状图：本期与对比期的月度件次", "Bar chart: monthly items in the period and the period compared"),
}


def alt_text(fig, what: str, lang: str) -> str:
    """A figure's alt text: what kind of chart it is, its title, its axes and the categories
    it shows (at most 20), read from the figure itself so that it says what is drawn.

    >>> import matplotlib.figure
    >>> fig = matplotlib.figure.Figure(); ax = fig.subplots()
    >>> _ = ax.barh(["来信", "来访"], [1, 2]); _ = ax.set(title="2023年同比", xlabel="同比变化（%）")
    >>> alt_text(fig, "headline", "zh")
    '条形图：主要指标的同比变化及置信区间。2023年同比。同比变化（%）。来信、来访。'
    """
    zh = lang == "zh"
    parts = [FIGURE_TEXT.get(what, ("图", "Figure"))[0 if zh else 1]]
    titles = [t.get_text() for t in fig.texts if t.get_text().strip()]
    for ax in fig.axes:
        titles.append(ax.get_title())
    parts += [t.strip() for t in titles if t.strip()]
    for ax in fig.axes[:1]:
        axes = [ax.get_xlabel().strip(), ax.get_ylabel().strip()]
        parts += [a for a in axes if a]
        ticks = [t.get_text().strip() for t in ax.get_yticklabels() if t.get_text().strip()]
        # categories sit on the y axis of bar charts and heatmaps; numbers are not categories
        ticks = [t for t in ticks if not re.fullmatch(r"[\d.,−\-+%\s]+", t)]
        if ticks:
            parts.append(("、" if zh else ", ").join(ticks[:20]) + ("等" if zh and len(ticks) > 20 else ""))
    sep = "。" if zh else ". "
    return sep.join(p.rstrip("。. ") for p in parts) + ("。" if zh else ".")


def _png(fig, dpi: int) -> bytes:
    """The figure as PNG bytes, cropped to its artists with a 0.1-inch white margin, as
    ``savefig(bbox_inches="tight")`` frames it, from a single draw: a tight ``savefig`` lays out
    and measures every label once more before drawing (a third of a chart's time). A figure
    whose artists reach outside it (its layout could not fit them) is saved the tight way,
    which enlarges the canvas instead of clipping them. No Software or date chunks: the same
    report gives the same bytes."""
    import io

    import matplotlib.image
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    old_dpi, old_face, old_canvas = fig.dpi, fig.get_facecolor(), fig.canvas
    try:
        fig.dpi = dpi
        fig.set_facecolor("white")
        canvas = FigureCanvasAgg(fig)  # as savefig does: a canvas of its own, the old one restored below
        canvas.draw()
        box = fig.get_tightbbox(canvas.get_renderer())  # inches; text extents cached by the draw
        w, h = fig.get_size_inches()
        tol = 0.5 / dpi
        if box.x0 >= -tol and box.y0 >= -tol and box.x1 <= w + tol and box.y1 <= h + tol:
            rgba = np.asarray(canvas.buffer_rgba())
            rows, cols = rgba.shape[:2]
            top, bottom = max(math.floor((h - box.y1) * dpi), 0), min(math.ceil((h - box.y0) * dpi), rows)
            left, right = max(math.floor(box.x0 * dpi), 0), min(math.ceil(box.x1 * dpi), cols)
            pad = round(0.1 * dpi)  # savefig's pad_inches
            image = np.pad(rgba[top:bottom, left:right], ((pad, pad), (pad, pad), (0, 0)), constant_values=255)
            matplotlib.image.imsave(buf, image, format="png", dpi=dpi, metadata={"Software": None})
            return buf.getvalue()
    finally:
        fig.set_canvas(old_canvas)
        fig.dpi = old_dpi
        fig.set_facecolor(old_face)
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    return buf.getvalue()


class ReportFigure:
    """A report chart with its alt text: Jupyter shows the PNG, and the HTML report gives the
    ``<img>`` that alt text (the ``alt`` of the image's display metadata).
    ``figure`` is the matplotlib Figure, for further use."""

    def __init__(self, figure, alt: str, dpi: int = 100):
        self.figure, self.alt, self.dpi = figure, alt, dpi

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        png = _png(self.figure, self.dpi)
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt, "width": width, "height": height}}

    def __repr__(self) -> str:
        return f"ReportFigure({self.alt!r})"


def figure(ctx: ReportContext, what: str) -> ReportFigure:
    """:func:`plot` with its alt text, as a report notebook shows it (see :class:`ReportFigure`)."""
    fig = plot(ctx, what)
    kind = "trend_public" if what == "trend" and ctx.public else what
    return ReportFigure(fig, alt_text(fig, kind, ctx.lang))


# --- multi-year hotspot sections -------------------------------------------------------

HOTSPOT_TEXT = {
    "volume": ("各类别逐年件次", "Items by category and year",
               "按2018年机构改革后的类别口径统计。", "In post-2018 category codes, so that years compare."),
    "ranking": ("末年热点排名及同比", "Ranking in the last year, year on year",
                "件次变化的检验在各类别之间一并校正；占比判断即下文逐年占比扫描的末年结果（全部类别×年份单元一并校正）。",
                "Changes in items are corrected across the categories; the share test is the last year of the share "
                "scan below (corrected over every category × year cell at once)."),
    "shares": ("类别占比的逐年变化", "Year-on-year changes in category shares",
               "卡方检验的调整标准化残差，对全部类别×年份单元作错误发现率控制。",
               "Adjusted standardized residuals of the chi-square test, FDR-controlled over every category × year cell."),
    "emerging": ("区域新热点（逐季度）", "Emerging regional hotspots, quarter by quarter",
                 "与各区县×类别自身历史同季度相比显著偏高的单元。",
                 "Region × category cells well above their own history for the same quarter."),
    "seasonal": ("超出全市季节性的月度高峰", "Monthly peaks beyond the city's seasonality",
                 "如年末欠薪高峰：以全市月度总量为暴露量的准泊松模型。",
                 "Such as the year-end wage-arrears peak: a quasi-Poisson model with the city's monthly total as exposure."),
}


def hotspot_heading(ctx: ReportContext, key: str) -> str:
    """Heading and explanation of a hotspot-report section."""
    zh_h, en_h, zh_t, en_t = HOTSPOT_TEXT[key]
    head, text = (zh_h, zh_t) if ctx.lang == "zh" else (en_h, en_t)
    return f"## {head}" + (f"\n\n{text}" if text else "")


def scan_note(ctx: ReportContext, scan: pd.DataFrame) -> str:
    """How many category × year cells were tested (one family) and how many were flagged;
    a public report lists only the flagged cells whose counts it shows, and says so."""
    n = scan.attrs.get("tests") or 0
    zh = ctx.lang == "zh"
    public = ("公开版不列出计数被隐藏的单元。" if zh else " Cells with a count hidden in the public edition are not listed."
              ) if ctx.public else ""
    if len(scan) == 0:
        if zh:
            return f"共检验{n}个类别×年份单元，没有{'可列出的' if ctx.public else ''}类别占比显著变化（错误发现率5%）。{public}"
        return (f"{n:,} category × year cells were tested; no {'listed ' if ctx.public else ''}category changed "
                f"share significantly (FDR 5%).{public}")
    if zh:
        return f"共检验{n}个类别×年份单元，{len(scan)}个占比变化显著（错误发现率5%）。{public}"
    return f"{n:,} category × year cells were tested; {len(scan)} changed share significantly (FDR 5%).{public}"


def _category_years(ctx: ReportContext) -> pd.DataFrame:
    """The registry's category × year rows (items, shares and the share-change scan)."""
    t = registry(ctx).category_years
    if t is None:
        raise ValueError("category × year tables belong to a hotspot report (kind='hotspots').")
    return t


def _catyear_hidden(ctx: ReportContext, t: pd.DataFrame, previous: bool = False) -> np.ndarray:
    """Public mode: whether each row's count (or, with ``previous``, the year before's)
    is hidden; a count the disclosure table did not decide counts as hidden, a zero never."""
    prot = disclosure(ctx)
    if prot is None:
        return np.zeros(len(t), bool)
    cy = _category_years(ctx).set_index(["category", "year"])["items"]
    out = []
    for c, y in zip(t["category"], t["year"]):
        y = int(y) - (1 if previous else 0)
        n = cy.get((c, y), 0)
        key = f"catyear:{c}:{y}"
        out.append(bool(n) and (key not in prot.status or prot.hidden(key)))
    return np.array(out, dtype=bool)


def category_years(ctx: ReportContext) -> pd.DataFrame:
    """Items per category (crosswalked codes) and year over the report's years, with the
    share in the last year; whole years only. Read from the registry (its
    ``category_years``), as the ranking and the share scan are."""
    cy = _category_years(ctx)
    table = cy.pivot(index="category", columns="year", values="items")
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    last = cy[cy["year"] == ctx.end_year].set_index("category").loc[table.index]
    out = table.map(_count)
    if ctx.public:
        prot = disclosure(ctx)
        out = pd.DataFrame([[prot.display(f"catyear:{c}:{y}") if table.loc[c, y] else "0" for y in table.columns]
                            for c in table.index], index=table.index, columns=table.columns)
    out.insert(0, "类别" if ctx.lang == "zh" else "category", last[f"label_{ctx.lang}"].to_numpy())
    shares = [f"{100 * v:.1f}%" for v in last["share"]]
    if ctx.public:  # a share × the year's total would give a hidden count back
        hidden = _catyear_hidden(ctx, last.reset_index())
        shares = ["" if h else v for v, h in zip(shares, hidden)]
    out[f"{ctx.end_year} 占比" if ctx.lang == "zh" else f"share {ctx.end_year}"] = shares
    out.columns = [str(c) for c in out.columns]
    return out.reset_index(drop=True)


def share_scan(ctx: ReportContext) -> pd.DataFrame:
    """Year-on-year changes in category shares over the report's years, BH-controlled over
    every category × year cell (the registry's ``category_shares`` family, whose last year
    the ranking's share test repeats); only the flagged cells. A public report leaves out
    cells with a hidden count (theirs or the year before's): no share, change, p-value or
    direction of a hidden count is published."""
    cy = _category_years(ctx)
    flagged = cy[cy["flag"].isin(["up", "down"])].sort_values(["year", "category"], kind="stable")
    if ctx.public:
        flagged = flagged[~(_catyear_hidden(ctx, flagged) | _catyear_hidden(ctx, flagged, previous=True))]
    lang = ctx.lang
    head = {"zh": ["年份", "类别", "上年占比", "本年占比", "变化（百分点）", "p值（校正）", "方向"],
            "en": ["year", "category", "share before", "share", "change (pp)", "p (adjusted)", "direction"]}[lang]
    direction = {"up": {"zh": "上升", "en": "up"}, "down": {"zh": "下降", "en": "down"}}
    out = pd.DataFrame({
        head[0]: flagged["year"].to_numpy(),
        head[1]: flagged[f"label_{lang}"].to_numpy(),
        head[2]: [f"{100 * v:.1f}%" for v in flagged["share_previous"]],
        head[3]: [f"{100 * v:.1f}%" for v in flagged["share"]],
        head[4]: [_signed(v, 2) for v in flagged["share_change_pp"]],
        head[5]: flagged["p_value"].map(_p).to_numpy(),
        head[6]: [direction[f][lang] for f in flagged["flag"]],
    })
    out.attrs["tests"] = cy.attrs.get("tests", int((cy["flag"] != "not_tested").sum()))
    out.attrs["empty"] = ""  # scan_note, printed above the table, says that none changed
    return out


def category_years_json(ctx: ReportContext) -> list[dict]:
    """The registry's category × year rows for the JSON summary (key ``category_years``):
    ``year``, ``category``, ``label_zh``, ``label_en``, ``items``, ``year_items``, ``share``,
    ``share_previous``, ``share_change_pp``, ``p_value_raw``, ``p_value`` (adjusted over the
    ``category_shares`` family) and ``flag`` — the numbers the tables print. In public mode
    counts are printed as disclosure control decided, and a row with a hidden count (its own
    or the year before's) carries no share, change, p-value or flag."""
    cy = _category_years(ctx)
    prot = disclosure(ctx)
    hidden = _catyear_hidden(ctx, cy) | _catyear_hidden(ctx, cy, previous=True)

    def num(v):
        return None if pd.isna(v) else round(float(v), 6)

    out = []
    for r, hide in zip(cy.itertuples(index=False), hidden):
        row = {"year": int(r.year), "category": r.category, "label_zh": r.label_zh, "label_en": r.label_en,
               "items": int(r.items), "year_items": int(r.year_items), "share": num(r.share),
               "share_previous": num(r.share_previous), "share_change_pp": num(r.share_change_pp),
               "p_value_raw": num(r.p_value_raw), "p_value": num(r.p_value), "flag": r.flag}
        if prot is not None:
            if r.items:
                row["items"] = prot.json_value(f"catyear:{r.category}:{r.year}")
            row["year_items"] = prot.json_value(f"year:{r.year}")
            if hide:
                for key in ("share", "share_previous", "share_change_pp", "p_value_raw", "p_value", "flag"):
                    row[key] = None
        out.append(row)
    return out


def emerging_over_years(ctx: ReportContext) -> pd.DataFrame:
    """Emerging hotspots in every complete quarter of the report's years (FDR over all)."""
    return _emerging_display(ctx, _emerging_flags(ctx))


def seasonal(ctx: ReportContext) -> pd.DataFrame:
    """Category × month peaks beyond the city's seasonality (e.g. the year-end wage-arrears
    peak), BH-controlled; only the flagged cells."""
    h = ctx.region_data[ctx.region_data["received_date"].dt.year.between(ctx.start_year, ctx.end_year)]
    t = hotspots.seasonal_peaks(h)
    t = t[t["flag"]]
    lang = ctx.lang
    head = {"zh": ["类别", "月份", "相对典型月份", "95%置信区间", "p值（校正）"],
            "en": ["category", "month", "relative to a typical month", "95% CI", "p (adjusted)"]}[lang]
    empty = "没有超出全市季节性的月度高峰。" if lang == "zh" else "No monthly peak beyond the city's seasonality."
    if ctx.public:  # effects come from category × month counts that are not printed
        out = pd.DataFrame({head[0]: [taxonomy.label(c, lang) for c in t["category"]], head[1]: t["month"].to_numpy()})
        out.attrs["empty"] = empty
        return out
    out = pd.DataFrame({
        head[0]: [taxonomy.label(c, lang) for c in t["category"]],
        head[1]: t["month"].to_numpy(),
        head[2]: [f"{v:.2f}" for v in t["effect"]],
        head[3]: [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(t["ci_low"], t["ci_high"])],
        head[4]: t["p_adjusted"].map(_p).to_numpy(),
    })
    out.attrs["empty"] = empty
    return out


def figures_text(figures: dict[str, dict], names=("items", "person_times", "visits_national_items",
                                                  "visits_national_person_times", "leapfrog_city_items",
                                                  "leapfrog_city_person_times")) -> str:
    """A plain, stable text of the headline figures (what nbval checks)."""
    lines = []
    for name in names:
        f = figures[name]
        pct = "" if f["change_pct"] is None else f" ({f['change_pct']:+.2f} %)"
        lines.append(f"{name}: {f['current']} vs {f['previous']}{pct}")
    return "\n".join(lines)
