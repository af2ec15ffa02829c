"""Plots (seaborn) for reports and notebooks, with labels in ``zh`` or ``en``.

Every plot function takes ``ax=``: given a matplotlib Axes it draws there and returns that
Axes, as seaborn's axes-level functions do, so charts combine into your own figures;
without it, it makes a figure of a suitable size and returns the Figure (what reports embed).

For ``zh`` an openly licensed CJK font is used (:mod:`petition_analysis.publish.fonts`). Seaborn's
``set_theme`` resets fonts, so the CJK family is applied after it, with DejaVu Sans as the
fallback for glyphs the CJK font lacks. The style lives in an ``rc_context``: calling a plot
function never changes the caller's matplotlib settings. When no CJK font can be found, the
plots fall back to ``en`` labels with one clear warning.

Examples
--------
>>> from petition_analysis.reference import load_reference   # doctest: +SKIP
>>> fig = five_declines_chart(load_reference(), year=2019, as_of="2019-12-20", lang="zh")  # doctest: +SKIP
>>> fig.savefig("five_declines.png", dpi=150)                 # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd

from ..analysis import compare, hotspots, rates, stats
from . import fonts
from .. import taxonomy
from .. import periods as _periods

__all__ = ["monthly_trend", "monthly_counts", "heatmap_counts", "yoy_bars", "five_declines_chart", "hotspot_heatmap", "category_share_change",
           "three_rates_chart", "resolve_lang", "NoCJKFontWarning"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

_warned = False

T = {
    "month": {"zh": "月份", "en": "Month"},
    "items": {"zh": "批次（件次）", "en": "Items"},
    "observed": {"zh": "实际", "en": "Observed"},
    "fitted": {"zh": "季节趋势模型拟合", "en": "Fitted seasonal trend"},
    "trend_title": {"zh": "月度信访量与季节趋势", "en": "Monthly items with fitted seasonal trend"},
    "yoy_pct": {"zh": "同比变化（%），{level}置信区间", "en": "Change year on year (%), {level} CI"},
    "nothing_to_compare": {"zh": "无可比较的变化：各项在两期均无件次（或上期无数据）",
                           "en": "No change to compare: no items in either period (or none before)"},
    "five_title": {"zh": "“五下降”：{p}同比", "en": "Five declines: {p} vs same period last year"},
    "headline_title": {"zh": "主要指标：{p}同比", "en": "Headline figures: {p} vs same period last year"},
    "sig_decline": {"zh": "显著下降", "en": "significant decline"},
    "sig_increase": {"zh": "显著上升", "en": "significant increase"},
    "not_sig": {"zh": "无显著变化", "en": "no significant change"},
    "heat_title": {"zh": "{p} 区域×问题分类（□ 新出现热点）", "en": "{p}: region × category (□ emerging hotspot)"},
    "region": {"zh": "问题属地", "en": "Region"},
    "category": {"zh": "问题分类", "en": "Category"},
    "share_title": {"zh": "{p} 问题分类占比变化（百分点）", "en": "{p}: change in category shares (percentage points)"},
    "share_x": {"zh": "占比变化（百分点）", "en": "Change in share (pp)"},
    "up": {"zh": "占比显著上升", "en": "share up (significant)"},
    "down": {"zh": "占比显著下降", "en": "share down (significant)"},
    "none": {"zh": "无显著变化", "en": "no significant change"},
    "rates_title": {"zh": "{p} 三率与参评率（Wilson 95%置信区间）", "en": "{p}: the three rates and participation (Wilson 95% CI)"},
    "rate": {"zh": "比率（%）", "en": "Rate (%)"},
}


class NoCJKFontWarning(UserWarning):
    """zh labels were asked for but no CJK font was found: en labels are used instead."""


def resolve_lang(lang: str) -> str:
    """``lang`` if it can be rendered; ``"en"`` (with one warning per session) when ``zh`` is
    asked for and no CJK font is available."""
    global _warned
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    if lang == "zh" and fonts.cjk_family() is None:
        if not _warned:
            warnings.warn("No CJK font found (install the project with `make setup`, or `pip install "
                          "justmytype-intl-cjk`, or set PETITION_ANALYSIS_CJK_FONT): plots use English labels.",
                          NoCJKFontWarning, stacklevel=3)
            _warned = True
        return "en"
    return lang


@contextlib.contextmanager
def _style(lang: str):
    import matplotlib as mpl
    import seaborn as sns

    with mpl.rc_context():
        sns.set_theme(style="whitegrid", context="notebook")
        # After set_theme, which resets fonts. DejaVu Sans covers what the CJK font lacks.
        fam = fonts.cjk_family() if lang == "zh" else None
        # Concrete family names, not the "sans-serif" alias: texts keep them after the
        # context ends, when the figure is drawn or saved.
        mpl.rcParams["font.family"] = ([fam] if fam else []) + ["DejaVu Sans"]
        mpl.rcParams["axes.unicode_minus"] = True
        yield


def _t(key, lang, **kw):
    return T[key][lang].format(**kw)


def _region_label(name: str, lang: str) -> str:
    from ..synth.city import region_label

    return region_label(name, lang)


def _place_title(place: str | None, title: str, lang: str) -> str:
    """A chart title for one county or district: "寅市 “五下降”：…" in Chinese, "Yin City
    (county-level) — Five declines: …" in English (a bare space ran the two together)."""
    if not place:
        return title
    return f"{place} {title}" if lang == "zh" else f"{place} — {title}"


