"""Hotspot problem categories (热点问题): ranking, emerging hotspots and seasonal peaks.

All series use categories harmonized through the 2018 crosswalk (国土资源 → 自然资源, …), so a
county's land complaints in 2017 and in 2021 are one series.

* :func:`rank_categories` ranks categories by volume and share, with the change in both and a
  Benjamini–Hochberg controlled χ² flag for share changes.
* :func:`emerging_hotspots` flags region × category × quarter cells whose count exceeds what
  the cell's own history in the same quarter (its seasonality) predicts, allowing for the
  city-wide change; one-sided exact tests, FDR-controlled over every cell tested.
* :func:`seasonal_peaks` finds category × calendar-month peaks beyond the city's seasonality,
  such as the year-end wage-arrears (欠薪) peak.

Examples
--------
>>> import petition_analysis as pa
>>> df = pa.synth.generate(2018, 2022).data               # doctest: +SKIP
>>> flags = emerging_hotspots(df)                          # doctest: +SKIP
>>> flags.loc[flags.flag, ["region", "category", "period", "observed", "expected"]]  # doctest: +SKIP
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import compare, stats
from . import _checks
from ._checks import check_periods, select_region
from .. import taxonomy
from .. import periods as _periods

__all__ = ["harmonized", "rank_categories", "share_change_scan", "emerging_hotspots", "seasonal_peaks",
           "category_label"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)


def harmonized(df: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``df`` whose ``category`` holds crosswalked (post-2018) codes."""
    out = df.copy(deep=False)
    out["category"] = taxonomy.crosswalk_series(df["category"].astype("str")).astype("category")
    return out


def category_label(codes, lang: str = "en") -> list[str]:
    """zh or en labels for taxonomy codes."""
    return [taxonomy.label(c, lang) for c in codes]


