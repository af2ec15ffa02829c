"""Reporting periods (统计周期): year, quarter, month and year to date as of a date, with the
same period of the previous year (同比, YoY) and the previous period (环比, QoQ).

A :class:`Period` is a closed range of days with a kind and a label. A period cut short by an
"as of" date (截至) is *partial* and says so in its labels, so a table never passes off
1 January – 20 December as a whole year.

Examples
--------
>>> p = ytd("2019-12-20")
>>> p.label("zh"), p.partial
('2019年1月1日至12月20日', True)
>>> p.yoy().label("en")
'2018 (1 Jan to 20 Dec)'
>>> quarter(2019, 3).previous().label("zh")
'2019年第二季度'
>>> parse("2019Q4", as_of="2019-12-20").label("en")
'2019 Q4 (to 20 Dec, partial)'

A register *covers* a period when its last received date reaches the period's last day, less
:data:`COVERAGE_TOLERANCE_DAYS`; :func:`require_covered` refuses a period the data stop short
of, so that half a year is never compared with a whole one:

>>> data_end(pd.DataFrame({"received_date": pd.to_datetime(["2023-01-05", "2023-06-30"])})).date()
datetime.date(2023, 6, 30)
>>> is_covered("2023-12-29", year(2023)), is_covered("2023-06-30", year(2023))
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

__all__ = ["Period", "year", "quarter", "month", "ytd", "parse", "as_period", "COVERAGE_TOLERANCE_DAYS",
           "PeriodNotCovered", "data_end", "is_covered", "last_covered", "require_covered"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (pd, re …)
    return sorted(__all__)

_ZH_Q = {1: "一", 2: "二", 3: "三", 4: "四"}
_MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(d) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def _d_en(d: pd.Timestamp) -> str:
    return f"{d.day} {_MONTH_EN[d.month - 1]}"


def _d_zh(d: pd.Timestamp) -> str:
    return f"{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    """A closed range of days ``start..end`` (both inclusive).

    ``kind`` is ``"year"``, ``"quarter"``, ``"month"``, ``"ytd"`` or ``"custom"``;
    ``full_end`` is where the natural period ends (equal to ``end`` unless the period is
    cut at an as-of date, when it is *partial*).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    kind: str = "custom"
    full_end: pd.Timestamp | None = None

    def __post_init__(self):
        object.__setattr__(self, "start", _day(self.start))
        object.__setattr__(self, "end", _day(self.end))
        object.__setattr__(self, "full_end", _day(self.full_end) if self.full_end is not None else self.end)
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end.date()}) before it starts ({self.start.date()}).")

    # -- facts -------------------------------------------------------------------------
    @property
    def partial(self) -> bool:
        """True when the period is cut before its natural end (or is a year to date)."""
        return self.end < self.full_end

    @property
    def days(self) -> int:
        """Number of days in the period (the exposure of a rate)."""
        return int((self.end - self.start).days) + 1

    def contains(self, dates: pd.Series) -> pd.Series:
        """Boolean mask: which ``dates`` fall in the period (day precision)."""
        d = dates.dt.normalize() if hasattr(dates, "dt") else pd.to_datetime(dates)
        return (d >= self.start) & (d <= self.end)

    def select(self, df: pd.DataFrame, date_column: str = "received_date") -> pd.DataFrame:
        """Rows of ``df`` whose ``date_column`` falls in the period."""
        return df.loc[self.contains(df[date_column])]

    # -- comparison periods ------------------------------------------------------------
    def yoy(self) -> "Period":
        """The same period of the previous year (同比); a partial period stays cut at the same
        month and day. 29 February maps to 28 February."""
        one = pd.DateOffset(years=1)
        return replace(self, start=self.start - one, end=self.end - one, full_end=self.full_end - one)

    def previous(self) -> "Period":
        """The previous period of the same kind (环比). A partial period is compared with the
        same number of days at the start of the previous period, so that 1–20 December is
        set against 1–20 November, not against all of November."""
        if self.kind == "year" or self.kind == "ytd":
            return self.yoy()
        if self.kind in ("quarter", "month"):
            months = 3 if self.kind == "quarter" else 1
            start = self.start - pd.DateOffset(months=months)
            full_end = self.start - pd.Timedelta(days=1)
            end = min(full_end, start + pd.Timedelta(days=self.days - 1)) if self.partial else full_end
            return Period(start, end, self.kind, full_end)
        length = pd.Timedelta(days=self.days)
        return Period(self.start - length, self.start - pd.Timedelta(days=1), "custom")

    def comparison(self, against: "str | Period") -> "Period":
        """``"yoy"`` (同比), ``"previous"`` (环比) or a given :class:`Period`."""
        if isinstance(against, Period):
            return against
        if against in ("yoy", "同比"):
            return self.yoy()
        if against in ("previous", "qoq", "环比"):
            return self.previous()
        raise ValueError(f"against must be 'yoy', 'previous' or a Period, not {against!r}.")

    def cut(self, as_of) -> "Period":
        """The period cut at ``as_of`` (partial when that is before its natural end)."""
        as_of = _day(as_of)
        if as_of >= self.end:
            return self
        return replace(self, end=as_of)

    # -- labels ------------------------------------------------------------------------
    def label(self, lang: str = "en") -> str:
        """A human label in ``"zh"`` or ``"en"``; partial periods say where they stop."""
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
        s, e, y = self.start, self.end, self.start.year
        zh = lang == "zh"
        if self.kind == "ytd":
            return f"{y}年1月1日至{_d_zh(e)}" if zh else f"{y} (1 Jan to {_d_en(e)})"
        if self.kind == "year":
            base = f"{y}年" if zh else f"{y}"
        elif self.kind == "quarter":
            q = (s.month - 1) // 3 + 1
            base = f"{y}年第{_ZH_Q[q]}季度" if zh else f"{y} Q{q}"
        elif self.kind == "month":
            base = f"{y}年{s.month}月" if zh else f"{_MONTH_EN[s.month - 1]} {y}"
        else:
            if zh:
                return f"{y}年{_d_zh(s)}至{e.year}年{_d_zh(e)}" if e.year != y else f"{y}年{_d_zh(s)}至{_d_zh(e)}"
            return f"{s.date()} to {e.date()}"
        if self.partial:
            if zh:
                return f"{base}（截至{_d_zh(e)}，不完整）"
            return f"{base} (to {_d_en(e)}, partial)"
        return base

    def __str__(self) -> str:
        return self.label("en")