def _cat_label(code: str, lang: str) -> str:
    try:
        return taxonomy.label(code, lang)
    except Exception:
        return code


def _figure(w=8.0, h=4.5):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(w, h), layout="constrained")
    return fig, ax


def _close_pyplot(fig):
    # Figures are returned, not shown: keep pyplot from holding on to them.
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def _canvas(ax, w=8.0, h=4.5):
    """The figure and axes to draw on: the caller's ``ax``, or a new figure."""
    if ax is None:
        return _figure(w, h)
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from plt.subplots()), not {type(ax).__name__}.")
    return ax.figure, ax


def _done(fig, ax, given):
    """Return what the caller expects: their Axes, or the new Figure."""
    return ax if given is not None else _close_pyplot(fig)


def monthly_trend(df: pd.DataFrame, where=None, *, region=None, lang: str = "zh", family: str = "poisson", ax=None):
    """Monthly counts of a series (``where``: a :data:`compare.SERIES` name or mask) with the
    fitted log-linear trend and monthly seasonality, for the whole city or one ``region``."""
    lang = resolve_lang(lang)
    from ..analysis._checks import select_region

    full = df
    df = select_region(df, region)
    sub = df.loc[compare._mask(df, where)]
    y = stats.monthly_counts(sub["received_date"], start=full["received_date"].min(), end=full["received_date"].max())
    fit = stats.seasonal_trend(y, family=family)
    given = ax
    with _style(lang):
        fig, ax = _canvas(ax)
        ax.plot(y.index, y.to_numpy(), marker="o", ms=3, lw=1, label=_t("observed", lang))
        ax.plot(fit.fitted.index, fit.fitted.to_numpy(), lw=2, label=_t("fitted", lang))
        where = (region if lang == "zh" else _region_label(region, "en")) if region else None
        ax.set(xlabel=_t("month", lang), ylabel=_t("items", lang), title=_place_title(where, _t("trend_title", lang), lang))
        ax.legend()
    return _done(fig, ax, given)


def monthly_counts(values: pd.Series, *, lang: str = "zh", title: str | None = None, note: str | None = None, ax=None):
    """Bars of monthly items (``values`` indexed by month; NaN = hidden, drawn as a gap with
    an ``x``): the public edition's trend chart, with no fitted line."""
    lang = resolve_lang(lang)
    given = ax
    with _style(lang):
        fig, ax = _canvas(ax)
        x = np.arange(len(values))
        v = values.to_numpy(dtype=float)
        ax.bar(x[np.isfinite(v)], v[np.isfinite(v)], color="#457b9d")
        top = np.nanmax(v) if np.isfinite(v).any() else 1.0
        for xi in x[~np.isfinite(v)]:
            ax.annotate("x", (xi, 0), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, [str(m) for m in values.index], rotation=60)
        ax.set(xlabel=_t("month", lang), ylabel=_t("items", lang), ylim=(0, top * 1.1),
               title=title or _t("trend_title", lang))
        if note:
            # under the x-axis label whatever the tick labels' height (a fixed offset in axes
            # units ran into the label): left-aligned with the axes, below the label's box
            ax.annotate(note, xy=(0, 0), xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -6),
                        textcoords="offset points", ha="left", va="top", fontsize=8)
    return _done(fig, ax, given)


