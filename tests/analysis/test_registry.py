"""The figure registry: one value, one p-value and one verdict per figure, everywhere."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from petition_analysis.publish import reports
from petition_analysis.analysis.registry import FIGURE_COLUMNS, VERDICTS, build_registry
from petition_analysis.publish.reports import sections


@pytest.fixture(scope="module")
def reg2019(reference_df):
    return build_registry(reference_df, year=2019, as_of="2019-12-20")


def test_every_verdict_agrees_with_its_interval(reg2019):
    t = reg2019.figures[reg2019.figures["kind"] == "comparison"]
    tested = t[t["verdict"] != "not_tested"]
    excludes = (tested["ci_low"] > 1) | (tested["ci_high"] < 1)
    assert (excludes == tested["significant"].astype(bool)).all()
    inside = (tested["ci_low"] <= tested["rate_ratio"]) & (tested["rate_ratio"] <= tested["ci_high"])
    assert inside.all()
    assert list(reg2019.figures.columns) == list(FIGURE_COLUMNS)


def test_one_correction_per_family(reg2019):
    """Every family is corrected once: its interval level is one number, set by its size."""
    t = reg2019.figures[reg2019.figures["kind"] == "comparison"]
    for fam, g in t.groupby("family"):
        assert g["ci_level"].nunique() == 1, fam
        m, r = len(g), int(g["significant"].sum())
        assert g["ci_level"].iloc[0] == pytest.approx(1 - max(r, 1) * 0.05 / m)


def test_the_seed_figures_and_an_honest_verdict_on_items(reg2019):
    f = reg2019["items"]
    assert (int(f.current), int(f.previous)) == (28792, 29368)
    assert f.change_pct == pytest.approx(-1.96, abs=0.005)
    # a 1.96 % fall, within what whole years and months vary by: not a significant decline
    assert f.verdict == "none" and f.ci_low < 1 < f.ci_high
    assert reg2019["visits_national_items"].verdict == "decline"


def test_sections_show_the_registry_verdicts():
    ctx = reports.prepare("annual", year=2021, lang="zh")
    reg = sections.registry(ctx)
    words = {v["zh"]: k for k, v in VERDICTS.items()}
    for table, ids in ((sections.five_declines(ctx), [f"{s}_{m}" for s in sections.FIVE_DECLINES
                                                      for m in ("items", "person_times")]),
                       (sections.leapfrog_collective_repeat(ctx), None), (sections.channels(ctx), None)):
        shown = [words[w] for w in table["判断"]]
        if ids:
            assert shown == list(reg.rows(ids)["verdict"])
    # collective visits: the same verdict in the five declines and in the leapfrog/collective table
    fd = sections.five_declines(ctx)
    lcr = sections.leapfrog_collective_repeat(ctx)
    lab = "集体访 · 批次（件次）"
    assert fd.set_index("指标").loc[lab, "判断"] == lcr.set_index("指标").loc[lab, "判断"]
    assert fd.set_index("指标").loc[lab, "p值（校正）"] == lcr.set_index("指标").loc[lab, "p值（校正）"]


def test_json_figures_are_registry_rows():
    ctx = reports.prepare("annual", year=2019, as_of="2019-12-20", lang="en")
    figs = sections.summary_figures(ctx)
    reg = sections.registry(ctx)
    assert set(figs) == set(reg.figures.index)
    for fid, f in figs.items():
        if f["kind"] != "comparison":
            assert {"numerator", "denominator", "censored", "rate", "ci_low", "ci_high"} <= set(f)
            continue
        assert {"family", "p_value_raw", "p_value", "method", "significant", "ci_low", "ci_high"} <= set(f)
        if f["assessment"] != "not_tested":
            assert f["significant"] == ((f["ci_low"] > 1) or (f["ci_high"] < 1)), fid
            assert f["p_value"] == pytest.approx(reg[fid].p_value, abs=1e-6)


def test_as_of_on_full_data_equals_data_cut_at_as_of(reference_df):
    full = build_registry(reference_df, year=2019, as_of="2019-12-20")
    cut = build_registry(reference_df[reference_df["received_date"] <= "2019-12-20"], year=2019, as_of="2019-12-20")
    pd.testing.assert_frame_equal(full.figures, cut.figures)


def test_zero_previous_count_is_not_a_number_in_text():
    from petition_analysis.publish.narrative import describe_change, describe_move

    row = pd.Series({"current": 3, "previous": 0, "change_pct": math.nan, "verdict": "none", "rate_ratio": math.inf,
                     "ci_low": 0.5, "ci_high": math.inf, "ci_level": 0.95, "flags": "small_counts"})
    for lang in ("zh", "en"):
        text = describe_change(row, lang)
        assert "nan" not in text and "inf" not in text
    assert describe_move(pd.Series({"current": 100, "previous": 100, "change_pct": 0.001}), "zh") == "与上年同期持平"


def test_repeat_visits_are_not_compared_with_the_first_year(reference_df):
    reg = build_registry(reference_df, year=2015)
    assert "burn_in" in reg["repeat_visits_items"]["flags"] and reg["repeat_visits_items"].verdict == "not_tested"
    assert "short_history" in reg["items"]["flags"]  # one year of history: σ_b cannot be estimated


def test_a_hotspot_registry_of_one_year_tests_it_against_the_year_before(reference_df):
    """start_year = end_year: the share scan's table still holds the comparison year (it
    stopped with an internal error)."""
    reg = build_registry(reference_df, kind="hotspots", start_year=2023, end_year=2023)
    cats = reg.family("categories")
    assert len(cats) > 10 and cats["share_p_value"].notna().all()
    assert (cats["previous"] > 0).all()


def test_every_category_figure_has_the_share_keys(reference_df):
    """Review of issue 15 #5: when the share test cannot run (here one category only), the
    category figures still carry every share key, as None, like the other entries."""
    from petition_analysis.analysis.registry import SHARE_KEYS

    d = reference_df[reference_df["received_date"].between("2018-01-01", "2019-12-31")].iloc[::50]
    one = d.assign(category=pd.Categorical(["transport"] * len(d)))
    reg = build_registry(one, year=2019)
    cats = reg.family("categories")
    assert list(cats.index) == ["category_transport"]
    fig = reg.to_json()["category_transport"]
    assert set(SHARE_KEYS) <= set(fig) and all(fig[k] is None for k in SHARE_KEYS)
    # with the test run, the same keys with values
    full = build_registry(d, year=2019).to_json()
    keys = {fid: set(f) for fid, f in full.items() if fid.startswith("category_")}
    assert len(keys) > 2 and all(k == set(fig) for k in keys.values())
    assert all(full[fid]["share_flag"] in ("up", "down", "none") for fid in keys)


def test_a_quarter_with_as_of_before_it_names_the_parameter_and_the_fix(reference_df):
    from petition_analysis.analysis.registry import report_period
    from petition_analysis.publish.reports.params import ReportParameterError

    with pytest.raises(ReportParameterError) as err:
        build_registry(reference_df, kind="quarterly", quarter=3, as_of="2019-05-15")
    text = str(err.value)
    assert "as_of (2019-05-15) is before quarter 3 of 2019" in text and "2019-07-01" in text
    assert "report quarter 2 of 2019" in text and "\n" not in text
    # inside the quarter: the quarter to date; after it: the whole quarter
    assert report_period("quarterly", year=2019, quarter=3, as_of="2019-08-10").end == pd.Timestamp("2019-08-10")
    after = report_period("quarterly", year=2019, quarter=1, as_of="2019-05-15")
    assert (after.start, after.end) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-03-31"))


@pytest.mark.parametrize("kw, says", [
    (dict(kind="annual"), r"needs the year it reports: give year="),
    (dict(kind="quarterly", year=2019), r"needs its quarter: give quarter=1, 2, 3 or 4"),
    (dict(kind="hotspots"), r"needs the last year of its window: give end_year="),
    (dict(kind="yearly", year=2019), r"kind must be 'annual', 'quarterly' or 'hotspots', not 'yearly'"),
    (dict(year=2019, as_of="2020-01-03"), r"as_of 2020-01-03 is not in 2019.*year=2020"),
])
def test_a_registry_asked_wrongly_says_what_to_give(reference_df, kw, says):
    from petition_analysis.errors import ReportParameterError

    with pytest.raises(ReportParameterError, match=says):
        build_registry(reference_df, **kw)
