"""The three rates: boundaries of the legal limits, parameters, Wilson intervals."""

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from petition_analysis import rates


def _frame():
    d = pd.to_datetime
    return pd.DataFrame({
        "received_date": d(["2019-01-01"] * 5 + ["2019-11-18"]),
        # lags: 15 days (timely), 16 days (late), 0, -, 2, 3
        "accepted_date": d(["2019-01-16", "2019-01-17", "2019-01-01", None, "2019-01-03", "2019-11-20"]),
        # durations: 60 (on time), 90 extended (on time), 61 not extended (late), -, open, open
        "concluded_date": d(["2019-03-17", "2019-04-17", "2019-03-03", None, None, None]),
        "status": ["concluded", "concluded", "concluded", "not_accepted", "accepted", "accepted"],
        "extended": [False, True, False, False, False, False],
        "satisfaction": ["satisfied", "basically_satisfied", "not_evaluated", "not_evaluated",
                         "not_evaluated", "not_evaluated"],
    })


def test_definitions_and_limits():
    t = rates.three_rates(_frame(), as_of="2019-12-31")
    assert (t.loc["timely_acceptance", "numerator"], t.loc["timely_acceptance", "denominator"]) == (4, 6)
    # Due: the three concluded + the open item accepted 01-03 (limit passed); 11-20 is not due yet.
    assert (t.loc["on_time_conclusion", "numerator"], t.loc["on_time_conclusion", "denominator"]) == (2, 4)
    assert (t.loc["satisfaction", "numerator"], t.loc["satisfaction", "denominator"]) == (2, 2)
    assert (t.loc["participation", "numerator"], t.loc["participation", "denominator"]) == (2, 3)
    lo, hi = proportion_confint(2, 4, method="wilson")
    assert (t.loc["on_time_conclusion", "ci_low"], t.loc["on_time_conclusion", "ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert t.loc["satisfaction", "label_zh"] == "满意率"


def test_limits_are_parameters():
    t = rates.three_rates(_frame(), as_of="2019-12-31", accept_days=16, conclude_days=61, extension_days=0)
    assert t.loc["timely_acceptance", "numerator"] == 5
    # 61 days now on time; the extended 90-day item is late without the extension.
    assert t.loc["on_time_conclusion", "numerator"] == 2
    assert t.attrs["limits"] == {"accept_days": 16, "conclude_days": 61, "extension_days": 0}


def test_reference_rates_by_region(reference_df):
    t = rates.three_rates(reference_df, "2019", by="region")
    assert set(t["region"].astype(str)) == set(reference_df["region"].astype(str).unique())
    whole = rates.three_rates(reference_df, "2019")
    sub = t[t.rate_name == "satisfaction"]
    assert sub["numerator"].sum() == whole.loc["satisfaction", "numerator"]
    assert ((t["ci_low"] <= t["rate"]) & (t["rate"] <= t["ci_high"])).all()
    assert 0.5 < whole.loc["timely_acceptance", "rate"] < 1
