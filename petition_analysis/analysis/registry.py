"""The figure registry (指标登记表): every figure a report publishes, computed, tested and
corrected once.

A report builds one :class:`FigureRegistry`. Its :attr:`~FigureRegistry.figures` table has
one row per published figure: its id, family, series, measure and dimension, the period and
the comparison period, the counts, the change, the rate ratio with an interval that agrees
with the verdict, the raw and the family-adjusted p-value, the method and the model's
parameters, and flags (``partial``, ``short_history``, ``small_counts``, ``burn_in``).
Tables, charts, the narrative, the JSON summary and the ``headline`` command only look
figures up here, so one figure has one value, one p-value and one verdict everywhere.

Families (corrected together with Benjamini–Hochberg; see ``docs/statistics.md``):

========== =================================================================================
primary    the headline (all items and person-times, visits at national level, leapfrog
           visits received at city level) and the five declines (五下降), items and
           person-times: what a work summary states as its results
breakdown  the rest of the channel and level tables (online, phone, visits by level,
           leapfrog visits at province and national level)
regions    items by region (问题属地), whole-city reports only
categories items by problem category (crosswalked codes); their share change is tested with
           the other categories of the same comparison (annual and quarterly reports) or, in a
           hotspot report, read from the ``category_shares`` scan below
category_shares
           hotspot reports: the share change of every category in every year after the first,
           against the year before (:attr:`FigureRegistry.category_years`), all cells at once
qoq        quarterly reports: the headline against the previous quarter (环比), tested
           against the seasonal expectation
rates      the three rates (三率) and participation: estimates with Wilson intervals, no test
========== =================================================================================

>>> from petition_analysis.reference import load_reference
>>> reg = build_registry(load_reference(), year=2019, as_of="2019-12-20")
>>> f = reg["items"]
>>> int(f.current), int(f.previous), f.family
(28792, 29368, 'primary')
>>> bool((reg.figures.significant == ((reg.figures.ci_low > 1) | (reg.figures.ci_high < 1)))[reg.figures.kind == "comparison"].all())
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import periods as _periods
from . import models, workdays

__all__ = ["figure_object", "FAMILIES", "FIVE_DECLINES", "HEADLINE_SERIES", "figure_id", "FigureSpec", "FigureRegistry", "build_registry", "figure_specs", "report_period",
           "FIGURE_COLUMNS", "VERDICTS", "category_years_table", "CATEGORY_YEAR_COLUMNS",
           "SHARE_KEYS"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

FAMILIES = {
    "primary": "headline and five declines: the figures a work summary states as its results",
    "breakdown": "channels and levels not already in the primary family",
    "regions": "items by region",
    "categories": "items by problem category",
    "category_shares": "hotspot reports: category share changes, every category × year cell at once",
    "qoq": "headline against the previous quarter, beyond seasonality",
    "rates": "three rates and participation (estimates, no test)",
}
VERDICTS = {
    "decline": {"zh": "显著下降", "en": "significant decline"},
    "increase": {"zh": "显著上升", "en": "significant increase"},
    "none": {"zh": "无显著变化", "en": "no significant change"},
    "not_tested": {"zh": "不作检验", "en": "not tested"},
}
MEASURE_LABELS = {"items": {"zh": "批次（件次）", "en": "items"}, "person_times": {"zh": "人次", "en": "person-times"}}
LEVEL_LABELS = {"county": {"zh": "到县", "en": "county"}, "city": {"zh": "到市", "en": "city"},
                "province": {"zh": "赴省", "en": "province"}, "national": {"zh": "进京", "en": "national"}}
RATE_NAMES = ("timely_acceptance", "on_time_conclusion", "satisfaction", "participation")

#: Columns of :attr:`FigureRegistry.figures`, in order.
FIGURE_COLUMNS = (
    "kind", "family", "series", "measure", "dimension", "dimension_value", "label_zh", "label_en",
    "period_start", "period_end", "comparison_start", "comparison_end", "partial",
    "current", "previous", "change", "change_pct", "exposure_current", "exposure_previous",
    "rate_ratio", "ci_low", "ci_high", "ci_level", "ci_low_95", "ci_high_95",
    "p_value_raw", "p_value", "significant", "verdict", "method",
    "dispersion", "design_effect", "sigma_between", "expected_ratio", "df", "flags",
    "numerator", "denominator", "censored", "rate",
    "share_previous", "share_current", "share_change_pp", "share_p_value", "share_flag",
)


@dataclass(frozen=True)
class FigureSpec:
    """What one figure counts: a named series (``compare.SERIES``) and equality filters."""

    figure: str
    family: str
    series: str | None
    measure: str
    label_zh: str
    label_en: str
    filters: tuple = ()
    against: str = "yoy"
    dimension: str | None = None
    dimension_value: str | None = None


#: The headline series (the figures a work summary leads with) and the five declines (五下降).
HEADLINE_SERIES = ("items", "visits_national", "leapfrog_city")
FIVE_DECLINES = ("visits", "letters", "leapfrog_visits", "repeat_visits", "collective_visits")


def figure_id(series: str, measure: str, prefix: str = "") -> str:
    """A figure's id: ``items`` and ``person_times`` for the whole register, else
    ``<series>_<measure>``; ``prefix="qoq_"`` for the quarter-on-quarter figures.

    >>> figure_id("items", "person_times"), figure_id("visits_national", "items", "qoq_")
    ('person_times', 'qoq_visits_national_items')
    """
    return prefix + (measure if series == "items" else f"{series}_{measure}")


def _series_label(series: str | None, lang: str) -> str:
    from .compare import SERIES_LABELS

    return SERIES_LABELS["items" if series is None else series][lang]


def _pair(figure: str, family: str, series: str | None, label: tuple[str, str], **kw) -> list[FigureSpec]:
    """Items and person-times specs of one series."""
    zh, en = label
    out = []
    for measure in ("items", "person_times"):
        out.append(FigureSpec(figure_id(figure, measure), family, series, measure, f"{zh} · {MEASURE_LABELS[measure]['zh']}",
                              f"{en} · {MEASURE_LABELS[measure]['en']}", **kw))
    return out


def _labels(series: str | None) -> tuple[str, str]:
    return _series_label(series, "zh"), _series_label(series, "en")


def figure_specs(kind: str = "annual", *, regions=(), categories=(), whole_city: bool = True) -> list[FigureSpec]:
    """The figures a report of ``kind`` publishes (before rates)."""
    from ..synth.city import region_label
    from .. import taxonomy

    if kind == "hotspots":
        return [FigureSpec(f"category_{c}", "categories", None, "items", taxonomy.label(c, "zh"),
                           taxonomy.label(c, "en"), (("category", c),), dimension="category", dimension_value=c)
                for c in categories]
    specs: list[FigureSpec] = []
    specs += _pair("items", "primary", None, _labels(None))
    for s in HEADLINE_SERIES[1:] + FIVE_DECLINES:
        specs += _pair(s, "primary", s, _labels(s))
    for s in ("online", "phone"):
        specs += _pair(s, "breakdown", s, _labels(s), dimension="channel", dimension_value=s)
    for lv in ("county", "city", "province"):
        specs += _pair(f"visits_{lv}", "breakdown", "visits",
                       (f"来访 · {LEVEL_LABELS[lv]['zh']}", f"visits · {LEVEL_LABELS[lv]['en']}"),
                       filters=(("level", lv),), dimension="level", dimension_value=lv)
    for lv in ("province", "national"):
        specs += _pair(f"leapfrog_{lv}", "breakdown", "leapfrog_visits",
                       (f"越级访 · {LEVEL_LABELS[lv]['zh']}", f"leapfrog visits · {LEVEL_LABELS[lv]['en']}"),
                       filters=(("level", lv),), dimension="level", dimension_value=lv)
    if whole_city:
        for r in regions:
            specs.append(FigureSpec(f"region_{r}", "regions", None, "items", region_label(r, "zh"),
                                    region_label(r, "en"), (("region", r),), dimension="region",
                                    dimension_value=r))
    for c in categories:
        specs.append(FigureSpec(f"category_{c}", "categories", None, "items", taxonomy.label(c, "zh"),
                                taxonomy.label(c, "en"), (("category", c),), dimension="category", dimension_value=c))
    if kind == "quarterly":
        headline = {figure_id(h, m) for h in HEADLINE_SERIES for m in ("items", "person_times")}
        for s in [sp for sp in specs if sp.figure in headline]:
            specs.append(FigureSpec("qoq_" + s.figure, "qoq", s.series, s.measure, s.label_zh, s.label_en,
                                    s.filters, "previous", s.dimension, s.dimension_value))
    return specs


def report_period(kind: str, *, year=None, as_of=None, quarter=None, end_year=None) -> _periods.Period:
    """The period a report compares with the same period a year earlier (a quarter is cut
    at ``as_of``, as the rows the registry uses are: a quarter to date, then partial; an
    ``as_of`` after the quarter gives the whole quarter, one before it is refused)."""
    if kind == "quarterly":
        whole = _periods.quarter(int(year), int(quarter))
        if as_of is not None and pd.Timestamp(as_of).normalize() < whole.start:
            from ..errors import ReportParameterError  # the parameter error users see

            day = pd.Timestamp(as_of).normalize()
            raise ReportParameterError(
                f"as_of ({day.date()}) is before quarter {int(quarter)} of {int(year)}, which runs from "
                f"{whole.start.date()} to {whole.end.date()}, so the quarter has no day to report. Give an as_of "
                f"inside the quarter (from {whole.start.date()}: the quarter to date) or after it (the whole "
                f"quarter), or report quarter {(day.month - 1) // 3 + 1} of {day.year}, the one {day.date()} is in.")
        return whole.cut(as_of) if as_of is not None else whole
    if kind == "hotspots":
        return _periods.year(int(end_year))
    if as_of is not None:
        return _periods.ytd(as_of)
    return _periods.year(int(year))


# -- the registry -----------------------------------------------------------------------------

@dataclass
class FigureRegistry:
    """Every figure of one report; look figures up, never recompute them.

    ``figures`` is indexed by figure id (see :data:`FIGURE_COLUMNS`); ``emerging`` holds the
    emerging-hotspot cells tested for the report's quarters, counted from ``quarter_cells``
    (items per region × category × quarter, the numbers a heatmap draws); a hotspot report's
    ``category_years`` holds items and shares per category and year and the share-change
    scan (see :func:`category_years_table`), which its category figures' share columns
    repeat for the last year; ``history`` records what the models were fitted on (years,
    σ_b, fallbacks).
    """

    figures: pd.DataFrame
    kind: str
    period: _periods.Period
    comparison: _periods.Period
    region: str | None
    extraction_date: pd.Timestamp
    alpha: float = 0.05
    history: dict = field(default_factory=dict)
    emerging: pd.DataFrame | None = None
    quarter_cells: pd.DataFrame | None = None
    category_years: pd.DataFrame | None = None
    #: A message board's figures of the report period (:mod:`petition_analysis.analysis.board`).
    board: object | None = None
    #: What each comparison figure counts (its series and filters), by figure id.
    specs: dict = field(default_factory=dict)

    def __getitem__(self, figure: str) -> pd.Series:
        try:
            return self.figures.loc[figure]
        except KeyError:
            raise KeyError(f"no figure {figure!r} in this registry; it has: {', '.join(self.figures.index[:12])} …") from None

    def __contains__(self, figure: str) -> bool:
        return figure in self.figures.index

    def rows(self, figures) -> pd.DataFrame:
        """The rows of ``figures``, in that order (missing ids are skipped)."""
        ids = [f for f in figures if f in self.figures.index]
        return self.figures.loc[ids]

    def family(self, name: str) -> pd.DataFrame:
        return self.figures[self.figures["family"] == name]

    def to_json(self, figures=None) -> dict[str, dict]:
        """JSON-ready figure objects keyed by id (see the README's JSON keys)."""
        t = self.figures if figures is None else self.rows(figures)
        return {fid: figure_object(row) for fid, row in t.iterrows()}

    def summary(self, lang: str = "en", families=("primary",)) -> str:
        """A plain-text table of the figures of ``families``, like a fitted model's summary."""
        t = self.figures[self.figures["family"].isin(families)]
        head = f"{self.period.label(lang)} vs {self.comparison.label(lang)}"
        lines = [head, "-" * len(head)]
        for fid, r in t.iterrows():
            ci = "" if pd.isna(r.ci_low) else f"{r.rate_ratio:.3f} ({r.ci_low:.3f}–{r.ci_high:.3f})"
            lines.append(f"{fid:34s} {int(r.current):>8,} {int(r.previous):>8,} {ci:>26s} "
                         f"p={r.p_value:.3g} {r.verdict}")
        return "\n".join(lines)


def _equal(col: pd.Series, value) -> np.ndarray:
    from .compare import equals

    return equals(col, value).to_numpy(bool)


def _distinct_text(col: pd.Series) -> list:
    """The distinct values of ``col`` as text (as ``col.astype("str").unique()``)."""
    return list(pd.Series(col.unique()).astype("str").unique())


@dataclass
class _Frame:
    """One frame's day-indexed arrays and the models that all its figures share."""

    df: pd.DataFrame
    origin: pd.Timestamp
    n_days: int
    day_index: np.ndarray
    persons: np.ndarray
    working: np.ndarray
    first_date: pd.Timestamp
    history_end: pd.Timestamp
    cache: dict = field(default_factory=dict)

    @classmethod
    def of(cls, df: pd.DataFrame, history_end: pd.Timestamp, span_end: pd.Timestamp, origin: pd.Timestamp):
        dates = df["received_date"].to_numpy("datetime64[D]")
        n_days = int((span_end - origin).days) + 1
        day_index = (dates - np.datetime64(origin.date(), "D")).astype(np.int64)
        days = pd.date_range(origin, periods=n_days)
        first = pd.Timestamp(df["received_date"].min()) if len(df) else origin
        return cls(df, origin, n_days, day_index, df["persons"].to_numpy(float), workdays.working_days(days),
                   first.normalize(), history_end)

    def mask(self, spec: FigureSpec) -> np.ndarray:
        from .compare import series_mask

        key = (spec.series, spec.filters)
        if key not in self.cache:
            m = series_mask(self.df, spec.series).to_numpy(bool) if spec.series else np.ones(len(self.df), bool)
            for col, value in spec.filters:
                m = m & _equal(self.df[col], value)
            self.cache[key] = m
        return self.cache[key]

    def dispersion(self, months: pd.Series, exposure: pd.Series) -> tuple[float, int]:
        """:func:`models.within_year_dispersion`, fitted once per distinct run of monthly
        counts: a series' items and person-times figures share it (φ comes from the item
        counts), and so does the whole register's with the between-year model's."""
        key = ("phi", months.index.asi8.tobytes(), months.to_numpy(float).tobytes(), exposure.to_numpy(float).tobytes())
        if key not in self.cache:
            self.cache[key] = models.within_year_dispersion(months, exposure)
        return self.cache[key]

    def daily(self, spec: FigureSpec) -> models.DailySeries:
        key = ("daily", spec.series, spec.filters)
        if key not in self.cache:
            self.cache[key] = models.DailySeries.from_rows(self.day_index, self.persons, self.mask(spec),
                                                           self.origin, self.n_days)
        return self.cache[key]

    def all_items(self) -> models.DailySeries:
        return self.daily(FigureSpec("items", "", None, "items", "", ""))

    def weight(self, daily: models.DailySeries, start, end) -> float:
        a, b = daily.day(start), daily.day(end) + 1
        if "rho_all" not in self.cache:
            s = self.all_items()
            ha, hb = s.day(self.first_date), s.day(self.history_end) + 1
            self.cache["rho_all"] = models.other_day_weight(s.items[ha:hb], self.working[ha:hb])
        return models.other_day_weight(daily.items[a:b], self.working[a:b], fallback=self.cache["rho_all"])

    def exposure_days(self, rho: float) -> np.ndarray:
        return np.where(self.working, 1.0, rho)

    def period_exposure(self, rho: float, period: _periods.Period) -> float:
        a = int((period.start - self.origin).days)
        b = int((period.end - self.origin).days) + 1
        days = self.exposure_days(rho)
        if b <= 0:  # a period before the data: count its calendar as the data would
            return float(workdays.exposure(period.start, period.end, rho))
        return float(days[max(a, 0):b].sum()) + (
            float(workdays.exposure(period.start, self.origin - pd.Timedelta(days=1), rho)) if a < 0 else 0.0)


def _history_start(frame: _Frame, spec: FigureSpec, repeat_window_days: int) -> pd.Timestamp:
    """Repeat visits have no look-back in the register's first year (burn-in): never fit on it."""
    if spec.series == "repeat_visits":
        return frame.first_date + pd.Timedelta(days=repeat_window_days)
    return frame.first_date


def _sigma_between(frame: _Frame, before_year: int) -> tuple[float, int, bool, list[int]]:
    """σ_b² from the frame's whole years before ``before_year``; falls back when too few."""
    key = ("sigma", before_year)
    if key in frame.cache:
        return frame.cache[key]
    s = frame.all_items()
    rho = frame.weight(s, frame.first_date, frame.history_end)
    years = [y for y in range(frame.first_date.year, before_year)
             if pd.Timestamp(y, 1, 1) >= frame.first_date]
    totals = pd.Series({y: s.total("items", f"{y}-01-01", f"{y}-12-31") for y in years}, dtype=float)
    expos = pd.Series({y: frame.period_exposure(rho, _periods.year(y)) for y in years}, dtype=float)
    months = models.monthly(s.items, frame.origin, frame.first_date, frame.history_end)
    mexp = models.monthly(frame.exposure_days(rho), frame.origin, frame.first_date, frame.history_end)
    phi, _ = frame.dispersion(months, mexp)
    s2, df, ms = models.between_year_variation(totals, expos, phi if np.isfinite(phi) else models.DISPERSION_FALLBACK)
    fallback = not np.isfinite(s2)
    if fallback:
        s2, df, ms = models.SIGMA_BETWEEN_FALLBACK ** 2, 0, float("nan")
    frame.cache[key] = (float(s2), int(df), fallback, years, float(ms))
    return frame.cache[key]


def _compare_one(frame: _Frame, spec: FigureSpec, p1: _periods.Period, p0: _periods.Period,
                 repeat_window_days: int, correction: pd.Series | None = None) -> dict:
    """One comparison figure. ``correction``: a category's row of
    :func:`~petition_analysis.analysis.classified.count_corrections` when categories were
    predicted: the test then compares its estimated true counts, with the classifier's
    uncertainty added (the counts shown stay the counted ones)."""
    daily = frame.daily(spec)
    flags = []
    h_start = _history_start(frame, spec, repeat_window_days)
    rho = frame.weight(daily, h_start, frame.history_end)
    e1, e0 = frame.period_exposure(rho, p1), frame.period_exposure(rho, p0)
    x1, x0 = daily.total(spec.measure, p1.start, p1.end), daily.total(spec.measure, p0.start, p0.end)
    months = models.monthly(daily.items, frame.origin, h_start, frame.history_end)
    mexp = models.monthly(frame.exposure_days(rho), frame.origin, h_start, frame.history_end)
    phi, phi_df = frame.dispersion(months, mexp)
    if not np.isfinite(phi):
        phi, phi_df = models.DISPERSION_FALLBACK, 0
        flags.append("short_history")
    design = phi
    if spec.measure == "person_times":
        design = phi * models.design_effect(x1 + x0, daily.sum_sq(p1.start, p1.end) + daily.sum_sq(p0.start, p0.end))
    offset, extra_var, extra_df, expected = 0.0, 0.0, float("inf"), float("nan")
    s2, s2_df, s2_fallback, _, s2_ms = _sigma_between(frame, p1.start.year)
    extra_ms = None
    if spec.against == "yoy":
        extra_var, extra_df = 2 * s2, (s2_df if s2_df > 0 else float("inf"))
        extra_ms = 2 * s2_ms if s2_df > 0 else None
        if s2_fallback:
            flags.append("short_history")
    else:
        hist = models.monthly(daily.items, frame.origin, h_start, p0.end)
        hexp = models.monthly(frame.exposure_days(rho), frame.origin, h_start, p0.end)
        cur_m = pd.date_range(p1.start, p1.end, freq="MS")
        prev_m = pd.date_range(p0.start, p0.end, freq="MS")
        all_exp = models.monthly(frame.exposure_days(rho), frame.origin, frame.origin, p1.end)
        offset, v = models.seasonal_expectation(hist, hexp, cur_m, prev_m, all_exp)
        if not np.isfinite(offset):
            offset, v = math.log(e1 / e0), (0.1 ** 2)
            flags.append("short_history")
        e1 = e0 = 1.0  # the offset carries exposure and season
        expected = math.exp(offset)
        extra_var = v + (2 * s2 if p1.start.year != p0.start.year else 0.0)
        extra_df = float("inf")
    if spec.series == "repeat_visits" and p0.start < h_start:
        flags.append("burn_in")
    tested, design_previous = (x1, x0), None
    if correction is not None and spec.measure == "items":
        from .classified import corrected_count_terms

        terms = corrected_count_terms(correction, design)
        tested, design, design_previous = (terms["current"], terms["previous"]), terms["design"], terms["design_previous"]
        extra_var += terms["extra_var"]
        flags.append("predicted_categories")
    c = models.compare_counts(*tested, exposure_current=e1, exposure_previous=e0, design=design,
                              extra_var=extra_var, extra_df=extra_df, extra_ms=extra_ms,
                              design_df=phi_df if phi_df > 0 else float("inf"), offset=offset,
                              design_previous=design_previous)
    if c.method == "exact":
        flags.append("small_counts")
    if p1.partial:
        flags.append("partial")
    testable = c.testable and "burn_in" not in flags
    lo95, hi95 = c.interval(0.95) if testable else (float("nan"), float("nan"))
    return dict(
        kind="comparison", family=spec.family, series=spec.series or "items", measure=spec.measure,
        dimension=spec.dimension, dimension_value=spec.dimension_value, label_zh=spec.label_zh,
        label_en=spec.label_en, period_start=p1.start, period_end=p1.end, comparison_start=p0.start,
        comparison_end=p0.end, partial=p1.partial, current=x1, previous=x0, change=x1 - x0,
        change_pct=(x1 - x0) / x0 * 100 if x0 > 0 else float("nan"), exposure_current=e1, exposure_previous=e0,
        rate_ratio=c.rate_ratio if testable else float("nan"), ci_low_95=lo95, ci_high_95=hi95,
        p_value_raw=c.p_value if testable else float("nan"), method=c.method if testable else "none",
        dispersion=phi, design_effect=design, sigma_between=math.sqrt(s2), expected_ratio=expected,
        df=c.df, flags=",".join(dict.fromkeys(flags)), _cmp=c if testable else None,
    )


def _category_corrections(frame: _Frame, specs: list[FigureSpec], p1: _periods.Period, p0: _periods.Period,
                          predicted: pd.DataFrame | None, model=None) -> pd.DataFrame | None:
    """Each category's estimated true counts in the two periods and their variances
    (:func:`~petition_analysis.analysis.classified.count_corrections`), or ``None`` when no
    category was predicted there (the count tests are then the usual ones). The counts are
    the category figures' own (``specs``: one per category), not a recount."""
    from .classified import count_corrections

    if predicted is None or not predicted.to_numpy().any() or not specs:
        return None
    counts = pd.DataFrame({"previous": [frame.daily(s).total("items", p0.start, p0.end) for s in specs],
                           "current": [frame.daily(s).total("items", p1.start, p1.end) for s in specs]},
                          index=pd.Index([s.dimension_value for s in specs], name="category"), dtype=float)
    return count_corrections(counts[counts.sum(axis=1) > 0], predicted, model=model)


def _counted_direction(t: pd.DataFrame) -> None:
    """With predicted categories a count test compares estimated true counts, which can move
    against the counted ones. As for the share flag, a verdict then also needs the counted
    change to agree in direction: otherwise it is ``none``, flagged ``counted_change_disagrees``,
    and its adjusted interval (which excludes 1) is left out so that no interval contradicts
    the verdict; the rate ratio, p-values and the 95 % interval stay."""
    pred = t["flags"].astype("str").str.contains(r"(?:^|,)predicted_categories(?:,|$)")
    said = t["verdict"].isin(["increase", "decline"])
    sign = np.where(t["verdict"] == "increase", 1.0, -1.0)
    off = pred & said & (np.sign(t["change"].astype(float)) != sign)
    if not off.any():
        return
    t.loc[off, "verdict"] = "none"
    t.loc[off, "significant"] = False
    t.loc[off, ["ci_low", "ci_high"]] = np.nan
    t.loc[off, "flags"] = t.loc[off, "flags"].astype("str") + ",counted_change_disagrees"


def _share_tests(t: pd.DataFrame, alpha: float, predicted: pd.DataFrame | None = None, model=None) -> None:
    """Category shares and their change: χ² adjusted residuals, BH over the categories;
    with ``predicted`` categories (per code), the test carries the classifier's errors."""
    from .classified import share_change_test

    cats = t.index[t["family"] == "categories"]
    if len(cats) < 2:
        return
    table = t.loc[cats, ["previous", "current"]].astype(float)
    if (table.sum() == 0).any():
        return
    codes = t.loc[cats, "dimension_value"].astype("str")
    cells = share_change_test(table.set_axis(codes.to_numpy()), predicted, model=model, alpha=alpha)
    cells.index = cells.index.map(dict(zip(codes, cats)))
    t.loc[cells.index, "share_previous"] = cells["share_previous"]
    t.loc[cells.index, "share_current"] = cells["share_current"]
    t.loc[cells.index, "share_change_pp"] = cells["change_pp"]
    t.loc[cells.index, "share_p_value"] = cells["p_adjusted"]
    t.loc[cells.index, "share_flag"] = cells["flag"].replace("", "none")


def _rates_rows(df: pd.DataFrame, p1: _periods.Period, extraction_date: pd.Timestamp) -> list[tuple[str, dict]]:
    from .rates import three_rates

    t = three_rates(df, p1, as_of=extraction_date).set_index("rate_name")
    out = []
    for name in RATE_NAMES:
        r = t.loc[name]
        out.append((f"rate_{name}", dict(
            kind="rate", family="rates", series=name, measure="rate", label_zh=r["label_zh"], label_en=r["label_en"],
            period_start=p1.start, period_end=p1.end, partial=p1.partial, numerator=float(r["numerator"]),
            denominator=float(r["denominator"]), censored=float(r.get("censored", 0) or 0), rate=float(r["rate"]),
            ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]), ci_level=0.95,
            ci_low_95=float(r["ci_low"]), ci_high_95=float(r["ci_high"]), method="wilson",
            verdict="not_tested", significant=False, flags="partial" if p1.partial else "")))
    return out