def year(y: int, as_of=None) -> Period:
    """Calendar year ``y``; cut at ``as_of`` when given (then partial)."""
    p = Period(pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31), "year")
    return p.cut(as_of) if as_of is not None else p


def quarter(y: int, q: int, as_of=None) -> Period:
    """Quarter ``q`` (1–4) of year ``y``."""
    if q not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1..4, not {q}.")
    start = pd.Timestamp(y, 3 * q - 2, 1)
    p = Period(start, start + pd.DateOffset(months=3) - pd.Timedelta(days=1), "quarter")
    return p.cut(as_of) if as_of is not None else p


def month(y: int, m: int, as_of=None) -> Period:
    """Month ``m`` of year ``y``."""
    start = pd.Timestamp(y, m, 1)
    p = Period(start, start + pd.DateOffset(months=1) - pd.Timedelta(days=1), "month")
    return p.cut(as_of) if as_of is not None else p


def ytd(as_of) -> Period:
    """Year to date (截至某日): 1 January of ``as_of``'s year to ``as_of``, inclusive.

    >>> ytd("2019-12-20").days
    354
    """
    as_of = _day(as_of)
    return Period(pd.Timestamp(as_of.year, 1, 1), as_of, "ytd", pd.Timestamp(as_of.year, 12, 31))


_SPEC = re.compile(r"^\s*(\d{4})\s*(?:[-/ ]?\s*(?:[Qq](\d)|(\d{1,2})))?\s*$")


def parse(spec, as_of=None) -> Period:
    """A period from a short spec: ``2019``, ``2019Q3``, ``2019-03``; ``as_of`` cuts it.

    >>> parse(2019, as_of="2019-12-20").kind
    'year'
    """
    if isinstance(spec, Period):
        return spec.cut(as_of) if as_of is not None else spec
    m = _SPEC.match(str(spec))
    if not m:
        raise ValueError(f"cannot read a period from {spec!r}; use 2019, 2019Q3 or 2019-03.")
    y = int(m.group(1))
    if m.group(2):
        return quarter(y, int(m.group(2)), as_of)
    if m.group(3):
        return month(y, int(m.group(3)), as_of)
    return year(y, as_of)


