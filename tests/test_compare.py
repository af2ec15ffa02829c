"""Counts and comparisons: the DESIGN §4 calibration table through the library's own
functions, consistency of the ready-made tables, and the uncertainty columns."""

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis import periods
from petition_analysis.analysis import compare


@pytest.fixture(scope="module")
def df(reference_df):
    return reference_df


# DESIGN.md §4, typed from the design document (not read from the generator).
CALIBRATION = {
    "items": (28792, 29368, -1.96),
    "visits_national_items": (80, 150, -46.67),
    "visits_national_person_times": (159, 249, -36.14),
    "leapfrog_city_items": (491, 536, -8.40),
    "leapfrog_city_person_times": (2549, 3367, -24.3),
}


def test_calibration_table_reproduced(df):
    t = compare.headline(df, year=2019, as_of="2019-12-20").set_index("figure")
    for fig, (cur, prev, pct) in CALIBRATION.items():
        assert t.loc[fig, "current"] == cur, fig
        assert t.loc[fig, "previous"] == prev, fig
        decimals = len(str(pct).split(".")[1])  # as many as the design document gives
        assert round(t.loc[fig, "pct_change"], decimals) == pytest.approx(pct), fig
    assert t.attrs["period"] == periods.ytd("2019-12-20")
    # Person-times of all items are *not* the seed's 28,797 (inconsistent, DESIGN §4).
    assert t.loc["person_times", "current"] > 28792 + 79


def test_uncertainty_columns_and_labels(df):
    t = compare.headline(df, year=2019, as_of="2019-12-20").set_index("figure")
    nat = t.loc["visits_national_items"]
    assert nat["ci_low"] < nat["rate_ratio"] < nat["ci_high"] < 1
    assert nat["assessment"] == "decline" and bool(nat["significant_decline"])
    items = t.loc["items"]
    # The overdispersion-aware interval is wider than the exact Poisson one (φ > 1 from months).
    assert items["dispersion"] > 1
    assert items["od_ci_high"] - items["od_ci_low"] > items["ci_high"] - items["ci_low"]
    # The 1.96 % fall is within month-to-month noise: no significant decline claimed.
    assert items["assessment"] == "none"
    assert (t["p_adjusted"] >= t["od_p_value"] - 1e-15).all()


def test_compare_counts_by_dimension_add_up(df):
    p = periods.year(2021)
    by = compare.compare(df, p, by="channel", dispersion=None)
    total = compare.compare(df, p, dispersion=None)
    for m in ("items", "person_times"):
        assert by.loc[by.measure == m, "current"].sum() == total.loc[total.measure == m, "current"].item()
        assert by.loc[by.measure == m, "previous"].sum() == total.loc[total.measure == m, "previous"].item()
    sel = df[(df.received_date.dt.year == 2021) & (df.channel == "online")]
    row = by[(by.channel == "online") & (by.measure == "person_times")].iloc[0]
    assert row["current"] == sel["persons"].sum()
    assert row["change"] == row["current"] - row["previous"]


def test_qoq_uses_previous_period(df):
    t = compare.compare(df, periods.quarter(2020, 1), "previous", dispersion=None)
    q4 = ((df.received_date >= "2019-10-01") & (df.received_date <= "2019-12-31")).sum()
    assert t.loc[t.measure == "items", "previous"].item() == q4


def test_five_declines_city_and_region(df):
    t = pa.five_declines(df, year=2019, as_of="2019-12-20")
    assert list(t.series.unique()) == ["visits", "letters", "leapfrog_visits", "repeat_visits", "collective_visits"]
    ytd19 = df[(df.received_date >= "2019-01-01") & (df.received_date <= "2019-12-20")]
    it = t[t.measure == "items"].set_index("series")
    assert it.loc["letters", "current"] == (ytd19.channel == "letter").sum()
    assert it.loc["collective_visits", "current"] == ytd19.is_collective.sum()
    assert it.loc["repeat_visits", "current"] == ((ytd19.channel == "visit") & ytd19.is_repeat).sum()
    # The letter → online shift makes the fall in letters significant.
    assert it.loc["letters", "assessment"] == "decline"
    r = pa.five_declines(df, year=2019, region="庚县")
    rc = r[r.measure == "items"].set_index("series")
    geng = df[(df.region == "庚县") & (df.received_date.dt.year == 2019)]
    assert rc.loc["visits", "current"] == (geng.channel == "visit").sum()
    assert rc.loc["visits", "current"] < it.loc["visits", "current"]
    with pytest.raises(ValueError, match="unknown region"):
        pa.five_declines(df, year=2019, region="Atlantis")


def test_levels_and_channel_mix(df):
    v = compare.visits_by_level(df, year=2019, dispersion=None)
    assert set(v.level.astype(str)) == {"county", "city", "province", "national"}
    lf = compare.leapfrog_by_level(df, year=2019, dispersion=None)
    assert "county" not in set(lf.level.astype(str))
    mix = compare.channel_mix(df, year=2023, against=periods.year(2014))
    assert mix.loc["letter", "flag"] == "down" and mix.loc["online", "flag"] == "up"
    assert mix["share_current"].sum() == pytest.approx(1.0)


def test_cli_headline_table_is_the_report_registry(df):
    from petition_analysis.analysis.registry import build_registry
    from petition_analysis.publish.headline import format_headline, headline_table

    t = headline_table(df, year=2019, as_of="2019-12-20")
    reg = build_registry(df, year=2019, as_of="2019-12-20")
    for fig in ("items", "visits_national_items", "leapfrog_city_person_times", "repeat_visits_items"):
        for col in ("ci_low", "ci_high", "p_value", "verdict", "label_en"):
            assert t.loc[fig, col] == reg[fig][col]
    assert set(t["assessment"]) <= {"decline", "increase", "none"}
    assert t.loc["visits_national_items", "assessment"] == "decline"
    text = format_headline(t, 2019, pd.Timestamp("2019-12-20").date(), lang="en")
    assert "significant decline" in text and "no significant change" in text
    assert "repeat visits" in text and "repeat items" not in text
