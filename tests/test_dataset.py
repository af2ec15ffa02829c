"""The scale path gives the in-memory answers: chunked cleaning into a year-partitioned
dataset (duplicates, case numbers and repeats linked across chunks in a second pass), and
the quarterly table and counts through DuckDB."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from petition_analysis import clean, synth
from petition_analysis import periods
from petition_analysis.analysis import compare
from petition_analysis.ingest import dataset
from petition_analysis.ingest.headers import Mapping
from petition_analysis.synth import messy

KEY = "test-key"
TODAY = "2024-01-01"


@pytest.fixture(scope="module")
def reference():
    return synth.generate(2017, 2019, seed=3, scale=0.2).data


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("raw") / "export.csv"
    # Enough duplicates and reused case numbers that some cross a chunk boundary.
    mx = messy.make_messy_export(reference, seed=5, duplicate_share=0.03, duplicate_case_ids=20)
    mx.write_csv(path)
    return path


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["source_file", "source_row"]).reset_index(drop=True)


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    out = _sorted(df)
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("str")
    return out


@pytest.mark.parametrize("rows_per_bucket", [dataset.ROWS_PER_BUCKET, 1_500], ids=["one-bucket", "many-buckets"])
def test_chunked_clean_equals_in_memory_clean(tmp_path, messy_csv, rows_per_bucket, monkeypatch):
    # Many buckets: repeat linking runs in slices of petitioners, as it does on big inputs.
    monkeypatch.setattr(dataset, "ROWS_PER_BUCKET", rows_per_bucket)
    mem = clean(messy_csv, pseudonym_key=KEY, today=TODAY)
    res = dataset.clean_to_dataset(messy_csv, tmp_path / "ds", chunk_rows=4_000, pseudonym_key=KEY, today=TODAY)
    assert res.repeat_buckets == (1 if rows_per_bucket > len(mem.data) else -(-len(mem.data) // rows_per_bucket))
    assert json.loads((tmp_path / "ds" / "_log.json").read_text())["repeat_buckets"] == res.repeat_buckets
    assert res.rows_read == mem.log.rows_read
    assert res.rows_clean == len(mem.data)
    assert sorted(p.name for p in (tmp_path / "ds").glob("year=*")) == ["year=2017", "year=2018", "year=2019"]
    got = dataset.read_dataset(tmp_path / "ds")
    pd.testing.assert_frame_equal(_canonical(got), _canonical(mem.data), check_dtype=False)
    # Rejects: the same rows for the same reasons (duplicates found across chunks included).
    rej = pd.read_parquet(tmp_path / "ds" / "_rejects.parquet")
    key = ["source_row", "reason"]
    assert rej[key].sort_values(key).values.tolist() == mem.rejects[key].sort_values(key).values.tolist()
    assert {"duplicate", "duplicate_case_id"} <= set(rej["reason"])


def test_directory_of_files_gives_the_same_dataset(tmp_path, reference):
    raw = tmp_path / "raw"
    raw.mkdir()
    for y in (2017, 2018, 2019):
        part = reference[reference["received_date"].dt.year == y]
        messy.make_messy_export(part, seed=y).write_csv(raw / f"{y}.csv")
    mem = clean(str(raw / "*.csv"), pseudonym_key=KEY, today=TODAY)
    res = dataset.clean_to_dataset(raw, tmp_path / "ds", chunk_rows=3_000, pseudonym_key=KEY, today=TODAY)
    assert res.rows_clean == len(mem.data) and sum(res.rejected.values()) == len(mem.rejects)
    got = dataset.read_dataset(tmp_path / "ds")
    pd.testing.assert_frame_equal(_canonical(got), _canonical(mem.data), check_dtype=False)
    # repeat linking crosses files (a petitioner's 2018 item makes the 2019 one a repeat)
    assert got["is_repeat"].sum() == mem.data["is_repeat"].sum() > 0


def test_quarterly_table_pandas_equals_duckdb_on_frame_and_dataset(tmp_path, reference):
    mem = dataset.quarterly_table(reference)
    assert mem.equals(dataset.quarterly_table(reference, engine="duckdb"))
    ds = dataset.write_dataset(reference, tmp_path / "ds")
    assert mem.equals(dataset.quarterly_table(ds))
    # and it agrees with compare.counts on one cell
    row = mem[(mem.year == 2019) & (mem.quarter == 2)].iloc[0]
    sub = reference[(reference["region"].astype("str") == row.region)]
    c = compare.counts(sub, periods.quarter(2019, 2), by=None)
    assert row["items"] <= int(c["items"].iloc[0])
    assert mem["items"].sum() == len(reference) and mem["person_times"].sum() == reference["persons"].sum()


def test_counts_on_dataset_equal_in_memory_counts(tmp_path, reference):
    ds = dataset.write_dataset(reference, tmp_path / "ds")
    for by in (None, "channel", ["level", "channel"]):
        mem = compare.counts(reference, periods.year(2019), by=by)
        got = dataset.counts(ds, periods.year(2019), by=by)
        assert isinstance(mem.index, pd.RangeIndex)
        mem = mem[mem["items"] > 0]
        keys = [by] if isinstance(by, str) else list(by or [])
        # Both long tables: the group columns, items, person_times, and a plain index.
        assert list(got.columns) == list(mem.columns) == keys + ["items", "person_times"]
        assert isinstance(got.index, pd.RangeIndex)
        as_dict = lambda t: {tuple(t[k].astype("str").iloc[i] for k in keys): (t["items"].iloc[i],  # noqa: E731
                             t["person_times"].iloc[i]) for i in range(len(t))}
        assert as_dict(got) == as_dict(mem) and (len(got) > 1 if by else len(got) == 1)


def test_cli_clean_out_dataset(tmp_path, messy_csv, monkeypatch):
    from petition_analysis.cli import main

    monkeypatch.setenv("PETITION_PSEUDONYM_KEY", KEY)
    assert main(["clean", str(messy_csv), "--out-dataset", str(tmp_path / "ds"), "--chunk-rows", "5000",
                 "--workers", "2"]) == 0
    assert (tmp_path / "ds" / "_rejects.parquet").exists()
    assert len(dataset.read_dataset(tmp_path / "ds")) == len(clean(messy_csv, pseudonym_key=KEY).data)


def test_notes_block_split_across_chunks(tmp_path):
    rows = [f"A{i},2019-03-0{1 + i % 9},来信,1,到县,甲区,城建" for i in range(40)]
    notes = ["注：本表由系统导出。", "1. 人数为登记人数。", "2. 数据截至年底。"]
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(["编号,登记日期,信访形式,人数,到达层级,问题属地,问题分类", *rows, *notes]) + "\n",
                    encoding="utf-8")
    res = dataset.clean_to_dataset(path, tmp_path / "ds", chunk_rows=42, pseudonym_key=KEY, today=TODAY)
    rej = pd.read_parquet(tmp_path / "ds" / "_rejects.parquet")
    assert rej["reason"].tolist() == ["notes_row"] * 3
    assert (res.rows_read, res.rows_clean) == (43, 40)


def test_one_sheet_of_a_workbook(tmp_path):
    from pathlib import Path

    book = Path(__file__).resolve().parents[1] / "data" / "raw" / "xx_city_2019_register_quarters.xlsx"
    mem = clean(book, sheet=1, pseudonym_key=KEY, today=TODAY)
    res = dataset.clean_to_dataset(book, tmp_path / "ds", sheet=1, pseudonym_key=KEY, today=TODAY)
    assert res.rows_clean == len(mem.data) < len(clean(book, pseudonym_key=KEY, today=TODAY).data)
    assert set(dataset.read_dataset(tmp_path / "ds")["source_file"].astype(str)) == set(mem.data["source_file"].astype(str))


def _dataset_files(path):
    log = json.loads((path / "_log.json").read_text())
    for k in ("seconds", "path"):
        log.pop(k)
    return dataset.read_dataset(path), pd.read_parquet(path / "_rejects.parquet"), log


def test_worker_processes_give_the_same_dataset_rejects_and_log(tmp_path, messy_csv):
    # Pass 1 in two processes (chunks cleaned out of order) writes what one process writes:
    # the same rows, rejects and log, the distinct unmapped labels counted once over all chunks.
    kw = dict(chunk_rows=4_000, pseudonym_key=KEY, today=TODAY, keep_staging=True)
    one = dataset.clean_to_dataset(messy_csv, tmp_path / "one", workers=1, **kw)
    two = dataset.clean_to_dataset(messy_csv, tmp_path / "two", workers=2, **kw)
    assert one.rows_read > 4 * 4_000 and (one.rows_clean, one.rejected) == (two.rows_clean, two.rejected)
    a, b = _dataset_files(tmp_path / "one"), _dataset_files(tmp_path / "two")
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert a[2] == b[2] and a[2]["unmapped_labels"]["channel"]["labels"] >= 1
    staged = sorted(p.name for p in (tmp_path / "one" / "_staging").glob("*.parquet"))
    assert staged == sorted(p.name for p in (tmp_path / "two" / "_staging").glob("*.parquet")) and len(staged) > 4
    for name in staged:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "_staging" / name),
                                      pd.read_parquet(tmp_path / "two" / "_staging" / name))


def test_one_chunk_is_cleaned_without_starting_processes(tmp_path, messy_csv, monkeypatch):
    import concurrent.futures

    def no_pool(*a, **k):
        raise AssertionError("a process pool was started for a single chunk")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    res = dataset.clean_to_dataset(messy_csv, tmp_path / "ds", chunk_rows=10**6, pseudonym_key=KEY, today=TODAY,
                                   workers=4)
    assert res.rows_clean == len(clean(messy_csv, pseudonym_key=KEY, today=TODAY).data)


class _KillsItsProcess(Mapping):
    """A mapping whose unpickling ends the process that receives it: a worker that dies."""

    def __reduce__(self):
        import os

        return os._exit, (3,)


def test_a_worker_that_dies_gives_one_clear_error(tmp_path, messy_csv):
    with pytest.raises(dataset.WorkerDied, match="fewer workers .* smaller chunks"):
        dataset.clean_to_dataset(messy_csv, tmp_path / "ds", _KillsItsProcess(), chunk_rows=4_000, pseudonym_key=KEY,
                                 today=TODAY, workers=2)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        dataset.clean_to_dataset(messy_csv, tmp_path / "none", workers=0)
    assert not (tmp_path / "none").exists()


def test_cli_workers_only_with_out_dataset(tmp_path, messy_csv, capsys):
    from petition_analysis.cli import main

    assert main(["clean", str(messy_csv), "-o", str(tmp_path / "x.parquet"), "--workers", "2"]) == 2
    assert "--workers applies to --out-dataset only" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()


def test_a_script_without_the_main_guard_gets_told(tmp_path, messy_csv):
    # Spawned workers import the calling script again: without the guard the call runs in
    # each worker while it starts. It must stop there (not clear the staging folder the main
    # process fills) and the user must read what to change.
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text("from petition_analysis.ingest import dataset\n"
                      f"dataset.clean_to_dataset({str(messy_csv)!r}, {str(tmp_path / 'ds')!r}, chunk_rows=4000, "
                      "workers=2, pseudonym_key='k', today='2024-01-01')\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert dataset.UNGUARDED_SCRIPT in run.stderr  # the worker's own error names the fix
    assert "WorkerDied" in run.stderr and 'if __name__ == \\"__main__\\":' not in run.stderr
    assert 'if __name__ == "__main__":' in run.stderr.split("WorkerDied")[-1]  # and so does the main process's


def test_a_run_stopped_half_way_leaves_a_folder_no_loader_takes_for_whole(tmp_path, messy_csv, monkeypatch):
    """_log.json marks a finished dataset: a second run into the same folder removes it first
    and writes it last. Stopped before pass 2, the folder still holds the first run's years
    beside the second's staging, and every loader refuses it in one paragraph; running
    again makes it whole."""
    from petition_analysis.errors import StructuralError
    from petition_analysis.ingest.sources import expand_data, load_sources

    out = tmp_path / "ds"
    dataset.clean_to_dataset(messy_csv, out, chunk_rows=5000, pseudonym_key=KEY, today=TODAY, workers=1)
    whole = len(dataset.read_dataset(out))

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset, "finish_dataset", stopped)
    with pytest.raises(KeyboardInterrupt):
        dataset.clean_to_dataset(messy_csv, out, chunk_rows=5000, pseudonym_key=KEY, today=TODAY, workers=1)
    assert not (out / "_log.json").exists() and any(out.glob("year=*/*.parquet"))
    for load in (expand_data, load_sources, dataset.read_dataset, lambda p: dataset.quarterly_table(p)):
        with pytest.raises(StructuralError, match="unfinished.*no _log.json.*Run `petition-analysis clean"):
            load(out)
    monkeypatch.undo()
    dataset.clean_to_dataset(messy_csv, out, chunk_rows=5000, pseudonym_key=KEY, today=TODAY, workers=1)
    assert len(dataset.read_dataset(out)) == whole and len(load_sources(out).data) == whole
