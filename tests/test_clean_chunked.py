"""clean() in chunks (big CSV files, bounded memory) gives exactly the result of cleaning
the input whole: the same data, the same rejects and the same log."""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd
import pytest

from petition_analysis import clean, synth
from petition_analysis.ingest.privacy import KEY_ENV_VAR
from petition_analysis.synth import messy

clean_module = importlib.import_module("petition_analysis.ingest.cleaning")  # `clean` is the function
DATA_RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
KEY, TODAY = "test-key", "2024-01-01"


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory):
    ref = synth.generate(2017, 2019, seed=3, scale=0.2).data
    path = tmp_path_factory.mktemp("raw") / "export.csv"
    # Enough copies and reused case numbers that many of them cross a chunk boundary.
    messy.make_messy_export(ref, seed=5, duplicate_share=0.03, duplicate_case_ids=20).write_csv(path)
    return path


@pytest.fixture(scope="module")
def whole(messy_csv):
    return clean(messy_csv, pseudonym_key=KEY, today=TODAY)


def assert_same_result(a, b):
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.rejects, b.rejects)
    assert a.log.to_dict() == b.log.to_dict()


@pytest.mark.parametrize("chunk_rows", [997, 5_000])
def test_chunks_give_the_whole_result(messy_csv, whole, chunk_rows):
    got = clean(messy_csv, pseudonym_key=KEY, today=TODAY, chunk_rows=chunk_rows)
    assert_same_result(whole, got)
    # The input really was cut, and copies and reused numbers across chunks were found.
    assert whole.log.rows_read > 3 * chunk_rows
    assert {"duplicate", "duplicate_case_id"} <= set(got.rejects["reason"])


def test_big_csv_is_cleaned_in_chunks_by_default(messy_csv, whole, monkeypatch):
    calls = []
    real = clean_module.iter_csv_tables

    def spy(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(clean_module, "iter_csv_tables", spy)
    monkeypatch.setattr(clean_module, "CHUNKED_MIN_BYTES", messy_csv.stat().st_size - 1)
    monkeypatch.setattr(clean_module, "CHUNK_ROWS", 3_000)
    assert_same_result(whole, clean(messy_csv, pseudonym_key=KEY, today=TODAY))
    assert calls == [3_000]
    # A file under the threshold is read whole.
    calls.clear()
    monkeypatch.setattr(clean_module, "CHUNKED_MIN_BYTES", messy_csv.stat().st_size)
    clean(messy_csv, pseudonym_key=KEY, today=TODAY)
    assert calls == []


def test_notes_block_split_across_chunks(tmp_path):
    rows = [f"A{i},2019-03-0{1 + i % 9},来信,1,到县,甲区,城建" for i in range(40)]
    notes = ["注：本表由系统导出。", "1. 人数为登记人数。", "2. 数据截至年底。", "3. 如有疑问请联系。"]
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(["编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类", *rows, *notes]) + "\n",
                    encoding="utf-8")
    whole = clean(path, pseudonym_key=KEY, today=TODAY)
    assert whole.rejects["reason"].tolist() == ["notes_row"] * 4
    for chunk_rows in (41, 42, 43):  # the boundary just before, and twice inside, the notes block
        assert len(list(clean_module.iter_csv_tables(path, chunk_rows))) == 2
        assert_same_result(whole, clean(path, pseudonym_key=KEY, today=TODAY, chunk_rows=chunk_rows))


def test_first_chunk_holds_the_header_zone(tmp_path):
    # Title rows above the header and chunks smaller than them: the header is still found.
    path = tmp_path / "titled.csv"
    body = [f"A{i},2019-03-01,来信,1,到县,甲区,城建" for i in range(50)]
    path.write_text("\n".join(["XX市信访局登记台账", "导出时间：2020-01-02", "", "编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类",
                                *body]) + "\n", encoding="utf-8")
    tables = list(clean_module.iter_csv_tables(path, 2))
    assert tables[0].header_row == 3 and len(tables[0].grid) > 4
    assert sum(len(t.grid) - t.header_row - 1 for t in tables) == 50
    assert_same_result(clean(path, pseudonym_key=KEY, today=TODAY), clean(path, pseudonym_key=KEY, today=TODAY, chunk_rows=2))


def test_copies_across_files_with_different_columns(tmp_path):
    # The same item in two exports, one of which has an extra, empty column: a copy in
    # the whole run (a missing column is ""), and so in chunks too.
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类\nA1,2019-03-01,来信,1,到县,甲区,城建\n"
                 "A2,2019-03-02,来信,1,到县,甲区,城建\n", encoding="utf-8")
    b.write_text("编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类,满意度\nA2,2019-03-02,来信,1,到县,甲区,城建,\n",
                 encoding="utf-8")
    whole = clean([a, b], pseudonym_key=KEY, today=TODAY)
    assert whole.rejects[["source_file", "reason"]].values.tolist() == [[str(b), "duplicate"]]
    assert_same_result(whole, clean([a, b], pseudonym_key=KEY, today=TODAY, chunk_rows=1))