def as_period(period=None, *, year_=None, as_of=None) -> Period:
    """Normalise the ways callers name a period: a :class:`Period`, a spec for :func:`parse`,
    or a year plus an optional as-of date (then a year to date, as a work summary (工作总结) reports)."""
    if period is None and year_ is None:
        if as_of is None:
            raise ValueError("give a period, a year or an as_of date.")
        return ytd(as_of)
    if period is None:
        if as_of is not None:
            as_of = _day(as_of)
            if as_of.year != int(year_):
                raise ValueError(f"as_of {as_of.date()} is not in year {year_}.")
            return ytd(as_of)
        return year(int(year_))
    return parse(period, as_of)


# --- coverage: do the data reach the end of a period? -----------------------------------

#: A register covers a period when its last received date is at most this many days before
#: the period's last day. Not zero, because the last days of a period can be days off with no
#: rows in a county register: a weekend (30–31 December on a Saturday and Sunday), the New
#: Year holiday when it starts on 30 December (as for 2018 and 2024), or the National Day
#: holiday starting on 29 September (2023). Three days allow a weekend next to a holiday
#: day, and stay small against a quarter or a year (a register that stops a week early
#: is not taken as whole).
COVERAGE_TOLERANCE_DAYS = 3

_KIND_WORD = {"year": "year", "quarter": "quarter", "month": "month", "ytd": "year", "custom": "period"}


class PeriodNotCovered(ValueError):
    """The data end before a period does. The message is one paragraph that names the
    period, the last date in the data and the fix; ``period``, ``data_end`` and
    ``last_covered`` (the last period of the same kind that the data do cover, or None)
    let a caller phrase its own fix."""

    def __init__(self, message: str, period: "Period", data_end: pd.Timestamp, last_covered: "Period | None"):
        super().__init__(message)
        self.period = period
        self.data_end = data_end
        self.last_covered = last_covered


def data_end(df: pd.DataFrame, date_column: str = "received_date") -> pd.Timestamp:
    """The last received date in ``df`` (the day, without a time).

    >>> data_end(pd.DataFrame({"received_date": pd.to_datetime(["2019-12-20 15:30", "2019-03-01 09:00"])}))
    Timestamp('2019-12-20 00:00:00')
    >>> data_end(pd.DataFrame({"received_date": pd.to_datetime([])}))
    Traceback (most recent call last):
    ...
    ValueError: the data have no received dates, so they cover no period.
    """
    last = pd.to_datetime(df[date_column]).max()
    if pd.isna(last):
        raise ValueError("the data have no received dates, so they cover no period.")
    return _day(last)


def _end_of(df_or_end) -> pd.Timestamp:
    if isinstance(df_or_end, pd.DataFrame):
        return data_end(df_or_end)
    if df_or_end is None or pd.isna(df_or_end):
        raise ValueError("the data have no received dates, so they cover no period.")
    return _day(df_or_end)


def _needed_end(period: Period) -> pd.Timestamp:
    """The last received date a register needs to cover ``period``. A period cut at an
    as-of date (or a year to date) needs that very day: the date was chosen, not a holiday."""
    if period.kind == "ytd" or period.partial:
        return period.end
    return period.end - pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)


def is_covered(df_or_end, period) -> bool:
    """Whether data ending on ``df_or_end`` (a frame or its last received date) cover
    ``period`` (a :class:`Period` or a spec for :func:`parse`) to its end.

    >>> is_covered("2023-09-28", "2023Q3"), is_covered("2023-09-20", "2023Q3")
    (True, False)
    >>> is_covered("2019-12-19", ytd("2019-12-20"))  # an as-of date allows no tolerance
    False
    """
    return _end_of(df_or_end) >= _needed_end(parse(period))


