"""Derived flags computed from other columns: collective visits (集体访) and repeat
items (重复访 / 重件). The synthetic generator and the cleaner both use these, so a flag
means the same thing wherever it was made.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({
...     "channel": ["visit", "visit", "letter"],
...     "persons": [7, 2, 9],
... })
>>> flag_collective(df, threshold=5).tolist()
[True, False, False]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import taxonomy

__all__ = ["flag_collective", "flag_repeats", "DEFAULT_COLLECTIVE_THRESHOLD", "DEFAULT_REPEAT_WINDOW_DAYS"]

#: 集体访: a visit by at least this many persons. The regulations cap representatives at
#: 5 but set no threshold, so it is a parameter.
DEFAULT_COLLECTIVE_THRESHOLD = 5
#: 重复访: an earlier item from the same petitioner on the same category within this many days.
DEFAULT_REPEAT_WINDOW_DAYS = 365


def flag_collective(df: pd.DataFrame, threshold: int = DEFAULT_COLLECTIVE_THRESHOLD) -> pd.Series:
    """``True`` for a visit (来访) with ``persons >= threshold``."""
    if threshold < 2:
        raise ValueError(f"collective_threshold must be at least 2, not {threshold}.")
    return ((df["channel"].astype("str") == "visit") & (df["persons"] >= threshold)).rename("is_collective")


def flag_repeats(
    df: pd.DataFrame,
    window_days: int = DEFAULT_REPEAT_WINDOW_DAYS,
    source_flag: pd.Series | None = None,
) -> pd.Series:
    """``True`` when an earlier item from the same ``petitioner_id`` on the same category
    exists within ``window_days`` before ``received_date``, or when ``source_flag`` (the
    register's own 重件 mark) says so.

    Categories are compared after the 2018 crosswalk, so 国土资源 in 2018 and 自然资源
    in 2019 count as the same category. Items on the same day are ordered by ``case_id``.
    Items without a petitioner are never repeats by this rule.

    >>> df = pd.DataFrame({
    ...     "case_id": ["a", "b", "c", "d"],
    ...     "petitioner_id": ["p1", "p1", "p1", None],
    ...     "category": ["land_resources", "natural_resources", "natural_resources", "other"],
    ...     "received_date": pd.to_datetime(["2018-06-01", "2019-03-01", "2021-01-01", "2019-01-01"]),
    ... })
    >>> flag_repeats(df).tolist()
    [False, True, False, False]
    """
    if window_days < 1:
        raise ValueError(f"repeat_window_days must be at least 1, not {window_days}.")
    # Sort integer codes, not strings (a sort of 1M string rows costs ~250 MB and 1 s):
    # petitioner and category only need equality; case numbers keep their text order.
    pid = pd.factorize(df["petitioner_id"])[0]  # -1: no petitioner
    has_pid = np.flatnonzero(pid >= 0)
    cats = df["category"].astype("category")  # crosswalk the few categories, not every row
    harmonized = pd.factorize(taxonomy.crosswalk_series(pd.Series(cats.cat.categories.astype("str"))))[0]
    codes = cats.cat.codes.to_numpy()
    cat = np.where(codes >= 0, harmonized[np.maximum(codes, 0)] if len(harmonized) else -1, -1)[has_pid]
    date = df["received_date"].to_numpy()[has_pid]
    pid = pid[has_pid]
    order = np.lexsort((date, cat, pid))  # stable, last key first
    # Same petitioner, category and day: order those few rows by case_id (ranking every
    # case number would sort a million strings through Python objects).
    p, c, d = pid[order], cat[order], date[order]
    tie = np.zeros(len(order), dtype=bool)
    tie[1:] = (p[1:] == p[:-1]) & (c[1:] == c[:-1]) & (d[1:] == d[:-1])
    tie[:-1] |= tie[1:]
    if tie.any():
        rows = has_pid[order[tie]]
        case = np.zeros(len(order), dtype=np.int64)
        case[order[tie]] = pd.factorize(df["case_id"].astype("str").iloc[rows], sort=True)[0]
        order = np.lexsort((case, date, cat, pid))
    p, c, d = pid[order], cat[order], date[order]
    same_group = (p[1:] == p[:-1]) & (c[1:] == c[:-1]) & (c[1:] >= 0)  # -1: no category
    linked = np.zeros(len(order), dtype=bool)
    linked[1:] = same_group & (d[1:] - d[:-1] <= np.timedelta64(window_days, "D"))  # NaT compares False
    repeat = np.zeros(len(order), dtype=bool)
    repeat[order] = linked
    out = pd.Series(False, index=df.index, name="is_repeat")
    out.iloc[has_pid] = repeat
    if source_flag is not None:
        out = out | source_flag.fillna(False).astype(bool)
    return out.rename("is_repeat")
