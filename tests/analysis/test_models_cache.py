"""The caches that make a report's registry faster (issue 14) change no number: month
bounds and the dispersion design are kept per span, the fits are not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from petition_analysis.analysis import models


def _monthly_direct(values, origin, start, end):
    months = models._month_starts(pd.Timestamp(start), pd.Timestamp(end))
    bounds = np.append(((months - origin).days).to_numpy(), ((months[-1] + pd.offsets.MonthBegin(1)) - origin).days)
    cum = np.concatenate([[0.0], np.cumsum(values)])
    bounds = np.clip(bounds, 0, len(values))
    return pd.Series(cum[bounds[1:]] - cum[bounds[:-1]], index=months)


def test_monthly_equals_the_direct_sum_for_many_arrays_over_one_span():
    rng = np.random.default_rng(5)
    origin = pd.Timestamp("2016-01-01")
    for start, end in [("2016-01-01", "2019-12-31"), ("2016-03-15", "2018-02-27"), ("2015-06-01", "2016-08-31")]:
        for _ in range(3):  # the second and third calls use the kept bounds
            values = rng.poisson(30, 1500).astype(float)
            pd.testing.assert_series_equal(models.monthly(values, origin, start, end),
                                           _monthly_direct(values, origin, start, end), check_exact=True)
    assert models.monthly(np.ones(10), origin, "2016-01-05", "2016-01-20").empty


def test_dispersion_fits_each_series_on_the_kept_design():
    rng = np.random.default_rng(8)
    idx = pd.date_range("2016-01-01", periods=60, freq="MS")
    expo = pd.Series(np.full(60, 21.0), index=idx)
    results = []
    for mean in (50, 400, 50):
        counts = pd.Series(rng.poisson(mean, 60), index=idx)
        results.append(models.within_year_dispersion(counts, expo))
        # against a fresh design, rank and fit
        X = models._glm_design(idx, year_effects=True, trend=False)
        fit = models._poisson_glm(counts.to_numpy(float), X, np.log(expo.to_numpy(float)))
        df = 60 - np.linalg.matrix_rank(X)
        assert results[-1] == (max(1.0, float(fit.pearson_chi2 / df)), int(df))
    # a run of months with a gap (months without exposure are left out) gets its own design
    expo_gap = expo.copy()
    expo_gap.iloc[10:14] = 0
    phi, df = models.within_year_dispersion(pd.Series(rng.poisson(90, 60), index=idx), expo_gap)
    assert df == 60 - 4 - 16


def test_a_registry_fits_each_series_dispersion_once(reference_df, monkeypatch):
    """A series' items and person-times figures share its φ (it comes from the item counts):
    the registry fits each distinct run of monthly counts once, and the figures are those of
    fitting every figure on its own."""
    import hashlib

    from petition_analysis.analysis import registry

    fits = []
    fit = models.within_year_dispersion

    def counted(counts, exposure, *args, **kwargs):
        fits.append(hashlib.sha256(counts.to_numpy().tobytes() + exposure.to_numpy().tobytes()
                                   + counts.index.asi8.tobytes()).hexdigest())
        return fit(counts, exposure, *args, **kwargs)

    monkeypatch.setattr(models, "within_year_dispersion", counted)
    reg = registry.build_registry(reference_df, kind="annual", year=2023)
    assert fits and len(fits) == len(set(fits))
    assert len(fits) < reg.figures["rate_ratio"].notna().sum()  # fewer fits than comparison figures
    # every figure fitted on its own gives the same registry
    monkeypatch.setattr(registry._Frame, "dispersion", lambda self, months, exposure: fit(months, exposure))
    alone = registry.build_registry(reference_df, kind="annual", year=2023)
    pd.testing.assert_frame_equal(reg.figures, alone.figures)
