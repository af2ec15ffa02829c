"""Accumulated cases (积案) and repeat concentration."""

import numpy as np
import pandas as pd
import pytest

from petition_analysis.analysis import petitioners


def _visits(pid, dates, level="province"):
    return pd.DataFrame({"petitioner_id": pid, "received_date": pd.to_datetime(dates), "level": level,
                         "channel": "visit"})


def test_rule_boundaries():
    four_in_729 = _visits("a", ["2018-01-01", "2018-05-01", "2019-01-01", "2019-12-31"])  # 729 days apart
    four_in_730 = _visits("b", ["2018-01-01", "2018-05-01", "2019-01-01", "2020-01-01"])  # 730 days apart
    three = _visits("c", ["2018-01-01", "2018-02-01", "2018-03-01"])
    county = _visits("d", ["2018-01-01", "2018-02-01", "2018-03-01", "2018-04-01"], level="county")
    df = pd.concat([four_in_729, four_in_730, three, county], ignore_index=True)
    out = petitioners.accumulated_cases(df)
    assert out["petitioner_id"].tolist() == ["a"]
    assert out.loc[0, "max_in_window"] == 4 and out.loc[0, "window_end"] == pd.Timestamp("2019-12-31")
    # Parameters: a longer window takes b too; "more than 2" takes c.
    assert set(petitioners.accumulated_cases(df, window_days=731)["petitioner_id"]) == {"a", "b"}
    assert "c" in set(petitioners.accumulated_cases(df, more_than=2)["petitioner_id"])
    assert "d" in set(petitioners.accumulated_cases(df, levels=("county",))["petitioner_id"])


def test_gini_and_concentration():
    x = np.array([1, 2, 3, 4, 10])
    ref = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())  # mean-difference form
    assert petitioners.gini(x) == pytest.approx(ref)
    df = pd.DataFrame({"petitioner_id": ["p%02d" % i for i in range(100)] + ["p00"] * 99 + [None] * 5,
                       "received_date": pd.Timestamp("2019-01-01"), "is_repeat": False})
    t = petitioners.repeat_concentration(df)
    assert isinstance(t.index, pd.RangeIndex) and len(t) == 1
    assert list(t.columns) == ["petitioners", "items", "top_1pct_share", "top_10pct_share", "gini",
                               "repeat_item_share"]
    c = t.iloc[0]
    assert c["petitioners"] == 100 and c["items"] == 199
    assert c["top_1pct_share"] == pytest.approx(100 / 199)
    assert c["top_10pct_share"] == pytest.approx(109 / 199)


def test_label_filter_on_categories_equals_the_strings(reference_df):
    """accumulated_cases (and the report's accumulated section) filter levels and channels
    from a category column's codes: the same rows as comparing each row's string, a missing
    label included."""
    from petition_analysis.analysis._checks import labels_in as _labels_in
    from petition_analysis.analysis.petitioners import ACCUMULATED_LEVELS

    df = reference_df.head(2000).copy()
    df.loc[df.index[:5], "level"] = None
    for column, labels in (("level", ACCUMULATED_LEVELS), ("channel", ["visit"]), ("channel", ["no such label"])):
        assert _labels_in(df[column], labels).equals(df[column].astype("str").isin(labels)), (column, labels)
        plain = df[column].astype("str")
        assert _labels_in(plain, labels).equals(plain.isin(labels))


def test_a_long_run_of_visits_is_counted_whole():
    # A run of more than 64 visits inside one window: the count went up to 64 and stopped, so
    # more_than=70 found nobody and max_in_window said 64.
    days = pd.date_range("2019-01-01", periods=100, freq="3D")  # 100 visits in 297 days
    df = pd.concat([_visits("many", days), _visits("few", ["2019-01-01", "2019-02-01", "2019-03-01", "2019-04-01"])],
                   ignore_index=True)
    out = petitioners.accumulated_cases(df).set_index("petitioner_id")
    assert out.loc["many", "max_in_window"] == 100 and out.loc["few", "max_in_window"] == 4
    strict = petitioners.accumulated_cases(df, more_than=70)
    assert strict["petitioner_id"].tolist() == ["many"]
    assert strict.loc[0, "window_end"] == days[70]  # the 71st visit meets "more than 70"
    # a window shorter than the run: at most 10 visits (27 days) fit in a 30-day window
    assert petitioners.accumulated_cases(df, window_days=30, more_than=1).set_index("petitioner_id").loc[
        "many", "max_in_window"] == 10


def test_run_counting_equals_the_pairwise_definition(reference_df):
    # max_in_window and window_end against a plain count over each petitioner's visits
    out = petitioners.accumulated_cases(reference_df, more_than=2, window_days=400).set_index("petitioner_id")
    v = reference_df[reference_df["level"].astype("str").isin(["province", "national"])
                     & (reference_df["channel"].astype("str") == "visit") & reference_df["petitioner_id"].notna()]
    for pid, g in list(v.groupby(v["petitioner_id"].astype("str")))[:300]:
        d = np.sort(g["received_date"].to_numpy())
        in_window = np.array([((d[: i + 1] > d[i] - np.timedelta64(400, "D"))).sum() for i in range(len(d))])
        if (in_window > 2).any():
            assert out.loc[pid, "max_in_window"] == in_window.max()
            assert out.loc[pid, "window_end"] == d[np.argmax(in_window > 2)]
        else:
            assert pid not in out.index
