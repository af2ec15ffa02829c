"""Counts and period comparisons (同比 / 环比) with their uncertainty.

Counts are *items* (批次/件次: rows) and *person-times* (人次: sum of ``persons``).

One value, one verdict: where a report publishes a comparison (the headline, the five
declines, online and phone items; a whole year, a year to date or a whole quarter), these
functions return the figure registry's row (:func:`petition_analysis.build_registry`: one
verdict per figure across every table, working-day exposure, between-year variation,
person-times as compound counts; see ``docs/statistics.md``), and ``source`` says
``registry``. Every other comparison (a month, a breakdown ``by=`` a column, a mask of your
own) is exploratory and says ``exploratory``: each table is tested on its own with the exact
Poisson rate-ratio test and an overdispersion-aware (quasi-Poisson) test whose dispersion φ
comes from the series' monthly counts (calendar-day months); its ``assessment``
("significant decline" / 显著下降 …) uses the latter, Benjamini–Hochberg adjusted when a table
tests several rows at once.

Ready-made tables: :func:`headline`, :func:`five_declines` (五下降), :func:`visits_by_level`,
:func:`leapfrog_by_level` and :func:`channel_mix`.

Examples
--------
>>> import petition_analysis as pa
>>> df = pa.load_reference()
>>> t = pa.five_declines(df, year=2019, as_of="2019-12-20")
>>> t.loc[t.measure == "items", ["series", "current", "previous", "assessment"]].to_dict("records")[:2]
[{'series': 'visits', 'current': 9109, 'previous': 9387, 'assessment': 'none'}, {'series': 'letters', 'current': 6219, 'previous': 7298, 'assessment': 'decline'}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods as _periods
from . import stats
from ._checks import (PeriodOutsideDataError, UnknownColumnError, UnknownRegionError, check_columns, check_periods,
                      select_region)

__all__ = [
    "SERIES",
    "SERIES_LABELS",
    "MEASURES",
    "series_mask",
    "counts",
    "compare",
    "headline",
    "visits_by_level",
    "leapfrog_by_level",
    "five_declines",
    "channel_mix",
    "assessment_label",
    "REGISTRY_SERIES",
    "PeriodOutsideDataError",
    "UnknownColumnError",
    "UnknownRegionError",
]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

MEASURES = ("items", "person_times")
MEASURE_LABELS = {"items": {"zh": "批次（件次）", "en": "items"}, "person_times": {"zh": "人次", "en": "person-times"}}


def equals(column: pd.Series, value) -> pd.Series:
    """``column == value`` for a categorical or text column, without converting every row
    to text (a categorical compares its codes).

    >>> equals(pd.Series(["visit", "letter"], dtype="category"), "visit").tolist()
    [True, False]
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        hits = np.flatnonzero(np.asarray(column.cat.categories.astype("str")) == str(value))
        codes = column.cat.codes.to_numpy()
        return pd.Series(codes == hits[0] if len(hits) else np.zeros(len(codes), bool), index=column.index)
    return column.astype("str") == str(value)


def _ch(df, value):
    return equals(df["channel"], value)


def _lv(df, value):
    return equals(df["level"], value)


