"""clean(): ground truth from the messy-export generator, no data lost, privacy."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petition_analysis import schema, synth
from petition_analysis.cli import main
from petition_analysis.ingest.cleaning import REJECT_COLUMNS, clean
from petition_analysis.ingest.privacy import KEY_ENV_VAR
from petition_analysis.ingest.reasons import REJECT_REASONS
from petition_analysis.synth import messy

DATA_RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def clean_2019() -> pd.DataFrame:
    return synth.generate(2019, 2019).data


@pytest.fixture(scope="module")
def mx(clean_2019):
    rows = messy.sample_rows(clean_2019, 1200, seed=11)
    return messy.make_messy_export(rows, seed=11, invalid_share=0.05, duplicate_share=0.02)


def _key(df: pd.DataFrame) -> pd.DataFrame:
    return df[["sheet", "source_row", "reason"]].fillna("").astype(str).sort_values(["sheet", "source_row"]).reset_index(drop=True)


def assert_same_rows(got: pd.DataFrame, expected: pd.DataFrame, *, compare_pseudonyms: bool = True) -> None:
    """Canonical rows equal, matched by case_id (categories compared as labels)."""
    g = got.drop(columns=["source_file", "source_row"], errors="ignore").set_index("case_id").sort_index()
    e = expected.set_index("case_id").sort_index()
    assert g.index.equals(e.index)
    for c in e.columns:
        if c == "petitioner_id" and not compare_pseudonyms:
            continue
        a, b = g[c], e[c]
        if isinstance(a.dtype, pd.CategoricalDtype) or isinstance(b.dtype, pd.CategoricalDtype):
            a, b = a.astype("str"), b.astype("str")
        same = (a == b) | (a.isna() & b.isna())
        assert same.all(), f"{c}: {int((~same).sum())} rows differ, e.g. {a[~same].head(3).tolist()} vs {b[~same].head(3).tolist()}"


@pytest.mark.parametrize("variant", ["utf8", "gbk", "xlsx"])
def test_messy_variants_match_ground_truth(tmp_path, mx, variant):
    path = tmp_path / ("x.xlsx" if variant == "xlsx" else "x.csv")
    outcome = mx.write_xlsx(path) if variant == "xlsx" else mx.write_csv(path, encoding="utf-8-sig" if variant == "utf8" else "gbk")
    res = clean(path, pseudonym_key=mx.pseudonym_key)
    # exactly the expected rows rejected, for the expected reasons
    pd.testing.assert_frame_equal(_key(res.rejects), _key(outcome.rejects))
    # the clean rows equal the rows they were made from (pseudonyms recomputed with the key)
    assert_same_rows(res.data, mx.expected_clean)
    assert res.log.rows_read == outcome.rows_read == len(res.data) + len(res.rejects)
    # the rows point back to where they were in the file
    kept = outcome.kept.assign(sheet=outcome.kept["sheet"].fillna("")).set_index("case_id")
    got_rows = res.data.set_index("case_id")["source_row"]
    assert (got_rows.loc[kept.index].to_numpy() == kept["source_row"].to_numpy()).all()
    if variant != "xlsx":
        assert res.log.files[0]["encoding"] in ({"utf8": "utf-8-sig", "gbk": "gb18030"}[variant],)


def test_rejects_have_documented_columns_and_readable_messages(tmp_path, mx):
    mx.write_csv(tmp_path / "x.csv")
    res = clean(tmp_path / "x.csv", pseudonym_key="k")
    assert list(res.rejects.columns) == REJECT_COLUMNS
    assert res.rejects["message"].str.len().gt(10).all()
    bad_date = res.rejects[res.rejects["reason"] == "invalid_date"]
    assert bad_date["message"].str.contains("cannot be read as a date").all()
    assert bad_date["preview"].str.contains("登记日期=").all()
    assert res.log.unmapped_labels["channel"]["rows"] > 0  # the planted unknown channels are counted
    assert set(res.log.rejected) <= set(REJECT_REASONS)


def test_many_files_at_once_record_their_source(tmp_path, mx):
    mx.write_csv(tmp_path / "a.csv")
    mx.write_csv(tmp_path / "b.csv", encoding="gbk")
    res = clean(str(tmp_path / "*.csv"), pseudonym_key="k")
    assert res.log.rows_read == len(res.data) + len(res.rejects)
    # b.csv repeats a.csv: every data row of b is a duplicate (or a layout row / a row already invalid)
    from_b = res.rejects[res.rejects["source_file"].str.endswith("b.csv")]
    assert (res.data["source_file"].astype(str).str.endswith("a.csv")).all()
    assert from_b["reason"].value_counts()["duplicate"] >= len(mx.expected_clean)


def test_pseudonym_key_from_option_env_or_random(monkeypatch, tmp_path, mx):
    mx.write_csv(tmp_path / "x.csv")
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    r1 = clean(tmp_path / "x.csv")
    r2 = clean(tmp_path / "x.csv")
    assert r1.log.key_source == "random" and any("random per-run key" in w for w in r1.log.warnings)
    assert not r1.data["petitioner_id"].dropna().isin(r2.data["petitioner_id"].dropna()).any()
    monkeypatch.setenv(KEY_ENV_VAR, mx.pseudonym_key)
    r3 = clean(tmp_path / "x.csv")
    assert r3.log.key_source == "environment"
    assert r3.data["petitioner_id"].equals(clean(tmp_path / "x.csv", pseudonym_key=mx.pseudonym_key).data["petitioner_id"])
    assert_same_rows(r3.data, mx.expected_clean)


def test_options_threshold_and_window(tmp_path, mx):
    mx.write_csv(tmp_path / "x.csv")
    r5 = clean(tmp_path / "x.csv", pseudonym_key="k")
    r3 = clean(tmp_path / "x.csv", pseudonym_key="k", collective_threshold=3)
    assert r3.data["is_collective"].sum() > r5.data["is_collective"].sum()
    expected = ((r3.data["channel"] == "visit") & (r3.data["persons"] >= 3)).to_numpy()
    assert (r3.data["is_collective"].to_numpy() == expected).all()
    with pytest.raises(ValueError, match="collective_threshold"):
        clean(tmp_path / "x.csv", collective_threshold=1)


def test_step_functions_pipe(tmp_path, mx):
    import importlib

    from petition_analysis.ingest.headers import Mapping
    from petition_analysis.ingest.io import read_tables

    c = importlib.import_module("petition_analysis.ingest.cleaning")  # the module, not the function pa.clean
    mx.write_csv(tmp_path / "x.csv")
    frame = c.table_frame(read_tables(tmp_path / "x.csv")[0], Mapping())
    out = frame.pipe(c.mark_layout_rows).pipe(c.mark_duplicates).pipe(c.parse_received_date)
    counts = out["_reason"].value_counts()
    assert counts["duplicate"] == (mx.reasons == "duplicate").sum()
    assert counts["invalid_date"] == (mx.reasons == "invalid_date").sum()
    assert out.loc[out["_reason"].isna(), "received_date"].notna().all()


# --------------------------------------------------------------------------- no data lost

_CORRUPT = ["", " ", "合计", "注：以下为说明", "0", "-1", "abc", "２０１９年１３月１日", "13800138000", "不详",
            "99999", "1e9", "NaN", "None", "#N/A", "=SUM(A1)", "\"", ",", "进京", "重", "√", "2019/02/30", "１２"]


@pytest.fixture(scope="module")
def small_csv_lines(clean_2019, tmp_path_factory) -> list[list[str]]:
    rows = messy.sample_rows(clean_2019, 80, seed=3)
    mx_small = messy.make_messy_export(rows, seed=3)
    text = mx_small.write_csv(tmp_path_factory.mktemp("small") / "small.csv").path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_row_lost_under_random_cell_corruption(tmp_path_factory, small_csv_lines, data):
    lines = [list(r) for r in small_csv_lines]
    n_rows, n_cols = len(lines), len(lines[1])
    hits = data.draw(st.lists(st.tuples(st.integers(2, n_rows - 1), st.integers(0, n_cols - 1),
                                        st.one_of(st.sampled_from(_CORRUPT), st.text(st.characters(exclude_categories=("Cs",)), max_size=12))),
                              max_size=40))
    for r, c, v in hits:
        if c < len(lines[r]):
            lines[r][c] = v
    path = tmp_path_factory.mktemp("corrupt") / "c.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(lines)
    res = clean(path, pseudonym_key="k")
    assert res.log.rows_read == n_rows - 2 == len(res.data) + len(res.rejects)
    schema.validate(res.data.drop(columns=["source_file", "source_row"]))
    assert not res.data["case_id"].duplicated().any()
    assert set(res.rejects["source_row"]).isdisjoint(set(res.data["source_row"]))


# --------------------------------------------------------------------------- message board

def test_message_board_cleans_with_a_three_line_mapping(tmp_path, clean_2019):
    online = clean_2019[clean_2019["channel"] == "online"].iloc[::7].head(300)
    board = messy.make_message_board(online, seed=4)
    out = messy.write_board_csv(board, tmp_path / "board.csv")
    mapping = tmp_path / "board.yaml"
    mapping.write_text(messy.BOARD_MAPPING_YAML, encoding="utf-8")
    assert len(mapping.read_text(encoding="utf-8").strip().splitlines()) <= 3
    res = clean(out.path, mapping, pseudonym_key=board.pseudonym_key)
    assert len(res.rejects) == 0 and len(res.data) == len(board.raw)
    assert_same_rows(res.data, board.expected_clean)
    labels = board.raw["一级分类"]
    assert {"劳动和社会保障", "城乡建设"} <= set(labels)
    assert res.data["category"].astype(str).isin(schema.COLUMNS[6].categories).all()
    # the old labels of 2019 rows are crosswalked forward (教育文体 → education)
    edu = (labels == "教育文体").to_numpy()
    assert (res.data["category"].astype(str).to_numpy()[edu] == "education").all()


# --------------------------------------------------------------------------- bundled samples

@pytest.mark.skipif(not (DATA_RAW / messy.SAMPLE_FILES["utf8"]).exists(), reason="data/raw not generated")
@pytest.mark.parametrize("kind", ["utf8", "gbk", "xlsx"])
def test_bundled_raw_samples_clean_back_to_reference_rows(reference_df, kind):
    path = DATA_RAW / messy.SAMPLE_FILES[kind]
    expected_rejects = pd.read_csv(path.with_name(path.stem + ".expected_rejects.csv"), dtype={"sheet": str})
    res = clean(path, pseudonym_key=messy.SAMPLE_PSEUDONYM_KEY)
    pd.testing.assert_frame_equal(_key(res.rejects), _key(expected_rejects))
    ref = reference_df[reference_df["case_id"].isin(res.data["case_id"])]
    assert len(ref) == len(res.data)
    assert_same_rows(res.data, ref, compare_pseudonyms=False)
    pairs = pd.DataFrame({"ref": ref.set_index("case_id").loc[res.data["case_id"], "petitioner_id"].to_numpy(),
                          "new": res.data["petitioner_id"].to_numpy()}).dropna()
    assert (pairs.groupby("ref")["new"].nunique() == 1).all() and (pairs.groupby("new")["ref"].nunique() == 1).all()


@pytest.mark.skipif(not (DATA_RAW / messy.SAMPLE_FILES["board"]).exists(), reason="data/raw not generated")
def test_bundled_message_board_keeps_every_row():
    path = DATA_RAW / messy.SAMPLE_FILES["board"]
    res = clean(path, DATA_RAW / messy.SAMPLE_FILES["board_mapping"], pseudonym_key="k")
    assert len(res.rejects) == 0
    assert len(res.data) == len(pd.read_csv(path))


# --------------------------------------------------------------------------- privacy

def _scan(text: str, mx_) -> list[str]:
    planted = mx_.pii["names"] + mx_.pii["id_numbers"] + mx_.pii["phones"] + mx_.pii["emails"]
    return [p for p in planted if p in text]


def test_privacy_scan_of_data_rejects_and_cli_files(tmp_path, monkeypatch, mx):
    src = tmp_path / "in"
    src.mkdir()
    mx.write_csv(src / "x.csv", encoding="gbk")
    mx.write_xlsx(src / "y.xlsx")
    res = clean([src / "x.csv", src / "y.xlsx"], pseudonym_key="k")
    phones_spaced = [p[:3] + " " + p[3:7] + " " + p[7:] for p in mx.pii["phones"]]
    for frame in (res.data, res.rejects):
        text = frame.astype(str).to_csv()
        assert _scan(text, mx) == []
        assert not any(p in text for p in phones_spaced[:500])
    assert not {"信访人", "身份证号", "联系电话", "住址", "name", "id_number", "phone", "address"} & set(res.data.columns)
    assert not {"信访人", "身份证号", "联系电话", "住址"} & set(res.rejects.columns)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv(KEY_ENV_VAR, "secret")
    rc = main(["clean", str(src / "x.csv"), str(src / "y.xlsx"), "-o", str(out / "clean.parquet"),
               "--rejects", str(out / "rejects.csv"), "--no-progress"])
    assert rc == 0
    written = sorted(out.iterdir())
    assert {p.name for p in written} == {"clean.parquet", "rejects.csv"}
    for p in written:
        if p.suffix == ".parquet":
            text = pd.read_parquet(p).astype(str).to_csv()
        else:
            text = p.read_text(encoding="utf-8-sig")
        assert _scan(text, mx) == [], p.name
        # the raw bytes too (parquet dictionary pages hold strings verbatim)
        raw = p.read_bytes()
        assert not any(s.encode("utf-8") in raw for s in mx.pii["id_numbers"] + mx.pii["phones"])


def test_cli_prints_reconciliation_and_fails_cleanly(tmp_path, capsys, mx):
    mx.write_csv(tmp_path / "x.csv")
    assert main(["clean", str(tmp_path / "x.csv"), "-o", str(tmp_path / "c.parquet"), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "rows read" in printed and "read − clean − rejected" in printed and "duplicate" in printed
    assert (tmp_path / "c.rejects.csv").exists()
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["clean", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "d.parquet")]) == 2
    err = capsys.readouterr().err
    assert "no header row found" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d.parquet").exists()


def test_mask_text_keeps_alignment_on_a_non_range_index():
    # clean() masks slices of the work frame; a regression here misaligned every reject message.
    from petition_analysis.ingest.privacy import mask_text

    s = pd.Series(["电话13800138000", "无"], index=[7, 3])
    assert mask_text(s).to_dict() == {7: "电话[电话]", 3: "无"}


def test_raw_preview_hides_personal_data(mx, tmp_path):
    import importlib

    raw_preview = importlib.import_module("petition_analysis.ingest.cleaning").raw_preview
    path = tmp_path / "register.csv"
    mx.write_csv(path)
    preview = raw_preview(path, rows=200)
    assert len(preview) == 200 and preview.index[0] == 3  # spreadsheet rows, below the title and header
    shown = preview.to_string()
    planted = [v for kind in ("names", "id_numbers", "phones", "emails", "addresses") for v in mx.pii.get(kind, []) if v]
    assert len(planted) > 20
    assert not [v for v in planted if v in shown]
    assert (preview["信访人"] == "[hidden]").all()
    assert preview["编号"].str.startswith("XF").any()  # the rest is shown as it stands


# --------------------------------------------------------------------------- unmapped labels: counts only

def test_unmapped_labels_are_counted_never_written(tmp_path, unmapped_labels_csv, label_leaks):
    import json

    from petition_analysis import unmapped_labels
    from petition_analysis.ingest.cleaning import UNMAPPED_TOKEN
    from petition_analysis.ingest.export import write_csv

    path = unmapped_labels_csv
    res = clean(path, pseudonym_key="k")
    assert res.log.unmapped_labels["channel"] == {"labels": 1, "rows": 1}
    assert res.log.unmapped_labels["category"] == {"labels": 1, "rows": 2}  # A4 was rejected for its date first
    assert res.log.unmapped_labels["status"] == {"labels": 1, "rows": 1}
    assert res.log.unmapped_labels["level"] == {"labels": 1, "rows": 1}
    written = [json.dumps(res.log.to_dict(), ensure_ascii=False), res.log.summary(), repr(res.log),
               write_csv(res.rejects, tmp_path / "rejects.csv").read_text(encoding="utf-8-sig"),
               res.rejects.to_string()]
    for text in written:
        assert not [s for s in label_leaks if s in text], text
    assert "pa.unmapped_labels(" in res.log.summary()
    # the rejected rows show that a label was unknown, not what it was
    preview = res.rejects.set_index("source_row")["preview"]
    assert f"信访形式={UNMAPPED_TOKEN}" in preview[2] and f"问题分类={UNMAPPED_TOKEN}" in preview[5]
    assert f"到达层级={UNMAPPED_TOKEN}" in preview[6] and "信访形式=来访" in preview[6]
    # the labels themselves, masked, only on request (a notebook)
    table = unmapped_labels(path)
    assert list(table.columns) == ["field", "label", "rows"]
    assert table.values.tolist() == [["channel", "王建国 [电话]", 1], ["level", "李四喜[电话]", 1],
                                     ["category", "张三", 2], ["status", "李四喜", 1]]
    # a mapping written from it maps them
    mapping = {"values": {"category": {"张三": "urban_rural_construction"}, "status": {"李四喜": "accepted"}}}
    assert unmapped_labels(path, mapping)["field"].tolist() == ["channel", "level"]
    assert set(clean(path, mapping, pseudonym_key="k").log.unmapped_labels) == {"channel", "level"}


def test_unmapped_label_counts_add_up_across_chunks(unmapped_labels_csv):
    path = unmapped_labels_csv
    whole = clean(path, pseudonym_key="k", today="2024-01-01")
    chunked = clean(path, pseudonym_key="k", today="2024-01-01", chunk_rows=2)
    assert chunked.log.unmapped_labels == whole.log.unmapped_labels  # 张三 in two chunks is one label
    pd.testing.assert_frame_equal(chunked.rejects, whole.rejects)
