"""The three rates (三率) and participation: timely acceptance (及时受理率), on-time
conclusion (按期办结率), satisfaction (满意率) and participation (参评率).

Every rate is measured against the date the register was extracted, ``as_of`` (default:
the last received date in the data passed, before the period is selected: the extraction
date belongs to the register, not to the period). The register is read as it stood on
that day: an item received after ``as_of`` is not in it, and an acceptance or conclusion
dated after ``as_of`` had not happened yet (the item counts as still waiting). Re-running
with an earlier ``as_of`` therefore gives what was knowable on that day.

Definitions, for the items *received* in a period:

* timely acceptance (及时受理率) = items accepted (受理) within ``accept_days`` (15) of
  receipt ÷ items whose 15-day window has closed by ``as_of``. An item received less than
  15 days before ``as_of`` (received_date + 15 > as_of) leaves the numerator and the
  denominator, whatever has happened to it: keeping the ones already accepted while
  dropping the ones still waiting would bias the rate upward, and counting the waiting
  ones as late (as a plain count does) biases it downward in the last two weeks.
* on-time conclusion (按期办结率) = accepted items concluded (办结) within their limit,
  ``conclude_days`` (60) after acceptance or ``conclude_days + extension_days`` (90) when
  extended (延期) ÷ accepted items whose window has closed by ``as_of``. The window is
  the longest limit, accepted_date + 90, for every item (``conclusion_window="longest"``):
  by then every item is concluded in time or late, and an item inside it leaves both,
  whether it is still open or already concluded (otherwise the quick ones would stay while
  their slow peers are left out). The window does not depend on the extension either:
  extended items are late more often (12 % against 5.5 % in the reference data), so a
  window of 60 days for the others and 90 for them leaves the latest months with too few
  extended items (2023 Q4 about 1.6 points too high when the reference data is generated
  with the extension marked on open items too), and in a register that
  marks the extension only at conclusion, as the reference data does, open extended items
  look overdue (2023 Q4: 87.4 % against 93.2–93.4 % in Q1–Q3). The price is that a
  quarter is measured only some 90 days after acceptance: at the end of 2023, 2023 Q4 has
  8 items in the denominator and 6442 censored. ``conclusion_window="own"`` closes each
  item's window at its own limit (60, or 90 when extended), the plain reading of the rule:
  more items sooner, for a register that records an extension when it is granted and
  where that bias is small enough.
* satisfaction (满意率) = (satisfied 满意 + basically satisfied 基本满意) ÷ evaluated (参评)
  items, among items concluded by ``as_of``;
* participation (参评率) = evaluated ÷ items concluded by ``as_of``.

Satisfaction and participation need no window: the register has no evaluation date, and
in the reference data (``synth.generator._handling``) the evaluation is recorded with the
conclusion, so participation is flat up to the extraction date (about 81 % for items
concluded in each of the last weeks of 2023). Their ``censored`` count is 0. A register
whose evaluations lag behind conclusion would need the same rule with an evaluation
window; and where satisfaction depends on how long handling took, the latest months
(quick items only) lean the same way as a plain on-time count.

Every rate comes with ``numerator``, ``denominator``, ``censored`` (items of the period
that left the denominator because their window had not closed by ``as_of``; items still
waiting for acceptance are not counted for on-time conclusion, which they have not
entered) and a Wilson interval. A rate whose denominator is 0 has rate and interval NaN.
The legal limits (条例 Art. 21/33, 2022 条例 Art. 22/34) are parameters.

Examples
--------
Items 1–4 were received a year before extraction; item 5 only 11 days before, so its
15-day acceptance window and its conclusion window are still open: it is *censored* from
both rates (a plain count would call it "not accepted in time"). Item 3 is open past its
limit and counts as late; item 2 took 29 days to accept and 120 days to conclude, late on
both although extended.

>>> import pandas as pd
>>> df = pd.DataFrame({
...     "received_date": pd.to_datetime(["2019-01-01"] * 4 + ["2019-12-20"]),
...     "accepted_date": pd.to_datetime(["2019-01-03", "2019-01-30", "2019-01-02", None, "2019-12-22"]),
...     "concluded_date": pd.to_datetime(["2019-02-10", "2019-05-30", None, None, None]),
...     "status": ["concluded", "concluded", "accepted", "not_accepted", "accepted"],
...     "extended": [False, True, False, False, False],
...     "satisfaction": ["satisfied", "dissatisfied", "not_evaluated", "not_evaluated", "not_evaluated"],
... })
>>> t = three_rates(df, as_of="2019-12-31")
>>> t[["rate_name", "numerator", "denominator", "censored"]].head(2)
            rate_name  numerator  denominator  censored
0   timely_acceptance          2            4         1
1  on_time_conclusion          1            3         1

As of 15 April the windows of items 1 and 3 (90 days from acceptance: 3 and 2 April) had
closed, item 2's (30 April) had not, and item 2 was not concluded yet, so participation
counts item 1 alone:

>>> t = three_rates(df, as_of="2019-04-15").set_index("rate_name")
>>> t.loc[["on_time_conclusion", "participation"], ["numerator", "denominator", "censored"]].to_numpy().tolist()
[[1, 2, 1], [1, 1, 0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods as _periods
from . import stats
from ._checks import check_columns, select_region

__all__ = ["three_rates", "rate_rows", "RATE_LABELS", "ACCEPT_DAYS", "CONCLUDE_DAYS", "EXTENSION_DAYS", "CONCLUSION_WINDOWS"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

ACCEPT_DAYS = 15
CONCLUDE_DAYS = 60
EXTENSION_DAYS = 30
#: How the on-time conclusion window closes: at the longest limit for every item, or at each item's own.
CONCLUSION_WINDOWS = ("longest", "own")

RATE_LABELS = {
    "timely_acceptance": {"zh": "及时受理率", "en": "timely acceptance"},
    "on_time_conclusion": {"zh": "按期办结率", "en": "on-time conclusion"},
    "satisfaction": {"zh": "满意率", "en": "satisfaction"},
    "participation": {"zh": "参评率", "en": "participation"},
}


_RATE_COLUMNS = ("received_date", "accepted_date", "concluded_date", "status", "satisfaction", "extended")


def rate_rows(df: pd.DataFrame, period=None, *, as_of=None, accept_days: int = ACCEPT_DAYS,
              conclude_days: int = CONCLUDE_DAYS, extension_days: int = EXTENSION_DAYS,
              conclusion_window: str = "longest") -> pd.DataFrame:
    """Which rows count in each rate's numerator (``<rate>_n``), denominator (``_d``) and
    censored count (``_c``): one row per item of ``period`` in the register on ``as_of``,
    indexed like ``df``, 0/1 columns. :func:`three_rates` sums them; disclosure control
    uses them to know which rows each published count covers (see :func:`three_rates`
    for the arguments).
    """
    if conclusion_window not in CONCLUSION_WINDOWS:
        raise ValueError(f"conclusion_window must be one of {CONCLUSION_WINDOWS}, not {conclusion_window!r}.")
    # The extraction date is a property of the register: take it before selecting the period.
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(df["received_date"].max())
    as_of = as_of.normalize() if not pd.isna(as_of) else as_of
    # The columns the rates read: selecting the period does not copy the free text.
    df = df[[c for c in df.columns if c in _RATE_COLUMNS]]
    if period is not None:
        df = _periods.parse(period).select(df)
    received = df["received_date"].dt.normalize()
    df = df.loc[(received <= as_of).to_numpy()]  # not yet in the register on as_of
    received = received.loc[df.index]
    accepted, concluded = df["accepted_date"], df["concluded_date"]
    status = df["status"].astype("str")
    sat = df["satisfaction"].astype("str")
    day = pd.Timedelta(days=1)

    # The register as it stood on as_of: later acceptances and conclusions had not happened.
    accepted_by = (accepted.dt.normalize() <= as_of).to_numpy()
    is_accepted = status.isin(["accepted", "concluded"]).to_numpy() & accepted_by
    # A concluded item without a date (outside the schema) keeps its status.
    concluded_by = ((concluded.dt.normalize() <= as_of) | concluded.isna()).to_numpy()
    is_concluded = (status == "concluded").to_numpy() & concluded_by

    accept_closed = (received + accept_days * day <= as_of).to_numpy()
    accept_lag = (accepted - received).dt.days
    timely = accept_closed & accepted_by & (accept_lag <= accept_days).to_numpy()

    limit = np.where(df["extended"].to_numpy(dtype=bool), conclude_days + extension_days, conclude_days)
    window = limit if conclusion_window == "own" else np.full(len(df), conclude_days + extension_days)
    conclude_closed = ((accepted.dt.normalize() + pd.to_timedelta(window, unit="D")) <= as_of).to_numpy()
    due = is_accepted & conclude_closed
    took = (concluded - accepted).dt.days.to_numpy()
    with np.errstate(invalid="ignore"):
        on_time = due & is_concluded & (took <= limit)

    evaluated = is_concluded & (sat != "not_evaluated").to_numpy()
    satisfied = evaluated & sat.isin(["satisfied", "basically_satisfied"]).to_numpy()
    zero = np.zeros(len(df), dtype=bool)

    cols = {
        "timely_acceptance": (timely, accept_closed, ~accept_closed),
        "on_time_conclusion": (on_time, due, is_accepted & ~conclude_closed),
        "satisfaction": (satisfied, evaluated, zero),
        "participation": (evaluated, is_concluded, zero),
    }
    names = list(RATE_LABELS)
    parts = pd.DataFrame({f"{r}_{k}": v for r, vs in cols.items() for k, v in zip("ndc", vs)},
                         index=df.index).astype("int64")
    parts.attrs["as_of"] = as_of
    return parts


def three_rates(df: pd.DataFrame, period=None, *, by=None, region=None, as_of=None, accept_days: int = ACCEPT_DAYS,
                conclude_days: int = CONCLUDE_DAYS, extension_days: int = EXTENSION_DAYS,
                conclusion_window: str = "longest", alpha: float = 0.05) -> pd.DataFrame:
    """The three rates plus participation for items received in ``period`` (all rows when
    ``None``), optionally by columns ``by``, as the register stood on ``as_of``.

    ``as_of`` is the date the register was extracted (default: the last received date of
    ``df`` before the period is selected; pass it when ``df`` is a subset of a register,
    since a subset's last received date may be earlier than the extraction). Items
    received after ``as_of`` are left out, acceptances and conclusions dated after it
    count as not yet happened, and items whose window has not closed by ``as_of`` leave
    the rate (see the module docstring). ``conclusion_window`` is ``"longest"`` (the
    window of on-time conclusion closes ``conclude_days + extension_days`` after acceptance
    for every item) or ``"own"`` (at each item's own limit).

    Returns a long table with a plain index (0, 1, …), one row per rate (and group of
    ``by``), the rates in the order of :data:`RATE_LABELS`, with the columns:

    | column | meaning |
    |---|---|
    | *by* columns | the group, one column per ``by`` column (none without ``by``) |
    | rate_name | ``timely_acceptance``, ``on_time_conclusion``, ``satisfaction``, ``participation`` |
    | numerator | items counted in the rate's numerator |
    | denominator | items whose window closed by ``as_of`` (see the module docstring) |
    | censored | items of the period left out because their window was still open |
    | rate | numerator ÷ denominator, a proportion (NaN when the denominator is 0) |
    | ci_low, ci_high | the Wilson interval at level ``1 - alpha`` |
    | label_zh, label_en | the rate's name in Chinese and English |

    ``attrs`` hold ``as_of``, the ``limits`` and the ``conclusion_window``.
    ``t.set_index("rate_name").loc["satisfaction", "rate"]`` picks one figure.

    ``region`` (问题属地) gives the rates of one county or district, with the register's
    extraction date (``as_of`` defaults to the last received date of the whole ``df``). An
    unknown ``by`` column or region raises a one-paragraph error; a period without items has
    NaN rates (never 0 %), and a period that has not ended is handled by the censoring above.
    """
    check_columns(df, by)
    if region is not None:
        if as_of is None and len(df):
            as_of = pd.Timestamp(df["received_date"].max())  # the register's, not the county's last day
        df = select_region(df, region)
    parts = rate_rows(df, period, as_of=as_of, accept_days=accept_days, conclude_days=conclude_days,
                      extension_days=extension_days, conclusion_window=conclusion_window)
    as_of = parts.attrs["as_of"]
    names = list(RATE_LABELS)
    keys = [by] if isinstance(by, str) else (list(by) if by is not None else [])
    df = df.loc[parts.index, keys]  # the groups' columns only
    if keys:
        sums = parts.groupby([df[k] for k in keys], observed=True).sum()
    else:
        sums = parts.sum().to_frame().T

    def wide(kind: str) -> np.ndarray:  # groups × rates, flattened group-major
        return sums[[f"{r}_{kind}" for r in names]].to_numpy(dtype="int64").ravel()

    n, d, c = wide("n"), wide("d"), wide("c")
    lo, hi = stats.wilson_interval(n, d, alpha)
    rate = np.divide(n, d, out=np.full(len(n), np.nan), where=d > 0)
    out = sums.index.repeat(len(names)).to_frame(index=False) if keys else pd.DataFrame(index=range(len(n)))
    out = out.assign(
        rate_name=np.tile(names, len(sums)), numerator=n, denominator=d, censored=c, rate=rate,
        ci_low=np.asarray(lo, dtype=float), ci_high=np.asarray(hi, dtype=float),
        label_zh=np.tile([RATE_LABELS[r]["zh"] for r in names], len(sums)),
        label_en=np.tile([RATE_LABELS[r]["en"] for r in names], len(sums)),
    )
    out.attrs.update(as_of=as_of, limits={"accept_days": accept_days, "conclude_days": conclude_days,
                                          "extension_days": extension_days},
                     conclusion_window=conclusion_window)
    return out
