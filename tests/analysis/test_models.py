"""Count models: intervals agree with p-values, estimates lie inside their intervals,
person-times carry their design effect, families agree with their intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from petition_analysis.analysis import models


@settings(max_examples=300, deadline=None)
@given(c1=st.integers(0, 400), c0=st.integers(0, 400), design=st.sampled_from([1.0, 1.4, 3.0, 12.0]),
       extra=st.sampled_from([0.0, 0.002, 0.05]), e1=st.floats(0.5, 2.0), level=st.sampled_from([0.9, 0.95, 0.995]),
       exact_below=st.sampled_from([0.0, 30.0, 1e9]))
def test_interval_contains_estimate_and_agrees_with_p(c1, c0, design, extra, e1, level, exact_below):
    c = models.compare_counts(c1, c0, exposure_current=e1, design=design, extra_var=extra, extra_df=3,
                              exact_below=exact_below)
    if not c.testable:
        return
    lo, hi = c.interval(level)
    assert lo <= c.rate_ratio <= hi
    excludes_one = lo > 1 or hi < 1
    if abs(c.p_value - (1 - level)) > 1e-9:
        assert excludes_one == (c.p_value < 1 - level)


def test_zero_count_lies_inside_its_interval():
    c = models.compare_counts(0, 6)
    lo, hi = c.interval(0.95)
    assert c.rate_ratio == 0.0 and lo == 0.0 and hi > 0


def test_person_times_are_not_poisson():
    """3 vs 1 items with 19 vs 1 person-times: one group of 17 is not 18 independent people."""
    pt = models.design_effect(19 + 1, 17 ** 2 + 1 + 1 + 1)
    c = models.compare_counts(19, 1, design=pt)
    assert c.p_value > 0.05
    naive = models.compare_counts(19, 1, design=1.0)
    assert naive.p_value < 0.05  # what treating person-times as Poisson counts would claim


def test_between_year_variation_widens_large_counts():
    a = models.compare_counts(28792, 29368, design=1.1)
    b = models.compare_counts(28792, 29368, design=1.1, extra_var=2 * 0.03 ** 2, extra_df=4)
    assert a.p_value < 0.05 < b.p_value
    assert 3 < b.df < 10  # Satterthwaite: σ_b from 4 years carries few degrees of freedom


def test_exposure_changes_the_rate_ratio():
    same = models.compare_counts(250, 250, exposure_current=250, exposure_previous=245)
    assert same.rate_ratio == pytest.approx(245 / 250)


def test_adjust_family_intervals_agree_with_verdicts():
    rng = np.random.default_rng(5)
    for _ in range(200):
        m = int(rng.integers(1, 30))
        cmp = [models.compare_counts(int(rng.poisson(100)), int(rng.poisson(rng.choice([60, 100, 140]))))
               for _ in range(m)]
        padj, sig, level = models.adjust_family([c.p_value for c in cmp])
        for c, s in zip(cmp, sig):
            lo, hi = c.interval(level)
            assert (lo > 1 or hi < 1) == bool(s)


def test_within_year_dispersion_recovers_clustered_counts():
    rng = np.random.default_rng(11)
    idx = pd.date_range("2015-01-01", periods=96, freq="MS")
    expo = pd.Series(21.0, index=idx)
    # clusters of 1 + Poisson(1) items: φ = E[K²]/E[K] = (1 + 3 + 1) / 2 = 2.5
    events = rng.poisson(200, len(idx))
    counts = np.array([(1 + rng.poisson(1.0, e)).sum() for e in events])
    phi, df = models.within_year_dispersion(pd.Series(counts, index=idx), expo)
    assert 1.9 < phi < 3.2 and df > 60


def test_within_year_dispersion_needs_two_years():
    idx = pd.date_range("2019-01-01", periods=12, freq="MS")
    phi, df = models.within_year_dispersion(pd.Series(100, index=idx), pd.Series(21.0, index=idx))
    assert math.isnan(phi) and df == 0


def test_between_year_variation_detects_year_shocks():
    rng = np.random.default_rng(2)
    years = pd.Index(range(2010, 2022))
    totals = pd.Series(np.round(30000 * np.exp(rng.normal(0, 0.08, len(years)))), index=years)
    s2, df, _ = models.between_year_variation(totals, pd.Series(250.0, index=years), 1.0)
    assert 0.03 < math.sqrt(s2) < 0.15 and df == 10
