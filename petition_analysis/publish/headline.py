"""The headline year-on-year (同比) table: the project's main job until the report
notebooks take over. Counts come straight from the canonical table; the analysis
modules add uncertainty on top of the same definitions.

>>> import pandas as pd
>>> from petition_analysis.reference import load_reference
>>> t = headline_table(load_reference(), year=2019, as_of="2019-12-20")
>>> int(t.loc["items", "current"]), int(t.loc["items", "previous"])
(28792, 29368)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["HEADLINE_FIGURES", "latest_complete_year", "headline_table", "format_headline"]

#: The figures the ``headline`` command shows, by their registry id (the same ids as the
#: report JSON's ``figures``).
HEADLINE_FIGURES: tuple[str, ...] = (
    "items", "person_times", "letters_items", "visits_items", "visits_person_times", "online_items", "phone_items",
    "visits_national_items", "visits_national_person_times", "leapfrog_city_items", "leapfrog_city_person_times",
    "collective_visits_items", "repeat_visits_items",
)


def latest_complete_year(df: pd.DataFrame) -> int:
    """The latest year the data cover to its end: the last received date is on or after
    31 December less :data:`petition_analysis.periods.COVERAGE_TOLERANCE_DAYS` (a weekend or
    the New Year holiday may leave the last days without rows). A year that stops earlier
    is partial, and the year before it is the latest complete one.

    >>> def ending(day):
    ...     return pd.DataFrame({"received_date": pd.to_datetime(["2022-06-01", day])})
    >>> latest_complete_year(ending("2023-12-29")), latest_complete_year(ending("2023-12-20"))
    (2023, 2022)
    >>> latest_complete_year(ending("2023-06-30"))
    2022
    """
    from .. import periods

    return periods.last_covered(df, "year").start.year


def _window(year: int, as_of: dt.date | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year, 1, 1)
    end = pd.Timestamp(year, 12, 31) if as_of is None else pd.Timestamp(year, as_of.month, as_of.day)
    return start, end


def headline_registry(df: pd.DataFrame, year: int | None = None, as_of=None, region: str | None = None):
    """The figure registry of the annual report for ``year`` (or the year to ``as_of``):
    the ``headline`` command and the report read the same figures, p-values and verdicts."""
    from ..analysis.registry import build_registry

    if year is None:
        year = latest_complete_year(df)
    as_of_date = pd.Timestamp(as_of).date() if as_of is not None else None
    if as_of_date is not None and as_of_date.year != int(year):
        raise ValueError(f"as_of ({as_of_date}) must be a date in {year}.")
    return build_registry(df, year=int(year), as_of=as_of_date, region=region)


def headline_table(df: pd.DataFrame, year: int | None = None, as_of: str | dt.date | None = None,
                   region: str | None = None) -> pd.DataFrame:
    """Headline figures (:data:`HEADLINE_FIGURES`) for ``year`` and the same period of the
    previous year, read from the report's figure registry.

    ``as_of`` (a date in ``year``) limits both years to 1 January … that month-day, as a
    work summary "as of 20 December" does. Columns: ``label_zh``, ``label_en``, ``current``,
    ``previous``, ``change``, ``change_pct`` (NaN when the previous count is 0),
    ``rate_ratio``, ``ci_low``/``ci_high`` (the interval at ``ci_level``, adjusted with the
    figure's family so that it agrees with the verdict), ``p_value_raw``, ``p_value``
    (adjusted), ``family``, ``method`` and ``assessment`` (decline / increase / none /
    not_tested).
    """
    reg = headline_registry(df, year, as_of, region)
    t = reg.rows(HEADLINE_FIGURES).copy()
    t["assessment"] = t["verdict"]
    for col in ("current", "previous", "change"):
        t[col] = t[col].astype("int64")
    t.attrs.update(period=reg.period, comparison=reg.comparison, registry=reg)
    return t


def format_headline(table: pd.DataFrame, year: int, as_of: dt.date | None = None, lang: str = "zh") -> str:
    """A plain-text rendering of :func:`headline_table` for the terminal, with the labels,
    intervals and verdicts of the report."""
    from ..analysis.registry import VERDICTS

    label = "label_zh" if lang == "zh" else "label_en"
    reg = table.attrs.get("registry")
    period = reg.period.label(lang) if reg is not None else str(year)
    comp = reg.comparison.label(lang) if reg is not None else str(year - 1)
    head = f"{period} 与 {comp} 比较" if lang == "zh" else f"Headline, {period} vs {comp}"
    out = pd.DataFrame({
        "指标" if lang == "zh" else "figure": table[label],
        "本期" if lang == "zh" else "current": table["current"].map(lambda v: f"{v:,}"),
        "上年同期" if lang == "zh" else "previous": table["previous"].map(lambda v: f"{v:,}"),
        "增减率" if lang == "zh" else "change %": table["change_pct"].map(
            lambda v: "" if pd.isna(v) else ("0.00 %" if round(v, 2) == 0 else f"{v:+.2f} %")),
        "率比（置信区间）" if lang == "zh" else "rate ratio (CI)": [
            "" if pd.isna(r) or pd.isna(hi) or hi == float("inf") else f"{r:.2f} ({lo:.2f}–{hi:.2f}, {100 * lv:.1f}%)"
            for r, lo, hi, lv in zip(table["rate_ratio"], table["ci_low"], table["ci_high"], table["ci_level"])],
        "p值（校正）" if lang == "zh" else "p (adjusted)": table["p_value"].map(
            lambda v: "" if pd.isna(v) else ("<0.001" if v < 0.001 else f"{v:.3f}")),
        "判断" if lang == "zh" else "verdict": table["assessment"].map(lambda a: VERDICTS[a][lang]),
    })
    return head + "\n" + out.to_string(index=False)
