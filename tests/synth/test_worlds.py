"""Simulated worlds: reproducible, schema-valid, and their truth is the truth.

Observed counts are checked against ``World.expected`` over fixed seeds with tolerances of
several standard errors, so the tests are deterministic and not flaky."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from petition_analysis import periods
from petition_analysis.analysis import compare
from petition_analysis import schema
from petition_analysis.synth.worlds import World, simulate_world

Y2018, Y2019 = periods.year(2018), periods.year(2019)
CAMPAIGN = {"where": "visits_national", "from": "2019-01-01", "multiplier": 0.5}


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(7)


def test_same_seed_same_frame_and_params_regenerate(world):
    # assert_frame_equal is slow on 240,000 categorical rows (≈ 1 s a column): a small world
    kw = dict(years=(2018, 2019), items_per_year=3000, between_year_sd=0.1, effects=[CAMPAIGN])
    small = simulate_world(11, **kw)
    pd.testing.assert_frame_equal(small.data, simulate_world(11, **kw).data)
    pd.testing.assert_frame_equal(small.data, simulate_world(**small.params).data)
    # and the default world, compared with DataFrame.equals (values and dtypes)
    again = simulate_world(7)
    assert world.data.equals(again.data)
    assert (world.data.dtypes == again.data.dtypes).all()
    assert world.year_shocks == again.year_shocks


def test_different_seeds_differ(world):
    other = simulate_world(8)
    assert len(other.data) != len(world.data) or not world.data["received_date"].equals(other.data["received_date"])
    assert not world.data["persons"].head(1000).equals(other.data["persons"].head(1000))


def test_shape_of_a_default_world(world):
    d = world.data
    assert list(d.columns) == schema.column_names()
    assert d["received_date"].min() == pd.Timestamp("2016-01-01")
    assert d["received_date"].max() == pd.Timestamp("2023-12-31")
    assert 230_000 < len(d) < 250_000  # 8 years × ≈ 30,000
    assert d["case_id"].is_unique
    assert d["received_date"].is_monotonic_increasing
    assert d["region"].nunique() == 13
    assert (d.loc[d["channel"] != "visit", "persons"] == 1).all()
    visits = d[d["channel"] == "visit"]
    assert visits["persons"].max() >= 20 and 0.05 < (visits["persons"] >= 5).mean() < 0.15
    assert (d["is_collective"] == ((d["channel"] == "visit") & (d["persons"] >= 5))).all()
    assert not d.loc[d["level"] == "county", "is_leapfrog"].any()
    assert not d["leader_received"].any() and d["summary"].isna().all()
    # Late items of the last year are still open at the extraction date.
    last = d[d["received_date"] >= "2023-12-01"]
    assert last["status"].isin(["registered", "accepted"]).mean() > 0.5
    assert (d.loc[d["received_date"] < "2023-01-01", "status"].isin(["concluded", "not_accepted"])).all()


def test_frame_passes_schema_validate(world):
    schema.validate(world.data)
    w = simulate_world(3, years=(2018, 2019), items_per_year=5000, effects=[CAMPAIGN],
                       hotspots=[{"region": "庚县", "category": "natural_resources",
                                  "start": "2019-07-01", "end": "2019-09-30", "multiplier": 3.0}],
                       validate=True)
    schema.validate(w.data)


def test_truth_is_exact_without_effects(world):
    # base is set so that the first year's expected items equal items_per_year
    assert world.expected(None, "2016-01-01", "2016-12-31") == pytest.approx(30000, rel=1e-12)
    total = world.expected()
    parts = sum(world.expected(ch, "2016-01-01", "2023-12-31") for ch in ("letters", "visits", "online", "phone"))
    assert parts == pytest.approx(total, rel=1e-12)
    assert world.expected(region="庚县") == pytest.approx(0.070 * total, rel=1e-9)
    assert world.expected(category="natural_resources") == pytest.approx(0.12 * total, rel=1e-9)
    assert world.expected(subcategory="land_acquisition") == pytest.approx(0.12 * 0.40 * total, rel=1e-9)
    assert world.expected("visits", level="national") == pytest.approx(world.expected("visits_national"), rel=1e-12)
    # items vs person-times: non-visits are one person each
    assert world.expected("letters", measure="person_times") == pytest.approx(world.expected("letters"), rel=1e-12)
    assert world.expected("visits", measure="person_times") > 2 * world.expected("visits")
    for name in compare.SERIES:  # every named series works on the cell table
        assert world.expected(name, "2019-01-01", "2019-12-31") > 0
    with pytest.raises(ValueError, match="unknown series"):
        world.expected("visits_mars")
    with pytest.raises(ValueError, match="outside the world"):
        world.expected(None, "2015-01-01", "2015-12-31")


def test_observed_matches_expected_under_poisson():
    names = [(None, "items"), ("visits", "items"), ("visits_national", "items"),
             ("collective_visits", "person_times"), ("visits", "person_times")]
    ratios = {k: [] for k in names}
    for seed in range(20):
        w = simulate_world(seed, years=(2018, 2019), cluster_mean=0.0, between_year_sd=0.0)
        for where, m in names:
            e = w.expected(where, Y2019.start, Y2019.end, m)
            o = w.observed(where, Y2019.start, Y2019.end, m)
            sd = math.sqrt(w.dispersion(where, Y2019.start, Y2019.end, m) * e)
            assert abs(o - e) < 4.5 * sd, (seed, where, m, o, e, sd)
            ratios[(where, m)].append(o / e)
    assert abs(np.mean(ratios[(None, "items")]) - 1) < 0.02
    assert abs(np.mean(ratios[("visits", "items")]) - 1) < 0.02
    assert abs(np.mean(ratios[("visits_national", "items")]) - 1) < 0.05
    assert abs(np.mean(ratios[("collective_visits", "person_times")]) - 1) < 0.05


def test_poisson_world_has_dispersion_one_for_items():
    w = simulate_world(1, cluster_mean=0.0)
    assert w.dispersion() == pytest.approx(1.0, rel=1e-12)
    # person-times are compound even without clusters: φ = E[P²]/E[P]
    assert w.dispersion("visits", measure="person_times") > 3


def test_monthly_dispersion_matches_cluster_formula():
    mu = 0.5
    phi = (mu + (1 + mu) ** 2) / (1 + mu)  # E[K²]/E[K] for K = 1 + Poisson(mu)
    stats = []
    for seed in range(5):
        w = simulate_world(100 + seed, cluster_mean=mu)
        assert w.dispersion() == pytest.approx(phi, rel=1e-12)
        assert w.dispersion("visits_national") == pytest.approx(phi, rel=1e-12)
        exp = w.expected_series(None, "MS")
        obs = w.observed_series(None, "MS")
        assert obs.index.equals(exp.index) and len(obs) == 96
        stats.append((((obs - exp) ** 2) / exp).sum() / len(obs))
    assert np.mean(stats) == pytest.approx(phi, rel=0.25)


def test_planted_effect_truth_and_recovery():
    ratios_obs = []
    for seed in range(20):
        w = simulate_world(200 + seed, years=(2018, 2019), effects=[CAMPAIGN])
        if seed == 0:
            rr = w.true_rate_ratio("visits_national", Y2019, Y2018, adjust="calendar")
            assert abs(rr - 0.5) < 1e-9
            # unadjusted: a ratio of expected counts carries the calendar difference too
            cal = w.calendar_exposure(Y2019.start, Y2019.end) / w.calendar_exposure(Y2018.start, Y2018.end)
            assert abs(w.true_rate_ratio("visits_national", Y2019, Y2018) - 0.5 * cal) < 1e-9
            assert abs(cal - 1) < 0.005
            # other series are untouched, before and within the effect's window
            assert abs(w.true_rate_ratio("letters", Y2019, Y2018, adjust="calendar") - 1) < 1e-12
            assert abs(w.true_rate_ratio("visits_province", Y2019, Y2018, adjust="calendar") - 1) < 1e-12
            assert abs(w.true_rate_ratio("items", Y2019, Y2018, adjust="calendar")
                       - (1 - 0.5 * w.expected("visits_national", *Y2018_span()) / w.expected(None, *Y2018_span()))) < 1e-9
            # person-times of the series halve too; the periods may also be given as strings
            assert abs(w.true_rate_ratio("visits_national", "2019", "2018", "person_times", adjust="calendar") - 0.5) < 1e-9
        ratios_obs.append((w.observed("visits_national", Y2019.start, Y2019.end),
                           w.observed("visits_national", Y2018.start, Y2018.end)))
    a, b = np.sum(ratios_obs, axis=0)
    assert a / b == pytest.approx(0.5, abs=0.08)


def Y2018_span():
    return Y2018.start, Y2018.end


def test_multiplier_above_one_and_hotspot():
    hot = {"region": "庚县", "category": "natural_resources", "start": "2019-07-01", "end": "2019-09-30", "multiplier": 3.0}
    q3 = ("2019-07-01", "2019-09-30")
    obs, exp = 0, 0.0
    for seed in range(10):
        w = simulate_world(300 + seed, years=(2018, 2019), hotspots=[hot])
        base = simulate_world(300 + seed, years=(2018, 2019))
        e = w.expected(None, *q3, region="庚县", category="natural_resources")
        assert e == pytest.approx(3 * base.expected(None, *q3, region="庚县", category="natural_resources"), rel=1e-12)
        # outside the cell nothing changes
        assert w.expected(None, *q3, region="甲区") == pytest.approx(base.expected(None, *q3, region="甲区"), rel=1e-12)
        obs += w.observed(None, *q3, region="庚县", category="natural_resources")
        exp += e
    assert obs / exp == pytest.approx(1, abs=0.06)


def test_between_year_variation_is_not_in_the_truth():
    logs, resid = [], []
    for seed in range(12):
        w = simulate_world(400 + seed, between_year_sd=0.1)
        for y in range(2016, 2024):
            span = (f"{y}-01-01", f"{y}-12-31")
            o = w.observed(None, *span)
            logs.append(math.log(o / w.expected(None, *span)))
            resid.append(math.log(o / w.expected(None, *span, shocks=True)))
            assert abs(resid[-1] - 0) < 0.03
            assert abs(logs[-1] - w.year_shocks[y]) < 0.03
    assert np.std(logs, ddof=1) == pytest.approx(0.1, rel=0.2)
    assert np.std(resid, ddof=1) < 0.02
    # the shocks are common random numbers: the same seed with another sd scales them
    w0, w2 = simulate_world(400, years=(2016, 2017), between_year_sd=0.1), simulate_world(400, years=(2016, 2017), between_year_sd=0.2)
    assert w2.year_shocks[2016] == pytest.approx(2 * w0.year_shocks[2016])


def test_trend_and_bad_arguments():
    w = simulate_world(5, years=(2018, 2020), items_per_year=2000, trend=0.9)
    assert w.true_rate_ratio(None, "2020", "2019", adjust="calendar") == pytest.approx(0.9, rel=2e-3)
    with pytest.raises(ValueError, match="multiplier"):
        simulate_world(1, effects=[{"where": "visits", "multiplier": -1}])
    with pytest.raises(ValueError, match="unknown keys"):
        simulate_world(1, effects=[{"where": "visits", "multiplier": 0.5, "form": "2019-01-01"}])
    with pytest.raises(ValueError, match="unknown filter"):
        w.expected("visits", county="甲区")