def build_registry(df: pd.DataFrame, *, kind: str = "annual", year=None, as_of=None, quarter=None,
                   start_year=None, end_year=None, region: str | None = None, alpha: float = 0.05,
                   extraction_date=None, repeat_window_days: int = 365, emerging: bool = False,
                   min_emerging: int = 5, families=None) -> FigureRegistry:
    """Compute every figure of a report once (see the module docstring).

    ``df`` holds canonical rows of the whole city; rows received after ``as_of`` are never
    used. ``region`` (问题属地) computes the figures of one county or district, as its report
    does. ``extraction_date`` (default: ``as_of``, else the last received date) is the day the
    register was read: the three rates leave out items whose time limit had not run out by then.
    ``families`` (default: all) computes only the figures of those families; since p-values
    are adjusted within a family, a family's figures are the same either way.
    """
    from .hotspots import harmonized
    from ..classify.model import recorded_model

    from ..errors import ReportParameterError  # a ValueError that names the fix

    if kind not in ("annual", "quarterly", "hotspots"):
        raise ReportParameterError(f"kind must be 'annual', 'quarterly' or 'hotspots', not {kind!r}.")
    if kind in ("annual", "quarterly") and year is None and as_of is None:
        raise ReportParameterError(f"the {kind} registry needs the year it reports: give year=… (and optionally "
                                   "as_of=…, the last day counted; as_of alone sets the year too).")
    if kind == "quarterly" and quarter is None:
        raise ReportParameterError("the quarterly registry needs its quarter: give quarter=1, 2, 3 or 4.")
    if kind == "hotspots" and end_year is None:
        raise ReportParameterError("the hotspots registry needs the last year of its window: give end_year=… "
                                   "(and start_year=…, its first).")
    # the model that predicted categories, as cleaning recorded it: its confusion matrix is
    # the uncertainty the category tests carry (read before any step could drop the record)
    classifier = recorded_model(df)
    if as_of is not None:
        as_of = pd.Timestamp(as_of).normalize()
        if year is not None and as_of.year != int(year):
            raise ReportParameterError(
                f"as_of {as_of.date()} is not in {year}: as_of is the last day counted of the year reported. "
                f"Give an as_of inside {year}, or year={as_of.year} to report the year {as_of.date()} is in.")
        year = as_of.year
        df = df[df["received_date"] <= as_of]
    p1 = report_period(kind, year=year, as_of=as_of, quarter=quarter, end_year=end_year)
    p0 = p1.yoy()
    # A period the data do not cover would be counted as zeros (a "decline" to nothing), and
    # a comparison before the data as a rise from nothing: say so instead.
    from ._checks import check_periods, select_region

    # p0, a year back, is the earliest period compared. Only periods wholly outside the data
    # are refused here: report parameters check coverage more finely before (and simulated
    # worlds may have no row on their last day)
    check_periods(df, p1, p0, function="build_registry", whole_comparison=False, to_the_end=False)
    if region is not None:
        select_region(df, region)
    data_end = pd.Timestamp(df["received_date"].max()).normalize()
    extraction = pd.Timestamp(extraction_date).normalize() if extraction_date is not None else (
        as_of if as_of is not None else data_end)
    # a constructed or partial table may lack categories or handling dates: skip those figures
    city = harmonized(df) if "category" in df else df
    origin = pd.Timestamp(city["received_date"].min()).normalize()
    span_end = max(p1.end, data_end)
    city_frame = _Frame.of(city, p1.end, span_end, origin)
    if region is not None:
        sub = city[_equal(city["region"], region)]
        frame = _Frame.of(sub, p1.end, span_end, origin)
    else:
        frame = city_frame
    # distinct values first, then text: a categorical column is not converted row by row
    regions = sorted(_distinct_text(city["region"])) if "region" in city else []
    in_periods = frame.df["received_date"].between(p0.start, p1.end)
    cats = sorted(_distinct_text(frame.df.loc[in_periods, "category"])) if "category" in frame.df else []
    specs = figure_specs(kind, regions=regions, categories=cats, whole_city=region is None)
    if families is not None:
        families = {families} if isinstance(families, str) else set(families)
        specs = [s for s in specs if s.family in families]

    from .classified import predicted_counts

    windows = {"previous": (p0.start, p0.end), "current": (p1.start, p1.end)}
    predicted = predicted_counts(frame.df, windows) if "category" in frame.df else None
    counted = [s for s in specs if s.family == "categories" and s.against == "yoy"]
    corrections = _category_corrections(frame, counted, p1, p0, predicted, classifier)
    records: dict[str, dict] = {}
    for spec in specs:
        f = city_frame if spec.family == "regions" else frame
        fix = None
        if corrections is not None and spec.family == "categories" and spec.against == "yoy":
            fix = corrections.loc[spec.dimension_value] if spec.dimension_value in corrections.index else None
        records[spec.figure] = _compare_one(f, spec, p1, p1.comparison(spec.against), repeat_window_days, fix)
    t = pd.DataFrame.from_dict(records, orient="index")
    t["significant"] = False
    t["verdict"] = "not_tested"
    t["p_value"] = np.nan
    t["ci_low"] = np.nan
    t["ci_high"] = np.nan
    t["ci_level"] = np.nan
    for fam, idx in t.groupby("family").groups.items():
        sub = t.loc[idx]
        tested = sub.index[sub["_cmp"].notna()]
        padj, sig, level = models.adjust_family(sub.loc[tested, "p_value_raw"].to_numpy(), alpha)
        t.loc[tested, "p_value"] = padj
        t.loc[tested, "significant"] = sig
        t.loc[tested, "ci_level"] = level
        for fid in tested:
            lo, hi = t.at[fid, "_cmp"].interval(level)
            t.at[fid, "ci_low"], t.at[fid, "ci_high"] = lo, hi
        up = t.loc[tested, "rate_ratio"] > 1
        t.loc[tested, "verdict"] = np.where(sig, np.where(up, "increase", "decline"), "none")
    _counted_direction(t)
    t = t.drop(columns="_cmp")
    category_years = None
    if kind == "hotspots" and "category" in frame.df:
        # the scan compares each year with the one before: the comparison year is always in
        first = min(int(start_year), p0.start.year) if start_year is not None else p0.start.year
        category_years = category_years_table(frame.df, range(first, p1.start.year + 1), alpha=alpha,
                                              model=classifier)
        _shares_from(t, category_years, p1.start.year)
    else:  # predicted categories (message boards): the share test carries the classifier's errors
        _share_tests(t, alpha, predicted, classifier)
    comp = t["verdict"] != "not_tested"
    excludes = (t["ci_low"] > 1) | (t["ci_high"] < 1)
    if not (excludes[comp] == t.loc[comp, "significant"].astype(bool)).all():  # an invariant, never data
        raise AssertionError("a verdict disagrees with its interval; please report this as a bug.")

    if kind != "hotspots" and (families is None or "rates" in families) and {
            "accepted_date", "concluded_date", "status", "satisfaction"} <= set(df.columns):
        rates = pd.DataFrame.from_dict(dict(_rates_rows(frame.df, p1, extraction)), orient="index")
        t = pd.concat([t, rates])
    t = t.reindex(columns=list(FIGURE_COLUMNS))
    t.index.name = "figure"
    s2, s2_df, s2_fallback, years, _ = _sigma_between(frame, p1.start.year)
    history = {"sigma_between": math.sqrt(s2), "sigma_between_df": s2_df, "sigma_between_fallback": s2_fallback,
               "years_for_sigma": years, "data_start": frame.first_date, "data_end": data_end}
    reg = FigureRegistry(t, kind, p1, p0, region, extraction, alpha, history, specs={s.figure: s for s in specs},
                         category_years=category_years)
    if emerging:
        from .hotspots import quarter_cells

        reg.quarter_cells = quarter_cells(city)
        reg.emerging = _emerging(city, reg.quarter_cells, kind, p1, start_year, end_year, min_emerging)
    if families is None:  # a message board's figures of the period (None for a register)
        from .board import board_figures

        reg.board = board_figures(frame.df, p1)
    return reg


