"""Working days (工作日) in mainland China: weekends, public holidays (法定节假日) and the
make-up working days (调休) that move a weekend into the week.

Petition offices receive visits on working days; letters, calls and online items arrive
on every day but are registered mostly on working days. A month's or a year's *exposure* is
therefore its working days plus a smaller weight for the other days (see
:func:`exposure`), not its calendar days: October 2019 had 19 working days against October
2018's 18, although both months have 31 days.

The holiday calendar comes from the maintained ``chinesecalendar`` package (State Council
notices from 2004 on). For a year it does not cover yet, the weekend rule is used and
:func:`covered` says so.

>>> import pandas as pd
>>> days = pd.date_range("2019-09-28", "2019-10-08")
>>> working_days(days).astype(int).tolist()          # Sunday 29 Sep is a 调休 working day
[0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
>>> int(working_days(pd.date_range("2019-01-01", "2019-12-31")).sum())
250
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

__all__ = ["working_days", "covered", "coverage", "exposure", "count_working_days"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)


@functools.lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset, frozenset, int, int]:
    import chinese_calendar

    holidays = frozenset(pd.Timestamp(d) for d in chinese_calendar.holidays)
    workdays = frozenset(pd.Timestamp(d) for d in chinese_calendar.workdays)
    years = [d.year for d in chinese_calendar.holidays]
    return holidays, workdays, min(years), max(years)


def coverage() -> tuple[int, int]:
    """First and last year of the holiday calendar."""
    _, _, first, last = _calendar()
    return first, last


def covered(years) -> bool:
    """True when every year in ``years`` is in the holiday calendar."""
    first, last = coverage()
    return all(first <= int(y) <= last for y in years)


@functools.lru_cache(maxsize=64)
def _year_flags(year: int) -> np.ndarray:
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31")
    flags = days.day_of_week < 5
    first, last = coverage()
    if first <= year <= last:
        holidays, workdays, _, _ = _calendar()
        flags = flags & ~days.isin(list(holidays)) | days.isin(list(workdays))
    return np.asarray(flags)


def working_days(days) -> np.ndarray:
    """Boolean array: which of ``days`` (dates) are working days (调休 included).

    >>> working_days(pd.to_datetime(["2019-10-01", "2019-10-12", "2019-10-14"])).tolist()
    [False, True, True]
    """
    idx = pd.DatetimeIndex(pd.to_datetime(days)).normalize()
    out = np.zeros(len(idx), dtype=bool)
    years = idx.year.to_numpy()
    doy = idx.day_of_year.to_numpy() - 1
    for y in np.unique(years):
        sel = years == y
        out[sel] = _year_flags(int(y))[doy[sel]]
    return out


def count_working_days(start, end) -> int:
    """Working days from ``start`` to ``end`` inclusive.

    >>> count_working_days("2019-10-01", "2019-10-31"), count_working_days("2018-10-01", "2018-10-31")
    (19, 18)
    """
    return int(working_days(pd.date_range(start, end)).sum())


def exposure(start, end, other_day_weight: float) -> float:
    """Exposure of the days ``start``..``end``: working days plus ``other_day_weight`` for
    each weekend day or holiday (the ratio of a non-working day's mean count to a working
    day's, estimated from the data by :func:`petition_analysis.analysis.models.other_day_weight`).

    >>> exposure("2019-10-01", "2019-10-07", 0.25)
    1.75
    """
    flags = working_days(pd.date_range(start, end))
    return float(flags.sum() + other_day_weight * (~flags).sum())
