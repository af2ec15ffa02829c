"""Periods: boundaries, comparison periods (同比/环比) and partial labels."""

import pandas as pd
import pytest

from petition_analysis import periods as P


def test_year_quarter_month_bounds():
    assert (P.year(2019).start, P.year(2019).end) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-31"))
    q = P.quarter(2020, 1)
    assert q.end == pd.Timestamp("2020-03-31") and q.days == 91  # leap year
    assert P.month(2019, 2).days == 28
    assert not P.year(2019).partial


def test_ytd_is_partial_and_labelled():
    p = P.ytd("2019-12-20")
    assert p.partial and p.days == 354
    assert "12月20日" in p.label("zh") and "20 Dec" in p.label("en")
    cut = P.quarter(2019, 4, as_of="2019-12-20")
    assert cut.partial and "partial" in cut.label("en") and "不完整" in cut.label("zh")


def test_yoy_keeps_the_cut():
    p0 = P.ytd("2019-12-20").yoy()
    assert (p0.start, p0.end) == (pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-20"))
    assert P.ytd("2020-02-29").yoy().end == pd.Timestamp("2019-02-28")


def test_previous_period():
    assert P.quarter(2019, 1).previous() == P.quarter(2018, 4)
    assert P.month(2019, 3).previous() == P.month(2019, 2)
    # A partial month is compared with the same number of days of the previous month.
    prev = P.month(2019, 12, as_of="2019-12-20").previous()
    assert (prev.start, prev.end) == (pd.Timestamp("2019-11-01"), pd.Timestamp("2019-11-20"))
    assert P.year(2019).previous() == P.year(2018)


def test_contains_and_parse():
    d = pd.Series(pd.to_datetime(["2018-12-31", "2019-01-01", "2019-12-20", "2019-12-21"]))
    assert P.ytd("2019-12-20").contains(d).tolist() == [False, True, True, False]
    assert P.parse("2019Q3") == P.quarter(2019, 3)
    assert P.parse("2019-03") == P.month(2019, 3)
    assert P.parse(2019, as_of="2019-06-30").end == pd.Timestamp("2019-06-30")
    with pytest.raises(ValueError):
        P.parse("spring")
    assert P.as_period(year_=2019, as_of="2019-12-20") == P.ytd("2019-12-20")
    with pytest.raises(ValueError):
        P.as_period(year_=2019, as_of="2018-12-20")