def test_previews_name_fields_as_the_whole_run(tmp_path):
    # Two exports name the date column differently; a reject's preview uses the first
    # file's header text in both runs.
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类\nA1,2019-03-01,来信,1,到县,甲区,城建\n", encoding="utf-8")
    b.write_text("编号,来访日期,信访形式,人数,到达层级,问题属地,问题分类\nB1,2019-03-02,飞鸽,1,到县,甲区,城建\n", encoding="utf-8")
    whole = clean([a, b], pseudonym_key=KEY, today=TODAY)
    assert "登记日期=2019-03-02" in whole.rejects["preview"].iloc[0]
    assert_same_result(whole, clean([a, b], pseudonym_key=KEY, today=TODAY, chunk_rows=1))


@pytest.mark.parametrize("name", ["xx_city_2019_register_gbk.csv", "xx_city_2019_register_utf8.csv"])
def test_bundled_exports_in_chunks(name):
    path = DATA_RAW / name
    assert_same_result(clean(path, pseudonym_key=KEY, today=TODAY),
                       clean(path, pseudonym_key=KEY, today=TODAY, chunk_rows=50))


def test_workbook_and_csv_together(tmp_path):
    sources = [DATA_RAW / "xx_city_2019_register_quarters.xlsx", DATA_RAW / "xx_city_2019_register_utf8.csv"]
    assert_same_result(clean(sources, pseudonym_key=KEY, today=TODAY),
                       clean(sources, pseudonym_key=KEY, today=TODAY, chunk_rows=40))


def test_random_key_is_one_key_for_every_chunk(messy_csv, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    whole = clean(messy_csv, today=TODAY)
    got = clean(messy_csv, today=TODAY, chunk_rows=997)
    # Pseudonyms differ between runs, but link the same rows: one key for all chunks.
    assert got.data["petitioner_id"].nunique() == whole.data["petitioner_id"].nunique()
    assert got.data["is_repeat"].sum() == whole.data["is_repeat"].sum()
    assert got.log.key_source == "random"
    assert got.log.warnings == whole.log.warnings


def test_bad_chunk_rows():
    with pytest.raises(ValueError, match="chunk_rows"):
        clean(DATA_RAW / "xx_city_2019_register_utf8.csv", chunk_rows=0)


def test_cli_chunk_rows(tmp_path, capsys, monkeypatch):
    from petition_analysis.cli import main

    monkeypatch.setenv(KEY_ENV_VAR, KEY)
    src = str(DATA_RAW / "xx_city_2019_register_utf8.csv")
    assert main(["clean", src, "-o", str(tmp_path / "whole.parquet"), "--no-progress"]) == 0
    assert main(["clean", src, "-o", str(tmp_path / "chunks.parquet"), "--chunk-rows", "60", "--no-progress"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "whole.parquet"), pd.read_parquet(tmp_path / "chunks.parquet"))
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:  # an option out of range is an argparse error
        main(["clean", src, "-o", str(tmp_path / "x.parquet"), "--chunk-rows", "0"])
    assert info.value.code == 2
    assert "--chunk-rows: 0 is too small; give a whole number of at least 1" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()


def test_chunked_reader_fails_clearly(tmp_path):
    from petition_analysis.errors import UnreadableFileError

    binary = tmp_path / "export.csv"
    binary.write_bytes(bytes(range(256)) * 400)
    with pytest.raises(UnreadableFileError, match="neither UTF-8 nor GBK"):
        clean(binary, pseudonym_key=KEY, chunk_rows=10)
    # A row far down that is a little wider than the first thousand lines is read as the
    # whole file reads it; one much wider is named, with the fix.
    header = "编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类"
    rows = [f"A{i},2019-03-01,来信,1,到县,甲区,城建" for i in range(1500)]
    wide = tmp_path / "wide.csv"
    wide.write_text("\n".join([header, *rows, "注：本表由系统导出。,,,,,,,,,"]) + "\n", encoding="utf-8")
    whole = clean(wide, pseudonym_key=KEY, today=TODAY)
    assert whole.rejects["reason"].tolist() == ["notes_row"]
    assert_same_result(whole, clean(wide, pseudonym_key=KEY, today=TODAY, chunk_rows=500))
    wide.write_text("\n".join([header, *rows, "A9,2019-03-01,来信,1,到县,甲区,城建" + ",x" * 20]) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="wider than the first rows") as err:
        clean(wide, pseudonym_key=KEY, chunk_rows=500)
    assert "save it again as CSV" in str(err.value)
