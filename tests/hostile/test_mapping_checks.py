"""Mapping files are read with a bounded read and every key and value is type-checked."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from petition_analysis.errors import MappingError
from petition_analysis.ingest.headers import MAX_MAPPING_BYTES, find_header, load_mapping


@pytest.mark.parametrize("text, words", [
    ("values: {channel: [a, b]}", "'values: channel' must map raw values"),
    ("colums: {a: region}", "did you mean 'columns'?"),
    ("columns: {a: regoin}", "did you mean 'region'?"),
    ('date_formats: {received_date: ["%Q-%d"]}', "not a valid strptime format"),
    ("date_formats: {received_date: 5}", "list of strptime formats"),
    ("values: {channel: {来访: teleport}}", "not a channel"),
    ("constants: {level: {a: 1}}", "must be one value"),
    ("header_row: two", "header_row must be a row number"),
    ("header_row: true", "header_row must be a row number"),
    ("sheet: [1]", "sheet must be"),
    ("encoding: klingon", "not a known text encoding"),
    ("columns: " + "[" * 3000 + "]" * 3000, "mapping"),
    ("- a", "must be a YAML mapping"),
])
def test_bad_mapping_text_names_the_key_and_the_fix(text, words):
    with pytest.raises(MappingError) as info:
        load_mapping(text + "\n")
    assert words in str(info.value)


def test_synonym_targets_become_codes():
    m = load_mapping("values: {channel: {市长热线: 电话}}\nconstants: {level: 市级}\n")
    assert m.values == {"channel": {"市长热线": "phone"}} and m.constants == {"level": "市级"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_mapping_encodings_are_detected(tmp_path, encoding):
    p = tmp_path / "m.yaml"
    p.write_bytes("columns: {问题属地: region}\n".encode(encoding))
    assert load_mapping(p).columns == {"问题属地": "region"}


def test_files_that_are_not_mappings_fail_fast(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_MAPPING_BYTES + 10))
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "bin.yaml").write_bytes(bytes(range(256)) * 4)
    t0 = time.process_time()  # CPU time: a loaded test machine does not make it fail
    for name, words in [("big.yaml", "larger than 1 MB"), ("zero.yaml", "not a regular file"),
                        ("dir.yaml", "is a folder"), ("bin.yaml", "not text")]:
        with pytest.raises(MappingError, match=words):
            load_mapping(tmp_path / name)
    assert time.process_time() - t0 < 2


def test_header_detection_on_a_10000_column_row_takes_seconds():
    header = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类"] + [f"c{i}" for i in range(9993)]
    grid = pd.DataFrame([header, ["A1", "2019-03-05", "来访", "3", "到市", "甲区", "城建"] + [""] * 9993])
    t0 = time.process_time()
    assert find_header(grid)[0] == 0
    assert time.process_time() - t0 < 10  # 37 s before issue 11 (pandas map per column)


def test_invisible_characters_do_not_hide_a_header():
    grid = pd.DataFrame([["\ufeff编号", "登记日期\u200b", "信访形式"], ["A1", "2019-03-05", "来访"]])
    assert find_header(grid) == (0, ["\ufeff编号", "登记日期\u200b", "信访形式"])
