"""A Parquet dataset keeps the optional columns (issue 15: likes, dislikes, replied_date,
subject, reply, category_source, category_confidence): written and read back, and cleaned
chunk by chunk on the scale path, as in-memory cleaning keeps them."""

from __future__ import annotations

import json

import pandas as pd

import petition_analysis as pa
from petition_analysis import schema
from petition_analysis.ingest import dataset
from petition_analysis.synth.board import BOARD_MAPPING_YAML, make_board

OPTIONAL = [c.name for c in schema.OPTIONAL_COLUMNS]


def _board_clean(n=300, seed=31):
    b = make_board(n, seed=seed)
    return b, pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k", today="2021-01-01").data


def test_write_and_read_back_keeps_optional_columns(tmp_path):
    _, df = _board_clean()
    assert set(OPTIONAL) <= set(df.columns)  # the board has every optional column
    assert (df["category_source"] == "predicted").any() and df["likes"].gt(0).any() and df["replied_date"].notna().any()
    back = dataset.read_dataset(dataset.write_dataset(df, tmp_path / "ds"))
    assert list(back.columns) == list(df.columns)
    a = df.sort_values("case_id").reset_index(drop=True)
    b = back.sort_values("case_id").reset_index(drop=True)
    for c in OPTIONAL:
        assert b[c].dtype == a[c].dtype, c
        pd.testing.assert_series_equal(b[c], a[c], check_names=True, obj=c)


def test_write_and_read_back_keeps_the_classifier_record(tmp_path):
    """The record of the model that predicted the categories comes back with the data, so a
    report on the dataset uses that model's errors, as one on the Parquet file does; a
    register without one leaves no stale record behind."""
    _, df = _board_clean()
    record = df.attrs["classifier"]
    assert json.loads(record)["kind"] == "keywords" if isinstance(record, str) else record["kind"] == "keywords"
    back = dataset.read_dataset(dataset.write_dataset(df, tmp_path / "ds"))
    assert back.attrs["classifier"] == record
    plain = df.copy()
    plain.attrs.pop("classifier")
    again = dataset.read_dataset(dataset.write_dataset(plain, tmp_path / "ds"))
    assert "classifier" not in again.attrs


def test_scale_path_keeps_optional_columns_as_in_memory(tmp_path):
    b, mem = _board_clean(400, seed=32)
    src = tmp_path / "board.csv"
    b.raw.to_csv(src, index=False, encoding="utf-8")
    mapping = tmp_path / "board.yaml"
    mapping.write_text(BOARD_MAPPING_YAML, encoding="utf-8")
    # small chunks: some may predict nothing, or lack a column another chunk has
    res = dataset.clean_to_dataset(src, tmp_path / "ds", mapping=mapping, pseudonym_key="k", today="2021-01-01",
                                   chunk_rows=97, progress=False)
    assert res.rows_clean == len(mem)
    got = dataset.read_dataset(tmp_path / "ds")
    assert set(OPTIONAL) <= set(got.columns)
    a = mem.set_index("case_id").sort_index()
    g = got.set_index("case_id").sort_index()
    for c in OPTIONAL:
        assert g[c].dtype == a[c].dtype, c
        pd.testing.assert_series_equal(g[c], a[c], obj=c)


def test_a_register_without_optional_columns_gets_none(tmp_path):
    df = pa.synth.generate(2019, 2019, seed=3).data.head(500)
    assert not set(OPTIONAL) & set(df.columns)
    back = dataset.read_dataset(dataset.write_dataset(df, tmp_path / "ds"))
    assert not set(OPTIONAL) & set(back.columns)
