"""Statistics behind every comparison: rate ratios with honest uncertainty, seasonal trends,
interrupted time series, share changes and false-discovery control.

Counts of petition items are not pure Poisson: months vary more than chance allows (meetings,
campaigns, group visits). So every comparison has two versions: the exact Poisson rate-ratio
test, and an overdispersion-aware (quasi-Poisson) one whose dispersion φ is estimated from the
series' own monthly counts. Labels such as "significant decline" (显著下降) use the latter.

Examples
--------
>>> r = rate_ratio_test(80, 150)
>>> round(r.rate_ratio, 4), r.p_value < 1e-5
(0.5333, True)
>>> q = overdispersed_rate_ratio_test(80, 150, dispersion=2.0)
>>> q.ci_high > r.ci_high
True
>>> bool(wilson_interval(45, 50)[0] > 0.78)
True
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = [
    "RateRatio",
    "rate_ratio_test",
    "overdispersed_rate_ratio_test",
    "monthly_counts",
    "estimate_dispersion",
    "SeasonalTrend",
    "seasonal_trend",
    "ITSResult",
    "interrupted_time_series",
    "ShareChange",
    "share_change_test",
    "adjusted_residuals",
    "fdr_bh",
    "wilson_interval",
]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)


@dataclass(frozen=True)
class RateRatio:
    """Rate ratio current ÷ previous with a confidence interval and two-sided p-value."""

    current: float
    previous: float
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    dispersion: float = 1.0
    alpha: float = 0.05

    @property
    def significant(self) -> bool:
        return bool(self.p_value < self.alpha)

    @property
    def direction(self) -> str:
        """``"decline"``, ``"increase"`` or ``"no significant change"`` at level ``alpha``."""
        if not self.significant:
            return "no significant change"
        return "decline" if self.rate_ratio < 1 else "increase"

    def as_dict(self, prefix: str = "") -> dict:
        keys = ("rate_ratio", "ci_low", "ci_high", "p_value")
        return {prefix + k: getattr(self, k) for k in keys}


def rate_ratio_test(current: int, previous: int, exposure_current: float = 1.0,
                    exposure_previous: float = 1.0, alpha: float = 0.05) -> RateRatio:
    """Exact (conditional) Poisson rate-ratio test.

    Given the total ``n = current + previous``, ``current`` is binomial with
    ``p = E1 / (E1 + E0)`` under equal rates; the interval is the Clopper–Pearson interval
    for ``p`` mapped to the rate-ratio scale.

    >>> r = rate_ratio_test(28792, 29368)
    >>> round((r.rate_ratio - 1) * 100, 2), r.p_value > 0.01
    (-1.96, True)
    """
    c1, c0 = int(current), int(previous)
    if c1 < 0 or c0 < 0:
        raise ValueError("counts must be non-negative.")
    e1, e0 = float(exposure_current), float(exposure_previous)
    n = c1 + c0
    scale = e0 / e1
    if n == 0:
        return RateRatio(c1, c0, float("nan"), 0.0, float("inf"), 1.0, "exact-conditional", 1.0, alpha)
    p0 = e1 / (e1 + e0)
    res = sps.binomtest(c1, n, p0)
    ci = res.proportion_ci(confidence_level=1 - alpha, method="exact")

    def to_rr(p):
        return float("inf") if p >= 1 else p / (1 - p) * scale

    rr = float("inf") if c0 == 0 else c1 / c0 * scale
    return RateRatio(c1, c0, rr, to_rr(ci.low), to_rr(ci.high), float(res.pvalue), "exact-conditional", 1.0, alpha)


def overdispersed_rate_ratio_test(current: float, previous: float, dispersion: float = 1.0,
                                  exposure_current: float = 1.0, exposure_previous: float = 1.0,
                                  alpha: float = 0.05) -> RateRatio:
    """Quasi-Poisson rate-ratio test: Wald test of ``log(RR)`` with variance
    ``φ (1/c1 + 1/c0)``. ``φ < 1`` is raised to 1 (never claim more precision than Poisson).
    A zero count gets 0.5 added to both counts (Haldane) so that an interval exists.

    >>> r = overdispersed_rate_ratio_test(80, 150, dispersion=1.0)
    >>> 0.40 < r.ci_low < r.rate_ratio < r.ci_high < 0.71
    True
    """
    phi = max(float(dispersion), 1.0) if np.isfinite(dispersion) else 1.0
    c1, c0 = float(current), float(previous)
    if c1 + c0 == 0:
        return RateRatio(c1, c0, float("nan"), 0.0, float("inf"), 1.0, "quasi-poisson-wald", phi, alpha)
    a, b = (c1, c0) if c1 > 0 and c0 > 0 else (c1 + 0.5, c0 + 0.5)
    log_rr = math.log(a / b) + math.log(exposure_previous / exposure_current)
    se = math.sqrt(phi * (1 / a + 1 / b))
    z = sps.norm.ppf(1 - alpha / 2)
    p = 2 * sps.norm.sf(abs(log_rr) / se)
    rr = c1 / c0 * exposure_previous / exposure_current if c0 > 0 else float("inf")
    return RateRatio(c1, c0, rr, math.exp(log_rr - z * se), math.exp(log_rr + z * se), float(p),
                     "quasi-poisson-wald", phi, alpha)


# -- monthly series ------------------------------------------------------------------------

def monthly_counts(dates: pd.Series, weights: pd.Series | None = None, *, start=None, end=None,
                   complete_only: bool = True) -> pd.Series:
    """Counts (or sums of ``weights``, e.g. persons) per calendar month, with empty months as 0.

    The index is a month-start :class:`~pandas.DatetimeIndex`. With ``complete_only`` the first
    and last month are dropped when the data (or ``start``/``end``) do not cover them fully.

    >>> d = pd.Series(pd.to_datetime(["2019-01-05", "2019-01-09", "2019-03-01"]))
    >>> monthly_counts(d, complete_only=False).tolist()
    [2, 0, 1]
    """
    dates = pd.to_datetime(dates)
    lo = pd.Timestamp(start) if start is not None else dates.min()
    hi = pd.Timestamp(end) if end is not None else dates.max()
    if pd.isna(lo) or pd.isna(hi):
        return pd.Series([], dtype="int64", index=pd.DatetimeIndex([], name="month"))
    months = pd.date_range(lo.to_period("M").to_timestamp(), hi.to_period("M").to_timestamp(), freq="MS")
    key = dates.dt.to_period("M").dt.to_timestamp()
    vals = pd.Series(1, index=dates.index) if weights is None else weights
    counts = vals.groupby(key).sum().reindex(months, fill_value=0)
    counts.index.name = "month"
    if complete_only and len(counts):
        if lo.day != 1:
            counts = counts.iloc[1:]
        if len(counts) and hi != hi.to_period("M").to_timestamp(how="end").normalize():
            counts = counts.iloc[:-1]
    return counts.astype("int64")


def _design(index: pd.DatetimeIndex, *, year_effects: bool, trend: bool) -> pd.DataFrame:
    """Design matrix for monthly GLMs: intercept, month dummies (Jan = reference), and either
    year dummies or a linear trend in years."""
    X = pd.DataFrame({"const": 1.0}, index=index)
    m = pd.get_dummies(index.month, prefix="m", dtype=float).set_index(index)
    X = X.join(m.drop(columns="m_1", errors="ignore"))
    if year_effects:
        y = pd.get_dummies(index.year, prefix="y", dtype=float).set_index(index)
        X = X.join(y.iloc[:, 1:])
    if trend:
        X["t_years"] = (index.year + (index.month - 1) / 12.0) - index.year[0]
    return X


def _days_in_month(index: pd.DatetimeIndex) -> np.ndarray:
    return index.days_in_month.to_numpy().astype(float)


def estimate_dispersion(monthly: pd.Series, min_months: int = 24) -> float:
    """Dispersion φ of a monthly count series: Pearson χ²/df of a Poisson GLM with year and
    calendar-month effects (days in the month as exposure). Year effects absorb level shifts
    such as a campaign, so φ measures month-to-month noise beyond seasonality.

    Returns ``nan`` when there are fewer than ``min_months`` months or no counts.

    >>> rng = np.random.default_rng(1)
    >>> idx = pd.date_range("2014-01-01", periods=72, freq="MS")
    >>> s = pd.Series(rng.poisson(200 * idx.days_in_month / 30), index=idx)
    >>> 0.6 < estimate_dispersion(s) < 1.5
    True
    """
    # The GLM module alone: statsmodels.api imports every model (0.5-1 s in a fresh kernel).
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    monthly = monthly.dropna()
    if len(monthly) < min_months or monthly.sum() == 0:
        return float("nan")
    X = _design(pd.DatetimeIndex(monthly.index), year_effects=True, trend=False)
    # Drop all-zero columns (e.g. a year with no months in this window).
    X = X.loc[:, X.abs().sum() > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = GLM(monthly.to_numpy(float), X.to_numpy(), family=families.Poisson(),
                  exposure=_days_in_month(pd.DatetimeIndex(monthly.index))).fit()
    df_resid = len(monthly) - np.linalg.matrix_rank(X.to_numpy())
    if df_resid <= 0:
        return float("nan")
    return float(fit.pearson_chi2 / df_resid)


# -- trend with seasonality ----------------------------------------------------------------

@dataclass
class SeasonalTrend:
    """Fitted log-linear trend with monthly seasonality.

    ``annual_change``: rate ratio per year with CI; ``month_effects``: per calendar month the
    rate relative to the average month (geometric mean 1), with CI; ``fitted``: fitted counts.
    """

    annual_change: float
    annual_ci: tuple[float, float]
    annual_p: float
    month_effects: pd.DataFrame
    fitted: pd.Series
    observed: pd.Series
    dispersion: float
    family: str
    result: object = field(repr=False, default=None)


def _fit_glm(y: np.ndarray, X: pd.DataFrame, exposure: np.ndarray, family: str):
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "poisson":
            # Quasi-Poisson: Pearson χ²/df scales the covariance.
            return GLM(y, X, family=families.Poisson(), exposure=exposure).fit(scale="X2")
        if family == "negbin":
            from statsmodels.discrete.discrete_model import NegativeBinomial

            nb = NegativeBinomial(y, X, exposure=exposure).fit(disp=0, maxiter=200)
            alpha = float(nb.params.iloc[-1] if hasattr(nb.params, "iloc") else nb.params[-1])
            return GLM(y, X, family=families.NegativeBinomial(alpha=max(alpha, 1e-8)),
                       exposure=exposure).fit()
    raise ValueError(f"family must be 'poisson' or 'negbin', not {family!r}.")


def _month_effects(fit, X: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Month effects centred on their mean (log scale), with delta-method CIs."""
    names = list(X.columns)
    params = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    idx = [names.index(f"m_{m}") if f"m_{m}" in names else None for m in range(1, 13)]
    L = np.zeros((12, len(names)))
    for m, j in enumerate(idx):
        if j is not None:
            L[m, j] = 1.0
    L = L - L.mean(axis=0)  # contrast: month m vs the average month
    est = L @ params
    se = np.sqrt(np.einsum("ij,jk,ik->i", L, cov, L))
    z = sps.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {"month": range(1, 13), "effect": np.exp(est), "ci_low": np.exp(est - z * se),
         "ci_high": np.exp(est + z * se), "log_effect": est, "se": se,
         "p_value": 2 * sps.norm.sf(np.abs(est) / np.where(se > 0, se, np.nan))}
    ).set_index("month")


