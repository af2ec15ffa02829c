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
from .classified import predicted_year_counts
from . import _checks
from ._checks import check_periods, select_region
from .. import taxonomy
from .. import periods as _periods

__all__ = ["harmonized", "rank_categories", "category_year_counts", "share_changes", "share_change_scan",
           "quarter_cells", "emerging_hotspots", "seasonal_peaks", "category_label"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)


def harmonized(df: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``df`` whose ``category`` holds crosswalked (post-2018) codes.

    The crosswalk runs on the few distinct codes, not on every row: the rows keep their
    integer codes, remapped to the crosswalked categories (the same categorical as
    crosswalking each row's text would give).

    >>> d = pd.DataFrame({"category": pd.Series(["land_resources", "natural_resources", "other"], dtype="category")})
    >>> harmonized(d)["category"].tolist()
    ['natural_resources', 'natural_resources', 'other']
    """
    out = df.copy(deep=False)
    cats = df["category"].astype("category").cat.remove_unused_categories()
    # The categorical of the distinct codes crosswalked (sorted, unknown codes NaN), as for the rows.
    crossed = taxonomy.crosswalk_series(pd.Series(cats.cat.categories.astype("str"))).astype("category")
    codes = cats.cat.codes.to_numpy()
    codes = crossed.cat.codes.to_numpy()[codes] if len(crossed) else codes  # -1 (NaN) stays -1 below
    codes = np.where(cats.cat.codes.to_numpy() >= 0, codes, -1)
    out["category"] = pd.Categorical.from_codes(codes, dtype=crossed.dtype)
    return out


def category_label(codes, lang: str = "en") -> list[str]:
    """zh or en labels for taxonomy codes."""
    return [taxonomy.label(c, lang) for c in codes]


def rank_categories(df: pd.DataFrame, period=None, against="yoy", *, year=None, as_of=None, region=None,
                    alpha: float = 0.05, dispersion="monthly") -> pd.DataFrame:
    """Categories (问题分类) ranked by volume in ``period``, for the whole city or one
    ``region``: items, share, rank, and the change in each against the comparison period,
    with the overdispersion-aware count test (``assessment``) and the share test
    (``share_flag``), both Benjamini–Hochberg controlled over the categories.

    Returns a long table with a plain index (0, 1, …), one row per category with items in
    either period, the most items in ``period`` first, with the columns:

    | column | meaning |
    |---|---|
    | category | the crosswalked (post-2018) taxonomy code, see :func:`harmonized` |
    | label_zh, label_en | the category's name in Chinese and English |
    | current, previous | items in ``period`` and in the comparison period |
    | change | current − previous |
    | pct_change | the change in per cent of ``previous`` |
    | rate_ratio | current ÷ previous |
    | od_ci_low, od_ci_high | its overdispersion-aware (quasi-Poisson) interval |
    | od_p_value | that test's p-value |
    | p_adjusted | ``od_p_value`` Benjamini–Hochberg adjusted over the categories |
    | assessment | ``decline``, ``increase`` or ``none`` (from ``p_adjusted``) |
    | share_previous, share_current | the category's share of the period's items (a proportion) |
    | change_pp | share_current − share_previous, in percentage points |
    | adj_residual | the χ² adjusted residual of ``current`` (positive: the share grew) |
    | share_p_adjusted | its p-value, Benjamini–Hochberg adjusted over the categories |
    | share_flag | ``up`` / ``down`` when ``share_p_adjusted < alpha``, else ``""`` |
    | rank_current, rank_previous | rank by items in each period (1 = most; ties share the lower rank) |

    ``attrs`` hold the ``period`` and the ``comparison`` period. Where categories were
    predicted (``category_source``), the share test carries the errors of the model recorded
    with the data (:func:`~petition_analysis.analysis.classified.share_change_test`, as the
    registry's): ``adj_residual`` is then the z of the estimated change.

    >>> import petition_analysis as pa
    >>> r = pa.rank_categories(pa.load_reference(), year=2023)
    >>> r.loc[:2, ["category", "label_zh", "current", "rank_current"]]
                       category  label_zh  current  rank_current
    0  urban_rural_construction      城乡建设     5219             1
    1    labour_social_security   劳动和社会保障     4771             2
    2         natural_resources      自然资源     3193             3
    """
    p1 = _periods.as_period(period, year_=year, as_of=as_of)
    check_periods(df, p1, p1.comparison(against), function="rank_categories")
    h = harmonized(select_region(df, region))
    t = compare._compare(h, p1, p1.comparison(against), by="category", measures=("items",), alpha=alpha,
                         dispersion=dispersion)
    # indexed by category while the count and share tests are aligned; the public table is long
    t = t.set_index("category")
    table = t[["previous", "current"]]
    from .classified import predicted_counts, share_change_test
    from ..classify.model import recorded_model

    # predicted categories: the share test carries the recorded model's errors, as the registry's
    p0 = p1.comparison(against)
    windows = {"previous": (p0.start, p0.end), "current": (p1.start, p1.end)}
    sc = share_change_test(table, predicted_counts(h, windows), model=recorded_model(df), alpha=alpha)
    out = t[["current", "previous", "change", "pct_change", "rate_ratio", "od_ci_low", "od_ci_high",
             "od_p_value", "p_adjusted", "assessment"]].join(
        sc[["share_previous", "share_current", "change_pp", "adj_residual"]].assign(
            share_p_adjusted=sc["p_adjusted"], share_flag=sc["flag"]))
    out["rank_current"] = out["current"].rank(ascending=False, method="min").astype(int)
    out["rank_previous"] = out["previous"].rank(ascending=False, method="min").astype(int)
    out = out.sort_values("current", ascending=False, kind="stable")
    out.insert(0, "label_zh", category_label(out.index.astype(str), "zh"))
    out.insert(1, "label_en", category_label(out.index.astype(str), "en"))
    out = out.rename_axis("category").reset_index()
    out.attrs.update(period=p1, comparison=p1.comparison(against))
    return out


def category_year_counts(h: pd.DataFrame, years) -> pd.DataFrame:
    """Items per category (rows, crosswalked codes of a :func:`harmonized` frame) and
    calendar year (columns, every one of ``years``, empty years as 0); only categories with
    items in one of those years.

    >>> h = pd.DataFrame({"received_date": pd.to_datetime(["2020-03-01", "2021-05-01", "2021-06-01"]),
    ...                   "category": ["labor", "labor", "housing"]})
    >>> category_year_counts(h, [2020, 2021]).to_dict("index")
    {'housing': {2020: 0, 2021: 1}, 'labor': {2020: 1, 2021: 1}}
    """
    d = h["received_date"]
    years = [int(y) for y in years]
    table = h.groupby([h["category"].astype("str").rename("category"), d.dt.year.rename("year")]).size()
    table = table.unstack(fill_value=0).reindex(columns=years, fill_value=0)
    table = table.loc[table.sum(axis=1) > 0]
    table.columns.name = "year"
    return table.astype(np.int64)


def share_changes(table: pd.DataFrame, years, *, alpha: float = 0.05, predicted: pd.DataFrame | None = None,
                  model=None) -> pd.DataFrame:
    """The share-change test of each year in ``years`` against the year before, from a
    category × year count table (:func:`category_year_counts`), with Benjamini–Hochberg
    control over every category × year cell tested at once: one family, however many years
    (adjusting per year would let chance flags through).

    A year tests the categories with items in it or in the year before (a category absent
    from both has no share to change). Returns ``year``, ``category``, ``share_previous``,
    ``share_current``, ``change_pp``, ``adj_residual``, ``p_value``, ``p_adjusted`` and
    ``flag`` (``up``/``down``/``""``); ``attrs["tests"]`` is the family's size.
    ``predicted``: of those items, the ones whose category was predicted (same layout; see
    :func:`~petition_analysis.analysis.classified.predicted_year_counts`); the test then
    carries the ``model``'s classification errors
    (:func:`~petition_analysis.analysis.classified.share_change_test`).
    """
    from .classified import share_change_test

    parts = []
    for y in years:
        t = table[[y - 1, y]].set_axis(["previous", "current"], axis=1)
        if (t.sum() == 0).any():
            continue  # a year without items has no shares
        pred = None if predicted is None else predicted.reindex(columns=[y - 1, y], fill_value=0).set_axis(
            ["previous", "current"], axis=1)
        cells = share_change_test(t, pred, model=model, alpha=alpha)
        parts.append(cells.drop(columns=["p_adjusted", "flag"]).assign(year=int(y)))
    cols = ["year", "category", "share_previous", "share_current", "change_pp", "adj_residual", "p_value",
            "p_adjusted", "flag"]
    if not parts:
        out = pd.DataFrame(columns=cols)
        out.attrs["tests"] = 0
        return out
    out = pd.concat(parts).rename_axis("category").reset_index()
    out["p_adjusted"] = stats.fdr_bh(out["p_value"].to_numpy())
    # with predicted categories the tested (estimated) change may disagree with the counted one: no flag then
    agree = np.sign(out["adj_residual"]) == np.sign(out["change_pp"])
    out["flag"] = np.where((out["p_adjusted"] < alpha) & agree, np.where(out["adj_residual"] > 0, "up", "down"), "")
    out = out[cols]
    out.attrs["tests"] = len(out)
    return out


def share_change_scan(df: pd.DataFrame, years=None, *, region=None, alpha: float = 0.05) -> pd.DataFrame:
    """Year-on-year change in category shares for every pair of consecutive whole years,
    with Benjamini–Hochberg control over *all* category × year cells at once (a scan over
    many years tests many cells; adjusting per year would let chance flags through).

    Returns ``year``, ``category``, ``share_previous``, ``share_current``, ``change_pp``,
    ``adj_residual``, ``p_value``, ``p_adjusted`` and ``flag`` (``up``/``down``/``""``).
    ``region``: the shares within one county or district. ``years`` must have their previous
    year in the data. A hotspot report reads the same scan from its figure registry
    (``FigureRegistry.category_years``).
    """
    h = harmonized(select_region(df, region))
    d = h["received_date"]
    if years is None:
        first, last = int(d.dt.year.min()), int(d.dt.year.max())
        if h.loc[d.dt.year == last, "received_date"].max() < pd.Timestamp(last, 12, 31):
            last -= 1  # an incomplete last year is not compared with a whole one
        years = range(first + 1, last + 1)
    years = [int(y) for y in years]
    present = set(d.dt.year.unique().tolist())
    missing = sorted({y for y in years for y in (y - 1, y)} - present)
    if missing:
        raise _checks.PeriodOutsideDataError(
            f"share_change_scan: the data have no rows in {', '.join(map(str, missing))}, so the shares of "
            f"{', '.join(map(str, years))} cannot be compared with their previous years. Choose years from "
            f"{int(min(present)) + 1} to {int(max(present))}, or add the missing registers.")
    both = sorted({y for y in years for y in (y - 1, y)})
    table = category_year_counts(h, both)
    from ..classify.model import recorded_model

    # predicted categories: the errors of the model that cleaning recorded with the table
    return share_changes(table, years, alpha=alpha, predicted=predicted_year_counts(h, both),
                         model=recorded_model(df))


def quarter_cells(h: pd.DataFrame) -> pd.DataFrame:
    """Items per region × category × quarter of a :func:`harmonized` frame, on the full grid
    (every region, category, year and quarter of the data; empty cells as 0): ``region``,
    ``category``, ``year``, ``quarter``, ``count``. The emerging-hotspot test and the
    heatmap both count from this table, so a flagged cell and its heatmap cell agree."""
    return _quarterly(h)


def _quarterly(h: pd.DataFrame) -> pd.DataFrame:
    """Counts per region × category × year × quarter on the full grid (empty cells as 0).

    Counted on integer codes of the distinct regions and categories (one ``bincount``), not
    on each row's text; the table equals :func:`_quarterly_by_text`'s."""
    d = h["received_date"]
    if not len(h) or h["region"].isna().any() or h["category"].isna().any() or d.isna().any():
        return _quarterly_by_text(h)  # missing keys: the text path's own handling
    r_codes, regions = _sorted_codes(h["region"])
    c_codes, cats = _sorted_codes(h["category"])
    year = d.dt.year.to_numpy().astype(np.int64)
    first, last = int(year.min()), int(year.max())
    ny = last - first + 1
    quarter = d.dt.quarter.to_numpy().astype(np.int64)
    key = ((r_codes * len(cats) + c_codes) * ny + (year - first)) * 4 + (quarter - 1)
    size = len(regions) * len(cats) * ny * 4
    count = np.bincount(key, minlength=size).astype(np.int64)
    cell = len(cats) * ny * 4
    return pd.DataFrame({
        "region": pd.array(np.repeat(regions, cell), dtype="str"),
        "category": pd.array(np.tile(np.repeat(cats, ny * 4), len(regions)), dtype="str"),
        "year": np.tile(np.repeat(np.arange(first, last + 1, dtype=np.int64), 4), len(regions) * len(cats)),
        "quarter": np.tile(np.arange(1, 5, dtype=np.int64), len(regions) * len(cats) * ny),
        "count": count,
    })


def _sorted_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among the column's distinct values as text, sorted (as
    ``sorted(s.astype("str").unique())``), from the distinct values only."""
    codes, uniques = pd.factorize(s)
    text = np.asarray(pd.Index(uniques).astype("str"), dtype=object)
    labels, inverse = np.unique(text, return_inverse=True)  # two values of one text are one key
    return inverse.reshape(-1)[codes].astype(np.int64), labels


def _quarterly_by_text(h: pd.DataFrame) -> pd.DataFrame:
    """:func:`_quarterly` on each row's region and category text."""
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
                       min_observed: int = 5, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`emerging_hotspots` without the checks: quarters without data or history drop
    out (a report's registry says what history a quarter needs). ``cells``: the
    :func:`quarter_cells` of ``df`` when the caller already counted them."""
    if history_years < 1:
        raise ValueError("history_years must be at least 1.")
    if cells is None:
        h = harmonized(df)
        cells, last_day = _quarterly(h), h["received_date"].max()
    else:  # the caller's quarter_cells of df (a report's registry counts once)
        last_day = df["received_date"].max()
    q = cells
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
