"""The command line: headline output, clear errors for bad parameters, synth commands."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis import cli, schema


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_headline_default_is_latest_complete_year(capsys):
    code, out, err = run(capsys, "headline")
    assert code == 0, err
    assert "2023年 与 2022年 比较" in out
    assert "信访总量 · 批次（件次）" in out and "重复访 · 批次（件次）" in out


def test_headline_reproduces_seed(capsys):
    code, out, _ = run(capsys, "headline", "--year", "2019", "--as-of", "2019-12-20", "--lang", "en")
    assert code == 0
    line = next(l for l in out.splitlines() if l.strip().startswith("all items"))
    assert "28,792" in line and "29,368" in line and "-1.96 %" in line
    line = next(l for l in out.splitlines() if "visits at national level · items" in l)
    assert "80" in line and "150" in line and "-46.67 %" in line


@pytest.mark.parametrize(
    "argv, words",
    [
        (["headline", "--year", "2031"], "the data covers 2014–2023"),
        (["headline", "--year", "2014"], "needs data for 2014 and 2013"),
        (["headline", "--year", "2019", "--as-of", "2018-12-20"], "is not in 2019"),
        (["headline", "--data", "/no/such/file.parquet"], "does not exist"),
    ],
)
def test_bad_parameters_fail_with_one_paragraph(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert words in err
    assert "Traceback" not in err


def test_bad_date_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["headline", "--as-of", "20/12/2019"])
    assert info.value.code == 2
    assert "use YYYY-MM-DD" in capsys.readouterr().err


def test_data_that_is_not_a_register(tmp_path, capsys):
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "headline", "--data", str(f))  # a CSV is read as a raw export
    assert code == 2 and "no header row found" in err and "mapping" in err and "Traceback" not in err


def test_data_that_breaks_the_schema(tmp_path, capsys, reference_df):
    f = tmp_path / "bad.parquet"
    reference_df.head(100).drop(columns="level").to_parquet(f)
    code, _, err = run(capsys, "headline", "--data", str(f), "--year", "2014")
    assert code == 2 and "level: column is missing" in err


def test_synth_generate_writes_a_canonical_file(tmp_path, capsys):
    out = tmp_path / "s.parquet"
    man = tmp_path / "m.json"
    code, stdout, err = run(capsys, "synth", "generate", "--years", "2020-2021", "--scale", "0.05", "--seed", "3",
                            "-o", str(out), "--manifest", str(man))
    assert code == 0, err
    df = pd.read_parquet(out)
    schema.validate(df)
    assert set(df["received_date"].dt.year) == {2020, 2021}
    assert man.exists() and "wrote" in stdout


def test_synth_generate_refuses_reversed_years(tmp_path, capsys):
    code, _, err = run(capsys, "synth", "generate", "--years", "2021-2020", "-o", str(tmp_path / "x.parquet"))
    assert code == 2 and "must not be after" in err


@pytest.mark.parametrize("fmt, name", [("xlsx", "r.xlsx"), ("gbk", "r.csv"), ("board", "b.csv")])
def test_synth_messy_writes_export_and_expected_rejects(tmp_path, capsys, fmt, name):
    out = tmp_path / name
    code, stdout, err = run(capsys, "synth", "messy", "--rows", "120", "--format", fmt, "-o", str(out))
    assert code == 0, err
    assert out.exists()
    rejects = pd.read_csv(out.with_name(out.stem + ".expected_rejects.csv"))
    assert {"source_row", "reason"} <= set(rejects.columns)
    if fmt == "gbk":
        out.read_bytes().decode("gbk")  # really GBK
        assert len(rejects) > 0
    assert "to be rejected" in stdout


def test_synth_messy_needs_a_known_format(tmp_path, capsys):
    code, _, err = run(capsys, "synth", "messy", "-o", str(tmp_path / "x.txt"))
    assert code == 2 and "--format" in err


def test_headline_json_equals_the_report_json(tmp_path):
    """`headline --json` prints the report's figures: same keys, p-values and verdicts."""
    import json
    import subprocess
    import sys

    from petition_analysis.publish import reports
    from petition_analysis.publish.reports import sections

    out = subprocess.run([sys.executable, "-m", "petition_analysis.cli", "headline", "--year", "2019", "--as-of",
                          "2019-12-20", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)["figures"]
    report = json.loads(json.dumps(sections.summary_figures(reports.prepare("annual", year=2019, as_of="2019-12-20"))))
    assert set(cli) == set(report)
    for fid in report:
        assert cli[fid] == report[fid], fid


@pytest.mark.parametrize("dataset", [False, True], ids=["parquet", "out-dataset"])
def test_clean_prints_unmapped_label_counts_never_the_labels(tmp_path, capsys, caplog, monkeypatch, dataset,
                                                             unmapped_labels_csv, label_leaks):
    import json
    import logging

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PETITION_PSEUDONYM_KEY", "k")
    src = unmapped_labels_csv
    if dataset:
        code, out, err = run(capsys, "clean", str(src), "--out-dataset", str(tmp_path / "ds"), "--no-progress")
        files = [tmp_path / "ds" / "_log.json"]
        log = json.loads(files[0].read_text(encoding="utf-8"))
        assert log["unmapped_labels"]["category"] == {"labels": 1, "rows": 2}
        assert log["files"][0]["unmapped_labels"]["channel"] == {"labels": 1, "rows": 1}
        rejects = pd.read_parquet(tmp_path / "ds" / "_rejects.parquet").to_csv()
    else:
        code, out, err = run(capsys, "clean", str(src), "-o", str(tmp_path / "c.parquet"), "--no-progress")
        files = [tmp_path / "c.rejects.csv"]
        rejects = files[0].read_text(encoding="utf-8-sig")
    assert code == 0, err
    assert "unmapped category labels: 1 label(s) in 2 row(s)" in out
    assert "pa.unmapped_labels(" in out
    for text in [out, err, rejects, caplog.text] + [f.read_text(encoding="utf-8-sig") for f in files]:
        assert not [s for s in label_leaks if s in text], text
