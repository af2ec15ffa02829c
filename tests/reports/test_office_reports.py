"""Reports on an office's own data: two years of exports given with --data twice, the city
named with --city or an office file, real county names with pinyin slugs and English names
in English reports, and batch plans with the same keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from petition_analysis import cli, office
from petition_analysis.publish import reports
from petition_analysis.publish.reports import ReportParameterError, sections
from petition_analysis.publish.reports.batch import expand_plan

from .office_names import REAL, write_real_named_exports

HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")


@pytest.fixture(scope="module")
def xian(tmp_path_factory, reference_df):
    return write_real_named_exports(tmp_path_factory.mktemp("xian"), reference_df)


@pytest.fixture(autouse=True)
def _restore_office():
    before = office.use(None)
    yield
    office.use(before)


def _no_xx(text: str) -> bool:
    return "XX市" not in text and "XX City" not in text and "xx-city" not in text


def test_city_names_title_narrative_file_and_json(xian):
    ctx = reports.prepare("annual", year=2023, data=xian, city="西安市")
    assert sections.title(ctx) == "西安市2023年信访工作分析报告"
    assert reports.report_name(ctx) == "annual/2023/annual_2023_xian-shi_zh"
    narrative = sections.narrative(ctx)
    assert "西安市共登记" in narrative and _no_xx(narrative)
    summary = reports.build_summary(ctx, reports.report_name(ctx), sections.summary_figures(ctx),
                                    period=sections.period_labels(ctx))
    text = json.dumps(summary, ensure_ascii=False)
    assert _no_xx(text)
    assert summary["city"] == {"zh": "西安市", "en": "Xi'an City", "slug": "xian-shi", "named": True}
    assert summary["parameters"]["city"] == "西安市" and summary["parameters"]["data"] == xian
    assert [f["path"] for f in summary["data"]["files"]] == xian
    assert summary["data"]["rows"] == summary["quality"]["rows_clean"]


def test_english_county_report_uses_pinyin_slug_and_english_names(xian):
    ctx = reports.prepare("annual", year=2023, data=xian, city="西安市", region="鄠邑区", lang="en")
    assert reports.report_name(ctx) == "annual/2023/annual_2023_huyi-qu_en"
    assert sections.title(ctx) == "Huyi District: annual petition report, 2023"
    narrative = sections.narrative(ctx)
    assert narrative.startswith("In 2023, Huyi District registered") and not HAN.search(narrative)


def test_english_city_report_tables_and_plots_have_no_chinese_region_names(xian):
    import matplotlib

    matplotlib.use("Agg")
    ctx = reports.prepare("annual", year=2023, data=xian, city="西安市", lang="en")
    assert sections.title(ctx) == "Xi'an City: annual petition report, 2023"
    regions = sections.regions(ctx)
    assert len(regions) == 13
    cells = regions.to_string()
    assert "Huyi District" in cells and "Ewenkezu Autonomous Banner" in cells
    assert not any(zh in cells for zh in REAL.values())
    labels = sections.registry(ctx).family("regions")["label_en"]
    assert not labels.str.contains(HAN).any() and "Shihe District" in set(labels)
    fig = sections.plot(ctx, "heatmap")
    fig = getattr(fig, "figure", fig)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.get_xticklabels()]
    assert "Yongqiao District" in ticks and not any(HAN.search(t) for t in ticks)


def test_a_region_can_be_named_in_english_or_by_its_slug(xian):
    for given in ("鄠邑区", "Huyi District", "huyi district", "huyi-qu"):
        ctx = reports.prepare("annual", year=2023, data=xian, city="西安市", region=given, lang="en")
        assert ctx.region == "鄠邑区" and ctx.parameters()["region"] == "鄠邑区"
    with pytest.raises(ReportParameterError) as info:
        reports.prepare("annual", year=2023, data=xian, region="Huyi Distric")
    assert "(did you mean 'Huyi District'?)" in str(info.value) and "鄠邑区" in str(info.value)


def test_office_file_names_regions_and_sets_the_language(xian, tmp_path):
    p = tmp_path / "office.yaml"
    p.write_text("name: {zh: 西安市, en: Xi'an}\nslug: xian\nlang: en\nregions:\n"
                 "  鄠邑区: {en: Huyi District (Hu County), slug: huyi}\n", encoding="utf-8")
    ctx = reports.prepare("annual", year=2023, data=xian, office=str(p), region="鄠邑区")
    assert ctx.lang == "en" and ctx.region_label == "Huyi District (Hu County)"
    assert reports.report_name(ctx) == "annual/2023/annual_2023_huyi_en"
    assert reports.report_name(reports.prepare("annual", year=2023, data=xian, office=str(p), lang="zh")) == \
        "annual/2023/annual_2023_xian_zh"
    public = reports.prepare("annual", year=2023, data=xian, office=str(p), public=True)
    assert public.published_parameters()["office"] == "(not shown in public reports)"


def test_data_without_a_city_name_stays_unnamed_and_the_bundled_data_stay_xx(xian):
    ctx = reports.prepare("annual", year=2023, data=xian)
    assert (ctx.region_label, ctx.region_slug) == ("全市", "city")
    ref = reports.prepare("annual", year=2023)
    assert (ref.region_label, ref.region_slug) == ("XX市", "xx-city")


def test_a_single_year_suggests_adding_the_previous_years_file(xian):
    with pytest.raises(ReportParameterError) as info:
        reports.prepare("annual", year=2023, data=xian[1])
    message = str(info.value)
    assert "2022, which is not in the data (2023)" in message
    assert f"--data {Path(xian[1]).with_name('y2022.parquet')} --data {xian[1]}" in message


def test_part_of_one_year_says_how_to_report_it(xian, tmp_path):
    import pandas as pd

    df = pd.read_parquet(xian[1])
    df[df["received_date"] <= "2023-06-30"].to_parquet(tmp_path / "h1.parquet")
    with pytest.raises(ReportParameterError) as info:
        reports.prepare("annual", data=str(tmp_path / "h1.parquet"))
    message = str(info.value)
    assert "no whole year" in message and "--as-of 2023-06-30" in message and "--data" in message


def test_two_years_are_too_few_for_hotspots_and_the_message_says_what_to_add(xian):
    with pytest.raises(ReportParameterError, match="add the earlier years' registers"):
        reports.prepare("hotspots", data=xian)


def test_cli_single_year_headline_suggests_the_previous_year(xian, capsys):
    code = cli.main(["headline", "--data", xian[1], "--year", "2023"])
    err = capsys.readouterr().err
    assert code == 2 and "needs data for 2023 and 2022" in err and "--data" in err and "y2022.parquet" in err


def test_cli_headline_reads_two_files(xian, capsys):
    code = cli.main(["headline", "--data", xian[0], "--data", xian[1], "--year", "2023", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    figures = json.loads(out)["figures"]
    assert figures["items"]["previous"] > 0 and figures["items"]["current"] > 0


def test_batch_plan_takes_city_office_and_several_files(xian):
    plan = {"data": xian, "city": "西安市", "office": "office.yaml",
            "reports": [{"kind": "annual", "years": [2023], "regions": [None, "鄠邑区"], "langs": ["zh", "en"]},
                        {"kind": "quarterly", "year": 2023, "quarter": 4, "city": "咸阳市"}]}
    jobs = expand_plan(plan)
    assert len(jobs) == 5
    assert all(j["data"] == xian and j["office"] == "office.yaml" for j in jobs)
    assert [j["city"] for j in jobs] == ["西安市"] * 4 + ["咸阳市"]
    with pytest.raises(ReportParameterError, match="did you mean 'city'"):
        expand_plan({"ctiy": "西安市", "reports": [{"kind": "annual"}]})
    with pytest.raises(ReportParameterError, match="did you mean 'office'"):
        expand_plan({"reports": [{"kind": "annual", "offce": "o.yaml"}]})


@pytest.mark.slow
def test_done_when_two_files_a_city_and_an_english_county_report(xian, tmp_path, capsys):
    """Issue 12's first two "done when" items, through the command line."""
    out = tmp_path / "reports"
    code = cli.main(["report", "annual", "--year", "2023", "--data", xian[0], "--data", xian[1], "--city", "西安市",
                     "--out", str(out), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    base = out / "annual" / "2023" / "annual_2023_xian-shi_zh"
    html = base.with_suffix(".html").read_text(encoding="utf-8")
    assert "<title>西安市2023年信访工作分析报告</title>" in html
    for suffix in (".html", ".json", ".ipynb"):
        assert _no_xx(base.with_suffix(suffix).read_text(encoding="utf-8")), suffix

    code = cli.main(["report", "annual", "--year", "2023", "--data", xian[0], "--data", xian[1], "--city", "西安市",
                     "--region", "鄠邑区", "--lang", "en", "--out", str(out), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    base = out / "annual" / "2023" / "annual_2023_huyi-qu_en"
    html = base.with_suffix(".html").read_text(encoding="utf-8")
    text = _visible_text(html)
    assert "Huyi District" in text and _no_xx(text)
    found = [zh for zh in REAL.values() if zh in text]
    assert not found, f"Chinese region names in the English report: {found}"
    summary = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    assert summary["region"]["slug"] == "huyi-qu" and summary["region"]["label"] == "Huyi District"


def _visible_text(html: str) -> str:
    """The text a reader sees: no styles, scripts or embedded images."""
    import html as _html

    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r"data:[^\"')]+", " ", body)
    return _html.unescape(re.sub(r"<[^>]+>", " ", body))
