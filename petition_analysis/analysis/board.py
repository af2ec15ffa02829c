"""Message-board figures (留言板) of one report period, computed once in the figure registry
(:attr:`~petition_analysis.analysis.registry.FigureRegistry.board`) and only looked up by the
reports' board section, its JSON and its disclosure cells.

For a table with message-board columns (``category_source``, ``likes``, ``dislikes`` or
``replied_date``) :func:`board_figures` gives, for the messages received in the period:

- ``messages`` and ``predicted`` (rows whose category was predicted, or left ``other``
  without text);
- ``categories``: :func:`~petition_analysis.analysis.classified.category_counts` of those
  messages (counts, estimated true counts and shares with intervals that include
  classification uncertainty), when any category was predicted;
- ``hot``: the period's :func:`~petition_analysis.analysis.hot_issues.hot_issues` (all of
  them; a public report keeps those of at least k users);
- the response time when the board has reply dates: ``replied``, ``replied_within``
  (within :data:`REPLY_DAYS` days), the median days to reply with the interval of the median
  from order statistics, and the share replied within ``REPLY_DAYS`` days with its Wilson
  interval.

A register without board columns gets ``None``.

>>> import petition_analysis as pa
>>> from petition_analysis.synth.board import make_board
>>> b = make_board(200, seed=1)
>>> df = pa.clean(b.raw, b.mapping_yaml, pseudonym_key="k").data
>>> f = board_figures(df, pa.periods.year(int(df["received_date"].dt.year.min())))
>>> f.messages == len(df) and f.predicted == len(df) and f.replied <= f.messages
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BoardFigures", "board_figures", "is_board", "BOARD_COLUMNS", "REPLY_DAYS"]

#: Columns that make a table a message board.
BOARD_COLUMNS = ("category_source", "likes", "dislikes", "replied_date")
#: Replies within this many days count as timely.
REPLY_DAYS = 15


def is_board(df: pd.DataFrame) -> bool:
    """Whether ``df`` is a message board: predicted categories or board fields."""
    return any(c in df for c in BOARD_COLUMNS)


@dataclass
class BoardFigures:
    """The board figures of one period (see the module docstring)."""

    start: pd.Timestamp
    end: pd.Timestamp
    messages: int
    predicted: int
    categories: pd.DataFrame | None = None
    hot: object | None = None
    replied: int | None = None
    replied_within: int | None = None
    median_days: float | None = None
    median_interval: tuple[float, float] | None = None
    within_share: float | None = None
    within_interval: tuple[float, float] | None = None


def board_figures(df: pd.DataFrame, period, *, reply_days: int = REPLY_DAYS) -> BoardFigures | None:
    """The board figures of the messages of ``df`` received in ``period`` (a
    :class:`~petition_analysis.periods.Period`); ``None`` for a table without board columns."""
    from scipy import stats as st

    from .classified import category_counts, predicted_share
    from .hot_issues import hot_issues
    from .stats import wilson_interval

    if not is_board(df):
        return None
    d = df[(df["received_date"] >= period.start) & (df["received_date"] <= period.end)]
    n_pred, n = predicted_share(d)
    out = BoardFigures(period.start, period.end, n, n_pred)
    if n_pred:
        out.categories = category_counts(d)
    if "summary" in d or "subject" in d:
        out.hot = hot_issues(d, top=None)
    if "replied_date" in d:
        days = (d["replied_date"] - d["received_date"]).dt.days.dropna().to_numpy()
        out.replied = int(len(days))
        out.replied_within = int((days <= reply_days).sum())
        if len(days):
            s = np.sort(days)
            lo_i = int(st.binom.ppf(0.025, len(s), 0.5))
            hi_i = min(len(s) - 1, int(st.binom.ppf(0.975, len(s), 0.5)))
            out.median_days = float(np.median(s))
            out.median_interval = (float(s[max(lo_i - 1, 0)]), float(s[hi_i]))
            out.within_share = out.replied_within / out.replied
            lo, hi = wilson_interval(out.replied_within, out.replied)
            out.within_interval = (float(lo), float(hi))
    return out
