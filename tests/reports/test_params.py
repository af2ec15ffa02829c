"""Bad report parameters fail at once with a sentence that says what is allowed."""

from __future__ import annotations

import pytest

from petition_analysis import cli
from petition_analysis.publish import reports
from petition_analysis.publish.reports import ReportParameterError, prepare

BAD = [
    ("annual", {"year": 2030}, "year 2030 is not in the data, which covers 2014–2023."),
    ("annual", {"year": 2014}, "year 2014 is compared with 2013, which is not in the data (2014–2023); choose a year whose previous year is in the data, e.g. 2023"),
    ("quarterly", {"year": 2014, "quarter": 2}, "year 2014 is compared with 2013"),
    ("annual", {"year": 2019, "as_of": "2018-12-20"}, "as_of (2018-12-20) must be a date in 2019"),
    ("annual", {"year": 2019, "as_of": "not a date"}, "as_of must be a date like 2019-12-20"),
    ("annual", {"year": 2019, "region": "火星县"}, "region '火星县' is not in the data; leave it empty for the whole city, or use one of: 丁县"),
    ("annual", {"year": 2019, "lang": "fr"}, "lang must be 'zh' or 'en', not 'fr'."),
    ("annual", {"year": "twenty"}, "year must be a year in the data (2014–2023), not 'twenty'."),
    ("quarterly", {"year": 2019, "quarter": 5}, "quarter must be 1, 2, 3 or 4, not 5."),
    ("quarterly", {"year": 2019, "quarter": 0}, "quarter must be 1, 2, 3 or 4, not 0."),
    ("annual", {"year": 2019, "suppression_k": 2}, "suppression_k must be a whole number from 3 to 100, not 2."),
    ("hotspots", {"start_year": 2022, "end_year": 2023}, "needs at least three years"),
    ("hotspots", {"start_year": 2010, "end_year": 2023}, "must be years in the data (2014–2023)"),
    ("annual", {"year": 2019, "public": "maybe"}, "public must be true or false"),
    ("annual", {"year": 2019, "data": "/no/such.parquet"}, "data file /no/such.parquet does not exist"),
    ("weekly", {}, "report kind must be one of annual, quarterly, hotspots"),
]


@pytest.mark.parametrize("kind, params, message", BAD, ids=[m[:30] for _, _, m in BAD])
def test_bad_parameter_message(kind, params, message):
    with pytest.raises(ReportParameterError) as info:
        prepare(kind, **params)
    assert message in str(info.value)


def test_papermill_style_strings_are_accepted():
    ctx = prepare("quarterly", year="2019", quarter="3", public="false", region="none", lang="en")
    assert (ctx.year, ctx.quarter, ctx.public, ctx.region) == (2019, 3, False, None)


def test_default_annual_year_is_the_latest_complete_one():
    assert prepare("annual").year == 2023


def test_hotspot_years_default_to_the_data():
    ctx = prepare("hotspots")
    assert (ctx.start_year, ctx.end_year) == (2014, 2023)


def test_report_names_are_predictable():
    assert reports.report_name(prepare("annual", year=2019)) == "annual/2019/annual_2019_xx-city_zh"
    assert (reports.report_name(prepare("annual", year=2019, as_of="2019-12-20", region="庚县", lang="en", public=True))
            == "annual/2019/annual_2019-to-1220_geng-xian_en_public")
    assert reports.report_name(prepare("quarterly", year=2023, quarter=4)) == "quarterly/2023/quarterly_2023q4_xx-city_zh"
    assert reports.report_name(prepare("hotspots")) == "hotspots/hotspots_2014-2023_xx-city_zh"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "quarterly", "--year", "2019", "--quarter", "5"], "quarter must be 1, 2, 3 or 4, not 5."),
        (["report", "annual", "--year", "2031"], "year 2031 is not in the data"),
        (["report", "annual", "--year", "2019", "--region", "火星县"], "region '火星县' is not in the data"),
        (["report", "annual", "--year", "2019", "--as-of", "2020-01-05"], "must be a date in 2019"),
        (["report", "quarterly", "--year", "2019"], "needs --year and --quarter"),
    ],
)
def test_cli_bad_parameters_exit_non_zero_with_the_message(capsys, argv, message):
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_cli_unknown_lang_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["report", "annual", "--lang", "fr"])
    assert info.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_a_folder_without_registers_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt.bak").write_text("not a register")
    with pytest.raises(ReportParameterError, match="the folder holds no register file"):
        prepare("annual", data=str(tmp_path), year=2019)


def test_quality_of_a_raw_export_counts_unmapped_labels_without_their_text():
    import json

    import pandas as pd

    from petition_analysis import clean
    from petition_analysis.publish.reports.params import _quality_from

    raw = pd.DataFrame({"编号": ["A1", "A2", "A3"], "登记日期": ["2019-03-01", "2019-03-02", "2019-13-01"],
                        "信访形式": ["来信", "来信", "来信"], "到达层级": ["到县", "到县", "到县"],
                        "问题属地": ["甲区", "甲区", "甲区"], "问题分类": ["城建", "王小明13800138000", "城建"]})
    q = _quality_from(clean(raw, pseudonym_key="k"))
    assert q["unmapped_labels"] == {"category": 1}
    assert (q["rows_read"], q["rows_clean"], q["rows_rejected"]) == (3, 2, 1)
    assert q["rejected_by_reason"] == {"invalid_date": 1}
    assert "王小明" not in json.dumps(q, ensure_ascii=False) and "13800138000" not in json.dumps(q)


def test_a_relative_mapping_path_reaches_the_notebook_as_an_absolute_one(tmp_path, monkeypatch):
    """The report notebook runs in its own folder: `--mapping board.yaml`, relative to the
    caller's folder, would not be found there."""
    import petition_analysis as pa

    (tmp_path / "board.yaml").write_text("columns:\n  received_date: 留言时间\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ctx = prepare("annual", frame=pa.load_reference(), year=2023, mapping="board.yaml")
    assert ctx.mapping == str(tmp_path / "board.yaml")
    assert reports.runner._parameters(ctx, tmp_path / "s.json")["mapping"] == str(tmp_path / "board.yaml")