def _small(values, k: int | None) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.zeros(len(v), dtype=bool) if k is None else (v > 0) & (v < k)


def yoy_bars(table: pd.DataFrame, *, label_column: str | None = None, measure: str = "items",
             lang: str = "zh", title: str | None = None, suppress_below: int | None = None, ax=None):
    """Bars of the percentage change of each row of a comparison table (from
    :func:`compare.compare` or the ready-made tables) with the overdispersion-aware 95 % CI,
    coloured by the assessment. ``suppress_below=k`` (public output) leaves out rows whose
    current or previous count is between 1 and k−1."""
    import seaborn as sns

    lang = resolve_lang(lang)
    t = table.loc[table["measure"] == measure].copy()
    t = t.loc[~(_small(t["current"], suppress_below) | _small(t["previous"], suppress_below))]
    # A row without a previous count has no finite change to draw. (With a zero count the
    # interval is Haldane-corrected and may not contain the point: the bars are clipped.)
    # Registry rows carry ``ci_low``/``ci_high`` and ``verdict``; compare.compare tables the
    # overdispersion-aware ``od_ci_*`` and ``assessment``.
    lo_c, hi_c, verdict = ("ci_low", "ci_high", "verdict") if "verdict" in t else ("od_ci_low", "od_ci_high", "assessment")
    t = t.loc[np.isfinite(t["rate_ratio"].astype(float)) & np.isfinite(t[lo_c].astype(float))
              & np.isfinite(t[hi_c].astype(float))]
    if label_column is None:
        label_column = f"label_{lang}" if f"label_{lang}" in t else next(
            c for c in t.columns if c not in ("measure",) and not pd.api.types.is_numeric_dtype(t[c]))
    labels = t[label_column].astype("str")
    if lang == "en":
        labels = labels.map(lambda s: _region_label(s, "en"))
    pct = (t["rate_ratio"] - 1) * 100
    lo = (t[lo_c] - 1) * 100
    hi = (t[hi_c] - 1) * 100
    key = t[verdict].map({"decline": "sig_decline", "increase": "sig_increase", "none": "not_sig"})
    palette = {_t("sig_decline", lang): "#2a9d8f", _t("sig_increase", lang): "#e76f51", _t("not_sig", lang): "#9e9e9e"}
    hue = key.map(lambda k: _t(k, lang))
    given = ax
    if t.empty:  # e.g. a message board has no visits: say so rather than draw empty axes
        with _style(lang):
            fig, ax = _canvas(ax, 8, 1.6)
            ax.axis("off")
            ax.text(0.5, 0.5, _t("nothing_to_compare", lang), ha="center", va="center", transform=ax.transAxes)
            if title:
                ax.set_title(title)
        return _done(fig, ax, given)
    with _style(lang):
        fig, ax = _canvas(ax, 8, 0.6 * len(t) + 1.8)
        # errorbar=None: one value per bar, so seaborn's bootstrap (1,000 resamples a bar) had
        # nothing to vary; the intervals drawn are the figures' own, below
        sns.barplot(x=pct.to_numpy(), y=labels.to_numpy(), hue=hue.to_numpy(), palette=palette, dodge=False, ax=ax,
                    orient="h", errorbar=None)
        ypos = np.arange(len(t))
        ax.errorbar(pct.to_numpy(), ypos, xerr=np.clip(np.vstack([pct - lo, hi - pct]), 0, None), fmt="none", ecolor="black",
                    capsize=3, lw=1)
        ax.axvline(0, color="black", lw=0.8)
        # registry rows carry the level of the interval drawn (their family's, adjusted)
        levels = sorted(set(t["ci_level"].round(4))) if "ci_level" in t else [0.95]
        level = "/".join(f"{100 * v:.1f}%".replace(".0%", "%") for v in levels)
        ax.set(xlabel=_t("yoy_pct", lang, level=level), ylabel="")
        if title:
            ax.set_title(title)
        ax.legend(title=None, loc="best")
    return _done(fig, ax, given)


