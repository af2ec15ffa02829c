"""The headline table reproduces the seed's figures and picks the right year."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.publish.headline import HEADLINE_FIGURES, headline_table, latest_complete_year


def test_seed_figures_as_of_december_20(reference_df):
    t = headline_table(reference_df, year=2019, as_of="2019-12-20")
    expect = {
        "items": (28792, 29368, -1.96),
        "visits_national_items": (80, 150, -46.67),
        "visits_national_person_times": (159, 249, -36.14),
        "leapfrog_city_items": (491, 536, -8.40),
        "leapfrog_city_person_times": (2549, 3367, -24.29),
    }
    for name, (cur, prev, pct) in expect.items():
        row = t.loc[name]
        assert (row["current"], row["previous"]) == (cur, prev)
        assert row["change"] == cur - prev
        assert round(row["change_pct"], 2) == pct


def test_full_year_is_larger_than_year_to_date(reference_df):
    full = headline_table(reference_df, year=2019)
    ytd = headline_table(reference_df, year=2019, as_of="2019-12-20")
    assert (full["current"] >= ytd["current"]).all()
    assert full.loc["items", "current"] > ytd.loc["items", "current"]


def test_default_is_the_latest_complete_year(reference_df):
    assert latest_complete_year(reference_df) == 2023
    partial = reference_df[reference_df["received_date"] < "2023-07-01"]
    assert latest_complete_year(partial) == 2022
    t = headline_table(reference_df)
    assert t.loc["items", "current"] == (reference_df["received_date"].dt.year == 2023).sum()


def test_channel_figures_add_up(reference_df):
    t = headline_table(reference_df, year=2021)
    channels = ["letters_items", "visits_items", "online_items", "phone_items"]
    assert t.loc[channels, "current"].sum() == t.loc["items", "current"]
    assert set(t.index) == set(HEADLINE_FIGURES)


def test_as_of_must_be_in_the_year(reference_df):
    with pytest.raises(ValueError, match="must be a date in 2019"):
        headline_table(reference_df, year=2019, as_of="2018-12-20")


def test_zero_previous_gives_no_percentage():
    # Both years are in the data (a year outside it is an error, not a count of 0); visits at
    # national level only in 2020: no percentage change from 0.
    dates = pd.to_datetime(["2019-01-02", "2019-12-30", "2020-01-02", "2020-12-30"])
    df = pd.DataFrame({"received_date": dates, "persons": [1] * 4, "channel": ["letter", "letter", "visit", "visit"],
                       "level": ["county", "county", "national", "national"], "is_leapfrog": [False] * 4,
                       "is_collective": [False] * 4, "is_repeat": [False] * 4})
    t = headline_table(df, year=2020)
    assert t.loc["visits_national_items", "previous"] == 0
    assert t.loc["visits_national_items", "current"] == 2
    assert pd.isna(t.loc["visits_national_items", "change_pct"])


def test_latest_complete_year_allows_a_few_days_off_at_the_end(reference_df):
    from petition_analysis.periods import COVERAGE_TOLERANCE_DAYS

    edge = pd.Timestamp("2023-12-31") - pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)
    assert latest_complete_year(reference_df[reference_df["received_date"] <= edge]) == 2023
    # a register that stops a few days earlier (the seed's "as of 20 December") is a partial year
    assert latest_complete_year(reference_df[reference_df["received_date"] < edge]) == 2022
    assert latest_complete_year(reference_df[reference_df["received_date"] <= "2023-12-20"]) == 2022
