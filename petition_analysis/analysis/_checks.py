"""Argument checks shared by the figure functions: periods inside the data, known ``by=``
columns, known regions. Each failure is one paragraph that names the problem and the fix.

>>> import pandas as pd
>>> df = pd.DataFrame({"received_date": pd.to_datetime(["2014-01-02", "2023-12-30"]),
...                    "region": ["甲区", "庚县"], "channel": ["visit", "letter"]})
>>> check_columns(df, "county", "by")
Traceback (most recent call last):
...
petition_analysis.analysis._checks.UnknownColumnError: by='county': the data have no column 'county'. Did you mean 'region' (问题属地: the county or district a petition is about)? The columns are: received_date, region, channel.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .. import periods as _periods

__all__ = ["PeriodOutsideDataError", "UnknownColumnError", "UnknownRegionError", "check_columns",
           "check_periods", "select_region"]

#: Words people reach for, and the canonical column they mean.
_SYNONYMS = {
    "county": "region", "district": "region", "area": "region", "place": "region", "city": "region",
    "县": "region", "区": "region", "属地": "region", "问题属地": "region",
    "type": "category", "problem": "category", "topic": "category", "issue": "category", "分类": "category",
    "问题分类": "category", "source": "channel", "method": "channel", "form": "channel", "渠道": "channel",
    "方式": "channel", "date": "received_date", "day": "received_date", "日期": "received_date",
    "people": "persons", "person": "persons", "人数": "persons", "petitioner": "petitioner_id",
    "collective": "is_collective", "repeat": "is_repeat", "leapfrog": "is_leapfrog", "层级": "level",
}
_MEANING = {"region": "问题属地: the county or district a petition is about",
            "category": "问题分类: the problem category", "channel": "信访形式: visit, letter, online, phone",
            "level": "受理层级: county, city, province, national", "received_date": "登记日期: the day received"}


class PeriodOutsideDataError(ValueError):
    """A period (or its comparison period) is not covered by the data."""


class UnknownColumnError(KeyError, ValueError):
    """A ``by=`` (or similar) column the data do not have. A KeyError, so ``except KeyError``
    still catches it, but printed as a sentence."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownRegionError(ValueError):
    """A ``region=`` the data do not have."""


def _suggest(name: str, known: list[str]) -> str | None:
    target = _SYNONYMS.get(str(name).strip().lower()) or _SYNONYMS.get(str(name).strip())
    if target in known:
        return target
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    return close[0] if close else None


def check_columns(df: pd.DataFrame, keys, argument: str = "by") -> list[str]:
    """The column names in ``keys`` (a name, a list or None) as a list; an
    :class:`UnknownColumnError` naming the closest column when one is missing."""
    if keys is None:
        return []
    keys = [keys] if isinstance(keys, str) else list(keys)
    known = [str(c) for c in df.columns]
    for k in keys:
        if k not in df.columns:
            best = _suggest(k, known)
            hint = f" Did you mean '{best}'" + (f" ({_MEANING[best]})" if best in _MEANING else "") + "?" if best else ""
            shown = ", ".join(known[:25]) + (" …" if len(known) > 25 else "")
            raise UnknownColumnError(f"{argument}={k!r}: the data have no column {k!r}.{hint} The columns are: {shown}.")
    return keys


