"""The statistics validated by simulation, small version (``make validate`` runs the full one).

Twenty worlds with no change but whole years that vary by 5 %: the registry's 95 % intervals
must cover the truth, and no family may flag much. The same worlds show that the checks
have teeth: Poisson intervals on person-times, or no allowance for the variation between
years, fail them.
"""

from __future__ import annotations

import numpy as np
import pytest

from petition_analysis.analysis import models
from petition_analysis.analysis.validation import Scenario, run_scenario, summarise

SMALL = Scenario("small_null_between_years", "no change; years vary by 5 %", between_year_sd=0.05,
                 items_per_year=8000)


@pytest.fixture(scope="module")
def results():
    return run_scenario(SMALL, range(101, 121))


@pytest.mark.slow
def test_intervals_cover_and_families_keep_their_error_rate(results):
    s = summarise(results)
    assert s["seeds"] == 20
    assert s["coverage_items_large"] >= 0.90
    assert s["coverage_person_times_large"] >= 0.90
    assert s["coverage_all"] >= 0.91
    for fam in ("primary", "breakdown", "regions", "categories"):
        assert s[f"fwer_{fam}"] <= 0.25, fam  # at most 5 of 20 worlds with any false flag


@pytest.mark.slow
def test_poisson_person_times_or_no_between_year_term_would_fail(results):
    pt = results[(results["measure"] == "person_times") & (results["method"] == "wald-t")]
    naive = [models.compare_counts(c, p, design=1.0, exact_below=0).interval(0.95)
             for c, p in zip(pt["current"], pt["previous"])]
    covered = np.mean([lo <= t <= hi for (lo, hi), t in zip(naive, pt["truth"])])
    assert covered < 0.80  # person-times as Poisson counts: far too narrow
    items = results[(results["figure"] == "items")]
    no_year = [models.compare_counts(c, p, design=1.0).p_value < 0.05 for c, p in zip(items["current"], items["previous"])]
    assert np.mean(no_year) > 0.25  # the city's total, tested as Poisson, calls random years real changes
    assert (items["significant"].astype(bool)).mean() <= 0.15
