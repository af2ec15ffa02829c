"""hotspots._quarterly counts on the codes of the distinct regions and categories; its table
must equal the row-by-row text grouping it replaced (values, order and dtypes)."""

import numpy as np
import pandas as pd
import pytest

from petition_analysis.analysis import hotspots


def _frame(n=4000, seed=3):
    rng = np.random.default_rng(seed)
    regions = pd.Categorical(rng.choice(["庚县", "甲区", "乙区", "丙县"], n), categories=["甲区", "乙区", "丙县", "庚县", "unused"])
    cats = pd.Categorical(rng.choice(["land_resources", "natural_resources", "education", "other"], n))
    days = pd.to_datetime("2016-01-01") + pd.to_timedelta(rng.integers(0, 365 * 5, n), unit="D")
    return hotspots.harmonized(pd.DataFrame({"region": regions, "category": cats, "received_date": days}))


@pytest.mark.parametrize("variant", ["categorical", "text", "one_region", "gap_years"])
def test_quarter_cells_equal_the_text_grouping(variant):
    h = _frame()
    if variant == "text":
        h = h.assign(region=h["region"].astype("str"), category=h["category"].astype("str"))
    elif variant == "one_region":
        h = h[(h["region"] == "庚县").to_numpy()]
    elif variant == "gap_years":  # a year without rows is still on the grid, with zeros
        h = h[(h["received_date"].dt.year != 2018).to_numpy()]
    fast, slow = hotspots.quarter_cells(h), hotspots._quarterly_by_text(h)
    # The text path's year/quarter were int32 when every cell had items (its reindex kept the
    # groupby's levels) and int64 otherwise; the codes path always gives int64.
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False, check_index_type=True)
    assert [str(t) for t in fast.dtypes] == ["str", "str", "int64", "int64", "int64"]
    assert fast["count"].sum() == len(h)
    assert len(fast) == h["region"].nunique() * h["category"].nunique() * 5 * 4


def test_missing_keys_take_the_text_path():
    h = _frame().copy()
    h["category"] = h["category"].cat.add_categories(["x"])
    h.loc[h.index[:10], "received_date"] = pd.NaT
    pd.testing.assert_frame_equal(hotspots.quarter_cells(h), hotspots._quarterly_by_text(h), check_dtype=False)
    assert hotspots.quarter_cells(h)["count"].sum() == len(h) - 10