def _span(df: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    d = df["received_date"]
    if len(d) == 0 or d.isna().all():
        raise PeriodOutsideDataError("The data have no rows with a received date, so no period can be counted. "
                                     "Check the table passed (after any filtering) is not empty.")
    return pd.Timestamp(d.min()).normalize(), pd.Timestamp(d.max()).normalize()


def _label(p: _periods.Period) -> str:
    return f"{p.label('en')} ({p.start.date()} to {p.end.date()})"


def check_periods(df: pd.DataFrame, period: _periods.Period, comparison: _periods.Period | None = None,
                  *, function: str = "this function", whole_comparison: bool = True,
                  to_the_end: bool = True) -> None:
    """Raise :class:`PeriodOutsideDataError` unless the data cover ``period`` to its end
    (a whole year, quarter or month allows the last few days off, as reports do) and
    ``comparison`` from its start. A period the data do not reach would count as zeros, and
    a comparison before the data as a fall from nothing. ``whole_comparison=False`` only
    refuses a comparison period wholly before the data, and ``to_the_end=False`` only a
    period wholly outside them (what a report's parameters check more finely).

    >>> df = pd.DataFrame({"received_date": pd.to_datetime(["2014-01-02", "2023-12-30"])})
    >>> check_periods(df, _periods.year(2014), _periods.year(2013), function="five_declines")
    Traceback (most recent call last):
    ...
    petition_analysis.analysis._checks.PeriodOutsideDataError: five_declines compares 2014 with 2013 (2013-01-01 to 2013-12-31), but the data begin on 2014-01-02: the comparison would count 2013 as empty. Choose 2015 or later (the data cover 2014-01-02 to 2023-12-30), or add the register of 2013.
    """
    first, last = _span(df)
    cover = f"the data cover {first.date()} to {last.date()}"
    if period.start > last or period.end < first:
        hint = ""
        if period.kind in ("year", "quarter", "month") and period.start > last:
            hint = f" The last {period.kind} they cover to its end is {_periods.last_covered(last, period.kind).label('en')}."
        raise PeriodOutsideDataError(
            f"{function}: {_label(period)} is outside the data ({cover}), so every count would be 0.{hint} "
            f"Choose a period inside the data, or add the register that covers it.")
    if to_the_end and not _periods.is_covered(last, period):
        raise PeriodOutsideDataError(
            f"{function}: the data end on {last.date()}, before the end of {_label(period)}: part of a period would "
            f"be compared with a whole one. Pass as_of=\"{last.date()}\" for the period to date, choose a period "
            f"that ends by {last.date()}, or add the rest of the register.")
    if to_the_end and period.start < first - pd.Timedelta(days=_periods.COVERAGE_TOLERANCE_DAYS):
        raise PeriodOutsideDataError(
            f"{function}: {_label(period)} starts before the data begin ({first.date()}): its count would miss the "
            f"days before them. Choose a period from {first.date()} on, or add the earlier register.")
    before = comparison is not None and (
        comparison.start < first - pd.Timedelta(days=_periods.COVERAGE_TOLERANCE_DAYS) if whole_comparison
        else comparison.end < first)
    if before:
        later = ""
        if period.kind in ("year", "ytd"):
            # the first year whose previous year the data cover from its start
            whole = first <= pd.Timestamp(first.year, 1, 1) + pd.Timedelta(days=_periods.COVERAGE_TOLERANCE_DAYS)
            later = f"Choose {first.year + 1 if whole else first.year + 2} or later ({cover}), or"
        else:
            later = f"Choose a period whose comparison starts on or after {first.date()} ({cover}), or"
        raise PeriodOutsideDataError(
            f"{function} compares {period.label('en')} with {_label(comparison)}, but the data begin on "
            f"{first.date()}: the comparison would count {comparison.label('en')} as empty. {later} add the "
            f"register of {comparison.label('en')}.")


def select_region(df: pd.DataFrame, region) -> pd.DataFrame:
    """Rows of one ``region`` (问题属地), or ``df`` itself when ``region`` is None; an
    :class:`UnknownRegionError` naming the closest region when the data have none of it."""
    if region is None:
        return df
    if "region" not in df.columns:
        raise UnknownColumnError(f"region={region!r}: the data have no 'region' column to select from.")
    col = df["region"].astype("str")
    if not (col == str(region)).any():
        known = sorted(col.dropna().unique())
        close = difflib.get_close_matches(str(region), known, n=1, cutoff=0.3)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownRegionError(f"region={region!r} is not in the data.{hint} The data have: {', '.join(known)}. "
                                 "Pass None for the whole city.")
    return df.loc[(col == str(region)).to_numpy()]


def labels_in(column: pd.Series, labels) -> pd.Series:
    """``column.astype("str").isin(labels)``, read from a categorical column's codes (one
    test per category instead of a string per row; a missing label is in no list).

    >>> labels_in(pd.Series(["visit", "letter", None], dtype="category"), ["visit"]).tolist()
    [True, False, False]
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        wanted = set(map(str, labels))
        hit = np.asarray([str(c) in wanted for c in column.cat.categories], dtype=bool)
        codes = column.cat.codes.to_numpy()
        return pd.Series(np.where(codes >= 0, hit[codes], False), index=column.index)
    return column.astype("str").isin(labels)
