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


# --- coverage ----------------------------------------------------------------------------

def test_data_end_is_the_last_received_day():
    df = pd.DataFrame({"received_date": pd.to_datetime(["2023-03-01 09:00", "2023-06-30 16:45", "2023-01-02 11:30"])})
    assert P.data_end(df) == pd.Timestamp("2023-06-30")
    with pytest.raises(ValueError, match="no received dates"):
        P.data_end(df.iloc[:0])


def test_a_year_is_covered_to_its_last_day_less_the_tolerance():
    tol = P.COVERAGE_TOLERANCE_DAYS
    assert 0 < tol < 7
    edge = pd.Timestamp("2023-12-31") - pd.Timedelta(days=tol)
    assert P.require_covered(edge, P.year(2023)) == edge
    assert P.require_covered("2024-03-01", 2023) == pd.Timestamp("2024-03-01")
    with pytest.raises(P.PeriodNotCovered):
        P.require_covered(edge - pd.Timedelta(days=1), P.year(2023))


def test_require_covered_accepts_a_frame(reference_df):
    assert P.require_covered(reference_df, 2023) == pd.Timestamp("2023-12-31")
    with pytest.raises(P.PeriodNotCovered):
        P.require_covered(reference_df[reference_df["received_date"] < "2023-07-01"], 2023)


def test_not_covered_year_names_the_period_the_data_end_and_the_fix():
    with pytest.raises(P.PeriodNotCovered) as info:
        P.require_covered("2023-06-30", P.year(2023))
    err = info.value
    assert isinstance(err, ValueError)
    assert str(err) == ("The data end on 2023-06-30, before the end of 2023 (2023-12-31): a report for 2023 would "
                        "compare part of a year with a whole one. Give --as-of 2023-06-30 for the year to date, or "
                        "add the rest of the 2023 register.")
    assert err.data_end == pd.Timestamp("2023-06-30") and err.period == P.year(2023)
    assert err.last_covered == P.year(2022)
    # without an as-of date to offer, the last covered year is the fix
    with pytest.raises(P.PeriodNotCovered, match="Choose 2022, the last year the data cover to its end"):
        P.require_covered("2023-06-30", 2023, as_of_hint=False)


def test_not_covered_quarter_suggests_the_last_covered_quarter():
    with pytest.raises(P.PeriodNotCovered) as info:
        P.require_covered("2023-08-15", P.quarter(2023, 3), as_of_hint=False)
    assert "2023 Q3 (2023-09-30)" in str(info.value) and "Choose 2023 Q2" in str(info.value)
    with pytest.raises(P.PeriodNotCovered, match="before 2023 Q3 begins"):
        P.require_covered("2023-06-30", "2023Q3", as_of_hint=False)
    assert P.require_covered("2023-06-30", "2023Q2") == pd.Timestamp("2023-06-30")
    # the National Day holiday from 29 September 2023: Q3 ends with rows on the 28th
    assert P.is_covered("2023-09-28", "2023Q3")
    assert P.last_covered("2023-09-20", "quarter") == P.quarter(2023, 2)
    assert P.last_covered("2023-01-10", "quarter") == P.quarter(2022, 4)
    assert P.last_covered("2023-02-20", "month") == P.month(2023, 1)
    assert P.last_covered("2023-02-25", "month") == P.month(2023, 2)


def test_an_as_of_date_allows_no_tolerance():
    assert P.require_covered("2019-12-20", P.ytd("2019-12-20")) == pd.Timestamp("2019-12-20")
    assert P.require_covered("2019-12-20", P.year(2019, as_of="2019-12-20")) == pd.Timestamp("2019-12-20")
    with pytest.raises(P.PeriodNotCovered) as info:
        P.require_covered("2019-12-19", P.ytd("2019-12-20"))
    assert "The data end on 2019-12-19, before the as-of date 2019-12-20" in str(info.value)
    assert "--as-of 2019-12-19 or an earlier date" in str(info.value)
