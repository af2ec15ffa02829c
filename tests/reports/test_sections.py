"""Report sections: labels, formatting and public-mode suppression."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from petition_analysis.publish import reports
from petition_analysis.publish.reports import sections


@pytest.fixture(scope="module")
def county_public():
    return reports.prepare("annual", year=2021, region="寅市", lang="en", public=True)


def _cells(df: pd.DataFrame) -> list[str]:
    return [str(v) for v in df.to_numpy().ravel()]


def test_public_tables_show_no_count_below_k(county_public):
    k = county_public.suppression_k
    for table in (sections.headline(county_public), sections.levels(county_public),
                  sections.leapfrog_collective_repeat(county_public), sections.five_declines(county_public),
                  sections.accumulated(county_public), sections.three_rates(county_public)):
        count_cols = [c for c in table.columns if c in ("current", "previous", "numerator", "denominator", "value")]
        for col in count_cols:
            bad = [v for v in table[col].astype(str) if re.fullmatch(r"[1-4]", v)]
            assert not bad, f"{col}: {bad}"
    assert "<5" in _cells(sections.headline(county_public))  # the county has few national visits


def test_suppressed_rows_hide_their_change(county_public):
    t = sections.headline(county_public)
    hidden = t[(t["current"] == "<5") | (t["previous"] == "<5")]
    assert len(hidden) >= 1
    assert (hidden[["change", "change %", "rate ratio (CI)", "CI level", "p (adjusted)", "assessment"]] == "").all().all()


def test_public_narrative_leaves_out_paragraphs_with_small_counts(county_public):
    text = sections.narrative(county_public)
    assert '"<5" stands for 1 to 4' in text and '"x"' in text  # the reader is told what the marks mean
    assert not re.search(r"\b[1-4] batches\b", text)


def test_titles_in_both_languages():
    assert sections.title(reports.prepare("annual", year=2019, as_of="2019-12-20")) == "XX市2019年（截至12月20日）信访工作分析报告"
    assert sections.title(reports.prepare("annual", year=2019, region="庚县", lang="en")) == "Geng County: annual petition report, 2019"


def test_headline_section_reproduces_the_seed():
    t = sections.headline(reports.prepare("annual", year=2019, as_of="2019-12-20", lang="zh")).set_index("figure")
    assert t.loc["items", "本期"] == "28,792" and t.loc["items", "增减率"] == "−1.96%"
    assert t.loc["visits_national_items", "增减率"] == "−46.67%"
    assert t.loc["visits_national_items", "判断"] == "显著下降"
    assert t.loc["items", "判断"] == "无显著变化"


def test_quarterly_figures_include_qoq():
    figs = sections.summary_figures(reports.prepare("quarterly", year=2022, quarter=3))
    assert {"items", "qoq_items", "visits_items", "rate_timely_acceptance"} <= set(figs)
    assert figs["qoq_items"]["family"] == "qoq" and figs["qoq_items"]["expected_ratio"] is not None


def test_emerging_section_flags_the_planted_hotspot(reference_manifest):
    h = reference_manifest["planted"]["regional_hotspot"]
    ctx = reports.prepare("quarterly", year=h["year"], quarter=h["quarter"], lang="zh")
    flags = sections.emerging(ctx)
    assert len(flags) == 1
    assert flags.iloc[0]["区县"] == h["region"] and flags.iloc[0]["季度"] == h["period"]


def test_provenance_names_the_input_hash():
    ctx = reports.prepare("annual", year=2019)
    p = sections.provenance(ctx).set_index("项目")["内容"]
    assert p["数据SHA-256"] == ctx.data_sha256 and len(ctx.data_sha256) == 64


def test_provenance_is_localized_and_names_no_folder():
    zh = sections.provenance(reports.prepare("annual", year=2019, as_of="2019-12-20")).set_index("项目")["内容"]
    assert zh["报告类型"] == "年度报告" and zh["语言"] == "中文" and zh["公开版"] == "否"
    assert zh["数据文件"] == "xx_city_2014_2023.parquet" and zh["截至日期"] == "2019年12月20日"
    assert zh["数据读取截至"] == "2019年12月20日"
    en = sections.provenance(reports.prepare("annual", year=2019, lang="en")).set_index("item")["value"]
    assert en["report"] == "annual report" and en["language"] == "English"
    for table in (zh, en):
        assert not any("/" in v or "\\" in v for v in table.to_numpy()), "a folder in the provenance"
        assert "" not in set(table.to_numpy())


def test_hotspot_ranking_compares_the_last_year_with_the_one_before(reference_df):
    from petition_analysis import taxonomy

    ctx = reports.prepare("hotspots", start_year=2016, end_year=2022, lang="en")
    t = sections.categories(ctx).set_index("label")
    cat = taxonomy.crosswalk_series(reference_df["category"].astype("str"))
    year = reference_df["received_date"].dt.year
    n = lambda y: int(((cat == "natural_resources") & (year == y)).sum())  # noqa: E731
    assert t.loc["Natural resources", "current"] == f"{n(2022):,}"
    assert t.loc["Natural resources", "previous"] == f"{n(2021):,}"
    assert sections.period_labels(ctx)["en"] == "2016–2022"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_report_chart_has_a_title_that_names_its_period(lang):
    # A chart copied out of a report (into slides, say) must still say what it shows and when.
    import matplotlib.pyplot as plt

    ctx = reports.prepare("annual", year=2021, region="寅市", lang=lang)
    period = sections.period_of(ctx).label(lang)
    for what in sections.PLOTS:
        fig = sections.plot(ctx, what)
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()] + [fig.get_suptitle()]
        assert any(titles), f"{what}: no title"
        if what in ("headline", "five_declines", "category_shares", "rates"):
            assert any(period in t for t in titles), f"{what}: {titles}"
            assert any(ctx.region_label in t for t in titles) or what in ("category_shares", "rates"), f"{what}: {titles}"
        if what in ("headline", "five_declines"):  # the place set off from the title, not run into it
            sep = {"zh": f"{ctx.region_label} ", "en": f"{ctx.region_label} — "}[lang]
            assert titles[0].startswith(sep), titles
        plt.close(fig)
