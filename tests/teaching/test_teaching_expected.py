"""The exercises' expected answers, worked out here by another route: pandas, scipy,
statsmodels and chinese_calendar on the reference register (and pandas on lesson 8's raw
workbook), not the package's registry, rates, statistics, disclosure, cleaning or working-day
code. (The other teaching checks compare an answer with the
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


# -- lesson 6: the interrupted time series as a statsmodels formula, with the trend in months ---

def _its_by_formula(monthly: pd.Series, start: str):
    """Segmented quasi-Poisson regression written out here: the trend in months (not years) and
    months since the start, calendar-month dummies from a formula, days in the month as exposure,
    and the Pearson χ²/df scale applied to the standard errors by hand."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    idx = monthly.index
    t = np.arange(len(idx), dtype=float)
    post = (idx >= pd.Timestamp(start)).astype(float)
    t0 = float(np.argmax(post))
    frame = pd.DataFrame({"n": monthly.to_numpy(float), "t": t, "month": idx.month.astype(str),
                          "post": post, "post_t": post * (t - t0)})
    fit = smf.glm("n ~ t + C(month) + post + post_t", frame, family=sm.families.Poisson(),
                  offset=np.log(idx.days_in_month.to_numpy(float))).fit()
    scale = math.sqrt(fit.pearson_chi2 / fit.df_resid)
    b, se = fit.params["post"], fit.bse["post"] * scale
    counterfactual = fit.predict(frame.assign(post=0.0, post_t=0.0),
                                 offset=np.log(idx.days_in_month.to_numpy(float)))
    return b, se, pd.Series(np.asarray(counterfactual), index=idx)


@pytest.fixture(scope="module")
def national_monthly(df):
    # every month of 2014–2023, months without a visit to Beijing as 0
    d = _national(df)["received_date"]
    months = pd.period_range("2014-01", "2023-12", freq="M")
    s = d.dt.to_period("M").value_counts().reindex(months, fill_value=0)
    return pd.Series(s.to_numpy(), index=months.to_timestamp())


def test_lesson6_its_by_a_formula_glm(national_monthly):
    from scipy import stats

    b, se, cf = _its_by_formula(national_monthly, "2019-01-01")
    z = stats.norm.ppf(0.975)
    assert expected("6.1") == pytest.approx(round(math.exp(b), 3), abs=1e-9)
    lo, hi = expected("6.2")
    assert (lo, hi) == (pytest.approx(math.exp(b - z * se), rel=1e-6), pytest.approx(math.exp(b + z * se), rel=1e-6))
    assert hi < 1  # a real fall when the campaign began
    post = slice("2019-01-01", "2023-12-31")
    assert expected("6.3") == round(float((cf[post] - national_monthly[post]).sum()))
    # the placebo: 2014–2018 only, a start in January 2017 where nothing happened
    b, se, _ = _its_by_formula(national_monthly[:"2018-12-31"], "2017-01-01")
    assert expected("6.4") == bool(2 * stats.norm.sf(abs(b) / se) < 0.05)


# -- lesson 7: the attacks and the protection rule, an integer programme written here ---------

K7 = 5


@pytest.fixture(scope="module")
def q4_table(df):
    """2023 Q4 visits to the province and to Beijing by region, counted with pandas."""
    q = _between(df, "2023-10-01", "2023-12-31")
    q = q[(q["channel"] == "visit") & q["level"].isin(["province", "national"])]
    return pd.crosstab(q["region"].astype("str"), q["level"]).reindex(columns=["province", "national"], fill_value=0)


def _published(t: pd.DataFrame) -> dict:
    """Every number of the table with margins, keyed "region|level" as the lesson keys them, as
    the members (inner cells) it adds up and its true value."""
    out = {}
    for r in t.index:
        for c in t.columns:
            out[f"{r}|{c}"] = ([(r, c)], int(t.loc[r, c]))
        out[f"{r}|total"] = ([(r, c) for c in t.columns], int(t.loc[r].sum()))
    for c in t.columns:
        out[f"total|{c}"] = ([(r, c) for r in t.index], int(t[c].sum()))
    out["total|total"] = ([(r, c) for r in t.index for c in t.columns], int(t.to_numpy().sum()))
    return out