def _emerging(city, cells, kind, p1, start_year, end_year, min_observed) -> pd.DataFrame:
    from .hotspots import _emerging_hotspots as emerging_hotspots  # quarters without history drop out

    if kind == "hotspots":
        quarters = [f"{y}Q{q}" for y in range(int(start_year), int(end_year) + 1) for q in (1, 2, 3, 4)]
    else:
        quarters = sorted({f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in pd.date_range(p1.start, p1.end, freq="MS")})
    return emerging_hotspots(city, quarters=quarters, min_observed=min_observed, cells=cells)


#: Columns of :attr:`FigureRegistry.category_years`, in order.
CATEGORY_YEAR_COLUMNS = ("year", "category", "label_zh", "label_en", "items", "year_items", "share",
                         "share_previous", "share_change_pp", "adj_residual", "p_value_raw", "p_value", "flag")


def category_years_table(h: pd.DataFrame, years, *, alpha: float = 0.05, model=None) -> pd.DataFrame:
    """Items and shares per category (crosswalked codes of a harmonized frame ``h``) and
    year, with the share-change scan: every year after the first is tested against the year
    before (χ² adjusted residuals), and Benjamini–Hochberg runs over *all* those category ×
    year cells at once, one family (``category_shares``), however many years.

    One row per category with items in one of ``years`` and per year (see
    :data:`CATEGORY_YEAR_COLUMNS`): ``items``, the year's total ``year_items``, ``share``,
    ``share_previous``, ``share_change_pp``, ``adj_residual``, the raw and the adjusted
    ``p_value`` and ``flag`` (``up``/``down``/``none``; ``not_tested`` for the first year and
    for a category with no items in either year). ``model``: the model that predicted
    categories (default: the one recorded with ``h``; see
    :func:`petition_analysis.classify.model.recorded_model`).

    >>> from petition_analysis.reference import load_reference
    >>> from petition_analysis.analysis.hotspots import harmonized
    >>> t = category_years_table(harmonized(load_reference()), range(2020, 2024))
    >>> sorted(t["year"].unique().tolist()), t.loc[t["year"] == 2020, "flag"].unique().tolist()
    ([2020, 2021, 2022, 2023], ['not_tested'])
    """
    from .classified import predicted_year_counts
    from .hotspots import category_year_counts, share_changes
    from .. import taxonomy

    years = [int(y) for y in years]
    table = category_year_counts(h, years)
    from ..classify.model import recorded_model

    scan = share_changes(table, years[1:], alpha=alpha, predicted=predicted_year_counts(h, years),
                         model=recorded_model(h) if model is None else model)
    totals = table.sum(axis=0)
    long = table.stack().rename("items").reset_index()
    long = long[["year", "category", "items"]]
    long["year_items"] = long["year"].map(totals).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        long["share"] = long["items"] / long["year_items"].where(long["year_items"] > 0)
    tested = scan.rename(columns={"change_pp": "share_change_pp", "p_value": "p_value_raw",
                                  "p_adjusted": "p_value"})
    tested = tested[["year", "category", "share_previous", "share_change_pp", "adj_residual", "p_value_raw",
                     "p_value", "flag"]]
    tested["year"] = tested["year"].astype(np.int64)
    out = long.merge(tested, on=["year", "category"], how="left", validate="one_to_one")
    out["flag"] = out["flag"].where(out["p_value"].notna(), "not_tested").replace("", "none")
    out.insert(2, "label_zh", [taxonomy.label(c, "zh") for c in out["category"]])
    out.insert(3, "label_en", [taxonomy.label(c, "en") for c in out["category"]])
    out = out.sort_values(["category", "year"], kind="stable").reset_index(drop=True)
    out.attrs.update(tests=int(scan.attrs.get("tests", 0)), family="category_shares", alpha=alpha)
    return out[list(CATEGORY_YEAR_COLUMNS)]