#: Named series: a filter over canonical rows. ``None`` means every row.
SERIES = {
    "items": lambda df: pd.Series(True, index=df.index),
    "letters": lambda df: _ch(df, "letter"),
    "visits": lambda df: _ch(df, "visit"),
    "online": lambda df: _ch(df, "online"),
    "phone": lambda df: _ch(df, "phone"),
    "visits_national": lambda df: _ch(df, "visit") & _lv(df, "national"),
    "visits_province": lambda df: _ch(df, "visit") & _lv(df, "province"),
    "leapfrog_visits": lambda df: _ch(df, "visit") & df["is_leapfrog"],
    "leapfrog_city": lambda df: _ch(df, "visit") & df["is_leapfrog"] & _lv(df, "city"),
    "repeat_visits": lambda df: _ch(df, "visit") & df["is_repeat"],
    "collective_visits": lambda df: df["is_collective"] & _ch(df, "visit"),
}
SERIES_LABELS = {
    "items": {"zh": "信访总量", "en": "all items"},
    "letters": {"zh": "来信", "en": "letters"},
    "visits": {"zh": "来访", "en": "visits"},
    "online": {"zh": "网上信访", "en": "online items"},
    "phone": {"zh": "来电", "en": "phone calls"},
    "visits_national": {"zh": "进京访", "en": "visits at national level"},
    "visits_province": {"zh": "赴省访", "en": "visits at province level"},
    "leapfrog_visits": {"zh": "越级访", "en": "leapfrog visits"},
    "leapfrog_city": {"zh": "越级到市访", "en": "leapfrog visits received at city level"},
    "repeat_visits": {"zh": "重复访", "en": "repeat visits"},
    "collective_visits": {"zh": "集体访", "en": "collective visits"},
}
_ASSESS = {
    "decline": {"zh": "显著下降", "en": "significant decline"},
    "increase": {"zh": "显著上升", "en": "significant increase"},
    "none": {"zh": "无统计学显著变化", "en": "no significant change"},
}


def assessment_label(key: str, lang: str = "en") -> str:
    """Text for an assessment key (``decline``, ``increase``, ``none``)."""
    return _ASSESS[key][lang]


def series_mask(df: pd.DataFrame, series: str | None) -> pd.Series:
    """Boolean mask of the rows in a named :data:`SERIES`."""
    if series is None:
        return pd.Series(True, index=df.index)
    try:
        return SERIES[series](df).astype(bool)
    except KeyError:
        raise ValueError(f"unknown series {series!r}; known: {', '.join(SERIES)}") from None


def _as_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _mask(df: pd.DataFrame, where) -> pd.Series:
    if where is None:
        return pd.Series(True, index=df.index)
    if isinstance(where, str):
        return series_mask(df, where)
    if callable(where):
        return pd.Series(where(df), index=df.index).astype(bool)
    return pd.Series(where, index=df.index).astype(bool)


def counts(df: pd.DataFrame, period=None, by=None, where=None, *, region=None) -> pd.DataFrame:
    """Items (件次) and person-times (人次) in ``period`` (all rows when ``None``), by
    columns ``by``, for the whole city or one ``region`` (问题属地).

    Returns a long table with a plain index (0, 1, …), one row per group of ``by`` (one row
    without ``by``), with the columns:

    | column | meaning |
    |---|---|
    | *by* columns | the group, one column per ``by`` column (none without ``by``); a categorical column lists every category, 0 where nothing was received |
    | items | items (批次/件次: rows) in the period |
    | person_times | person-times (人次: the sum of ``persons``) in the period |

    A period the data do not cover, an unknown ``by`` column or region raise one-paragraph
    errors (:class:`PeriodOutsideDataError`, :class:`UnknownColumnError`,
    :class:`UnknownRegionError`) instead of counting zeros.

    >>> df = pd.DataFrame({"received_date": pd.to_datetime(["2019-01-02", "2019-01-03", "2019-02-03"]),
    ...                    "channel": ["visit", "letter", "visit"], "level": ["city", "city", "county"],
    ...                    "persons": [7, 1, 2]})
    >>> counts(df, "2019-01", by=["channel", "level"])
      channel level  items  person_times
    0  letter  city      1             1
    1   visit  city      1             7
    >>> counts(df)
       items  person_times
    0      3            10
    >>> counts(df, "2019-01", by="chanel")
    Traceback (most recent call last):
    ...
    petition_analysis.analysis._checks.UnknownColumnError: by='chanel': the data have no column 'chanel'. Did you mean 'channel' (信访形式: visit, letter, online, phone)? The columns are: received_date, channel, level, persons.
    """
    check_columns(df, by)
    if period is not None:
        check_periods(df, _periods.parse(period), function="count")
    if where is not None and not isinstance(where, str):
        where = _mask(df, where)  # aligned by index after the region cut
    out = _counts(select_region(df, region), period, by, where)
    # _counts is indexed by the groups (what the comparisons align on); the public table is long.
    return out.reset_index(drop=not _as_list(by))