def seasonal_trend(monthly: pd.Series, family: str = "poisson", alpha: float = 0.05) -> SeasonalTrend:
    """Log-linear trend with calendar-month seasonality, days in month as exposure.

    ``family="poisson"`` fits a quasi-Poisson GLM (standard errors scaled by Pearson χ²/df);
    ``"negbin"`` a negative-binomial GLM with α estimated by maximum likelihood.

    >>> idx = pd.date_range("2015-01-01", periods=48, freq="MS")
    >>> mu = 100 * 1.1 ** ((idx.year - 2015) + (idx.month - 1) / 12) * np.where(idx.month == 2, 0.6, 1.0)
    >>> fit = seasonal_trend(pd.Series(np.round(mu * idx.days_in_month / 30), index=idx))
    >>> round(fit.annual_change, 2), bool(fit.month_effects.loc[2, "effect"] < 0.7)
    (1.1, True)
    """
    idx = pd.DatetimeIndex(monthly.index)
    X = _design(idx, year_effects=False, trend=True)
    y = monthly.to_numpy(float)
    fit = _fit_glm(y, X, _days_in_month(idx), family)
    j = list(X.columns).index("t_years")
    b, se = float(np.asarray(fit.params)[j]), float(np.asarray(fit.bse)[j])
    z = sps.norm.ppf(1 - alpha / 2)
    fitted = pd.Series(np.asarray(fit.fittedvalues), index=idx, name="fitted")
    phi = float(fit.pearson_chi2 / fit.df_resid)
    return SeasonalTrend(math.exp(b), (math.exp(b - z * se), math.exp(b + z * se)),
                         float(2 * sps.norm.sf(abs(b) / se)), _month_effects(fit, X, alpha),
                         fitted, monthly.rename("observed"), phi, family, fit)


