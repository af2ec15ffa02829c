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
    """The latest year the data covers to its last week (received dates up to 24 December
    or later); a year that stops earlier is partial.

    >>> latest_complete_year(pd.DataFrame({"received_date": pd.to_datetime(["2022-12-30", "2023-06-01"])}))
    2022
    """
    last = pd.Timestamp(df["received_date"].max())
    return last.year if (last.month, last.day) >= (12, 24) else last.year - 1


def _window(year: int, as_of: dt.date | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year, 1, 1)
    end = pd.Timestamp(year, 12, 31) if as_of is None else pd.Timestamp(year, as_of.month, as_of.day)
    return start, end


def headline_table(df: pd.DataFrame, year: int | None = None, as_of: str | dt.date | None = None) -> pd.DataFrame:
    """Headline figures for ``year`` and the same period of the previous year.

    ``as_of`` (a date in ``year``) limits both years to 1 January … that month-day, as the
    seed's "as of 20 December" does. Columns: label_zh, label_en, current, previous,
    change, change_pct (NaN when the previous count is 0).
    """
    if year is None:
        year = latest_complete_year(df)
    as_of_date = pd.Timestamp(as_of).date() if as_of is not None else None
    if as_of_date is not None and as_of_date.year != year:
        raise ValueError(f"as_of ({as_of_date}) must be a date in {year}.")
    rows = []
    dates = df["received_date"]
    for name, (zh, en, query, what) in HEADLINE_FIGURES.items():
        sel = df.query(query) if query else df
        values = {}
        for key, y in (("current", year), ("previous", year - 1)):
            lo, hi = _window(y, as_of_date)
            in_period = (sel["received_date"] >= lo) & (sel["received_date"] <= hi)
            values[key] = int(in_period.sum()) if what == "items" else int(sel.loc[in_period, "persons"].sum())
        change = values["current"] - values["previous"]
        pct = 100.0 * change / values["previous"] if values["previous"] else float("nan")
        rows.append({"figure": name, "label_zh": zh, "label_en": en, **values, "change": change, "change_pct": pct})
    del dates
    return pd.DataFrame(rows).set_index("figure")


def format_headline(table: pd.DataFrame, year: int, as_of: dt.date | None = None, lang: str = "zh") -> str:
    """A plain-text rendering of :func:`headline_table` for the terminal."""
    label = "label_zh" if lang == "zh" else "label_en"
    period = f"{year}" + (f" (1 Jan – {as_of:%d %b})" if as_of else "")
    head = f"Headline, {period} vs the same period of {year - 1}"
    out = table[[label, "current", "previous", "change", "change_pct"]].copy()
    out["change_pct"] = out["change_pct"].map(lambda v: "" if pd.isna(v) else f"{v:+.2f} %")
    out.columns = ["figure", str(year), str(year - 1), "change", "change %"]
    return head + "\n" + out.to_string(index=False)