def rank_categories(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
                    alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """Categories (问题分类) ranked by volume in ``period``, for the whole city or one
    ``region``: items, share, rank, and the change in each against the comparison period,
    with the overdispersion-aware count test (``assessment``) and the share test
    (``share_flag``: ``up``/``down``), both BH-controlled.

    Indexed by ``category`` (crosswalked code), sorted by ``current``: ``label_zh``,
    ``label_en``, ``current``, ``previous``, ``change``, ``pct_change``, ``rate_ratio``,
    ``od_ci_low``, ``od_ci_high``, ``od_p_value``, ``p_adjusted``, ``assessment``,
    ``share_previous``, ``share_current``, ``change_pp``, ``adj_residual``,
    ``share_p_adjusted``, ``share_flag``, ``rank_current``, ``rank_previous``.
    """
    p1 = _periods.as_period(period, year_=year, as_of=as_of)
    check_periods(df, p1, p1.comparison(against), function="rank_categories")
    h = harmonized(select_region(df, region))
    t = compare._compare(h, p1, p1.comparison(against), by="category", measures=("items",), alpha=alpha,
                         dispersion=dispersion)
    t = t.set_index("category")
    table = t[["previous", "current"]]
    sc = stats.share_change_test(table, alpha=alpha).cells
    out = t[["current", "previous", "change", "pct_change", "rate_ratio", "od_ci_low", "od_ci_high",
             "od_p_value", "p_adjusted", "assessment"]].join(
        sc[["share_previous", "share_current", "change_pp", "adj_residual"]].assign(
            share_p_adjusted=sc["p_adjusted"], share_flag=sc["flag"]))
    out["rank_current"] = out["current"].rank(ascending=False, method="min").astype(int)
    out["rank_previous"] = out["previous"].rank(ascending=False, method="min").astype(int)
    out = out.sort_values("current", ascending=False)
    out.insert(0, "label_zh", category_label(out.index.astype(str), "zh"))
    out.insert(1, "label_en", category_label(out.index.astype(str), "en"))
    out.attrs.update(period=p1, comparison=p1.comparison(against))
    return out


def share_change_scan(df: pd.DataFrame, years=None, *, region=None, alpha: float = 0.05) -> pd.DataFrame:
    """Year-on-year change in category shares for every pair of consecutive whole years,
    with Benjamini–Hochberg control over *all* category × year cells at once (a scan over
    many years tests many cells; adjusting per year would let chance flags through).

    Returns ``year``, ``category``, ``share_previous``, ``share_current``, ``change_pp``,
    ``adj_residual``, ``p_value``, ``p_adjusted`` and ``flag`` (``up``/``down``/``""``).
    ``region``: the shares within one county or district. ``years`` must have their previous
    year in the data.
    """
    h = harmonized(select_region(df, region))
    d = h["received_date"]
    if years is None:
        first, last = int(d.dt.year.min()), int(d.dt.year.max())
        if h.loc[d.dt.year == last, "received_date"].max() < pd.Timestamp(last, 12, 31):
            last -= 1  # an incomplete last year is not compared with a whole one
        years = range(first + 1, last + 1)
    table = h.groupby([d.dt.year.rename("year"), h["category"].astype("str")]).size().unstack(fill_value=0)
    missing = sorted({y for y in years for y in (y - 1, y)} - set(table.index))
    if missing:
        raise _checks.PeriodOutsideDataError(
            f"share_change_scan: the data have no rows in {', '.join(map(str, missing))}, so the shares of "
            f"{', '.join(map(str, years))} cannot be compared with their previous years. Choose years from "
            f"{int(table.index.min()) + 1} to {int(table.index.max())}, or add the missing registers.")
    parts = []
    for y in years:
        t = table.loc[[y - 1, y]].T.set_axis(["previous", "current"], axis=1)
        cells = stats.share_change_test(t, alpha=alpha).cells
        parts.append(cells.drop(columns=["p_adjusted", "flag"]).assign(year=y))
    out = pd.concat(parts).rename_axis("category").reset_index()
    out["p_adjusted"] = stats.fdr_bh(out["p_value"].to_numpy())
    out["flag"] = np.where(out["p_adjusted"] < alpha, np.where(out["adj_residual"] > 0, "up", "down"), "")
    return out[["year", "category", "share_previous", "share_current", "change_pp", "adj_residual",
                "p_value", "p_adjusted", "flag"]]


def _quarterly(h: pd.DataFrame) -> pd.DataFrame:
    """Counts per region × category × year × quarter on the full grid (empty cells as 0)."""
    d = h["received_date"]
    g = h.groupby([h["region"].astype("str"), h["category"].astype("str"), d.dt.year.rename("year"),
                   d.dt.quarter.rename("quarter")]).size()
    regions = sorted(h["region"].astype("str").unique())
    cats = sorted(h["category"].astype("str").unique())
    years = range(int(d.dt.year.min()), int(d.dt.year.max()) + 1)
    grid = pd.MultiIndex.from_product([regions, cats, years, [1, 2, 3, 4]], names=["region", "category", "year", "quarter"])
    return g.reindex(grid, fill_value=0).rename("count").reset_index()


def emerging_hotspots(df: pd.DataFrame, *, history_years: int = 3, quarters=None, region=None, alpha: float = 0.05,
                      min_observed: int = 5) -> pd.DataFrame:
    """Emerging-hotspot flags over region × category × quarter (FDR-controlled).

    For a cell in year *Y*, quarter *q*, the history is the same cell in quarter *q* of the
    ``history_years`` previous years (its own level and seasonality). Allowing for the
    city-wide change ``r`` (all items in *Y q* ÷ the yearly mean of the history quarters),
    the expected count is ``E = r · H / K``. Given ``O + H``, ``O`` is binomial with
    ``p = r / (r + K)`` when the cell changed like the city; the one-sided exact p-value tests
    for an excess. Benjamini–Hochberg runs over every cell tested. Cells with fewer than
    ``min_observed`` items are reported but never flagged (too small to act on).

    ``quarters``: ``None`` (every quarter that has a full history; incomplete quarters of the
    data are skipped) or a list of specs such as ``["2022Q3"]``. ``region``: only that
    county's cells are tested (still against the city-wide change), and the FDR control runs
    over them. A quarter outside the data, or without ``history_years`` years
    of history in them, is an error (it would drop out of the table unseen).
    Returns one row per tested cell: ``region``, ``category``, ``year``, ``quarter``, ``period``,
    ``observed``, ``history``, ``expected``, ``excess``, ``ratio``, ``p_value``,
    ``p_adjusted``, ``flag``, sorted by ``p_value``.
    """
    if quarters is not None:
        asked = [_periods.parse(x) for x in ([quarters] if isinstance(quarters, str) else quarters)]
        first = pd.Timestamp(df["received_date"].min()).normalize() if len(df) else None
        for p in asked:  # a quarter without data or without its history would silently drop out
            check_periods(df, p, function="emerging_hotspots")
            start = p.start - pd.DateOffset(years=history_years)
            if start < first - pd.Timedelta(days=_periods.COVERAGE_TOLERANCE_DAYS):
                whole = first <= pd.Timestamp(first.year, 1, 1) + pd.Timedelta(days=_periods.COVERAGE_TOLERANCE_DAYS)
                earliest = (first.year if whole else first.year + 1) + history_years
                raise _checks.PeriodOutsideDataError(
                    f"emerging_hotspots: {p.label('en')} is tested against the same quarter of the {history_years} "
                    f"years before it ({start.year}–{p.start.year - 1}), but the data begin on {first.date()}. Choose "
                    f"a quarter of {earliest} or later, pass a smaller history_years, or add the earlier register.")
    return _emerging_hotspots(df, history_years=history_years, quarters=quarters, region=region, alpha=alpha,
                              min_observed=min_observed)


def _emerging_hotspots(df: pd.DataFrame, *, history_years: int = 3, quarters=None, region=None, alpha: float = 0.05,
                       min_observed: int = 5) -> pd.DataFrame:
    """:func:`emerging_hotspots` without the checks: quarters without data or history drop
    out (a report's registry says what history a quarter needs)."""
    if history_years < 1:
        raise ValueError("history_years must be at least 1.")
    h = harmonized(df)
    q = _quarterly(h)
    last_day = h["received_date"].max()
    city = q.groupby(["year", "quarter"])["count"].sum()
    key = ["region", "category", "quarter"]
    q = q.sort_values(key + ["year"], kind="stable").reset_index(drop=True)
    # Rolling sum of the same quarter over the previous K years (within each cell's series).
    prev = q.groupby(key, sort=False)["count"]
    hist = sum(prev.shift(k) for k in range(1, history_years + 1))
    q["history"] = hist
    city_hist = sum(city.groupby(level="quarter").shift(k) for k in range(1, history_years + 1))
    r = (city / (city_hist / history_years)).rename("city_ratio")
    q = q.join(r, on=["year", "quarter"])
    q = q.loc[q["history"].notna() & q["city_ratio"].notna()]
    # Only quarters the data cover completely.
    q_end = pd.PeriodIndex.from_fields(year=q["year"], quarter=q["quarter"], freq="Q").end_time.normalize()
    q = q.loc[np.asarray(q_end <= last_day)]
    if quarters is not None:
        asked = [_periods.parse(x) for x in ([quarters] if isinstance(quarters, str) else quarters)]
        wanted = {(p.start.year, (p.start.month - 1) // 3 + 1) for p in asked}
        q = q.loc[[(y, qq) in wanted for y, qq in zip(q["year"], q["quarter"])]]
    if region is not None:
        select_region(df, region)  # a clear error for an unknown region
        q = q.loc[(q["region"] == str(region)).to_numpy()]
    O = q["count"].to_numpy(np.int64)
    H = q["history"].to_numpy(float).astype(np.int64)
    K = history_years
    rr = q["city_ratio"].to_numpy(float)
    p0 = rr / (rr + K)
    pv = np.where(O > 0, sps.binom.sf(O - 1, O + H, p0), 1.0)
    out = q[["region", "category", "year", "quarter"]].copy()
    out["period"] = out["year"].astype("str") + "Q" + out["quarter"].astype("str")
    out["observed"] = O
    out["history"] = H
    out["expected"] = rr * H / K
    out["excess"] = out["observed"] - out["expected"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["observed"] / out["expected"]
    out["p_value"] = pv
    out["p_adjusted"] = stats.fdr_bh(pv)
    out["flag"] = (out["p_adjusted"] < alpha) & (out["observed"] >= min_observed) & (out["excess"] > 0)
    out.attrs.update(history_years=K, alpha=alpha, tests=len(out))
    return out.sort_values("p_value", kind="stable").reset_index(drop=True)


def seasonal_peaks(df: pd.DataFrame, *, region=None, alpha: float = 0.05) -> pd.DataFrame:
    """Category × calendar-month peaks beyond the city's own seasonality (``region``: one
    county's categories beyond that county's seasonality).

    Per category a quasi-Poisson GLM of monthly counts with the city's monthly total as
    exposure, year effects and calendar-month effects; a month's ``effect`` is its share
    relative to the category's *typical* (median) month, so a three-month peak does not hide
    itself by raising the average. One-sided tests for ``effect > 1``, BH over all cells.
    Returns ``category``, ``month``, ``effect``, ``ci_low``, ``ci_high``, ``p_value``,
    ``p_adjusted``, ``flag``.
    """
    import statsmodels.api as sm

    h = harmonized(select_region(df, region))
    d = h["received_date"]
    month = d.dt.to_period("M").dt.to_timestamp()
    counts = h.groupby([h["category"].astype("str"), month]).size().unstack(fill_value=0)
    span = stats.monthly_counts(d).index  # complete months only
    counts = counts.reindex(columns=span, fill_value=0)
    total = counts.sum(axis=0).to_numpy(float)
    idx = pd.DatetimeIndex(span)
    X = pd.get_dummies(idx.month, prefix="m", dtype=float).set_axis(idx).drop(columns="m_1")
    X = pd.get_dummies(idx.year, prefix="y", dtype=float).set_axis(idx).join(X)  # year effects (no const)
    names = list(X.columns)
    z = sps.norm.ppf(1 - alpha / 2)
    rows = []
    for cat, y in counts.iterrows():
        y = y.to_numpy(float)
        if y.sum() < 50:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, X.to_numpy(), family=sm.families.Poisson(), exposure=total).fit(scale="X2")
        b = np.r_[0.0, [fit.params[names.index(f"m_{m}")] for m in range(2, 13)]]
        cov = np.zeros((12, 12))
        j = [names.index(f"m_{m}") for m in range(2, 13)]
        cov[1:, 1:] = np.asarray(fit.cov_params())[np.ix_(j, j)]
        ref = int(np.argsort(b)[len(b) // 2])  # the median month as the typical month
        L = np.eye(12)
        L[:, ref] -= 1.0
        est = L @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", L, cov, L))
        with np.errstate(invalid="ignore", divide="ignore"):
            p = sps.norm.sf(est / se)
        p[ref] = 1.0
        for m in range(12):
            rows.append({"category": cat, "month": m + 1, "effect": np.exp(est[m]),
                         "ci_low": np.exp(est[m] - z * se[m]), "ci_high": np.exp(est[m] + z * se[m]),
                         "p_value": p[m]})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = stats.fdr_bh(out["p_value"].fillna(1.0).to_numpy())
    out["flag"] = out["p_adjusted"] < alpha
    return out