def five_declines_chart(df: pd.DataFrame, year=None, region=None, as_of=None, *, lang: str = "zh",
                        measure: str = "items", period=None, suppress_below: int | None = None,
                        table: pd.DataFrame | None = None, ax=None):
    """The five declines (五下降) as YoY bars with confidence intervals, for the whole city
    or one ``region``: the figure registry's intervals and verdicts, as in the report.
    ``table``: an already computed :func:`compare.five_declines` table (then ``df`` is not
    used)."""
    lang = resolve_lang(lang)
    t = table if table is not None else compare.five_declines(df, year=year, region=region, as_of=as_of, period=period)
    p = t.attrs["period"].label(lang)
    where = (region if lang == "zh" else _region_label(region, "en")) if region else ""
    return yoy_bars(t, measure=measure, lang=lang, title=_place_title(where, _t("five_title", lang, p=p), lang),
                    suppress_below=suppress_below, ax=ax)


def heatmap_counts(data: pd.DataFrame, quarter, *, top: int = 10, region=None) -> pd.DataFrame:
    """Region × category items in one quarter (harmonized categories), the ``top``
    categories by volume: the numbers :func:`hotspot_heatmap` draws. ``data``: a canonical
    frame, or its quarter cells (:func:`hotspots.quarter_cells`; a report passes its
    registry's ``quarter_cells``, which its emerging-hotspot test counts from). Regions and
    categories without items in the quarter are left out; ``region``: that region's row only.

    >>> import petition_analysis as pa
    >>> df = pa.load_reference()
    >>> heatmap_counts(df, "2022Q3", top=3).shape              # 13 regions, the 3 largest categories
    (13, 3)
    >>> heatmap_counts(df, "2022Q3", top=3, region="庚县").index.tolist()
    ['庚县']
    """
    q = _periods.parse(quarter)
    if "count" in data.columns and "received_date" not in data.columns:
        cells = data
    else:
        cells = hotspots.quarter_cells(hotspots.harmonized(q.select(data)))
    quarter_no = (q.start.month - 1) // 3 + 1
    c = cells[(cells["year"] == q.start.year).to_numpy() & (cells["quarter"] == quarter_no).to_numpy()]
    if region is not None:
        c = c[(c["region"].astype("str") == str(region)).to_numpy()]
    counts = c.pivot(index="region", columns="category", values="count").fillna(0).astype(np.int64)
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    return counts[counts.sum().nlargest(top).index]