# -- interrupted time series ---------------------------------------------------------------

@dataclass
class ITSResult:
    """Segmented regression at an intervention date.

    ``level_change``: rate ratio right after the intervention vs the pre-trend's projection
    (``log_level_change`` on the log scale); ``slope_change``: change in the yearly rate ratio
    (log scale per year). Each has a confidence interval (``*_ci``) and a p-value.
    """

    start: pd.Timestamp
    level_change: float
    level_ci: tuple[float, float]
    log_level_change: float
    log_level_ci: tuple[float, float]
    level_p: float
    slope_change: float
    slope_ci: tuple[float, float]
    slope_p: float
    pre_trend: float
    dispersion: float
    fitted: pd.Series
    observed: pd.Series
    counterfactual: pd.Series
    result: object = field(repr=False, default=None)


def interrupted_time_series(monthly: pd.Series, start, family: str = "poisson",
                            alpha: float = 0.05, slope: bool = True) -> ITSResult:
    """Interrupted time series (segmented quasi-Poisson or NB GLM with monthly seasonality):
    ``log μ = a + b·t + month + β_level·post + β_slope·(t − t0)·post``, days in month as
    exposure. ``slope=False`` fits a level change only (slope change fixed at 0).

    >>> idx = pd.date_range("2015-01-01", periods=72, freq="MS")
    >>> mu = np.where(idx >= "2018-01-01", 50.0, 100.0) * idx.days_in_month / 30
    >>> its = interrupted_time_series(pd.Series(np.round(mu), index=idx), "2018-01-01")
    >>> round(its.level_change, 2)
    0.5
    """
    start = pd.Timestamp(start)
    idx = pd.DatetimeIndex(monthly.index)
    X = _design(idx, year_effects=False, trend=True)
    post = (idx >= start).astype(float)
    if post.sum() == 0 or post.sum() == len(post):
        raise ValueError("the intervention date must fall inside the series.")
    t0 = (start.year + (start.month - 1) / 12.0) - idx.year[0]
    X["post"] = post
    if slope:
        X["post_t"] = post * (X["t_years"] - t0)
    y = monthly.to_numpy(float)
    exposure = _days_in_month(idx)
    fit = _fit_glm(y, X, exposure, family)
    names = list(X.columns)
    params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    z = sps.norm.ppf(1 - alpha / 2)

    def coef(name):
        if name not in names:
            return 0.0, 0.0, 1.0
        j = names.index(name)
        return float(params[j]), float(bse[j]), float(2 * sps.norm.sf(abs(params[j]) / bse[j]))

    lv, lse, lp = coef("post")
    sv, sse, sp = coef("post_t")
    Xc = X.copy()
    Xc["post"] = 0.0
    if slope:
        Xc["post_t"] = 0.0
    counterfactual = pd.Series(np.exp(Xc.to_numpy() @ params) * exposure, index=idx, name="counterfactual")
    phi = float(fit.pearson_chi2 / fit.df_resid)
    return ITSResult(
        start, math.exp(lv), (math.exp(lv - z * lse), math.exp(lv + z * lse)), lv, (lv - z * lse, lv + z * lse), lp,
        sv, (sv - z * sse, sv + z * sse), sp, math.exp(coef("t_years")[0]), phi,
        pd.Series(np.asarray(fit.fittedvalues), index=idx, name="fitted"), monthly.rename("observed"),
        counterfactual, fit,
    )


