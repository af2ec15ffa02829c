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