def last_covered(df_or_end, kind: str = "year") -> Period:
    """The latest ``year``, ``quarter`` or ``month`` that data ending on ``df_or_end``
    cover to its end.

    >>> str(last_covered("2023-06-30", "quarter")), str(last_covered("2023-06-30", "year"))
    ('2023 Q2', '2022')
    >>> str(last_covered("2023-12-29", "year"))
    '2023'
    """
    end = _end_of(df_or_end)
    if kind == "year":
        p = year(end.year)
    elif kind == "quarter":
        p = quarter(end.year, (end.month - 1) // 3 + 1)
    elif kind == "month":
        p = month(end.year, end.month)
    else:
        raise ValueError(f"kind must be 'year', 'quarter' or 'month', not {kind!r}.")
    return p if is_covered(end, p) else p.previous()


def require_covered(df_or_end, period, *, as_of_hint: bool = True) -> pd.Timestamp:
    """Raise :class:`PeriodNotCovered` unless data ending on ``df_or_end`` (a frame or its
    last received date) cover ``period`` (a :class:`Period` or a spec for :func:`parse`);
    return the data's last day.

    A whole year, quarter or month is covered when the data reach its last day less
    :data:`COVERAGE_TOLERANCE_DAYS`; a period cut at an as-of date (or a year to date) needs
    rows up to that date. ``as_of_hint`` says whether the caller takes an as-of date: then
    the message suggests ``--as-of`` for the period to date; otherwise it suggests the last
    period of the same kind the data cover.

    >>> require_covered("2023-12-31", 2023).date()
    datetime.date(2023, 12, 31)
    >>> require_covered("2023-06-30", 2023)
    Traceback (most recent call last):
    ...
    petition_analysis.periods.PeriodNotCovered: The data end on 2023-06-30, before the end of 2023 (2023-12-31): a report for 2023 would compare part of a year with a whole one. Give --as-of 2023-06-30 for the year to date, or add the rest of the 2023 register.
    >>> require_covered("2023-08-15", "2023Q3", as_of_hint=False)
    Traceback (most recent call last):
    ...
    petition_analysis.periods.PeriodNotCovered: The data end on 2023-08-15, before the end of 2023 Q3 (2023-09-30): a report for 2023 Q3 would compare part of a quarter with a whole one. Choose 2023 Q2, the last quarter the data cover to its end, or add the rest of the 2023 Q3 register.
    >>> require_covered("2023-06-30", "2023Q3", as_of_hint=False)
    Traceback (most recent call last):
    ...
    petition_analysis.periods.PeriodNotCovered: The data end on 2023-06-30, before 2023 Q3 begins (2023-07-01): a report for 2023 Q3 would find no rows for it. Choose 2023 Q2, the last quarter the data cover to its end, or add the 2023 Q3 register.
    >>> require_covered("2023-06-30", ytd("2023-08-01"))
    Traceback (most recent call last):
    ...
    petition_analysis.periods.PeriodNotCovered: The data end on 2023-06-30, before the as-of date 2023-08-01: a report to 2023-08-01 would count the days after 2023-06-30 as days without petitions. Give --as-of 2023-06-30 or an earlier date, or add the register up to 2023-08-01.
    """
    end = _end_of(df_or_end)
    period = parse(period)
    if end >= _needed_end(period):
        return end
    e, d = end.date().isoformat(), period.end.date().isoformat()
    kind = period.kind
    if kind == "ytd" or period.partial:
        raise PeriodNotCovered(
            f"The data end on {e}, before the as-of date {d}: a report to {d} would count the days after {e} as days "
            f"without petitions. Give --as-of {e} or an earlier date, or add the register up to {d}.",
            period, end, None)
    label, word = period.label("en"), _KIND_WORD.get(kind, "period")
    last = last_covered(end, kind) if kind in ("year", "quarter", "month") else None
    choose = f"Choose {last.label('en')}, the last {word} the data cover to its end, or" if last is not None else "Choose a period the data cover, or"
    if end < period.start:
        message = (f"The data end on {e}, before {label} begins ({period.start.date().isoformat()}): a report for "
                   f"{label} would find no rows for it. {choose} add the {label} register.")
    elif as_of_hint:
        message = (f"The data end on {e}, before the end of {label} ({d}): a report for {label} would compare part of "
                   f"a {word} with a whole one. Give --as-of {e} for the {word} to date, or add the rest of the "
                   f"{label} register.")
    else:
        message = (f"The data end on {e}, before the end of {label} ({d}): a report for {label} would compare part of "
                   f"a {word} with a whole one. {choose} add the rest of the {label} register.")
    raise PeriodNotCovered(message, period, end, last)