def hotspot_heatmap(df: pd.DataFrame | None, quarter, *, lang: str = "zh", history_years: int = 3, top: int = 10,
                    suppress_below: int | None = None, flags: pd.DataFrame | None = None,
                    display: pd.DataFrame | None = None, counts: pd.DataFrame | None = None, ax=None):
    """Region × category counts in one quarter (harmonized categories, the ``top`` categories),
    with emerging-hotspot flags (FDR-controlled over every cell tested) outlined.
    ``suppress_below=k`` (public output) writes counts from 1 to k−1 as ``<k``. ``flags``: an
    :func:`hotspots.emerging_hotspots` result to outline (default: computed over every quarter),
    so that a report's heatmap and its table of flags agree. ``display``: the text of each
    cell as disclosure control decided (``<k``, ``x`` or the count; same shape as the
    counts); hidden cells are then coloured as zero. ``counts``: the region × category table
    to draw (:func:`heatmap_counts` of a registry's quarter cells, as a report draws it);
    ``df`` may then be ``None`` when ``flags`` are given."""
    import seaborn as sns
    from matplotlib.patches import Rectangle

    lang = resolve_lang(lang)
    q = _periods.parse(quarter)
    if df is None and (counts is None or flags is None):
        raise ValueError("hotspot_heatmap: give the data (df), or both counts and flags.")
    if flags is None:
        flags = hotspots.emerging_hotspots(df, history_years=history_years)
    if counts is None:
        counts = heatmap_counts(df, quarter, top=top)
    cats = counts.columns
    label = f"{q.start.year}Q{(q.start.month - 1) // 3 + 1}"
    hit = flags.loc[flags["flag"] & (flags["period"] == label)]
    given = ax
    with _style(lang):
        # At least room for the title, the axis label, one row and the category labels turned
        # 60° (about 0.12 in a hanzi, 0.06 in a Latin letter): with a county's single row the
        # layout had none and gave up ("axes sizes collapsed to zero").
        turned = max((sum(0.12 if ord(ch) > 0x2E7F else 0.06 for ch in _cat_label(c, lang)) for c in cats), default=0)
        fig, ax = _canvas(ax, 1.0 + 0.75 * len(cats), max(1.2 + 0.42 * len(counts), 2.0 + turned))
        shown = counts.copy()
        shown.index = [_region_label(r, lang) for r in counts.index]
        shown.columns = [_cat_label(c, lang) for c in cats]
        values = counts.to_numpy()
        if display is not None:
            annot = display.loc[counts.index, counts.columns].to_numpy(dtype=object)
            small = annot != values.astype(str)
        else:
            annot = np.where(_small(values.ravel(), suppress_below).reshape(values.shape),
                             f"<{suppress_below}", values.astype(str))
            small = _small(values.ravel(), suppress_below).reshape(values.shape)
        # Hidden cells are coloured as zero: their colour would give the hidden count back.
        _annotated_heatmap(ax, shown.where(~small, 0), annot, cmap="rocket_r", size=8)
        for _, row in hit.iterrows():
            if row["region"] in counts.index and row["category"] in cats:
                i, j = list(counts.index).index(row["region"]), list(cats).index(row["category"])
                ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor="#1d3557", lw=3))
        ax.set(xlabel=_t("category", lang), ylabel=_t("region", lang), title=_t("heat_title", lang, p=q.label(lang)))
        ax.tick_params(axis="x", labelrotation=60)
        ax.tick_params(axis="y", labelrotation=0)
        # Each turned label ends at its tick: centred on it, long ones (en) ran into their neighbours.
        for label in ax.get_xticklabels():
            label.set(horizontalalignment="right", rotation_mode="anchor")
    fig.hotspots = ax.hotspots = hit  # the flagged cells drawn, for callers and tests
    return _done(fig, ax, given)


def _annotated_heatmap(ax, data: pd.DataFrame, annot: np.ndarray, *, cmap: str, size: float) -> None:
    """What ``sns.heatmap(data, annot=annot, fmt="", cmap=cmap, cbar=False, annot_kws={"size":
    size}, ax=ax)`` draws, drawn the same way (its colour scale, spines, ticks and text
    colours), without the draw of the whole figure seaborn makes to decide whether the tick
    labels overlap and should turn (a fifth of the chart's time): the caller sets their
    rotation itself."""
    import matplotlib as mpl
    import seaborn as sns  # noqa: F401 - registers the rocket colour maps with matplotlib
    from seaborn.utils import relative_luminance

    values = np.ma.masked_invalid(data.to_numpy(dtype=float))
    for side in ax.spines.values():
        side.set_visible(False)
    mesh = ax.pcolormesh(values, cmap=mpl.colormaps[cmap], vmin=np.nanmin(values.filled(np.nan)),
                         vmax=np.nanmax(values.filled(np.nan)), linewidths=0, edgecolor="white")
    rows, cols = data.shape
    ax.set(xlim=(0, cols), ylim=(0, rows))
    ax.invert_yaxis()
    ax.set(xticks=np.arange(cols) + 0.5, yticks=np.arange(rows) + 0.5)
    ax.set_xticklabels(list(data.columns))
    plt_labels = ax.set_yticklabels(list(data.index), rotation="vertical")
    for label in plt_labels:
        label.set_verticalalignment("center")
    ax.set(xlabel="", ylabel="")
    mesh.update_scalarmappable()
    for (i, j), colour in zip(np.ndindex(rows, cols), mesh.get_facecolors()):
        if values.mask is np.ma.nomask or not values.mask[i, j]:
            ink = ".15" if relative_luminance(colour) > .408 else "w"  # dark text on light cells
            ax.text(j + 0.5, i + 0.5, f"{annot[i, j]}", color=ink, ha="center", va="center", size=size)


