"""Count models for petition figures: how much a count would move by chance.

One comparison of a count between two periods (同比 or 环比) is described by

* **exposure**: working days plus a smaller weight for weekends and holidays
  (:func:`other_day_weight`, :mod:`~petition_analysis.analysis.workdays`), so that a year with
  one more working day is not read as a rise;
* **within-year dispersion** φ: how much more monthly counts vary than a Poisson count would,
  from a quasi-Poisson GLM of the series' complete months with working-day exposure,
  calendar-month (seasonal) effects and year effects (:func:`within_year_dispersion`);
* **the design effect of person-times** (人次): a batch of 7 visitors is 1 item and 7
  person-times, so the variance of person-times is φ·Σ persons², not the person-times
  themselves (:func:`design_effect`);
* **between-year variation** σ_b: whole years move together (a city-wide campaign, a new
  registration system) beyond what months show. It is estimated from the register's yearly
  totals around their trend (:func:`between_year_variation`) and added to every year-on-year
  comparison, so a random year is not called a real change.

:func:`compare_counts` turns these into a :class:`CountComparison`: the rate ratio, a
two-sided p-value and intervals at any level that always agree with the p-value (the
p-value *is* the inversion of the interval), by an exact method for small counts and a
Wald method on the log scale (t reference with Satterthwaite degrees of freedom) for large
ones. :func:`adjust_family` corrects a family of comparisons with Benjamini–Hochberg and
gives false-coverage-rate intervals (Benjamini & Yekutieli 2005) that agree with the
adjusted verdicts.

Examples
--------
>>> c = compare_counts(80, 150, design=1.0)
>>> round(c.rate_ratio, 3), c.method, c.p_value < 0.001
(0.533, 'wald-t', True)
>>> lo, hi = c.interval(0.95)
>>> bool(lo < c.rate_ratio < hi < 1)
True
>>> compare_counts(0, 6).interval(0.95)[0], compare_counts(0, 6).rate_ratio
(0.0, 0.0)
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import workdays

__all__ = [
    "MIN_MONTHS", "MIN_YEARS", "DISPERSION_FALLBACK", "SIGMA_BETWEEN_FALLBACK", "EXACT_BELOW",
    "DailySeries", "other_day_weight", "within_year_dispersion", "between_year_variation", "design_effect",
    "CountComparison", "compare_counts", "adjust_family", "seasonal_expectation",
]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

#: Complete months needed to estimate φ (two years: seasonality and year effects both need them).
MIN_MONTHS = 24
#: Complete years before the current one needed to estimate σ_b (a trend leaves 2 degrees of freedom).
MIN_YEARS = 4
#: φ used when a series has too little history: twice Poisson, a conservative allowance.
DISPERSION_FALLBACK = 2.0
#: σ_b used when the register has too few whole years: 5 % from year to year.
SIGMA_BETWEEN_FALLBACK = 0.05
#: Below this many effective counts in either period the exact method is used.
EXACT_BELOW = 30.0


# -- daily series -------------------------------------------------------------------------------

@dataclass
class DailySeries:
    """A count series day by day over the register's span: items, person-times and Σ persons²
    per day (``origin`` is the first day). Built with :meth:`from_rows` in one pass."""

    origin: pd.Timestamp
    items: np.ndarray
    persons: np.ndarray
    persons_sq: np.ndarray

    @classmethod
    def from_rows(cls, day_index: np.ndarray, persons: np.ndarray, mask: np.ndarray, origin, n_days: int):
        """Count the rows where ``mask`` holds, by day (``day_index`` = days since ``origin``)."""
        idx = day_index[mask]
        p = persons[mask].astype(float)
        return cls(pd.Timestamp(origin), np.bincount(idx, minlength=n_days).astype(float),
                   np.bincount(idx, weights=p, minlength=n_days), np.bincount(idx, weights=p * p, minlength=n_days))

    def values(self, measure: str) -> np.ndarray:
        return self.items if measure == "items" else self.persons

    def day(self, date) -> int:
        return int((pd.Timestamp(date) - self.origin).days)

    def total(self, measure: str, start, end) -> float:
        """Sum of ``measure`` over ``start``..``end`` (inclusive)."""
        a, b = max(self.day(start), 0), max(self.day(end) + 1, 0)  # days before the data count 0
        return float(self.values(measure)[a:b].sum())

    def sum_sq(self, start, end) -> float:
        a, b = max(self.day(start), 0), max(self.day(end) + 1, 0)
        return float(self.persons_sq[a:b].sum())


def other_day_weight(counts: np.ndarray, working: np.ndarray, min_items: float = 200.0,
                     fallback: float | None = None) -> float:
    """Mean count on a weekend day or holiday ÷ mean count on a working day.

    Visits arrive almost only on working days; online items arrive every day. With fewer than
    ``min_items`` counts the ``fallback`` (e.g. the whole register's weight) is used.

    >>> w = np.array([True] * 5 + [False] * 2)
    >>> other_day_weight(np.tile([10, 10, 10, 10, 10, 3, 3], 40), np.tile(w, 40))
    0.3
    """
    total = counts.sum()
    if total < min_items or working.all() or not working.any():
        return float(fallback) if fallback is not None else 1.0
    work = counts[working].mean()
    if work <= 0:
        return float(fallback) if fallback is not None else 1.0
    return float(counts[~working].mean() / work)


def _month_starts(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Month starts of the complete calendar months within ``start``..``end``."""
    first = start if start.day == 1 else (start + pd.offsets.MonthBegin(1))
    last_complete = end + pd.Timedelta(days=1)
    last_start = last_complete.to_period("M").to_timestamp() - pd.offsets.MonthBegin(1)
    if last_start < first:
        return pd.DatetimeIndex([])
    return pd.date_range(first, last_start, freq="MS")


@functools.lru_cache(maxsize=256)
def _month_bounds(origin: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp, n: int):
    """Month starts of ``start``..``end`` and their day offsets from ``origin`` (clipped to
    ``0..n``): a report asks for the same few spans once per figure, so they are kept."""
    months = _month_starts(start, end)
    if len(months) == 0:
        return months, None
    bounds = np.append(((months - origin).days).to_numpy(), ((months[-1] + pd.offsets.MonthBegin(1)) - origin).days)
    bounds = np.clip(bounds, 0, n)
    bounds.flags.writeable = False
    return months, bounds


def monthly(values: np.ndarray, origin: pd.Timestamp, start, end) -> pd.Series:
    """Sums of a daily array over the complete months of ``start``..``end``.

    >>> monthly(np.ones(70), pd.Timestamp("2019-01-01"), "2019-01-01", "2019-03-10").tolist()
    [31.0, 28.0]
    """
    months, bounds = _month_bounds(pd.Timestamp(origin), pd.Timestamp(start), pd.Timestamp(end), len(values))
    if bounds is None:
        return pd.Series([], dtype=float, index=months)
    cum = np.concatenate([[0.0], np.cumsum(values)])
    return pd.Series(cum[bounds[1:]] - cum[bounds[:-1]], index=months)


def _glm_design(months: pd.DatetimeIndex, *, year_effects: bool, trend: bool) -> np.ndarray:
    cols = [np.ones(len(months))]
    for m in range(2, 13):
        cols.append((months.month == m).astype(float))
    if year_effects:
        for y in sorted(set(months.year))[1:]:
            cols.append((months.year == y).astype(float))
    if trend:
        cols.append((months.year - months.year[0]) + (months.month - 1) / 12.0)
    X = np.column_stack(cols)
    return X[:, X.any(axis=0)]


@functools.lru_cache(maxsize=64)
def _dispersion_design(month_ns: bytes) -> tuple[np.ndarray, int]:
    """The design (and its rank) of :func:`within_year_dispersion` for a run of months
    (their int64 nanoseconds): the same for every figure of a report with the same history."""
    months = pd.DatetimeIndex(np.frombuffer(month_ns, dtype="datetime64[ns]"))
    X = _glm_design(months, year_effects=True, trend=False)
    X.flags.writeable = False
    return X, int(np.linalg.matrix_rank(X))


def _poisson_glm(y: np.ndarray, X: np.ndarray, offset: np.ndarray):
    # The GLM module alone: statsmodels.api imports every model (several times slower).
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GLM(y, X, family=families.Poisson(), offset=offset).fit()


def within_year_dispersion(counts: pd.Series, exposure: pd.Series, min_months: int = MIN_MONTHS) -> tuple[float, int]:
    """φ and its residual degrees of freedom from complete monthly counts.

    A Poisson GLM with log(exposure) as offset, calendar-month effects (seasonality) and
    year effects (level shifts such as a campaign); φ = Pearson χ² ÷ residual df, never
    below 1 (no comparison claims more precision than a Poisson count). ``(nan, 0)`` when
    there are fewer than ``min_months`` months or no counts.

    >>> rng = np.random.default_rng(3)
    >>> idx = pd.date_range("2016-01-01", periods=60, freq="MS")
    >>> expo = pd.Series(np.full(60, 21.0), index=idx)
    >>> phi, df = within_year_dispersion(pd.Series(rng.poisson(400, 60), index=idx), expo)
    >>> 1.0 <= phi < 1.6, df
    (True, 44)
    """
    ok = exposure > 0
    counts, exposure = counts[ok], exposure[ok]
    if len(counts) < min_months or counts.sum() == 0:
        return float("nan"), 0
    months = pd.DatetimeIndex(counts.index)
    X, rank = _dispersion_design(months.as_unit("ns").asi8.tobytes())
    df_resid = len(counts) - rank
    if df_resid <= 0:
        return float("nan"), 0
    fit = _poisson_glm(counts.to_numpy(float), X, np.log(exposure.to_numpy(float)))
    return max(1.0, float(fit.pearson_chi2 / df_resid)), int(df_resid)


def between_year_variation(totals: pd.Series, exposures: pd.Series, dispersion: float,
                           min_years: int = MIN_YEARS) -> tuple[float, int, float]:
    """σ_b² (log scale), its degrees of freedom and the residual mean square it came from,
    from whole-year totals.

    The log rates of whole years are regressed on a straight line (a steady trend is not
    extra variation); what their residuals vary beyond the count noise φ/T is σ_b²
    (method of moments, never below 0). ``(nan, 0, nan)`` with fewer than ``min_years`` years.

    >>> years = pd.Index(range(2014, 2022))
    >>> t = pd.Series([30000, 29400, 28800, 28300, 27700, 27200, 26600, 26100], index=years)
    >>> s2, df, _ = between_year_variation(t, pd.Series(250.0, index=years), 1.1)
    >>> s2 < 1e-4, df
    (True, 6)
    """
    ok = (totals > 0) & (exposures > 0)
    totals, exposures = totals[ok], exposures[ok]
    k = len(totals)
    if k < min_years:
        return float("nan"), 0, float("nan")
    y = np.log(totals.to_numpy(float) / exposures.to_numpy(float))
    t = np.asarray(totals.index, dtype=float)
    w = totals.to_numpy(float) / dispersion  # 1 / sampling variance of each log rate
    X = np.column_stack([np.ones(k), t - t.mean()])
    beta, *_ = np.linalg.lstsq(X * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)
    resid = y - X @ beta
    s2 = float((resid ** 2).sum() / (k - 2))
    noise = float(np.mean(dispersion / totals.to_numpy(float)))
    return max(0.0, s2 - noise), k - 2, s2


def design_effect(persons: float, persons_sq: float) -> float:
    """Variance ÷ mean of person-times per item batch: Σ persons² ÷ Σ persons (1 for items).

    >>> design_effect(7 + 1 + 1, 49 + 1 + 1)
    5.666666666666667
    """
    return float(persons_sq / persons) if persons > 0 else 1.0


# -- one comparison -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CountComparison:
    """current vs previous count with exposures; intervals at any level via :meth:`interval`.

    ``design`` is the variance-to-mean ratio of one count (φ for items, φ·Σs²/Σs for
    person-times); ``extra_var`` is added variance of the log rate ratio (2σ_b² for a
    year-on-year comparison, the seasonal expectation's variance for 环比); ``offset`` is the
    log of the expected ratio under no change beyond seasonality (0 for 同比).
    ``design_previous`` is the previous count's own variance-to-mean ratio when it differs
    from the current one's (estimated true counts of a category whose rows were predicted in
    one period and given in the other); ``None``: the same ``design``.
    """

    current: float
    previous: float
    exposure_current: float
    exposure_previous: float
    design: float
    extra_var: float
    df: float
    offset: float
    method: str
    design_previous: float | None = None

    @property
    def _design0(self) -> float:
        return self.design if self.design_previous is None else self.design_previous

    # effective Poisson counts, shrunk so that the extra variance is carried too
    def _effective(self) -> tuple[float, float]:
        n1, n0 = self.current / self.design, self.previous / self._design0
        if self.extra_var > 0 and n1 > 0 and n0 > 0:
            c = 1 + self.extra_var / (1 / n1 + 1 / n0)
            n1, n0 = n1 / c, n0 / c
        return n1, n0

    @property
    def testable(self) -> bool:
        return self.current + self.previous > 0

    @property
    def rate_ratio(self) -> float:
        """Observed rate ratio (per unit of exposure), divided by the expected ratio for 环比."""
        if self.previous == 0:
            return float("inf") if self.current > 0 else float("nan")
        return self.current / self.previous * self.exposure_previous / self.exposure_current / math.exp(self.offset)

    @property
    def log_se(self) -> float:
        n1, n0 = self.current / self.design, self.previous / self._design0
        if n1 <= 0 or n0 <= 0:
            return float("inf")
        return math.sqrt(1 / n1 + 1 / n0 + self.extra_var)

    def _p0(self) -> float:
        # share of the combined count expected in the current period under "no change"
        r = self.exposure_current / self.exposure_previous * math.exp(self.offset)
        if self.design_previous is not None:  # effective counts on different scales
            r *= self.design_previous / self.design
        return r / (1 + r)

    def _to_rr(self, p: float) -> float:
        if p >= 1:
            return float("inf")
        p0 = self._p0()
        return (p / (1 - p)) / (p0 / (1 - p0))

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Interval for the rate ratio at ``level``; it excludes 1 exactly when
        :attr:`p_value` < 1 − ``level``."""
        if not self.testable:
            return 0.0, float("inf")
        g = 1 - level
        if self.method == "exact":
            x1, x0 = self._effective()
            n = x1 + x0
            lo = 0.0 if x1 <= 0 else float(sps.beta.ppf(g / 2, x1, x0 + 1))
            hi = 1.0 if x0 <= 0 else float(sps.beta.ppf(1 - g / 2, x1 + 1, x0))
            rr = self.rate_ratio
            lo_rr, hi_rr = self._to_rr(lo), self._to_rr(hi)
            # the estimate always lies inside its own interval
            return min(lo_rr, rr) if np.isfinite(rr) else lo_rr, max(hi_rr, rr) if n > 0 else hi_rr
        q = float(sps.t.ppf(1 - g / 2, self.df)) if np.isfinite(self.df) else float(sps.norm.ppf(1 - g / 2))
        centre = math.log(self.rate_ratio)
        return math.exp(centre - q * self.log_se), math.exp(centre + q * self.log_se)

    @property
    def p_value(self) -> float:
        """Two-sided p-value, the inversion of :meth:`interval`."""
        if not self.testable:
            return 1.0
        if self.method == "exact":
            x1, x0 = self._effective()
            p0 = self._p0()
            lower = float(sps.beta.cdf(p0, x1, x0 + 1)) if x1 > 0 else 1.0   # P(X ≥ x1) under p0
            upper = float(sps.beta.sf(p0, x1 + 1, x0)) if x0 > 0 else 1.0    # P(X ≤ x1) under p0
            return min(1.0, 2 * min(lower, upper))
        z = abs(math.log(self.rate_ratio)) / self.log_se
        if np.isfinite(self.df):
            return float(2 * sps.t.sf(z, self.df))
        return float(2 * sps.norm.sf(z))


def compare_counts(current: float, previous: float, *, exposure_current: float = 1.0,
                   exposure_previous: float = 1.0, design: float = 1.0, extra_var: float = 0.0,
                   extra_df: float = float("inf"), design_df: float = float("inf"),
                   extra_ms: float | None = None, offset: float = 0.0,
                   exact_below: float = EXACT_BELOW, design_previous: float | None = None) -> CountComparison:
    """Compare two counts (or person-times with their ``design`` effect).

    The exact method (Clopper–Pearson on the effective counts ``count ÷ design``, shrunk to
    carry ``extra_var``) is used when either effective count is below ``exact_below``;
    otherwise a Wald interval on the log scale with a t reference whose degrees of freedom
    combine those of ``design`` and ``extra_var`` (Satterthwaite). ``extra_ms`` is the mean
    square that ``extra_var`` was estimated from with ``extra_df`` degrees of freedom (for
    σ_b: 2 × the residual variance of the yearly rates, before the count noise is taken off),
    so that a small or truncated estimate still carries its uncertainty. ``design_previous``:
    the previous count's own design effect, when it differs (see :class:`CountComparison`).

    >>> big = compare_counts(28792, 29368, design=1.1, extra_var=2 * 0.02 ** 2, extra_df=4)
    >>> big.method, round(big.rate_ratio, 4), big.p_value > 0.05
    ('wald-t', 0.9804, True)
    >>> compare_counts(28792, 29368, design=1.1).p_value < 0.05
    True
    """
    design = max(float(design), 1e-12)
    if design_previous is not None:
        design_previous = max(float(design_previous), 1e-12)
    n1, n0 = current / design, previous / (design if design_previous is None else design_previous)
    exact = min(n1, n0) < exact_below or min(n1, n0) <= 0
    df = float("inf")
    if not exact and n1 > 0 and n0 > 0:
        v_count = 1 / n1 + 1 / n0
        ms = extra_var if extra_ms is None else extra_ms
        terms = (v_count ** 2 / design_df if np.isfinite(design_df) else 0.0) + \
                (ms ** 2 / extra_df if ms > 0 and np.isfinite(extra_df) else 0.0)
        df = (v_count + extra_var) ** 2 / terms if terms > 0 else float("inf")
    return CountComparison(float(current), float(previous), float(exposure_current), float(exposure_previous),
                           design, float(extra_var), df, float(offset), "exact" if exact else "wald-t",
                           design_previous)


# -- families -----------------------------------------------------------------------------------

def adjust_family(p_values, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, float]:
    """Benjamini–Hochberg adjusted p-values, the verdicts, and the interval level that agrees
    with them: false-coverage-rate intervals at 1 − R·α/m for R rejections of m tests (at
    1 − α/m when nothing is rejected). An interval at that level excludes 1 exactly for the
    rejected figures.

    >>> padj, sig, level = adjust_family([0.001, 0.02, 0.04, 0.5])
    >>> sig.tolist(), round(level, 4)
    ([True, True, False, False], 0.975)
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    padj = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return padj, np.zeros(p.shape, bool), 1 - alpha
    padj[ok] = multipletests(p[ok], alpha=alpha, method="fdr_bh")[1]
    sig = np.zeros(p.shape, bool)
    sig[ok] = padj[ok] < alpha
    r = int(sig.sum())
    return padj, sig, 1 - max(r, 1) * alpha / m


# -- seasonal expectation (环比) -----------------------------------------------------------------

def seasonal_expectation(counts: pd.Series, exposure: pd.Series, current_months: pd.DatetimeIndex,
                         previous_months: pd.DatetimeIndex, exposure_by_month: pd.Series,
                         min_months: int = MIN_MONTHS) -> tuple[float, float]:
    """Expected log ratio (current ÷ previous) from seasonality, trend and exposure, and its
    variance, fitted on the history ``counts`` (complete months before the current period).

    A quasi-Poisson GLM with calendar-month effects and a linear trend; the months of both
    periods are predicted with their own exposure (``exposure_by_month``). ``(nan, nan)``
    with too little history.
    """
    ok = exposure > 0
    counts, exposure = counts[ok], exposure[ok]
    if len(counts) < min_months or counts.sum() == 0:
        return float("nan"), float("nan")
    months = pd.DatetimeIndex(counts.index)
    X = _glm_design(months, year_effects=False, trend=True)
    keep = X.any(axis=0)
    fit = _poisson_glm(counts.to_numpy(float), X, np.log(exposure.to_numpy(float)))
    phi = max(1.0, float(fit.pearson_chi2 / max(fit.df_resid, 1)))
    beta = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params()) * phi

    def rows(ms: pd.DatetimeIndex) -> np.ndarray:
        cols = [np.ones(len(ms))] + [(ms.month == m).astype(float) for m in range(2, 13)]
        cols.append((ms.year - months.year[0]) + (ms.month - 1) / 12.0)
        return np.column_stack(cols)[:, keep]

    def log_total(ms):
        Xm = rows(ms)
        mu = np.exp(Xm @ beta) * exposure_by_month.reindex(ms).to_numpy(float)
        grad = (mu[:, None] * Xm).sum(axis=0) / mu.sum()
        return math.log(mu.sum()), grad

    a, ga = log_total(current_months)
    b, gb = log_total(previous_months)
    g = ga - gb
    return a - b, float(g @ cov @ g)
