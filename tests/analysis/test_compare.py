"""Counts and comparisons: the work summary's calibration table through the library's own
functions, consistency of the ready-made tables, the uncertainty columns, one value and one
verdict with the figure registry, region=, and the errors for periods and columns."""

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis import periods
from petition_analysis.analysis import compare


@pytest.fixture(scope="module")
def df(reference_df):
    return reference_df


# The 2019 work summary's consistent figures, typed from it (not read from the generator).
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
        decimals = len(str(pct).split(".")[1])  # as many as the work summary gives
        assert round(t.loc[fig, "pct_change"], decimals) == pytest.approx(pct), fig
    assert t.attrs["period"] == periods.ytd("2019-12-20")
    # Person-times of all items are *not* the work summary's 28,797 (inconsistent with its items).
    assert t.loc["person_times", "current"] > 28792 + 79


def test_uncertainty_columns_and_labels(df):
    t = compare.headline(df, year=2019, as_of="2019-12-20").set_index("figure")
    assert (t["source"] == "registry").all()
    nat = t.loc["visits_national_items"]
    assert nat["ci_low"] < nat["rate_ratio"] < nat["ci_high"] < 1
    assert nat["assessment"] == "decline" and bool(nat["significant_decline"])
    items = t.loc["items"]
    assert items["dispersion"] > 1
    # The 1.96 % fall is within ordinary variation: no significant decline claimed.
    assert items["assessment"] == "none"
    # The interval agrees with the verdict, at the family's level.
    excludes = (t["ci_low"] > 1) | (t["ci_high"] < 1)
    assert (excludes == (t["assessment"] != "none")).all()
    assert (t["p_adjusted"] >= t["p_value"] - 1e-15).all()


def test_exploratory_table_has_both_intervals(df):
    # Not a report's comparison (dispersion given): computed here, exact and overdispersion-aware.
    t = compare.compare(df, "2019", dispersion=3.0)
    items = t.set_index("measure").loc["items"]
    assert items["source"] == "exploratory"
    assert items["od_ci_high"] - items["od_ci_low"] > items["ci_high"] - items["ci_low"]


FIGURE_COLUMNS = ["current", "previous", "rate_ratio", "ci_low", "ci_high", "p_value", "verdict"]


@pytest.mark.parametrize("kwargs", [dict(year=2019, as_of="2019-12-20"), dict(year=2023), dict(year=2023, region="庚县")],
                         ids=["2019-ytd", "2023", "2023-county"])
def test_five_declines_and_headline_are_the_registry(df, kwargs):
    """One value and one verdict: the public tables equal the report's figure registry."""
    from petition_analysis.analysis.registry import build_registry

    reg = build_registry(df, **kwargs)
    for table in (pa.five_declines(df, **kwargs), pa.headline_figures(df, **kwargs)):
        got = table.set_index("figure")
        want = reg.rows(got.index)
        assert len(want) == len(got) == 10 or len(got) == 6
        np.testing.assert_array_equal(got["current"], want["current"].astype(int))
        np.testing.assert_array_equal(got["previous"], want["previous"].astype(int))
        np.testing.assert_allclose(got["rate_ratio"], want["rate_ratio"])
        np.testing.assert_allclose(got["ci_low"], want["ci_low"])
        np.testing.assert_allclose(got["p_adjusted"], want["p_value"])
        assert list(got["assessment"]) == list(want["verdict"])


def test_compare_periods_reads_the_registry_for_report_figures(df):
    from petition_analysis.analysis.registry import build_registry

    t = pa.compare_periods(df, "2023Q4", "previous", where="visits_national").set_index("measure")
    reg = build_registry(df, kind="quarterly", year=2023, quarter=4)
    assert t.loc["items", "current"] == reg["qoq_visits_national_items"]["current"]
    assert t.loc["items", "assessment"] == reg["qoq_visits_national_items"]["verdict"]
    online = pa.compare_periods(df, "2022", where="online", region="甲区").set_index("measure")
    reg = build_registry(df, year=2022, region="甲区")
    assert online.loc["person_times", "p_adjusted"] == pytest.approx(reg["online_person_times"]["p_value"])
    # a month is no report's comparison: computed here
    assert (pa.compare_periods(df, "2023-06")["source"] == "exploratory").all()


def test_periods_outside_the_data_are_errors(df):
    with pytest.raises(compare.PeriodOutsideDataError, match=r"2030 .* is outside the data .* last year they cover to its end is 2023"):
        pa.compare_periods(df, "2030")
    with pytest.raises(compare.PeriodOutsideDataError, match=r"compares 2014 with 2013 .* Choose 2015 or later"):
        pa.five_declines(df, year=2014)
    with pytest.raises(compare.PeriodOutsideDataError, match="outside the data"):
        pa.count(df, "2024Q1")
    with pytest.raises(ValueError, match="outside the data"):  # the errors are ValueErrors
        pa.headline_figures(df, year=2031)
    with pytest.raises(compare.PeriodOutsideDataError, match=r'before the end of 2023 .* as_of="2023-06-30"'):
        pa.compare_periods(df[df.received_date <= "2023-06-30"], "2023")