# -- shares --------------------------------------------------------------------------------

def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardized (Haberman) residuals of a contingency table:
    ``(O − E) / sqrt(E (1 − r/n)(1 − c/n))``; approximately N(0, 1) under independence."""
    O = table.to_numpy(float)
    n = O.sum()
    r = O.sum(axis=1, keepdims=True)
    c = O.sum(axis=0, keepdims=True)
    E = r @ c / n
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (O - E) / np.sqrt(E * (1 - r / n) * (1 - c / n))
    return pd.DataFrame(res, index=table.index, columns=table.columns)


@dataclass
class ShareChange:
    """χ² test of a categories × periods table, with per-cell adjusted residuals, their
    two-sided p-values and Benjamini–Hochberg adjusted p-values (``cells``)."""

    chi2: float
    dof: int
    p_value: float
    cells: pd.DataFrame


def share_change_test(table: pd.DataFrame, alpha: float = 0.05) -> ShareChange:
    """Change in the shares of categories (rows) between periods (columns).

    ``cells`` has one row per category with the share in each period, the change in
    percentage points, the adjusted residual of the *last* column (positive = share grew),
    its p-value, the BH-adjusted p-value and a ``flag`` (``"up"``, ``"down"`` or ``""``).

    >>> t = pd.DataFrame({"2018": [500, 300, 200], "2019": [400, 400, 200]}, index=list("abc"))
    >>> share_change_test(t).cells["flag"].tolist()
    ['down', 'up', '']
    """
    table = table.loc[table.sum(axis=1) > 0]
    chi2, p, dof, _ = sps.chi2_contingency(table.to_numpy(float), correction=False)
    res = adjusted_residuals(table)
    last = table.columns[-1]
    shares = table / table.sum(axis=0)
    z = res[last].to_numpy()
    pv = 2 * sps.norm.sf(np.abs(z))
    padj = fdr_bh(pv)
    cells = pd.DataFrame(index=table.index)
    for col in table.columns:
        cells[f"share_{col}"] = shares[col]
    cells["change_pp"] = (shares[last] - shares[table.columns[0]]) * 100
    cells["adj_residual"] = z
    cells["p_value"] = pv
    cells["p_adjusted"] = padj
    cells["flag"] = np.where(padj < alpha, np.where(z > 0, "up", "down"), "")
    return ShareChange(float(chi2), int(dof), float(p), cells)


def fdr_bh(p_values, alpha: float = 0.05) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN).

    >>> fdr_bh([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=alpha, method="fdr_bh")[1]
    return out


def wilson_interval(k, n, alpha: float = 0.05) -> tuple:
    """Wilson score interval for a proportion ``k / n`` (arrays allowed)."""
    from statsmodels.stats.proportion import proportion_confint

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo, hi = proportion_confint(k, np.where(n > 0, n, np.nan), alpha=alpha, method="wilson")
    return lo, hi
