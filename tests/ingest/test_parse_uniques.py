"""Dates are parsed on distinct raw values, normalized once each (issue 14): the result
must equal normalizing every row first, whatever the mix of forms, blanks and nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd

from petition_analysis.ingest import parse
from petition_analysis.ingest.io import normalize_text

FORMS = ["2019-03-05", "２０１９年３月５日", " 2019/3/5 ", "20190305", "2019.03.05 08:30", "43529", "2019-3-5\u200b",
         "", " ", "\u3000", None, "2019-02-30", "x", "2019年3月5号", "1985-01-01", "2030-01-01"]


def _old_parse(values, formats=None):
    """The row-wise definition: normalize every row, then parse the distinct values."""
    text = normalize_text(values)
    return parse.parse_dates(text, formats)


def test_parse_dates_on_uniques_equals_row_wise():
    rng = np.random.default_rng(1)
    values = pd.Series(rng.choice(np.array(FORMS, dtype=object), 5000), dtype="str")
    got = parse.parse_dates(values)
    pd.testing.assert_series_equal(got, _old_parse(values))
    assert got.notna().sum() > 2000
    pd.testing.assert_series_equal(parse.parse_dates(values, ["%Y.%m.%d %H:%M"]), _old_parse(values, ["%Y.%m.%d %H:%M"]))


def test_all_null_and_empty_inputs():
    assert parse.parse_dates(pd.Series([None, None], dtype="str")).isna().all()
    assert parse.parse_dates(pd.Series([], dtype="str")).empty


def test_blank_text_and_date_problems():
    values = pd.Series(FORMS, dtype="str")
    expected = normalize_text(values).fillna("").eq("")
    assert parse.blank_text(values).tolist() == expected.tolist()
    problems = parse.date_problems(values, parse.parse_dates(values), today=pd.Timestamp("2024-01-01"))
    assert problems[values.isna() | expected].eq("missing_date").all()
    assert problems[values.eq("x").fillna(False)].eq("invalid_date").all()
