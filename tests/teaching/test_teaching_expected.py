"""The exercises' expected answers, worked out here by another route: pandas, scipy,
statsmodels and chinese_calendar on the reference register, not the package's registry,
rates, statistics or working-day code. (The other teaching checks compare an answer with the
same function that defines it; these pin what that function must return.)"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from petition_analysis.teaching import EXERCISES, lesson3_pvalues


def expected(ex: str):
    return EXERCISES[ex].expected()


@pytest.fixture(scope="module")
def df(reference_df):
    return reference_df.assign(channel=reference_df["channel"].astype("str"),
                               level=reference_df["level"].astype("str"),
                               status=reference_df["status"].astype("str"))


def _between(d: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return d[(d["received_date"] >= start) & (d["received_date"] <= end)]


def _national(d: pd.DataFrame) -> pd.DataFrame:
    return d[(d["channel"] == "visit") & (d["level"] == "national")]


def test_lesson1_counts_from_the_rows(df):
    now, before = _between(df, "2019-01-01", "2019-12-20"), _between(df, "2018-01-01", "2018-12-20")
    assert expected("1.1") == len(now)
    assert expected("1.2") == _national(now)["persons"].sum()
    assert expected("1.3") == pytest.approx(round(100 * (len(now) - len(before)) / len(before), 2))


def test_lesson2_exact_interval_and_dispersion_by_other_libraries(df):
    from scipy import stats
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    now = len(_national(_between(df, "2019-01-01", "2019-12-20")))
    before = len(_national(_between(df, "2018-01-01", "2018-12-20")))
    # The conditional test: given the total, the 2019 count is binomial; its exact (Clopper–
    # Pearson) interval for the share, turned into a ratio of the two periods' rates.
    ci = stats.binomtest(now, now + before).proportion_ci(confidence_level=0.95, method="exact")
    lo, hi = expected("2.1")
    assert lo == pytest.approx(ci.low / (1 - ci.low), abs=5e-4)
    assert hi == pytest.approx(ci.high / (1 - ci.high), abs=5e-4)
    # φ: a Poisson GLM with year and calendar-month effects and the days of each month as
    # exposure, Pearson χ² ÷ residual df (a model formula here, not the package's design matrix)
    m = _between(df, "2014-01-01", "2018-12-31").groupby(df["received_date"].dt.to_period("M")).size()
    frame = pd.DataFrame({"n": m.to_numpy(), "year": m.index.year.astype(str), "month": m.index.month.astype(str)})
    fit = smf.glm("n ~ C(year) + C(month)", frame, family=sm.families.Poisson(),
                  exposure=m.index.days_in_month.to_numpy(float)).fit()
    assert expected("2.2") == pytest.approx(fit.pearson_chi2 / fit.df_resid, abs=1e-4)


def test_lesson2_working_days_from_the_calendar_package():
    import chinese_calendar

    days = chinese_calendar.get_workdays(dt.date(2019, 1, 1), dt.date(2019, 12, 20))
    assert expected("2.3") == len(days)


def test_lesson3_bh_rejections_by_statsmodels():
    from statsmodels.stats.multitest import multipletests

    assert expected("3.2") == int(multipletests(lesson3_pvalues(), alpha=0.05, method="fdr_bh")[0].sum())


def test_lesson4_rates_counted_by_hand(df):
    from statsmodels.stats.proportion import proportion_confint

    as_of = pd.Timestamp("2023-12-31")
    q4 = _between(df, "2023-10-01", "2023-12-31")
    # timely acceptance: the 15-day window closed by the extraction date, accepted within it
    closed = q4["received_date"] + pd.Timedelta(days=15) <= as_of
    lag = (q4["accepted_date"] - q4["received_date"]).dt.days
    timely = closed & (q4["accepted_date"] <= as_of) & (lag <= 15)
    assert expected("4.2") == int((~closed).sum())
    assert expected("4.1") == pytest.approx(round(100 * timely.sum() / closed.sum(), 1))
    # on-time conclusion: accepted items whose longest (90-day) window has closed
    accepted = q4["status"].isin(["accepted", "concluded"]) & (q4["accepted_date"] <= as_of)
    due = accepted & (q4["accepted_date"] + pd.Timedelta(days=90) <= as_of)
    limit = np.where(q4["extended"].to_numpy(bool), 90, 60)
    took = (q4["concluded_date"] - q4["accepted_date"]).dt.days
    on_time = due & (q4["status"] == "concluded") & (q4["concluded_date"] <= as_of) & (took <= limit)
    lo, hi = proportion_confint(int(on_time.sum()), int(due.sum()), alpha=0.05, method="wilson")
    assert expected("4.3") == (pytest.approx(lo, abs=1e-9), pytest.approx(hi, abs=1e-9))
    # without censoring: every accepted item, the open ones as late
    done = (q4["status"] == "concluded") & (q4["concluded_date"] <= as_of) & (took <= limit)
    assert expected("4.4") == pytest.approx(round(100 * (accepted & done).sum() / accepted.sum(), 1))


def test_lesson5_concentration_by_numpy(df):
    y = df[(df["received_date"].dt.year == 2023) & df["petitioner_id"].notna()]
    per = np.sort(y.groupby(y["petitioner_id"].astype("str")).size().to_numpy())[::-1]
    top = math.ceil(len(per) * 0.01)
    assert expected("5.3") == pytest.approx(round(100 * per[:top].sum() / per.sum(), 1))
    # Gini as the mean absolute difference over twice the mean (not the package's sorted-cumsum
    # form), over the distinct values of items per petitioner (few), weighted by how many have each
    values, counts = np.unique(per, return_counts=True)
    pairs = np.abs(values[:, None] - values[None, :]) * counts[:, None] * counts[None, :]
    mean_diff = pairs.sum() / len(per) ** 2
    assert expected("5.4") == pytest.approx(round(mean_diff / (2 * per.mean()), 3))
