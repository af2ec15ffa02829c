"""Collective and repeat flags follow the definitions in DESIGN.md §1."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.ingest import derive


def test_collective_needs_a_visit_and_the_threshold():
    df = pd.DataFrame({"channel": ["visit", "visit", "visit", "letter"], "persons": [5, 4, 30, 12]})
    assert derive.flag_collective(df).tolist() == [True, False, True, False]
    assert derive.flag_collective(df, threshold=3).tolist() == [True, True, True, False]
    with pytest.raises(ValueError, match="at least 2"):
        derive.flag_collective(df, threshold=1)


def _frame(rows):
    return pd.DataFrame(rows, columns=["case_id", "petitioner_id", "category", "received_date"]).assign(
        received_date=lambda d: pd.to_datetime(d["received_date"])
    )


def test_repeat_window_boundary():
    df = _frame([
        ("a", "p", "other", "2019-01-01"),
        ("b", "p", "other", "2020-01-01"),  # 365 days later: repeat
        ("c", "p", "other", "2021-01-02"),  # 367 days later: not
    ])
    assert derive.flag_repeats(df).tolist() == [False, True, False]
    assert derive.flag_repeats(df, window_days=400).tolist() == [False, True, True]


def test_repeat_needs_same_petitioner_and_category_across_the_crosswalk():
    df = _frame([
        ("a", "p", "land_resources", "2018-11-01"),
        ("b", "p", "natural_resources", "2019-02-01"),  # same category after the reform
        ("c", "p", "politics_law", "2019-03-01"),
        ("d", "q", "politics_law", "2019-03-02"),
        ("e", None, "politics_law", "2019-03-03"),
        ("f", None, "politics_law", "2019-03-04"),
    ])
    assert derive.flag_repeats(df).tolist() == [False, True, False, False, False, False]


def test_same_day_items_are_ordered_by_case_id_and_source_flag_is_kept():
    df = _frame([("b", "p", "other", "2019-05-01"), ("a", "p", "other", "2019-05-01"), ("c", "x", "other", "2019-05-01")])
    flags = derive.flag_repeats(df, source_flag=pd.Series([False, False, True]))
    assert flags.tolist() == [True, False, True]
