"""Real reports, run end to end on an office's data whose place names include characters
outside GB 2312 (鄠 浉 埇 甪): the HTML is at most 450 KB, makes no external request, has its
title, language, contents and alt text, draws every name, and a county report shows the
county against the city instead of every region."""

from __future__ import annotations

import base64
import html as _html
import io
import re
from pathlib import Path

import nbformat
import pytest
from fontTools.ttLib import TTFont

from petition_analysis.publish import reports
from petition_analysis.publish.reports.html import export_html, external_references

from .office_names import REAL, write_real_named_exports

pytestmark = pytest.mark.slow

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def office_data(tmp_path_factory, reference_df):
    return write_real_named_exports(tmp_path_factory.mktemp("office-exports"), reference_df)


@pytest.fixture(scope="module")
def zh_city(tmp_path_factory, office_data):
    out = tmp_path_factory.mktemp("zh")
    return reports.run("annual", out, year=2023, data=office_data, city="西安市", lang="zh")


@pytest.fixture(scope="module")
def en_county(tmp_path_factory, office_data):
    out = tmp_path_factory.mktemp("en")
    return reports.run("annual", out, year=2023, data=office_data, city="西安市", region="鄠邑区", lang="en")


def _alts(page: str) -> list[str]:
    return [_html.unescape(a) for a in re.findall(r'<img [^>]*alt="([^"]*)"', page)]


def _tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    out = []
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        head = [_html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
        rows = [[_html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
                for r in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[-1], flags=re.S)]
        out.append((head, rows))
    return out


def test_zh_report_is_small_self_contained_and_titled(zh_city):
    page = zh_city.html.read_text(encoding="utf-8")
    assert zh_city.html.stat().st_size <= 450_000, zh_city.html.stat().st_size
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<title>西安市2023年信访工作分析报告</title>" in page
    assert external_references(page) == [] and "<script" not in page and not re.search(r"https?://", page)
    toc = re.findall(r'<li><a href="#s\d+">([^<]+)</a></li>', page)
    assert toc[0] == "总体情况" and toc[-1] == "附录：数据来源与参数" and len(toc) == 12


def test_every_figure_has_real_alt_text(zh_city, en_county):
    for res, lang in ((zh_city, "zh"), (en_county, "en")):
        alts = _alts(res.html.read_text(encoding="utf-8"))
        assert len(alts) == 6
        for alt in alts:
            assert len(alt) > 30 and "No description" not in alt
            assert bool(HAN.search(alt)) == (lang == "zh"), alt
    zh = _alts(zh_city.html.read_text(encoding="utf-8"))
    assert zh[0].startswith("条形图：主要指标的同比变化及置信区间。")
    heat = next(a for a in zh if a.startswith("热力图"))
    assert all(name in heat for name in ("鄠邑区", "浉河区", "埇桥区", "甪直镇"))


def test_rare_place_names_draw_in_plots_and_in_the_page(zh_city):
    nb = nbformat.read(str(zh_city.ipynb), as_version=4)
    streams = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    assert "Glyph" not in streams and "missing from font" not in streams
    page = zh_city.html.read_text(encoding="utf-8")
    data = re.search(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", page).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    body = _html.unescape(re.sub(r"<[^>]+>", "", page[page.index("<body>"):]))
    assert {ord(c) for c in body if ord(c) > 0x2E7F} <= set(cmap)
    for name in ("鄠邑区", "浉河区", "埇桥区", "甪直镇"):
        assert name in body


def test_tables_have_no_empty_column_and_no_empty_table(zh_city, en_county):
    for res in (zh_city, en_county):
        for head, rows in _tables(res.html.read_text(encoding="utf-8")):
            assert rows, f"an empty table: {head}"
            for j, name in enumerate(head):
                assert any(j < len(r) and r[j] for r in rows), f"column {name!r} is empty in every row"


def test_provenance_is_localized_and_names_no_folder(zh_city, office_data):
    page = zh_city.html.read_text(encoding="utf-8")
    prov = page[page.index("附录：数据来源与参数"):]
    assert "数据文件" in prov and "y2022.parquet, y2023.parquet" in prov and "软件版本" in prov
    assert "data_sha256" not in prov and ">kind<" not in prov
    folder = str(Path(office_data[0]).parent)
    assert folder not in page and str(zh_city.html.parent) not in page


def test_county_report_shows_its_own_context(en_county):
    page = en_county.html.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    head, rows = next((h, r) for h, r in _tables(page) if "rank in city" in h)
    assert len(rows) == 2 and rows[0][0] == "Huyi District" and rows[0][head.index("rank in city")].endswith("of 13")
    assert rows[1][head.index("share of city")] == "100%"
    share = rows[0][head.index("share of city")]
    assert f"Huyi District had {share} of the city's items, ranking " in page
    heat = next(a for a in _alts(page) if a.startswith("Heatmap"))
    assert heat.endswith("Huyi District.")  # the county's own row, not every region


def test_same_notebook_same_html(zh_city, tmp_path):
    again = export_html(zh_city.ipynb, tmp_path / "again.html")
    assert again.read_bytes() == zh_city.html.read_bytes()


def test_same_input_same_html_bytes(en_county, office_data, tmp_path):
    again = reports.run("annual", tmp_path, year=2023, data=office_data, city="西安市", region="鄠邑区", lang="en")
    assert again.html.read_bytes() == en_county.html.read_bytes()
