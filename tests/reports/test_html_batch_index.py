"""A batch's index.html and manifest.json: every report with its key figures and links, the
failures with their reason, a public series said to be audited together; relative links,
no folders, no external request, the same bytes for the same batch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from petition_analysis.publish.reports.batch import write_index
from petition_analysis.publish.reports.html import external_references


def _figure(current, previous, pct, rr, lo, hi, verdict, label_zh="信访总量 · 批次（件次）", label_en="all items · items"):
    return {"kind": "comparison", "current": current, "previous": previous, "change_pct": pct, "rate_ratio": rr,
            "ci_low": lo, "ci_high": hi, "ci_level": 0.99375, "significant": verdict != "none", "assessment": verdict,
            "label_zh": label_zh, "label_en": label_en}


def _report(out: Path, name: str, title: str, summary: dict) -> str:
    html = out / f"{name}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(f"<!DOCTYPE html><html><head><title>{title}</title></head><body></body></html>", encoding="utf-8")
    html.with_suffix(".json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    html.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
    return str(html)


@pytest.fixture()
def batch(tmp_path):
    out = tmp_path / "reports"
    period = {"zh": "2023年", "en": "2023"}
    city = _report(out, "annual/2023/annual_2023_xx-city_zh", "XX市2023年信访工作分析报告", {
        "parameters": {"lang": "zh"}, "public": False, "period": period,
        "region": {"name": None, "label": "XX市", "label_zh": "XX市", "label_en": "XX City"},
        "figures": {"items": _figure(27544, 28247, -2.49, 0.975112, 0.938439, 1.013219, "none"),
                    "person_times": _figure(36340, 37965, -4.28, 0.96, 0.91, 1.0, "decline", "信访总量 · 人次")}})
    county = _report(out, "annual/2023/annual_2023_huyi-qu_en_public", "Huyi District: annual petition report, 2023", {
        "parameters": {"lang": "en"}, "public": True, "period": period,
        "region": {"name": "鄠邑区", "label": "Huyi District", "label_zh": "鄠邑区", "label_en": "Huyi District"},
        "figures": {"items": {**_figure("<5", 7, None, None, None, None, None)},
                    "person_times": _figure(15, "x", None, None, None, None, None)}})
    rows = [
        {"kind": "annual", "parameters": {"kind": "annual", "year": 2023, "lang": "zh", "data": "/home/office/exports/2023.xlsx"},
         "status": "ok", "seconds": 12.3, "output": city, "error": None, "notebook": None, "label": "annual year=2023 lang=zh"},
        {"kind": "annual", "parameters": {"kind": "annual", "year": 2023, "region": "鄠邑区", "lang": "en", "public": True,
                                          "data": "/home/office/exports/2023.xlsx",
                                          "disclosure_plan": str(out / "disclosure/x.json")},
         "status": "ok", "seconds": 20.1, "output": county, "error": None, "notebook": None,
         "label": "annual year=2023 region=鄠邑区 lang=en public"},
        {"kind": "quarterly", "parameters": {"kind": "quarterly", "year": 2023, "quarter": 4}, "status": "failed",
         "seconds": 3.0, "output": None, "error": "RuntimeError: deliberate failure",
         "notebook": str(out / "quarterly/2023/quarterly_2023q4_xx-city_zh.ipynb"), "label": "quarterly year=2023 quarter=4"},
    ]
    table = pd.DataFrame(rows)
    table.attrs["series"] = [{"reports": ["annual/2023/annual_2023_huyi-qu_en_public"], "k": 5, "cells": 300,
                              "distinct_counts": 251, "shown": 240, "hidden_small": 3, "hidden_complementary": 8,
                              "audit_passed": True, "narrowest_range": 3}]
    failed_nb = out / "quarterly/2023/quarterly_2023q4_xx-city_zh.ipynb"
    failed_nb.parent.mkdir(parents=True)
    failed_nb.write_text("{}", encoding="utf-8")
    (out / "disclosure").mkdir(parents=True)
    (out / "disclosure/series.json").write_text("[]", encoding="utf-8")
    return table, out


def test_index_lists_every_report_with_key_figures_and_links(batch):
    table, out = batch
    page = write_index(table, out).read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and "<title>报告索引</title>" in page
    links = re.findall(r'href="([^"#]+)"', page)
    assert "annual/2023/annual_2023_xx-city_zh.html" in links and "annual/2023/annual_2023_xx-city_zh.json" in links
    assert all((out / link).exists() for link in links), links
    assert ">XX市2023年信访工作分析报告</a>" in page and ">Huyi District: annual petition report, 2023</a>" in page
    # the count with its change, its interval and the verdict: never a bare percentage
    assert "<strong>27,544</strong>" in page and "−2.49% · 率比 0.98（99.4%置信区间 0.94–1.01） · 无显著变化" in page
    assert "显著下降" in page  # person-times: a significant decline
    # a public report: hidden counts as printed, no change or verdict
    assert "<strong>&lt;5</strong>" in page and "鄠邑区" in page
    # the failure, with its reason and its notebook
    assert "RuntimeError: deliberate failure" in page and 'href="quarterly/2023/quarterly_2023q4_xx-city_zh.ipynb"' in page
    assert "本批次共3份报告：2份完成，1份失败。" in page


def test_index_says_the_public_series_was_audited_together(batch):
    table, out = batch
    page = write_index(table, out).read_text(encoding="utf-8")
    assert "公开版系列共1份报告一并作披露控制审查" in page and "审查通过" in page
    assert "audited together" in page  # the batch summary's own sentence too
    assert 'href="disclosure/series.json"' in page
    en = write_index(table, out, lang="en").read_text(encoding="utf-8")
    assert "The public series of 1 report(s) was audited together" in en and '<html lang="en">' in en


def test_manifest_is_machine_readable_and_names_no_folder(batch):
    table, out = batch
    write_index(table, out)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert manifest["counts"] == {"reports": 3, "ok": 2, "failed": 1}
    city, county, failed = manifest["reports"]
    assert city["files"] == {"html": "annual/2023/annual_2023_xx-city_zh.html",
                             "json": "annual/2023/annual_2023_xx-city_zh.json",
                             "ipynb": "annual/2023/annual_2023_xx-city_zh.ipynb"}
    assert city["parameters"]["data"] == "2023.xlsx"  # a file name, not where it sits
    assert "data" not in county["parameters"] and "disclosure_plan" not in county["parameters"]
    assert city["figures"]["items"]["current"] == 27544 and county["figures"]["items"]["current"] == "<5"
    assert failed["status"] == "failed" and failed["notebook"] == "quarterly/2023/quarterly_2023q4_xx-city_zh.ipynb"
    assert manifest["series"][0]["audit_passed"] is True and "audited together" in manifest["series"][0]["sentence_en"]
    assert str(out) not in text and "/home/office" not in text
    assert "seconds" not in text  # no durations: the same batch gives the same bytes


def test_index_is_self_contained_and_reproducible(batch):
    table, out = batch
    first = write_index(table, out).read_text(encoding="utf-8")
    manifest = (out / "manifest.json").read_bytes()
    assert external_references(first, links=False) == []  # it loads nothing from outside
    links = re.findall(r'<a href="([^"]+)"', first)
    assert links and not [x for x in links if re.match(r"^(/|[a-z]+:)", x)]  # every link relative to the index
    assert "<script" not in first and str(out) not in first
    table2 = table.copy()
    table2["seconds"] = [1.0, 2.0, 3.0]
    table2.attrs = table.attrs
    assert write_index(table2, out).read_text(encoding="utf-8") == first
    assert (out / "manifest.json").read_bytes() == manifest


def test_batch_summary_points_to_the_index(batch):
    from petition_analysis.publish.reports.batch import format_batch

    table, out = batch
    table.attrs["index"] = str(write_index(table, out))
    assert format_batch(table).endswith(f"index of the reports: {out / 'index.html'} (and manifest.json beside it)")
