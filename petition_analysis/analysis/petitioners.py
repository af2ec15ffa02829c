"""Petitioners: accumulated cases (积案) and how concentrated repeat petitioning is.

An *accumulated case* follows a city's local rule (from its 2019 work summary, 工作总结): a petitioner who went to the province
or to Beijing more than 3 times within 2 years. Levels, count and window are parameters.
Concentration is the share of items from the most active 1 % and 10 % of petitioners and the
Gini coefficient of items per petitioner.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({
...     "petitioner_id": ["a"] * 4 + ["b"] * 4,
...     "received_date": pd.to_datetime(["2018-01-01", "2018-06-01", "2019-01-01", "2019-12-01",
...                                      "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"]),
...     "level": ["province", "national", "province", "province"] * 2,
...     "channel": ["visit"] * 8,
... })
>>> accumulated_cases(df)["petitioner_id"].tolist()
['a']
>>> round(gini([1, 1, 1, 1]), 3), round(gini([0, 0, 0, 10]), 3)
(0.0, 0.75)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import periods as _periods
from ._checks import check_periods, labels_in, select_region

__all__ = ["accumulated_cases", "repeat_concentration", "gini",
           "ACCUMULATED_LEVELS", "ACCUMULATED_MORE_THAN", "ACCUMULATED_WINDOW_DAYS"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

#: The local rule: to the province or to Beijing (赴省进京) …
ACCUMULATED_LEVELS = ("province", "national")
#: … more than 3 times …
ACCUMULATED_MORE_THAN = 3
#: … within 2 years.
ACCUMULATED_WINDOW_DAYS = 730


def accumulated_cases(df: pd.DataFrame, *, region=None, levels=ACCUMULATED_LEVELS, more_than: int = ACCUMULATED_MORE_THAN,
                      window_days: int = ACCUMULATED_WINDOW_DAYS, visits_only: bool = True) -> pd.DataFrame:
    """Petitioners with more than ``more_than`` items at ``levels`` inside some window of
    ``window_days`` days (first and last visit less than ``window_days`` apart).

    Vectorized: after sorting by petitioner and date, row *i* closes a qualifying run when the
    row ``more_than`` places earlier belongs to the same petitioner and is inside the window.
    Returns one row per petitioner: ``petitioner_id``, ``visits`` (at those levels, all time),
    ``first``, ``last``, ``max_in_window`` (most visits in one window), ``window_end`` (the
    first date the rule was met). ``region``: only the visits about one county or district.
    """
    if more_than < 1 or window_days < 1:
        raise ValueError("more_than and window_days must be positive.")
    df = select_region(df, region)
    # On the categories, not a string per row (the same answer: a missing label is neither)
    mask = labels_in(df["level"], levels) & df["petitioner_id"].notna()
    if visits_only and "channel" in df:
        mask &= labels_in(df["channel"], ["visit"])
    v = pd.DataFrame({"pid": df.loc[mask, "petitioner_id"].astype("str"), "date": df.loc[mask, "received_date"]})
    v = v.sort_values(["pid", "date"], kind="stable").reset_index(drop=True)
    cols = ["petitioner_id", "visits", "first", "last", "max_in_window", "window_end"]
    if v.empty:
        return pd.DataFrame(columns=cols)
    pid = pd.factorize(v["pid"])[0]
    date = v["date"].to_numpy()
    window = np.timedelta64(window_days, "D")
    # Visits inside the window ending at each row: row i counts k + 1 when the row k places
    # earlier is the same petitioner's and inside the window. Sorted by date, a row that fails
    # at k fails at every larger k, so only the rows still qualifying are tested again: the
    # work is the number of pairs inside a window, and a run of any length is counted whole.
    best = np.ones(len(v), dtype=np.int64)
    rows = np.arange(1, len(v))
    k = 1
    while rows.size:
        earlier = rows - k
        rows = rows[(pid[rows] == pid[earlier]) & ((date[rows] - date[earlier]) < window)]
        best[rows] = k + 1
        k += 1
        rows = rows[rows >= k]
    v["in_window"] = best
    hit = v["in_window"] > more_than
    per = v.groupby("pid").agg(visits=("date", "size"), first=("date", "min"), last=("date", "max"),
                               max_in_window=("in_window", "max"))
    first_hit = v.loc[hit].groupby("pid")["date"].min().rename("window_end")
    out = per.join(first_hit, how="inner").reset_index().rename(columns={"pid": "petitioner_id"})
    out.attrs["rule"] = {"levels": list(levels), "more_than": more_than, "window_days": window_days}
    return out[cols].sort_values("window_end", kind="stable").reset_index(drop=True)


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = one holds everything)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def repeat_concentration(df: pd.DataFrame, period=None, shares=(0.01, 0.10), *, region=None) -> pd.DataFrame:
    """How concentrated items are among identified petitioners (重复信访集中度).

    Items without a petitioner (anonymous letters, calls) are left out. ``region``: one
    county or district. Returns a table with a plain index and one row, with the columns:

    | column | meaning |
    |---|---|
    | petitioners | identified petitioners with an item in the period |
    | items | their items |
    | top_1pct_share | share of ``items`` from the most active ⌈1 %⌉ of petitioners (a proportion; one column per entry of ``shares``, ``top_10pct_share`` …) |
    | top_10pct_share | the same for the most active ⌈10 %⌉ |
    | gini | Gini coefficient of items per petitioner (0 = all equal) |
    | repeat_item_share | share of ``items`` flagged repeat (``is_repeat``) |

    Shares and the Gini coefficient are NaN when no item has a petitioner.

    >>> df = pd.DataFrame({"petitioner_id": ["a", "a", "a", "b", None],
    ...                    "received_date": pd.to_datetime(["2019-01-02"] * 5),
    ...                    "is_repeat": [False, True, True, False, False]})
    >>> repeat_concentration(df).round(3)
       petitioners  items  top_1pct_share  top_10pct_share  gini  repeat_item_share
    0            2      4            0.75             0.75  0.25                0.5
    """
    if period is not None:
        if len(df):
            check_periods(df, _periods.parse(period), function="repeat_concentration")
        df = _periods.parse(period).select(df)
    df = select_region(df, region)
    ident = df.loc[df["petitioner_id"].notna()]
    per = ident.groupby(ident["petitioner_id"].astype("str")).size().sort_values(ascending=False).to_numpy()
    out = {"petitioners": len(per), "items": int(per.sum())}
    for s in shares:
        k = max(1, math.ceil(len(per) * s)) if len(per) else 0
        out[f"top_{round(s * 100):d}pct_share"] = float(per[:k].sum() / per.sum()) if len(per) else np.nan
    out["gini"] = gini(per)
    out["repeat_item_share"] = float(ident["is_repeat"].mean()) if "is_repeat" in ident and len(ident) else np.nan
    return pd.DataFrame([out])