def test_unknown_by_column_names_the_closest(df):
    with pytest.raises(KeyError) as err:
        pa.compare_periods(df, "2019", by="county")
    msg = str(err.value)
    assert "Did you mean 'region'" in msg and "KeyError" not in msg and not msg.startswith("'")
    with pytest.raises(compare.UnknownColumnError, match="Did you mean 'channel'"):
        pa.count(df, "2019", by="chanel")
    with pytest.raises(compare.UnknownColumnError, match="Did you mean 'category'"):
        pa.count(df, "2019", by=["region", "问题分类"])


def test_unknown_region_names_the_closest(df):
    with pytest.raises(compare.UnknownRegionError, match="Did you mean '庚县'"):
        pa.five_declines(df, year=2019, region="庚")
    with pytest.raises(ValueError, match="not in the data"):
        pa.visits_by_level(df, year=2019, region="Atlantis")


def test_region_on_every_table(df):
    geng = df[df.region == "庚县"]
    n = ((geng.received_date.dt.year == 2021) & (geng.channel == "visit")).sum()
    v = pa.visits_by_level(df, year=2021, region="庚县", dispersion=None)
    assert v.loc[v.measure == "items", "current"].sum() == n
    assert pa.count(df, "2021", where="visits", region="庚县")["items"].item() == n
    lf = pa.leapfrog_by_level(df, year=2021, region="庚县", dispersion=None)
    assert set(lf.level.astype(str)) <= {"city", "province", "national"}
    mix = pa.channel_mix(df, year=2021, region="庚县")
    assert mix["current"].sum() == (geng.received_date.dt.year == 2021).sum()


def test_count_by_two_columns_is_a_long_table_equal_to_a_crosstab(df):
    t = pa.count(df, "2021", by=["region", "channel"])
    assert list(t.columns) == ["region", "channel", "items", "person_times"]
    assert isinstance(t.index, pd.RangeIndex)  # no MultiIndex
    y = df[df.received_date.dt.year == 2021]
    cross = pd.crosstab(y["region"].astype("str"), y["channel"].astype("str"))  # another route to the counts
    got = t.assign(region=t["region"].astype("str"), channel=t["channel"].astype("str"))
    got = got.pivot(index="region", columns="channel", values="items").reindex_like(cross).fillna(0)
    assert (got.to_numpy() == cross.to_numpy()).all()
    one = pa.count(df, "2021")
    assert list(one.columns) == ["items", "person_times"] and one.index.tolist() == [0]
    assert one["person_times"].item() == y["persons"].sum()


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
    with pytest.raises(ValueError, match="not in the data"):
        pa.five_declines(df, year=2019, region="Atlantis")


def test_levels_and_channel_mix(df):
    v = compare.visits_by_level(df, year=2019, dispersion=None)
    assert set(v.level.astype(str)) == {"county", "city", "province", "national"}
    lf = compare.leapfrog_by_level(df, year=2019, dispersion=None)
    assert "county" not in set(lf.level.astype(str))
    mix = compare.channel_mix(df, year=2023, against=periods.year(2014))
    assert isinstance(mix.index, pd.RangeIndex) and mix.columns[0] == "channel"
    flag = dict(zip(mix["channel"].astype("str"), mix["flag"]))
    assert flag["letter"] == "down" and flag["online"] == "up"
    assert mix["share_current"].sum() == pytest.approx(1.0)
    # the counts and shares by another route: a crosstab of the two years' rows
    two = df[df.received_date.dt.year.isin([2014, 2023])]
    cross = pd.crosstab(two["channel"].astype("str"), two.received_date.dt.year)
    got = mix.set_index(mix["channel"].astype("str"))
    assert (got.loc[cross.index, "current"] == cross[2023]).all()
    assert (got.loc[cross.index, "previous"] == cross[2014]).all()
    assert got.loc[cross.index, "share_current"].to_numpy() == pytest.approx((cross[2023] / cross[2023].sum()).to_numpy())


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


def test_a_mask_of_the_whole_frame_works_with_region(df):
    mask = (df["persons"] >= 5).to_numpy()  # a plain array over every row of df
    t = pa.compare_periods(df, "2021", where=mask, region="庚县", dispersion=None).set_index("measure")
    geng = df[(df.region == "庚县") & (df.persons >= 5)]
    assert t.loc["items", "current"] == (geng.received_date.dt.year == 2021).sum()
    assert t.loc["items", "source"] == "exploratory"
    assert pa.count(df, "2021", where=lambda d: d["persons"] >= 5, region="庚县")["items"].item() == \
        (geng.received_date.dt.year == 2021).sum()