def _counts(df: pd.DataFrame, period=None, by=None, where=None) -> pd.DataFrame:
    sub = df.loc[_mask(df, where)]
    if period is not None:
        sub = sub.loc[_periods.parse(period).contains(sub["received_date"])]
    keys = _as_list(by)
    if not keys:
        return pd.DataFrame({"items": [len(sub)], "person_times": [int(sub["persons"].sum())]}, index=pd.Index(["all"], name="group"))
    g = sub.groupby(keys, observed=False)["persons"]
    out = pd.DataFrame({"items": g.size(), "person_times": g.sum()}).fillna(0).astype("int64")
    return out


def _history_months(df: pd.DataFrame, period: _periods.Period) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last complete month of data up to the end of ``period``."""
    if len(df) == 0:
        return None
    first = df["received_date"].min()
    first_m = first.to_period("M").to_timestamp()
    if first != first_m:
        first_m = first_m + pd.DateOffset(months=1)
    end = period.end
    last_m = end.to_period("M").to_timestamp()
    if end != end.to_period("M").to_timestamp(how="end").normalize():
        last_m = last_m - pd.DateOffset(months=1)
    if last_m < first_m:
        return None
    return first_m, last_m


def _dispersions(df: pd.DataFrame, sub: pd.DataFrame, keys: list[str], period: _periods.Period,
                 groups: pd.Index) -> pd.DataFrame:
    """φ per group and measure from monthly counts (complete months up to the period end)."""
    span = _history_months(df, period)
    out = pd.DataFrame(np.nan, index=groups, columns=list(MEASURES))
    if span is None:
        return out
    months = pd.date_range(*span, freq="MS")
    hist = sub.loc[(sub["received_date"] >= months[0]) & (sub["received_date"] < months[-1] + pd.DateOffset(months=1))]
    mkey = hist["received_date"].dt.to_period("M").dt.to_timestamp().rename("_month")
    if not keys:
        g = hist.groupby(mkey)["persons"]
        wide = {"items": g.size().to_frame().T, "person_times": g.sum().to_frame().T}
        wide = {m: w.set_axis(groups, axis=0) for m, w in wide.items()}
    else:
        g = hist.groupby([hist[k] for k in keys] + [mkey], observed=True)["persons"]
        wide = {"items": g.size().unstack("_month"), "person_times": g.sum().unstack("_month")}
    for m in MEASURES:
        w = wide[m].reindex(index=groups, columns=months).fillna(0)
        for grp, row in zip(groups, w.to_numpy()):
            out.loc[grp, m] = stats.estimate_dispersion(pd.Series(row, index=months))
    return out


#: Series whose comparisons the figure registry publishes (the headline, the five declines,
#: online and phone): :func:`compare` reads them from the registry.
REGISTRY_SERIES = ("items", "visits_national", "leapfrog_city", "visits", "letters", "leapfrog_visits",
                   "repeat_visits", "collective_visits", "online", "phone")


def compare(df: pd.DataFrame, period, against="yoy", *, by=None, where=None, region=None, measures=MEASURES,
            alpha: float = 0.05, dispersion="monthly", drop_empty: bool = True) -> pd.DataFrame:
    """Compare ``period`` with ``against`` (``"yoy"`` 同比, ``"previous"`` 环比, or a Period),
    for the whole city or one ``region`` (问题属地).

    ``where``: a named series (see :data:`SERIES`), a boolean mask or a function of ``df``.
    ``dispersion``: ``"monthly"`` (estimate φ per row from monthly counts), a number, or
    ``None`` (Poisson, φ = 1).

    **One value, one verdict.** When the comparison is one a report publishes (no ``by``,
    ``where`` one of :data:`REGISTRY_SERIES` or None, a whole year, a year to date or a whole
    quarter, year on year; or a quarter against the previous one for the headline series,
    with the default ``alpha`` and ``dispersion``), the row comes from the figure registry
    (:func:`petition_analysis.build_registry`) and ``source`` is ``"registry"``: the same
    count, interval, p-value and verdict as the report. Otherwise the table is computed
    here, each table tested on its own with calendar-day months (``source`` ``"exploratory"``).

    Returns one row per group (the ``by`` columns) and measure, with the columns:

    | column | meaning |
    |---|---|
    | measure | ``items`` (件次) or ``person_times`` (人次) |
    | current, previous | counts in the period and the comparison period |
    | change, pct_change | the difference and the change in percent (NaN when previous is 0) |
    | rate_ratio | current ÷ previous (per working-day equivalent for registry rows) |
    | ci_low, ci_high | the interval shown beside the verdict: registry rows at the family's level (it excludes 1 exactly when the change is significant); exploratory rows the exact Poisson 95 % interval |
    | p_value | the test's p-value before adjustment |
    | dispersion | φ, the overdispersion of the monthly counts |
    | od_ci_low, od_ci_high | the overdispersion-aware interval (registry rows: = ci_low, ci_high) |
    | od_p_value | the overdispersion-aware p-value (registry rows: = p_value) |
    | p_adjusted | Benjamini–Hochberg adjusted (registry: within the figure's family) |
    | significant_decline, assessment | the verdict: ``decline``, ``increase``, ``none``, or ``not_tested`` (registry rows that cannot be tested) |
    | source | ``registry`` or ``exploratory`` |
    | ci_level, verdict, method, flags, family | registry rows only: the interval's level (above 95 % when the family is adjusted), the report's verdict (as ``assessment``), the test used, notes such as ``short_history``, ``small_counts`` or ``partial`` (comma-separated), and the figure's multiple-testing family |

    ``attrs`` holds the periods and their labels. A period outside the data, a comparison
    period before them, an unknown ``by`` column or region raise one-paragraph errors.

    >>> from petition_analysis.reference import load_reference
    >>> t = compare(load_reference(), "2019", where="visits_national")
    >>> t[["measure", "current", "previous", "assessment", "source"]].to_dict("records")[0]
    {'measure': 'items', 'current': 80, 'previous': 158, 'assessment': 'decline', 'source': 'registry'}
    """
    p1 = _periods.parse(period)
    p0 = p1.comparison(against)
    check_columns(df, by)
    check_periods(df, p1, p0, function="compare_periods")
    if (by is None and (where is None or (isinstance(where, str) and where in REGISTRY_SERIES))
            and alpha == 0.05 and dispersion == "monthly"):
        reg = _registry_for(df, p1, against, region=region, series=(where or "items",))
        if reg is not None:
            out = _from_registry(reg, [where or "items"], measures, qoq=against in ("previous", "qoq", "环比"))
            return out.drop(columns=["series", "figure", "label_zh", "label_en"])
    if where is not None and not isinstance(where, str):
        where = _mask(df, where)  # a mask or function of the whole frame, aligned by index after the region cut
    sub = select_region(df, region)
    return _compare(sub, p1, p0, by=by, where=where, measures=measures, alpha=alpha, dispersion=dispersion,
                    drop_empty=drop_empty)


def _registry_for(df, p1: _periods.Period, against, *, region=None, series=()):
    """The registry of a report over ``p1`` (families needed for ``series``), or None when no
    report publishes that comparison."""
    from .registry import build_registry

    qoq = against in ("previous", "qoq", "环比")
    if isinstance(against, _periods.Period) or not (against in ("yoy", "同比") or qoq):
        return None
    if p1.kind == "year" and not p1.partial:
        args = dict(kind="annual", year=p1.start.year)
    elif p1.kind == "ytd" or (p1.kind == "year" and p1.partial):
        args = dict(kind="annual", year=p1.end.year, as_of=p1.end)
    elif p1.kind == "quarter" and not p1.partial:
        args = dict(kind="quarterly", year=p1.start.year, quarter=(p1.start.month - 1) // 3 + 1)
    else:
        return None
    if qoq and (args["kind"] != "quarterly" or any(s not in ("items", "visits_national", "leapfrog_city") for s in series)):
        return None
    primary = {"items", "visits_national", "leapfrog_city", "visits", "letters", "leapfrog_visits", "repeat_visits",
               "collective_visits"}
    families = {"qoq"} if qoq else ({"primary"} if set(series) <= primary else {"primary", "breakdown"})
    if region is not None:
        select_region(df, region)  # a clear error for an unknown region
    return build_registry(df, region=region, families=families, **args)


def _from_registry(reg, names, measures=MEASURES, qoq: bool = False) -> pd.DataFrame:
    """Registry rows of the series ``names`` in the columns of :func:`compare`."""
    from .registry import figure_id

    rows = []
    for name in names:
        for m in measures:
            fid = figure_id(name, m, "qoq_" if qoq else "")
            r = reg[fid]
            verdict = r["verdict"]
            rows.append(dict(
                series=name, figure=fid, measure=m, current=int(r["current"]), previous=int(r["previous"]),
                change=int(r["change"]), pct_change=float(r["change_pct"]), rate_ratio=float(r["rate_ratio"]),
                ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]), ci_level=float(r["ci_level"]),
                p_value=float(r["p_value_raw"]), dispersion=float(r["dispersion"]),
                od_ci_low=float(r["ci_low"]), od_ci_high=float(r["ci_high"]), od_p_value=float(r["p_value_raw"]),
                p_adjusted=float(r["p_value"]), significant_decline=verdict == "decline", assessment=verdict,
                verdict=verdict, method=r["method"], flags=r["flags"], family=r["family"],
                label_zh=SERIES_LABELS[name]["zh"], label_en=SERIES_LABELS[name]["en"], source="registry"))
    out = pd.DataFrame(rows)
    p0 = reg.comparison if not qoq else reg.period.previous()
    out.attrs.update(period=reg.period, comparison=p0, alpha=reg.alpha, region=reg.region,
                     period_label={"zh": reg.period.label("zh"), "en": reg.period.label("en")},
                     comparison_label={"zh": p0.label("zh"), "en": p0.label("en")}, source="registry")
    return out


def _compare(df: pd.DataFrame, p1: _periods.Period, p0: _periods.Period, *, by=None, where=None, measures=MEASURES,
             alpha: float = 0.05, dispersion="monthly", drop_empty: bool = True) -> pd.DataFrame:
    """The exploratory comparison (no checks): see :func:`compare`."""
    keys = _as_list(by)
    sub = df.loc[_mask(df, where)]
    c1 = _counts(sub, p1, keys or None)
    c0 = _counts(sub, p0, keys or None)
    groups = c1.index.union(c0.index) if keys else c1.index
    c1, c0 = c1.reindex(groups, fill_value=0), c0.reindex(groups, fill_value=0)
    if drop_empty and keys:
        keep = (c1["items"] + c0["items"]) > 0
        c1, c0, groups = c1[keep], c0[keep], groups[keep.to_numpy()]
    if dispersion == "monthly":
        phis = _dispersions(df, sub, keys, p1, groups)
    else:
        val = 1.0 if dispersion is None else float(dispersion)
        phis = pd.DataFrame(val, index=groups, columns=list(MEASURES))

    rows = []
    for m in measures:
        for grp in groups:
            a, b = int(c1.loc[grp, m]), int(c0.loc[grp, m])
            ex = stats.rate_ratio_test(a, b, alpha=alpha)
            phi = phis.loc[grp, m]
            od = stats.overdispersed_rate_ratio_test(a, b, dispersion=phi if np.isfinite(phi) else 1.0, alpha=alpha)
            row = dict(zip(keys, grp if isinstance(grp, tuple) else (grp,))) if keys else {}
            row.update(measure=m, current=a, previous=b, change=a - b,
                       pct_change=(a - b) / b * 100 if b > 0 else np.nan,
                       rate_ratio=ex.rate_ratio, ci_low=ex.ci_low, ci_high=ex.ci_high, p_value=ex.p_value,
                       dispersion=phi, od_ci_low=od.ci_low, od_ci_high=od.ci_high, od_p_value=od.p_value)
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adjusted"] = out.groupby("measure")["od_p_value"].transform(lambda p: stats.fdr_bh(p.to_numpy()))
    sig = out["p_adjusted"] < alpha
    out["significant_decline"] = sig & (out["current"] < out["previous"])
    out["assessment"] = np.where(out["significant_decline"], "decline",
                                 np.where(sig & (out["current"] > out["previous"]), "increase", "none"))
    out["source"] = "exploratory"
    out.attrs.update(period=p1, comparison=p0, period_label={"zh": p1.label("zh"), "en": p1.label("en")},
                     comparison_label={"zh": p0.label("zh"), "en": p0.label("en")}, alpha=alpha, source="exploratory")
    return out


def _resolve_period(period=None, year=None, as_of=None) -> _periods.Period:
    return _periods.as_period(period, year_=year, as_of=as_of)


def _series_table(df, names, p1: _periods.Period, against, alpha, dispersion, region, function) -> pd.DataFrame:
    """Rows of the named series: from the registry when a report publishes them (see
    :func:`compare`), else computed here and adjusted across the whole table."""
    p0 = p1.comparison(against)
    check_periods(df, p1, p0, function=function)
    if alpha == 0.05 and dispersion == "monthly":
        reg = _registry_for(df, p1, against, region=region, series=names)
        if reg is not None:
            return _from_registry(reg, names, qoq=against in ("previous", "qoq", "环比"))
    df = select_region(df, region)
    parts = []
    for name in names:
        t = _compare(df, p1, p0, where=name, alpha=alpha, dispersion=dispersion)
        t.insert(0, "series", name)
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    # Many rows tested at once: adjust across the whole table, per measure.
    out["p_adjusted"] = out.groupby("measure")["od_p_value"].transform(lambda p: stats.fdr_bh(p.to_numpy()))
    sig = out["p_adjusted"] < alpha
    out["significant_decline"] = sig & (out["current"] < out["previous"])
    out["assessment"] = np.where(out["significant_decline"], "decline",
                                 np.where(sig & (out["current"] > out["previous"]), "increase", "none"))
    out.insert(1, "figure", [name if name != "items" else m for name, m in zip(out["series"], out["measure"])])
    out.loc[out["series"] != "items", "figure"] = out["series"] + "_" + out["measure"]
    out["label_zh"] = out["series"].map(lambda s: SERIES_LABELS[s]["zh"])
    out["label_en"] = out["series"].map(lambda s: SERIES_LABELS[s]["en"])
    out.attrs.update(parts[0].attrs)
    out.attrs["region"] = region
    return out


_TABLE_DOC = """
    Returns one row per series and measure with ``series``, ``figure`` (the registry's
    figure id, e.g. ``visits_national_items``) and the columns of :func:`compare`, plus
    ``label_zh`` and ``label_en``. For a whole year, a year to date or a whole quarter, year
    on year, the rows are the figure registry's (``source`` ``"registry"``): the report's
    counts, intervals, p-values and verdicts, with the primary family's adjustment.
"""


def headline(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
             alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """The headline figures of a work summary (工作总结): all items, visits at national
    level (进京访) and leapfrog visits received at city level (越级到市访), items and
    person-times each, for the whole city or one ``region`` (问题属地).
    """
    p = _resolve_period(period, year, as_of)
    return _series_table(df, list(_HEADLINE), p, against, alpha, dispersion, region, "headline_figures")


def five_declines(df: pd.DataFrame, year=None, region=None, as_of=None, *, period=None, against="yoy",
                  alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """The five declines scorecard (五下降): visits, letters, leapfrog visits, repeat visits and
    collective visits, year on year, for the whole city or one ``region`` (问题属地).

    ``year`` alone gives the calendar year; with ``as_of`` a year to date (a work summary's
    "as of 20 December"). The comparison year must be in the data: ``year=2014`` on data
    that begin in 2014 is an error that names the first year that can be compared.
    """
    p = _resolve_period(period, year, as_of)
    return _series_table(df, list(_FIVE), p, against, alpha, dispersion, region, "five_declines")


headline.__doc__ += _TABLE_DOC
five_declines.__doc__ += _TABLE_DOC
_HEADLINE = ("items", "visits_national", "leapfrog_city")
_FIVE = ("visits", "letters", "leapfrog_visits", "repeat_visits", "collective_visits")


def visits_by_level(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
                    alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """Visits (来访) by receiving level: county, city, province, national (到县/到市/赴省/进京),
    for the whole city or one ``region``; the columns of :func:`compare` with ``level``."""
    p = _resolve_period(period, year, as_of)
    return compare(df, p, against, by="level", where="visits", region=region, alpha=alpha, dispersion=dispersion,
                   drop_empty=False)


def leapfrog_by_level(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
                      alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """Leapfrog visits (越级访) by the level where they were received (never county), for the
    whole city or one ``region``; the columns of :func:`compare` with ``level``."""
    p = _resolve_period(period, year, as_of)
    t = compare(df, p, against, by="level", where="leapfrog_visits", region=region, alpha=alpha,
                dispersion=dispersion, drop_empty=False)
    return t.loc[t["level"].astype("str") != "county"].reset_index(drop=True)


def channel_mix(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
                alpha: float = 0.05) -> pd.DataFrame:
    """Items by channel (信访形式) in both periods with their shares, the change in share
    (percentage points) and the χ² test of the shares, for the whole city or one ``region``.

    Returns a long table with a plain index (0, 1, …), one row per channel (every channel
    of the schema, in its order: letter, visit, online, phone), with the columns:

    | column | meaning |
    |---|---|
    | channel | 信访形式: ``letter``, ``visit``, ``online``, ``phone`` |
    | previous, current | items in the comparison period and in ``period`` |
    | share_previous, share_current | the channel's share of the period's items (a proportion) |
    | change_pp | share_current − share_previous, in percentage points |
    | adj_residual | the χ² adjusted residual of ``current`` (positive: the share grew) |
    | p_value | its two-sided p-value |
    | p_adjusted | Benjamini–Hochberg adjusted over the channels |
    | flag | ``up`` / ``down`` when ``p_adjusted < alpha``, else ``""`` |

    A channel without items in either period has 0 counts and NaN shares and tests.
    ``attrs`` hold the ``period``, the ``comparison`` period and the table's χ² test
    (``chi2``, ``dof``, ``p_value``).

    >>> import petition_analysis as pa
    >>> m = pa.channel_mix(pa.load_reference(), year=2023)
    >>> m[["channel", "previous", "current", "flag"]]
      channel  previous  current  flag
    0  letter      3949     3013  down
    1   visit      8104     7756
    2  online     12275    12910    up
    3   phone      3919     3865
    """
    p1 = _resolve_period(period, year, as_of)
    p0 = p1.comparison(against)
    check_periods(df, p1, p0, function="channel_mix")
    df = select_region(df, region)
    a = _counts(df, p1, "channel")["items"]
    b = _counts(df, p0, "channel")["items"]
    table = pd.DataFrame({"previous": b, "current": a}).fillna(0)
    test = stats.share_change_test(table, alpha=alpha)
    # the test's cells are indexed by channel (what they align on); the public table is long
    out = table.join(test.cells).rename_axis("channel").reset_index()
    out.attrs.update(period=p1, comparison=p0, chi2=test.chi2, dof=test.dof, p_value=test.p_value)
    return out