def _ranges(t: pd.DataFrame, status: dict) -> dict:
    """What an attacker can work out: for every hidden number (status ``primary``, printed
    "<k": 1 … k − 1; ``complementary``, printed "x": any count), its smallest and largest value
    over the non-negative integers consistent with everything printed."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = [(r, c) for r in t.index for c in t.columns]
    pos = {rc: i for i, rc in enumerate(cells)}
    pub = _published(t)
    rows, lo, hi = [], [], []
    for key, (members, value) in pub.items():
        a = np.zeros(len(cells))
        a[[pos[m] for m in members]] = 1
        rows.append(a)
        lo.append({"shown": value, "primary": 1, "complementary": 0}[status[key]])
        hi.append({"shown": value, "primary": K7 - 1, "complementary": np.inf}[status[key]])
    cons = LinearConstraint(np.array(rows), lo, hi)
    out = {}
    for key, (members, value) in pub.items():
        if status[key] == "shown":
            continue
        c = np.zeros(len(cells))
        c[[pos[m] for m in members]] = 1
        ends = []
        for sign in (1, -1):
            res = milp(sign * c, constraints=cons, integrality=np.ones(len(cells)), bounds=Bounds(0, np.inf))
            ends.append(sign * res.fun if res.status == 0 else sign * np.inf)  # unbounded above
        out[key] = (round(ends[0]), ends[1] if np.isinf(ends[1]) else round(ends[1]))
    return out


def _naive_status(t: pd.DataFrame) -> dict:
    return {key: "primary" if 0 < v < K7 else "shown" for key, (_, v) in _published(t).items()}


def test_lesson7_differencing_attack_by_an_integer_programme(q4_table):
    from petition_analysis.teaching import lesson7

    ranges = _ranges(q4_table, _naive_status(q4_table))
    inner = {k: v for k, v in ranges.items() if "total" not in k}
    assert expected("7.1") == sum(lo == hi for lo, hi in inner.values())
    assert 0 < expected("7.1") < len(inner)  # the totals give some cells away, not all
    region, level = lesson7.target_cell()
    assert expected("7.2") == inner[f"{region}|{level}"]
    for key, (lo, hi) in ranges.items():  # the truth is always within reach
        assert lo <= _published(q4_table)[key][1] <= hi, key


def test_lesson7_protection_rule_checked_over_the_printed_table(q4_table):
    from petition_analysis.teaching import lesson7

    prot = lesson7.protection()
    pub = _published(q4_table)
    printed = {key: prot.display(key, fmt=str) for key in pub}  # what the bulletin prints
    status = {key: {"<5": "primary", "x": "complementary"}.get(text, "shown") for key, text in printed.items()}
    # the printed numbers are the pandas counts, and no count from 1 to 4 is printed
    for key, (_, value) in pub.items():
        if status[key] == "shown":
            assert printed[key] == str(value) and not 0 < value < K7, key
    assert expected("7.3") == sum(text == "x" for text in printed.values())
    # The rule, over the printed table: an attacker keeps at least k − 1 possible values
    # (hi − lo ≥ k − 2) for every hidden number, so 7.4's answer (can one be narrowed below
    # four values?) is False.
    ranges = _ranges(q4_table, status)
    assert set(ranges) == {key for key, s in status.items() if s != "shown"}
    narrowed = {key: r for key, r in ranges.items() if r[1] - r[0] < K7 - 2}
    assert expected("7.4") == bool(narrowed) and not narrowed
    # the lesson's audit (which 7.4's hint reads) shows ranges with whole-number witnesses:
    # each must lie within what the attacker's exact programme allows
    audit = prot.audit
    for key, (lo, hi) in ranges.items():
        assert lo <= audit.loc[key, "lo"] and audit.loc[key, "hi"] <= hi, key
    # and the "x" cells are needed: with the "<5" cells hidden alone, some count is narrowed
    assert expected("7.3") > 0
    alone = _ranges(q4_table, _naive_status(q4_table))
    assert any(hi - lo < K7 - 2 for lo, hi in alone.values())


# -- lesson 8: the workbook counted with pandas, row by row category, not through pa.clean ------

#: The labels an office writes, typed here from the petition vocabulary (信访形式, 到达层级);
#: anything else (传真件, 其他渠道, 不详) is not a channel or level the register knows.
CHANNELS = {"来访": "visit", "走访": "visit", "上访": "visit", "来信": "letter", "书信": "letter", "信件": "letter",
            "网络信访": "online", "网上投诉": "online", "网上信访": "online", "网信": "online",
            "电话": "phone", "来电": "phone", "电话信访": "phone"}
LEVELS = {"到县", "县级", "县区级", "到市", "市级", "市本级", "赴省", "省级", "进京", "国家级"}


def _date(text: pd.Series) -> pd.Series:
    """Dates as offices write them (2019-01-02, 2019/1/2, 2019.01.02, 2019年1月2日, 20190102,
    full-width digits, a time after the date), read with pandas; NaT when not a date."""
    import unicodedata

    t = text.map(lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v).astype("str")
    t = t.str.replace(r"[ T].*$", "", regex=True)
    t = t.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    t = t.str.replace(r"(\d{4})[年./](\d{1,2})[月./](\d{1,2})日?", r"\1-\2-\3", regex=True)
    return pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")


@pytest.fixture(scope="module")
def workbook_rows():
    """Every row under each sheet's header (row 2) of the lesson's workbook, read with pandas."""
    import unicodedata

    from petition_analysis.reference import data_dir
    from petition_analysis.teaching import lesson8

    sheets = pd.read_excel(data_dir() / "raw" / lesson8.WORKBOOK, sheet_name=None, header=None, dtype="str",
                           engine="calamine")
    parts = [s.iloc[2:].set_axis(s.iloc[1].tolist(), axis=1) for s in sheets.values()]
    rows = pd.concat(parts, ignore_index=True)
    assert len(sheets) == 4 and rows.columns[0] == "编号"
    persons = rows["人数"].map(lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v)
    return rows.assign(persons=pd.to_numeric(persons, errors="coerce"), date=_date(rows["登记日期"]))


def test_lesson8_cleaning_counted_with_pandas(workbook_rows):
    from petition_analysis.teaching import lesson8

    rows = workbook_rows
    first = rows["编号"].astype("str")
    blank = rows.drop(columns=["persons", "date"]).isna().all(axis=1)
    total = first.str.strip() == "合计"
    notes = first.str.startswith("注")
    assert expected("8.2") == int((blank | total | notes).sum())
    items = rows[~(blank | total | notes)]
    # exact copies: every written cell the same as an earlier row's
    raw = items.drop(columns=["persons", "date"])
    copy = raw.duplicated(keep="first")
    assert expected("8.3") == int(copy.sum())
    items = items[~copy]
    # the rules an item must meet to be kept, each checked on the written cells
    bad = (items["问题属地"].isna() | items["date"].isna() | (items["date"] > "2019-12-31")
           | (items["人数"].notna() & ~(items["persons"] > 0))
           | ~items["信访形式"].isin(list(CHANNELS)) | ~items["到达层级"].isin(list(LEVELS)))
    kept = items[~bad]
    kept = kept[~kept["编号"].duplicated(keep="first")]  # a case number used again: the later row goes to review
    assert expected("8.1") == len(kept)
    # read = clean + rejected: nothing lost
    res = lesson8.cleaned()
    assert len(rows) == res.log.rows_read == len(res.data) + len(res.rejects)
    assert sorted(res.data["case_id"].astype("str")) == sorted(kept["编号"])
    visit = kept["信访形式"].map(CHANNELS) == "visit"
    assert expected("8.4") == int((visit & (kept["persons"] >= 5)).sum())


def test_lesson5_accumulated_cases_by_a_rolling_window(df):
    # visits to the province or Beijing by an identified petitioner; a case is accumulated on
    # the day a petitioner's 4th visit falls inside two years (730 days) of the earlier ones:
    # pandas' time-based rolling count over the half-open window (t − 730 days, t]
    v = df[(df["channel"] == "visit") & df["level"].isin(["province", "national"]) & df["petitioner_id"].notna()]
    v = pd.DataFrame({"pid": v["petitioner_id"].astype("str"), "date": v["received_date"], "one": 1.0})
    v = v.sort_values(["pid", "date"], kind="stable")
    in_window = v.groupby("pid").rolling("730D", on="date")["one"].sum().reset_index()
    met = in_window[in_window["one"] > 3].groupby("pid")["date"].min()
    assert len(met) > 0
    assert expected("5.1") == len(met)
    assert expected("5.2") == int((met.dt.year == 2019).sum())
