"""Statistics agree with scipy / statsmodels called directly on fixed inputs."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import test_poisson_2indep as sm_poisson_2indep

from petition_analysis.analysis import stats


@pytest.mark.parametrize("c1,c0,e1,e0", [(80, 150, 1, 1), (491, 536, 354, 354), (3, 11, 28, 31), (28792, 29368, 1, 1)])
def test_exact_rate_ratio_matches_references(c1, c0, e1, e0):
    r = stats.rate_ratio_test(c1, c0, e1, e0)
    ref = sps.binomtest(c1, c1 + c0, e1 / (e1 + e0))
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    # statsmodels' conditional exact test gives the same p-value (both binomial, two-sided).
    sm_res = sm_poisson_2indep(c1, e1, c0, e0, method="exact-cond")
    assert r.p_value == pytest.approx(sm_res.pvalue, rel=1e-6)
    lo, hi = proportion_confint(c1, c1 + c0, alpha=0.05, method="beta")
    to_rr = lambda p: p / (1 - p) * e0 / e1  # noqa: E731
    assert (r.ci_low, r.ci_high) == (pytest.approx(to_rr(lo)), pytest.approx(to_rr(hi)))
    assert r.rate_ratio == pytest.approx((c1 / e1) / (c0 / e0))
    assert r.ci_low < r.rate_ratio < r.ci_high


@pytest.mark.filterwarnings("ignore")  # the two-point GLM is saturated (df = 0); only its Wald CI is used
def test_overdispersed_equals_quasi_poisson_glm():
    # Two-period quasi-Poisson GLM with a fixed scale φ gives the same Wald interval.
    c1, c0, phi = 80, 150, 2.7
    r = stats.overdispersed_rate_ratio_test(c1, c0, dispersion=phi)
    X = np.array([[1.0, 0.0], [1.0, 1.0]])
    fit = sm.GLM(np.array([c0, c1], float), X, family=sm.families.Poisson()).fit(scale=phi)
    lo, hi = np.exp(fit.conf_int()[1])
    assert (r.ci_low, r.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert r.p_value == pytest.approx(fit.pvalues[1])
    plain = stats.overdispersed_rate_ratio_test(c1, c0, dispersion=1.0)
    assert r.p_value > plain.p_value  # overdispersion widens the interval
    # φ below 1 is never used to claim more precision than Poisson.
    assert stats.overdispersed_rate_ratio_test(c1, c0, dispersion=0.3).p_value == pytest.approx(plain.p_value)


def test_dispersion_equals_pearson_chi2_over_df():
    rng = np.random.default_rng(7)
    idx = pd.date_range("2014-01-01", periods=96, freq="MS")
    mu = 300 * rng.gamma(5, 1 / 5, size=96)  # overdispersed: var = mu + mu²/5
    y = pd.Series(rng.poisson(mu), index=idx)
    phi = stats.estimate_dispersion(y)
    # Reference: Poisson GLM with year and month factors, exposure = days in month.
    d = pd.DataFrame({"y": y.to_numpy(), "year": idx.year.astype(str), "month": idx.month.astype(str),
                      "days": idx.days_in_month})
    import statsmodels.formula.api as smf

    ref = smf.glm("y ~ C(year) + C(month)", d, family=sm.families.Poisson(), exposure=d["days"]).fit()
    assert phi == pytest.approx(ref.pearson_chi2 / ref.df_resid, rel=1e-6)
    assert phi > 5  # the gamma noise is detected
    assert math.isnan(stats.estimate_dispersion(y.iloc[:12]))


def test_monthly_counts_fill_and_trim():
    d = pd.Series(pd.to_datetime(["2019-01-15", "2019-02-01", "2019-02-28", "2019-04-30"]))
    assert stats.monthly_counts(d, complete_only=False).tolist() == [1, 2, 0, 1]
    # January starts mid-month: dropped; April ends on its last day: kept.
    assert stats.monthly_counts(d).tolist() == [2, 0, 1]


def test_seasonal_trend_recovers_trend_and_season():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2014-01-01", periods=120, freq="MS")
    season = np.array([0.9, 0.65, 1.2, 1.05, 1.0, 1.05, 1.0, 0.95, 1.0, 0.8, 1.05, 1.1])
    t = (idx.year - 2014) + (idx.month - 1) / 12
    mu = 80 * 0.95 ** t * season[idx.month - 1] * idx.days_in_month
    fit = stats.seasonal_trend(pd.Series(rng.poisson(mu), index=idx))
    assert fit.annual_ci[0] < 0.95 < fit.annual_ci[1]
    me = fit.month_effects
    truth = season / np.exp(np.log(season).mean())
    assert ((me["ci_low"] < truth) & (truth < me["ci_high"])).mean() >= 0.8
    assert np.corrcoef(me["effect"], truth)[0, 1] > 0.98
    nb = stats.seasonal_trend(pd.Series(rng.poisson(mu), index=idx), family="negbin")
    assert nb.annual_ci[0] < 0.95 < nb.annual_ci[1]


def test_its_matches_statsmodels_formula():
    rng = np.random.default_rng(11)
    idx = pd.date_range("2014-01-01", periods=96, freq="MS")
    post = idx >= "2019-01-01"
    mu = 20 * np.where(post, 0.55, 1.0) * idx.days_in_month / 30
    y = pd.Series(rng.poisson(mu), index=idx)
    its = stats.interrupted_time_series(y, "2019-01-01")
    t = (idx.year - 2014) + (idx.month - 1) / 12
    d = pd.DataFrame({"y": y.to_numpy(), "t": t, "month": idx.month.astype(str), "post": post.astype(float),
                      "days": idx.days_in_month})
    d["post_t"] = d["post"] * (d["t"] - 5.0)
    import statsmodels.formula.api as smf

    ref = smf.glm("y ~ t + C(month) + post + post_t", d, family=sm.families.Poisson(),
                  exposure=d["days"]).fit(scale="X2")
    assert its.log_level_change == pytest.approx(ref.params["post"], rel=1e-6)
    assert its.log_level_ci[0] == pytest.approx(ref.conf_int().loc["post", 0], rel=1e-6)
    assert its.slope_change == pytest.approx(ref.params["post_t"], abs=1e-8)
    assert its.log_level_ci[0] < math.log(0.55) < its.log_level_ci[1]


def test_adjusted_residuals_and_share_change():
    t = pd.DataFrame({"a": [120, 80, 50, 10], "b": [90, 110, 48, 30]}, index=list("wxyz"))
    res = stats.adjusted_residuals(t)
    ref = Table(t.to_numpy()).standardized_resids
    np.testing.assert_allclose(res.to_numpy(), ref, rtol=1e-10)
    sc = stats.share_change_test(t)
    chi2, p, dof, _ = sps.chi2_contingency(t.to_numpy(), correction=False)
    assert (sc.chi2, sc.p_value, sc.dof) == (pytest.approx(chi2), pytest.approx(p), dof)
    pv = 2 * sps.norm.sf(np.abs(ref[:, 1]))
    np.testing.assert_allclose(sc.cells["p_adjusted"], multipletests(pv, method="fdr_bh")[1])
    assert sc.cells.loc["z", "flag"] == "up" and sc.cells.loc["y", "flag"] == ""


def test_fdr_bh_and_wilson():
    p = np.array([0.001, 0.02, 0.03, 0.2, np.nan, 0.04])
    out = stats.fdr_bh(p)
    np.testing.assert_allclose(out[~np.isnan(p)], multipletests(p[~np.isnan(p)], method="fdr_bh")[1])
    assert np.isnan(out[4])
    lo, hi = stats.wilson_interval(np.array([45, 0]), np.array([50, 10]))
    ref = proportion_confint(45, 50, method="wilson")
    assert (lo[0], hi[0]) == (pytest.approx(ref[0]), pytest.approx(ref[1]))
    assert lo[1] == pytest.approx(0.0) and hi[1] > 0.2