def _shares_from(t: pd.DataFrame, category_years: pd.DataFrame, year: int) -> None:
    """A hotspot report's category figures show the share test of the scan's last year:
    the same rows, one p-value and one verdict (not a second test over the categories)."""
    last = category_years[category_years["year"] == year].set_index("category")
    prev = category_years[category_years["year"] == year - 1].set_index("category")["items"]
    cats = t.index[t["family"] == "categories"]
    codes = t.loc[cats, "dimension_value"].astype("str")
    if not cats.empty:
        counts = last["items"].reindex(codes).to_numpy(float)
        before = prev.reindex(codes).to_numpy(float)
        if not (np.array_equal(counts, t.loc[cats, "current"].to_numpy(float))
                and np.array_equal(before, t.loc[cats, "previous"].to_numpy(float))):
            # an invariant (both count the same rows), never the data
            raise AssertionError("a category's count differs between its figure and the category × year table; "
                                 "please report this as a bug.")
    rows = last.reindex(codes)
    t.loc[cats, "share_previous"] = rows["share_previous"].to_numpy()
    t.loc[cats, "share_current"] = rows["share"].to_numpy()
    t.loc[cats, "share_change_pp"] = rows["share_change_pp"].to_numpy()
    t.loc[cats, "share_p_value"] = rows["p_value"].to_numpy()
    t.loc[cats, "share_flag"] = rows["flag"].to_numpy()


