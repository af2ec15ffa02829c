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

# figure name → (zh label, en label, row filter, what to count)
HEADLINE_FIGURES: dict[str, tuple[str, str, str | None, str]] = {
    "items": ("信访总量（件次）", "all items", None, "items"),
    "person_times": ("信访总量（人次）", "all person-times", None, "persons"),
    "letters_items": ("来信（件）", "letters", "channel == 'letter'", "items"),
    "visits_items": ("来访（批次）", "visits (batches)", "channel == 'visit'", "items"),
    "visits_person_times": ("来访（人次）", "visits (person-times)", "channel == 'visit'", "persons"),
    "online_items": ("网上信访（件）", "online items", "channel == 'online'", "items"),
    "phone_items": ("来电（件）", "phone items", "channel == 'phone'", "items"),
    "visits_national_items": ("进京访（批次）", "national-level visits (batches)", "channel == 'visit' and level == 'national'", "items"),
    "visits_national_person_times": ("进京访（人次）", "national-level visits (person-times)", "channel == 'visit' and level == 'national'", "persons"),
    "leapfrog_city_items": ("越级到市访（批次）", "leapfrog visits at city level (batches)", "channel == 'visit' and level == 'city' and is_leapfrog", "items"),
    "leapfrog_city_person_times": ("越级到市访（人次）", "leapfrog visits at city level (person-times)", "channel == 'visit' and level == 'city' and is_leapfrog", "persons"),
    "collective_visits_items": ("集体访（批次）", "collective visits (batches)", "is_collective", "items"),
    "repeat_items": ("重复信访（件次）", "repeat items", "is_repeat", "items"),
}


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
    from . import periods

    return periods.last_covered(df, "year").start.year


def _window(year: int, as_of: dt.date | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year, 1, 1)
    end = pd.Timestamp(year, 12, 31) if as_of is None else pd.Timestamp(year, as_of.month, as_of.day)
    return start, end


def headline_table(df: pd.DataFrame, year: int | None = None, as_of: str | dt.date | None = None) -> pd.DataFrame:
    """Headline figures for ``year`` and the same period of the previous year.

    ``as_of`` (a date in ``year``) limits both years to 1 January … that month-day, as the
    seed's "as of 20 December" does. Columns: label_zh, label_en, current, previous,
    change, change_pct (NaN when the previous count is 0), and the uncertainty from
    :func:`petition_analysis.compare.compare`: rate_ratio, ci_low/ci_high and p_value of the
    overdispersion-aware test, dispersion, p_adjusted (Benjamini–Hochberg across the
    figures) and assessment (decline / increase / none).
    """
    if year is None:
        year = latest_complete_year(df)
    as_of_date = pd.Timestamp(as_of).date() if as_of is not None else None
    if as_of_date is not None and as_of_date.year != year:
        raise ValueError(f"as_of ({as_of_date}) must be a date in {year}.")
    from . import compare, periods, stats

    period = periods.ytd(pd.Timestamp(as_of_date)) if as_of_date is not None else periods.year(year)
    rows = []
    for name, (zh, en, query, what) in HEADLINE_FIGURES.items():
        mask = df.eval(query) if query else None
        measure = "items" if what == "items" else "person_times"
        # The comparison module adds the uncertainty: exact and overdispersion-aware tests.
        c = compare.compare(df, period, "yoy", where=mask, measures=(measure,)).iloc[0]
        rows.append({"figure": name, "label_zh": zh, "label_en": en, "current": int(c["current"]),
                     "previous": int(c["previous"]), "change": int(c["change"]), "change_pct": c["pct_change"],
                     "rate_ratio": c["rate_ratio"], "ci_low": c["od_ci_low"], "ci_high": c["od_ci_high"],
                     "p_value": c["od_p_value"], "dispersion": c["dispersion"]})
    out = pd.DataFrame(rows).set_index("figure")
    # Many figures tested at once: Benjamini–Hochberg across the table.
    out["p_adjusted"] = stats.fdr_bh(out["p_value"].to_numpy())
    sig = out["p_adjusted"] < 0.05
    out["assessment"] = ["decline" if s and c < p else "increase" if s and c > p else "none"
                         for s, c, p in zip(sig, out["current"], out["previous"])]
    out.attrs.update(period=period, comparison=period.yoy())
    return out


def format_headline(table: pd.DataFrame, year: int, as_of: dt.date | None = None, lang: str = "zh") -> str:
    """A plain-text rendering of :func:`headline_table` for the terminal."""
    label = "label_zh" if lang == "zh" else "label_en"
    period = f"{year}" + (f" (1 Jan – {as_of:%d %b})" if as_of else "")
    head = f"Headline, {period} vs the same period of {year - 1}"
    cols = [label, "current", "previous", "change", "change_pct"]
    has_test = "assessment" in table
    out = table[cols + (["ci_low", "ci_high", "assessment"] if has_test else [])].copy()
    out["change_pct"] = out["change_pct"].map(lambda v: "" if pd.isna(v) else f"{v:+.2f} %")
    names = ["figure", str(year), str(year - 1), "change", "change %"]
    if has_test:
        from .compare import assessment_label

        out["rr 95% CI"] = [f"{(lo - 1) * 100:+.1f}…{(hi - 1) * 100:+.1f} %" if pd.notna(lo) and hi != float("inf") else ""
                            for lo, hi in zip(out.pop("ci_low"), out.pop("ci_high"))]
        out["test"] = out.pop("assessment").map(lambda a: assessment_label(a, lang))
        names += ["95% CI (change)" if lang == "en" else "95%置信区间", "test" if lang == "en" else "检验"]
    out.columns = names
    return head + "\n" + out.to_string(index=False)