def category_share_change(df: pd.DataFrame, year=None, as_of=None, *, period=None, against="yoy", region=None,
                          lang: str = "zh", ranking: pd.DataFrame | None = None, suppress_below: int | None = None,
                          ax=None):
    """Change in category shares (percentage points) against the comparison period, with the
    χ² adjusted-residual flags (BH-controlled) as colours. ``ranking``: an already computed
    :func:`hotspots.rank_categories` table. ``suppress_below=k`` leaves out the categories
    with a count from 1 to k − 1 in either period (a share gives the count back)."""
    import seaborn as sns

    lang = resolve_lang(lang)
    r = ranking if ranking is not None else hotspots.rank_categories(df, period, against, year=year, as_of=as_of,
                                                                     region=region)
    period = r.attrs.get("period") or _periods.parse(period)
    change = "share_change_pp" if "share_change_pp" in r else "change_pp"
    r = r.sort_values(change)
    r = r[~(_small(r["current"], suppress_below) | _small(r["previous"], suppress_below))]
    flag = r["share_flag"].fillna("none").replace("", "none").map(lambda k: _t(k, lang))
    palette = {_t("up", lang): "#e76f51", _t("down", lang): "#2a9d8f", _t("none", lang): "#9e9e9e"}
    given = ax
    with _style(lang):
        fig, ax = _canvas(ax, 8, 0.35 * len(r) + 1.5)
        sns.barplot(x=r[change].astype(float).to_numpy(), y=r[f"label_{lang}"].to_numpy(), hue=flag.to_numpy(),
                    palette=palette, dodge=False, orient="h", ax=ax, errorbar=None)  # one value a bar
        ax.axvline(0, color="black", lw=0.8)
        ax.set(xlabel=_t("share_x", lang), ylabel="", title=_t("share_title", lang, p=period.label(lang)))
        ax.legend(title=None, loc="best")
    return _done(fig, ax, given)


def three_rates_chart(df: pd.DataFrame, period=None, *, region=None, lang: str = "zh",
                      suppress_below: int | None = None, table: pd.DataFrame | None = None, hidden=None, ax=None,
                      **limits):
    """The three rates and participation with Wilson intervals; legal limits as keyword
    arguments of :func:`rates.three_rates`. ``suppress_below=k`` writes small numerators and
    denominators as ``<k``. ``table``: rates already computed (a report's registry rows);
    ``hidden``: a boolean per row of ``table`` (disclosure control's decision) to leave out."""
    lang = resolve_lang(lang)
    p = _periods.parse(period) if period is not None else None
    t = table if table is not None else rates.three_rates(df, p, region=region, **limits)
    given = ax
    with _style(lang):
        fig, ax = _canvas(ax, 7, 3.5)
        y = np.arange(len(t))
        # A rate with a small numerator or denominator is left out, point and text: rate ×
        # denominator would give the hidden count back.
        if hidden is None:
            hidden = _small(t["numerator"], suppress_below) | _small(t["denominator"], suppress_below)
        hidden = np.asarray(hidden, dtype=bool)
        shown = t[~hidden]
        ax.errorbar(shown["rate"] * 100, y[~hidden],
                    xerr=np.vstack([(shown["rate"] - shown["ci_low"]) * 100, (shown["ci_high"] - shown["rate"]) * 100]),
                    fmt="o", capsize=4, color="#264653")
        for yi, (v, n, d, h) in enumerate(zip(t["rate"], t["numerator"], t["denominator"], hidden)):
            text = "x" if h and not suppress_below else f"<{suppress_below}" if h else (f"{v * 100:.1f}%  ({int(n):,}/{int(d):,})" if pd.notna(v) else "")
            ax.annotate(text, (v * 100 if not h else 0, yi), textcoords="offset points", xytext=(6, 6), fontsize=9)
        ax.set_yticks(y, t[f"label_{lang}"].tolist())
        ax.invert_yaxis()
        ax.set(xlabel=_t("rate", lang), xlim=(max(0, (t["ci_low"].min() * 100) - 10), 100),
               title=_t("rates_title", lang, p=p.label(lang) if p else ""))
    return _done(fig, ax, given)