_COUNT_KEYS = ("current", "previous", "change", "numerator", "denominator", "censored")


def figure_object(row: pd.Series) -> dict:
    """One registry row as a JSON figure object (the README's figure keys)."""
    def num(name):
        v = row.get(name)
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return None
        if name in _COUNT_KEYS:  # counts are whole numbers, whatever dtype the table holds
            return int(v)
        return _json_number(v)

    if row.get("kind") == "rate":
        return {"kind": "rate", "family": row["family"], "numerator": num("numerator"),
                "denominator": num("denominator"), "censored": num("censored"), "rate": num("rate"),
                "ci_low": num("ci_low"), "ci_high": num("ci_high"), "ci_level": num("ci_level"),
                "method": row["method"], "label_zh": row["label_zh"], "label_en": row["label_en"],
                "flags": [f for f in str(row.get("flags") or "").split(",") if f]}
    pct = row.get("change_pct")
    out = {
        "kind": "comparison", "family": row["family"],
        "current": num("current"), "previous": num("previous"), "change": num("change"),
        "change_pct": None if pct is None or not math.isfinite(pct) else round(float(pct), 2),
        "rate_ratio": num("rate_ratio"), "ci_low": num("ci_low"), "ci_high": num("ci_high"),
        "ci_level": num("ci_level"), "ci_low_95": num("ci_low_95"), "ci_high_95": num("ci_high_95"),
        "p_value_raw": num("p_value_raw"), "p_value": num("p_value"),
        "significant": bool(row["significant"]), "assessment": row["verdict"], "method": row["method"],
        "dispersion": num("dispersion"), "design_effect": num("design_effect"),
        "sigma_between": num("sigma_between"), "expected_ratio": num("expected_ratio"),
        "label_zh": row["label_zh"], "label_en": row["label_en"],
        "flags": [f for f in str(row.get("flags") or "").split(",") if f],
    }
    if row.get("dimension") == "category":  # a category: its share and the share test (SHARE_KEYS),
        flag = row.get("share_flag")     # None where the test did not run (too few rows or categories)
        out.update({k: num(k) for k in SHARE_KEYS[:-1]}, share_flag=flag if isinstance(flag, str) else None)
    return out


#: Keys a category figure adds to its JSON object: the shares, their change and its test.
SHARE_KEYS = ("share_previous", "share_current", "share_change_pp", "share_p_value", "share_flag")


def _json_number(v):
    """A plain int or a float rounded to 6 places (JSON has no numpy types)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    f = float(v)
    return int(f) if f.is_integer() and isinstance(v, (int, np.integer)) else round(f, 6)
