"""Several inputs at once (--data repeated, globs, folders): canonical files put together
with overlaps counted, raw exports cleaned together (rows in = clean + rejected over all
files, copies across files found), datasets, and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.errors import StructuralError
from petition_analysis.ingest.sources import expand_data, load_sources, register_files


@pytest.fixture(scope="module")
def two_years(tmp_path_factory, reference_df):
    """2018 and 2019 of the reference register as two canonical Parquet files."""
    folder = tmp_path_factory.mktemp("years")
    df = reference_df[reference_df["received_date"].dt.year.isin([2018, 2019])]
    for y in (2018, 2019):
        df[df["received_date"].dt.year == y].to_parquet(folder / f"y{y}.parquet")
    return folder, df


def test_two_canonical_files_give_the_whole_register(two_years):
    folder, df = two_years
    src = load_sources([folder / "y2018.parquet", folder / "y2019.parquet"])
    assert src.kind == "canonical" and src.years == [2018, 2019]
    assert len(src.data) == len(df)
    assert src.data["case_id"].is_unique
    pd.testing.assert_series_equal(src.data["region"].value_counts().sort_index(),
                                   df["region"].value_counts().sort_index())
    q = src.quality
    assert (q["rows_read"], q["rows_clean"], q["rows_rejected"]) == (len(df), len(df), 0)
    assert [f["rows"] for f in src.files] == [int((df["received_date"].dt.year == y).sum()) for y in (2018, 2019)]
    assert len(src.sha256) == 64 and src.sha256 not in {f["sha256"] for f in src.files}


def test_order_globs_folders_and_repeats_name_the_same_input(two_years):
    folder, _ = two_years
    a = load_sources([folder / "y2018.parquet", folder / "y2019.parquet"])
    b = load_sources([str(folder / "y2019.parquet"), str(folder / "y*.parquet"), str(folder)])
    assert a.paths == b.paths and a.sha256 == b.sha256
    assert a.data.equals(b.data)


def test_overlapping_canonical_files_keep_each_item_once(two_years, tmp_path):
    folder, df = two_years
    y2019 = df[df["received_date"].dt.year == 2019]
    overlap = y2019.head(50)  # the same items exported twice
    reused = y2019.iloc[50:53].copy()
    reused["persons"] = reused["persons"] + 1  # the same case numbers for other items
    pd.concat([overlap, reused]).to_parquet(tmp_path / "extra.parquet")
    src = load_sources([folder / "y2019.parquet", tmp_path / "extra.parquet"])
    q = src.quality
    assert q["rejected_by_reason"] == {"duplicate": 50, "duplicate_case_id": 3}
    assert q["rows_read"] == q["rows_clean"] + q["rows_rejected"] == len(y2019) + 53
    assert len(src.data) == len(y2019) and src.data["case_id"].is_unique


def test_repeat_visits_link_across_files_cleaned_one_by_one(two_years, tmp_path):
    from petition_analysis.ingest.derive import flag_repeats

    folder, df = two_years
    y2019 = df[df["received_date"].dt.year == 2019].copy()
    y2019["is_repeat"] = flag_repeats(y2019)  # 2019 cleaned alone: no link to 2018
    y2019.to_parquet(tmp_path / "y2019_alone.parquet")
    src = load_sources([folder / "y2018.parquet", tmp_path / "y2019_alone.parquet"])
    whole = df.set_index("case_id")["is_repeat"]
    got = src.data.set_index("case_id")["is_repeat"].reindex(whole.index)
    assert got.equals(whole)  # as if the two years had been cleaned together
    missing = int((df["is_repeat"] & (df["received_date"].dt.year == 2019)).sum() - y2019["is_repeat"].sum())
    assert src.quality["repeats_linked_across_files"] == missing > 1000
    assert src.quality["petitioners_in_several_files"] > 1000


def test_files_cleaned_with_different_keys_link_no_petitioner(two_years, tmp_path):
    folder, df = two_years
    y2019 = df[df["received_date"].dt.year == 2019].copy()
    y2019["petitioner_id"] = "other-key-" + y2019["petitioner_id"]
    y2019.to_parquet(tmp_path / "y2019_key2.parquet")
    q = load_sources([folder / "y2018.parquet", tmp_path / "y2019_key2.parquet"]).quality
    assert q["petitioners_in_several_files"] == 0 and q["repeats_linked_across_files"] == 0


def _raw(tmp_path, name, rows):
    header = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类"]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_raw_exports_are_cleaned_together(tmp_path):
    y1 = [[f"A{i}", f"2018-03-{i + 1:02d}", "来信", "1", "到县", "鄠邑区", "城乡建设"] for i in range(20)]
    y2 = [[f"B{i}", f"2019-03-{i + 1:02d}", "来访", "2", "到市", "长安区", "劳动和社会保障"] for i in range(20)]
    y2 += [y1[0], y1[1]]                                            # copies of last year's rows
    y2 += [["B99", "2019-13-40", "来信", "1", "到县", "长安区", "城乡建设"]]  # a bad date
    src = load_sources([_raw(tmp_path, "r2018.csv", y1), _raw(tmp_path, "r2019.csv", y2)], progress=False)
    q = src.quality
    assert src.kind == "raw" and q["source"] == "2 raw exports, cleaned together"
    assert q["rows_read"] == 43 == q["rows_clean"] + q["rows_rejected"]
    assert q["rejected_by_reason"] == {"duplicate": 2, "invalid_date": 1}
    assert src.years == [2018, 2019] and len(src.data) == 40
    assert [f["rows"] for f in src.files] == [20, 23]


def test_clean_and_raw_data_are_not_mixed(two_years, tmp_path):
    folder, _ = two_years
    raw = _raw(tmp_path, "r.csv", [["A1", "2019-03-01", "来信", "1", "到县", "甲区", "城乡建设"]])
    with pytest.raises(StructuralError, match="mixes clean data .* with raw exports"):
        load_sources([folder / "y2019.parquet", raw])


def test_a_folder_gives_its_registers_and_skips_what_clean_writes_beside_them(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a.xlsx", "sub/b.csv", "c.parquet", "a.expected_rejects.csv", "b.rejects.csv", "~$a.xlsx",
                 ".hidden/d.csv", "notes.txt.bak", "mapping.yaml"):
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in register_files(tmp_path)] == ["a.xlsx", "c.parquet", "sub/b.csv"]


@pytest.mark.parametrize("given, words", [
    ([], "No input was given"),
    (["/no/such/file.parquet"], "the file does not exist"),
    (["/no/such/*.xlsx"], "the pattern matches no file"),
])
def test_inputs_that_name_nothing(given, words):
    with pytest.raises(StructuralError, match=words):
        expand_data(given)


def test_a_parquet_file_that_is_not_canonical_names_the_file(tmp_path, reference_df):
    reference_df.head(20).drop(columns="level").to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(StructuralError) as info:
        load_sources(tmp_path / "bad.parquet")
    assert "bad.parquet" in str(info.value) and "level" in str(info.value) and "mapping" in str(info.value)


def test_a_dataset_folder_is_read_with_its_log(tmp_path):
    from petition_analysis.ingest.dataset import clean_to_dataset

    rows = [[f"A{i}", f"2019-0{1 + i % 9}-1{i % 10}", "来信", "1", "到县", "甲区", "城乡建设"] for i in range(30)]
    rows += [rows[0], ["A99", "不详", "来信", "1", "到县", "甲区", "城乡建设"]]
    raw = _raw(tmp_path, "r.csv", rows)
    clean_to_dataset(raw, tmp_path / "ds", pseudonym_key="k", progress=False)
    src = load_sources(tmp_path / "ds")
    q = src.quality
    assert src.kind == "dataset" and len(src.data) == 30
    assert q["rows_read"] == 32 == q["rows_clean"] + q["rows_rejected"]
    assert q["rejected_by_reason"]["duplicate"] == 1


def test_cli_clean_takes_a_folder_and_keeps_its_paths_relative(tmp_path, monkeypatch, capsys):
    from petition_analysis import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    _raw(tmp_path / "exports", "r2018.csv", [["A1", "2018-03-01", "来信", "1", "到县", "甲区", "城乡建设"]])
    _raw(tmp_path / "exports", "r2019.csv", [["B1", "2019-03-01", "来信", "1", "到县", "甲区", "城乡建设"]])
    (tmp_path / "exports" / "r2019.expected_rejects.csv").write_text("source_file,reason\n")
    assert cli.main(["clean", "exports", "-o", "clean.parquet", "--no-progress"]) == 0, capsys.readouterr().err
    df = pd.read_parquet(tmp_path / "clean.parquet")
    assert sorted(df["source_file"].astype("str")) == ["exports/r2018.csv", "exports/r2019.csv"]
    (tmp_path / "empty").mkdir()
    assert cli.main(["clean", "empty", "-o", "x.parquet"]) == 2
    assert "holds no register file" in capsys.readouterr().err
