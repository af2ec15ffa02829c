"""The three rates (三率) and participation: timely acceptance (及时受理率), on-time
conclusion (按期办结率), satisfaction (满意率) and participation (参评率).

Definitions (``DESIGN.md`` §1), for the items *received* in a period:

* timely acceptance = items accepted within ``accept_days`` (15) of receipt ÷ items;
* on-time conclusion = items concluded within ``conclude_days`` (60) of acceptance, or
  ``conclude_days + extension_days`` (90) when extended ÷ items *due* (accepted items that
  are concluded, or whose limit has passed by ``as_of``);
* satisfaction = (satisfied + basically satisfied) ÷ evaluated;
* participation = evaluated ÷ concluded.

The legal limits (条例 Art. 21/33, 2022 条例 Art. 22/34) are parameters. Every rate comes with
numerator, denominator and a Wilson interval.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({
...     "received_date": pd.to_datetime(["2019-01-01"] * 4),
...     "accepted_date": pd.to_datetime(["2019-01-03", "2019-01-30", "2019-01-02", None]),
...     "concluded_date": pd.to_datetime(["2019-02-10", "2019-05-30", None, None]),
...     "status": ["concluded", "concluded", "accepted", "not_accepted"],
...     "extended": [False, True, False, False],
...     "satisfaction": ["satisfied", "dissatisfied", "not_evaluated", "not_evaluated"],
... })
>>> t = three_rates(df, as_of="2019-12-31")
>>> t[["numerator", "denominator"]].to_dict("index")["timely_acceptance"]
{'numerator': 2, 'denominator': 4}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import periods as _periods
from . import stats

__all__ = ["three_rates", "RATE_LABELS", "ACCEPT_DAYS", "CONCLUDE_DAYS", "EXTENSION_DAYS"]

ACCEPT_DAYS = 15
CONCLUDE_DAYS = 60
EXTENSION_DAYS = 30

RATE_LABELS = {
    "timely_acceptance": {"zh": "及时受理率", "en": "timely acceptance"},
    "on_time_conclusion": {"zh": "按期办结率", "en": "on-time conclusion"},
    "satisfaction": {"zh": "满意率", "en": "satisfaction"},
    "participation": {"zh": "参评率", "en": "participation"},
}


def three_rates(df: pd.DataFrame, period=None, *, by=None, as_of=None, accept_days: int = ACCEPT_DAYS,
                conclude_days: int = CONCLUDE_DAYS, extension_days: int = EXTENSION_DAYS,
                alpha: float = 0.05) -> pd.DataFrame:
    """The three rates plus participation for items received in ``period`` (all rows when
    ``None``), optionally by columns ``by``.

    ``as_of`` is the date the register was extracted (default: the last received date);
    items whose conclusion limit has not yet passed and that are still open are not due.
    Returns one row per rate (and group): ``numerator``, ``denominator``, ``rate``,
    ``ci_low``, ``ci_high`` (Wilson), ``label_zh``, ``label_en``.
    """
    if period is not None:
        df = _periods.parse(period).select(df)
    as_of = pd.Timestamp(as_of) if as_of is not None else df["received_date"].max()
    received, accepted, concluded = df["received_date"], df["accepted_date"], df["concluded_date"]
    status = df["status"].astype("str")
    sat = df["satisfaction"].astype("str")

    accept_lag = (accepted - received).dt.days
    timely = (accept_lag <= accept_days).fillna(False)

    limit = np.where(df["extended"].to_numpy(), conclude_days + extension_days, conclude_days)
    limit = pd.Series(limit, index=df.index)
    took = (concluded - accepted).dt.days
    is_accepted = status.isin(["accepted", "concluded"]) & accepted.notna()
    deadline_passed = (accepted + pd.to_timedelta(limit, unit="D")) <= as_of
    due = is_accepted & ((status == "concluded") | deadline_passed.fillna(False))
    on_time = due & (status == "concluded") & (took <= limit).fillna(False)

    evaluated = (status == "concluded") & (sat != "not_evaluated")
    satisfied = evaluated & sat.isin(["satisfied", "basically_satisfied"])
    is_concluded = status == "concluded"

    parts = pd.DataFrame({
        "timely_acceptance_n": timely, "timely_acceptance_d": pd.Series(True, index=df.index),
        "on_time_conclusion_n": on_time, "on_time_conclusion_d": due,
        "satisfaction_n": satisfied, "satisfaction_d": evaluated,
        "participation_n": evaluated, "participation_d": is_concluded,
    }).astype("int64")
    keys = [by] if isinstance(by, str) else (list(by) if by is not None else [])
    sums = parts.groupby([df[k] for k in keys], observed=True).sum() if keys else parts.sum().to_frame("all").T
    rows = []
    for grp, row in sums.iterrows():
        for rate, labels in RATE_LABELS.items():
            n, d = int(row[f"{rate}_n"]), int(row[f"{rate}_d"])
            lo, hi = stats.wilson_interval(n, d, alpha)
            rec = dict(zip(keys, grp if isinstance(grp, tuple) else (grp,))) if keys else {}
            rec.update(rate_name=rate, numerator=n, denominator=d, rate=n / d if d else np.nan,
                       ci_low=float(lo), ci_high=float(hi), label_zh=labels["zh"], label_en=labels["en"])
            rows.append(rec)
    out = pd.DataFrame(rows)
    if not keys:
        out = out.set_index("rate_name")
    out.attrs.update(as_of=as_of, limits={"accept_days": accept_days, "conclude_days": conclude_days,
                                          "extension_days": extension_days})
    return out
