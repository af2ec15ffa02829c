"""Recovery of the reference data's planted ground truth (manifest ``planted``) through the
library's own functions: every planted effect detected, the planted hotspot flagged, no
stable category flagged, the campaign's size inside the ITS interval, and exactly the planted
accumulated-case petitioners."""

import math

import numpy as np
import pandas as pd
import pytest

from petition_analysis import periods
from petition_analysis.analysis import compare, hotspots, petitioners, stats


@pytest.fixture(scope="module")
def df(reference_df):
    return reference_df


@pytest.fixture(scope="module")
def planted(reference_manifest):
    return reference_manifest["planted"]


def _monthly(df, series):
    sub = df.loc[compare.series_mask(df, series)]
    return stats.monthly_counts(sub["received_date"], start=df["received_date"].min(), end=df["received_date"].max())


def test_seasonality_recovered(df, planted):
    # Labour has its own year-end peak on top of the common seasonality: leave it out here.
    rest = df.loc[df["category"].astype(str) != "labour_social_security"]
    fit = stats.seasonal_trend(stats.monthly_counts(rest["received_date"]))
    mf = pd.Series(planted["seasonality"]["month_factors"]).astype(float)
    mf.index = mf.index.astype(int)
    truth = mf / np.exp(np.log(mf).mean())
    est = fit.month_effects["effect"]
    assert np.corrcoef(est, truth.loc[est.index])[0, 1] > 0.99
    assert (np.abs(est / truth.loc[est.index] - 1) < 0.03).all()
    # The February dip and the March (两会) peak are significant.
    me = fit.month_effects
    assert me.loc[2, "ci_high"] < 0.8 and me.loc[3, "ci_low"] > 1.1


@pytest.mark.parametrize("series,key,detectable", [
    ("visits_national", "visits_national", True),
    ("visits_province", "visits_province", True),
    # An 8 % fall in ~520 visits a year is inside the ITS's noise: the interval must contain
    # it, but it is detected only in the pooled leapfrog series below.
    ("leapfrog_city", "leapfrog_city_visits", False),
])
def test_campaign_its_interval_contains_planted_effect(df, planted, series, key, detectable):
    camp = planted["campaign"]
    its = stats.interrupted_time_series(_monthly(df, series), camp["start"])
    truth = camp["series"][key]["log_rate_ratio"]
    lo, hi = its.log_level_ci
    assert lo < truth < hi, (series, its.log_level_ci, truth)
    assert its.slope_ci[0] < camp["slope_change"] < its.slope_ci[1]
    if detectable:
        assert hi < 0 and its.level_p < 0.001


def test_campaign_detected_on_all_leapfrog_visits(df, planted):
    its = stats.interrupted_time_series(_monthly(df, "leapfrog_visits"), planted["campaign"]["start"])
    assert its.log_level_ci[1] < 0


def test_campaign_yoy_flags_national_decline(df):
    t = compare.headline(df, year=2019, as_of="2019-12-20").set_index("figure")
    assert t.loc["visits_national_items", "assessment"] == "decline"


def test_channel_shift_letters_to_online(df, planted):
    shift = planted["channel_shift"]
    years = sorted(int(y) for y in shift["shares_by_year"])
    mix = compare.channel_mix(df, periods.year(years[-1]), against=periods.year(years[0]))
    flag = dict(zip(mix["channel"].astype(str), mix["flag"]))
    assert flag[shift["from"]] == "down" and flag[shift["to"]] == "up"
    # The trend of letters is downward and of online items upward, each significantly.
    for ch, sign in ((shift["from"], -1), (shift["to"], 1)):
        fit = stats.seasonal_trend(stats.monthly_counts(df.loc[df.channel == ch, "received_date"]))
        assert sign * math.log(fit.annual_ci[0 if sign > 0 else 1]) > 0
    # Observed shares track the planted shares.
    for y in (years[0], years[-1]):
        share = (df.loc[df.received_date.dt.year == y, "channel"].astype(str) == shift["to"]).mean()
        assert share == pytest.approx(shift["shares_by_year"][str(y)][shift["to"]], abs=0.02)


def test_wage_arrears_peak_detected(df, planted):
    wp = planted["wage_arrears_peak"]
    peaks = hotspots.seasonal_peaks(df)
    flagged = peaks.loc[peaks.flag]
    months = {int(m) for m in wp["month_multipliers"]}
    assert set(flagged.loc[flagged.category == wp["category"], "month"]) == months
    assert set(flagged["category"]) == {wp["category"]}
    # The subcategory carries it: wage-arrears items in the peak months vs the rest.
    sub = df.loc[df.subcategory.astype(str) == wp["subcategory"]]
    fit = stats.seasonal_trend(stats.monthly_counts(sub["received_date"]))
    top3 = set(fit.month_effects["effect"].nlargest(3).index)
    assert top3 == months


def test_planted_hotspot_flagged_and_stable_categories_not(df, planted):
    hs = planted["regional_hotspot"]
    flags = hotspots.emerging_hotspots(df)
    hit = flags.loc[flags.flag]
    cell = hit[(hit.region == hs["region"]) & (hit.category == hs["category"]) & (hit.period == hs["period"])]
    assert len(cell) == 1
    assert cell["observed"].item() == hs["observed"]
    # The expected count comes near the planted base, and the excess near the planted excess.
    assert cell["expected"].item() == pytest.approx(hs["expected_without_excess"], rel=0.25)
    assert cell["excess"].item() == pytest.approx(hs["excess"], rel=0.25)
    assert not set(hit["category"]) & set(planted["stable_categories"])
    assert flags.attrs["tests"] > 5000  # every region × category × quarter with history


def test_no_stable_category_flagged_in_share_scan(df, planted):
    # Every year-on-year share change 2015–2023, FDR-controlled over all cells together.
    scan = hotspots.share_change_scan(df)
    assert scan["year"].nunique() >= 8
    flagged = set(scan.loc[scan["flag"] != "", "category"])
    assert not flagged & set(planted["stable_categories"]), flagged


def test_ranking_flags_no_stable_increase(df, planted):
    stable = set(planted["stable_categories"])
    r = hotspots.rank_categories(df, year=2022)
    assert list(r["rank_current"]) == sorted(r["rank_current"])
    assert r["share_current"].sum() == pytest.approx(1.0)
    assert not set(r.loc[r["assessment"] == "increase", "category"].astype(str)) & stable


def test_accumulated_cases_exactly_planted(df, planted):
    rule = planted["accumulated_cases"]["rule"]
    out = petitioners.accumulated_cases(df, levels=tuple(rule["levels"]), more_than=rule["more_than"],
                                        window_days=rule["window_days"])
    assert sorted(out["petitioner_id"]) == sorted(planted["accumulated_cases"]["petitioners"])
    # The defaults are the seed's rule.
    assert sorted(petitioners.accumulated_cases(df)["petitioner_id"]) == sorted(out["petitioner_id"])
