"""A corpus of malformed inputs: each gives a clear, documented error or correct rejects —
never a traceback from deep inside pandas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from petition_analysis import clean, schema
from petition_analysis.errors import (
    EmptyInputError,
    HeaderNotFoundError,
    MappingError,
    MissingColumnsError,
    StructuralError,
    UnreadableFileError,
)

HEADER = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类", "信访人", "联系电话", "诉求"]
ROWS = [
    ["A1", "2019-03-05", "来访", "2", "到市", "甲区", "城乡建设", "张伟", "13900001111", "张伟反映拆迁问题，电话13900001111"],
    ["A2", "2019/3/6", "来信", "", "到县", "乙区", "国土资源", "李娜", "13900002222", "反映征地问题"],
    ["A3", "2019年3月7日", "网上信访", "1", "到县", "丙区", "劳动保障", "", "", "反映欠薪问题"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", sep: str = ",") -> Path:
    path.write_bytes(("\n".join(sep.join(r) for r in rows) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]], merge_title: str | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        start = 0
        if merge_title:
            ws.merge_range(0, 0, 0, max(len(r) for r in rows) - 1, merge_title)
            start = 1
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(start + i, j, dt.datetime.combine(v, dt.time()), date_fmt)
                elif v not in ("", None):
                    ws.write(start + i, j, v)
    wb.close()
    return path


def ok(path, **kw):
    res = clean(path, pseudonym_key="k", **kw)
    assert res.log.rows_read == len(res.data) + len(res.rejects)
    schema.validate(res.data)
    return res


def reasons(res) -> list[str]:
    return res.rejects.sort_values("source_row")["reason"].tolist()


def fails(path, exc: type[StructuralError], text: str, **kw) -> StructuralError:
    with pytest.raises(exc) as info:
        clean(path, pseudonym_key="k", **kw)
    msg = str(info.value)
    assert text in msg
    assert "\n" not in msg.strip()  # one paragraph
    return info.value


# --------------------------------------------------------------------------- files


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    fails(tmp_path / "e.csv", EmptyInputError, "empty")


def test_whitespace_only_file(tmp_path):
    (tmp_path / "w.csv").write_bytes(b"\n\n  \r\n")
    fails(tmp_path / "w.csv", EmptyInputError, "empty")


def test_header_only(tmp_path):
    res = ok(write_csv(tmp_path / "h.csv", [HEADER]))
    assert len(res.data) == 0 and len(res.rejects) == 0
    assert any("no rows" in w for w in res.log.warnings)


def test_binary_garbage(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "g.csv").write_bytes(rng.integers(0, 256, size=4000, dtype=np.uint8).tobytes())
    fails(tmp_path / "g.csv", UnreadableFileError, "")


def test_binary_with_nul_bytes_decodable_as_utf8(tmp_path):
    (tmp_path / "n.csv").write_bytes(b"\x00\x01\x02abc\x00" * 200)
    fails(tmp_path / "n.csv", UnreadableFileError, "binary")


def test_truncated_xlsx(tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", {"s": [HEADER] + ROWS})
    data = full.read_bytes()
    (tmp_path / "t.xlsx").write_bytes(data[: len(data) // 2])
    fails(tmp_path / "t.xlsx", UnreadableFileError, "workbook cannot be read")


def test_xlsx_saved_with_csv_name_is_read_as_workbook(tmp_path):
    write_xlsx(tmp_path / "real.xlsx", {"s": [HEADER] + ROWS})
    (tmp_path / "misnamed.csv").write_bytes((tmp_path / "real.xlsx").read_bytes())
    assert len(ok(tmp_path / "misnamed.csv").data) == 3


def test_wrong_encoding_given(tmp_path):
    write_csv(tmp_path / "g.csv", [HEADER] + ROWS, encoding="gbk")
    fails(tmp_path / "g.csv", UnreadableFileError, "cannot be decoded as utf-8", encoding="utf-8")


def test_gbk_detected(tmp_path):
    res = ok(write_csv(tmp_path / "g.csv", [HEADER] + ROWS, encoding="gbk"))
    assert len(res.data) == 3 and res.log.files[0]["encoding"] == "gb18030"


def test_gb18030_only_characters(tmp_path):
    rows = [HEADER] + [r[:-1] + ["反映䶮问题"] for r in ROWS]  # 䶮 is not in GBK
    res = ok(write_csv(tmp_path / "g.csv", rows, encoding="gb18030"))
    assert res.data["summary"].str.contains("䶮").all()


def test_nonexistent_file(tmp_path):
    fails(tmp_path / "nope.csv", UnreadableFileError, "does not exist")


def test_folder_instead_of_file(tmp_path):
    fails(tmp_path, UnreadableFileError, "folder")


def test_glob_matching_nothing(tmp_path):
    fails(str(tmp_path / "*.xlsx"), EmptyInputError, "matches no file")


def test_truncated_parquet(tmp_path):
    pd.DataFrame({"a": range(100)}).to_parquet(tmp_path / "p.parquet")
    data = (tmp_path / "p.parquet").read_bytes()
    (tmp_path / "t.parquet").write_bytes(data[: len(data) // 2])
    fails(tmp_path / "t.parquet", UnreadableFileError, "Parquet")


# --------------------------------------------------------------------------- layout


def test_no_header_at_all(tmp_path):
    e = fails(write_csv(tmp_path / "n.csv", [["1", "2", "3"], ["4", "5", "6"]]), HeaderNotFoundError, "no header row")
    assert "docs/mapping.md" in str(e)


def test_duplicate_headers_use_first_non_empty(tmp_path):
    rows = [HEADER + ["登记日期"]] + [r + ["2020-01-01"] for r in ROWS]
    res = ok(write_csv(tmp_path / "d.csv", rows))
    assert res.data["received_date"].dt.year.eq(2019).all()
    assert any("more than once" in w for w in res.log.warnings)


def test_missing_required_column_suggests_closest_header(tmp_path):
    header = [h if h != "问题属地" else "问题属地区域名" for h in HEADER]
    e = fails(write_csv(tmp_path / "m.csv", [header] + ROWS), MissingColumnsError, "region (问题属地)")
    assert "closest found: '问题属地区域名'" in str(e)
    assert "columns: {问题属地区域名: region}" in str(e)


def test_a_header_read_as_another_field_is_not_suggested(tmp_path):
    # 留言 is the message text (summary); it resembles 留言时间, a date header, but is no date
    e = fails(write_csv(tmp_path / "b.csv", [["一级分类", "留言"], ["城乡建设", "小区停车难"]]), MissingColumnsError,
              "received_date")
    assert "closest found" not in str(e) and "constants: {received_date: ...}" in str(e)


def test_missing_column_fixed_by_mapping(tmp_path):
    header = [h if h != "问题属地" else "问题属地区域名" for h in HEADER]
    path = write_csv(tmp_path / "m.csv", [header] + ROWS)
    res = ok(path, mapping={"columns": {"问题属地区域名": "region"}})
    assert res.data["region"].astype(str).tolist() == ["甲区", "乙区", "丙区"]


def test_all_dates_invalid(tmp_path):
    rows = [HEADER] + [[r[0], "不详"] + r[2:] for r in ROWS]
    res = ok(write_csv(tmp_path / "a.csv", rows))
    assert len(res.data) == 0 and reasons(res) == ["invalid_date"] * 3
    assert any("date_formats" in w for w in res.log.warnings)


def test_day_first_dates_need_a_date_format(tmp_path):
    rows = [HEADER] + [[r[0], d] + r[2:] for r, d in zip(ROWS, ["05.03.2019", "06.03.2019", "07.03.2019"])]
    path = write_csv(tmp_path / "d.csv", rows)
    assert reasons(ok(path)) == ["invalid_date"] * 3
    res = ok(path, mapping={"date_formats": {"received_date": ["%d.%m.%Y"]}})
    assert res.data["received_date"].dt.day.tolist() == [5, 6, 7]


def test_mixed_header_languages(tmp_path):
    header = ["case_id", "登记日期", "Channel", "人数", "Level", "问题属地", "category", "Name", "phone", "summary"]
    res = ok(write_csv(tmp_path / "m.csv", [header] + ROWS))
    assert res.data["channel"].astype(str).tolist() == ["visit", "letter", "online"]
    assert "[姓名]" in res.data["summary"].iloc[0] and "[电话]" in res.data["summary"].iloc[0]


def test_excel_serial_date_column(tmp_path):
    rows = [HEADER] + [[r[0], s] + r[2:] for r, s in zip(ROWS, ["43529", "43530.5", "43531"])]
    res = ok(write_csv(tmp_path / "s.csv", rows))
    assert res.data["received_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-03-05", "2019-03-06", "2019-03-07"]


def test_xlsx_real_date_cells_and_numbers(tmp_path):
    rows = [HEADER] + [[r[0], dt.date(2019, 3, 5 + i), r[2], 2 if i == 0 else None] + r[4:] for i, r in enumerate(ROWS)]
    res = ok(write_xlsx(tmp_path / "d.xlsx", {"s": rows}))
    assert res.data["received_date"].dt.day.tolist() == [5, 6, 7]
    assert res.data["persons"].tolist() == [2, 1, 1]


def test_merged_title_cells(tmp_path):
    res = ok(write_xlsx(tmp_path / "t.xlsx", {"s": [HEADER] + ROWS}, merge_title="XX市信访事项登记台账（2019年）"))
    assert len(res.data) == 3
    assert res.data["source_row"].tolist() == [3, 4, 5]
    assert res.log.files[0]["header_row"] == 2


def test_two_row_header(tmp_path):
    top = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类", "信访人信息", "", "诉求"]
    sub = ["", "", "", "", "", "", "", "姓名", "联系电话", ""]
    res = ok(write_xlsx(tmp_path / "h.xlsx", {"s": [top, sub] + ROWS}))
    assert len(res.data) == 3 and res.data["source_row"].tolist() == [3, 4, 5]
    assert res.data["summary"].iloc[0].startswith("[姓名]")  # the name column was found under the group label


def test_blank_rows_totals_and_trailing_notes(tmp_path):
    blank = [""] * len(HEADER)
    rows = ([HEADER, ROWS[0], blank, ROWS[1], ["小计", "", "", "3"] + [""] * 6, ROWS[2],
             ["总 计", "", "", "4"] + [""] * 6, blank, ["注：本表数据截至2019年12月31日。"], ["1. 人数为人次。"]])
    res = ok(write_csv(tmp_path / "l.csv", rows))
    assert len(res.data) == 3
    assert reasons(res) == ["blank_row", "total_row", "total_row", "blank_row", "notes_row", "notes_row"]


def test_title_rows_and_blank_rows_above_header(tmp_path):
    rows = [["XX市信访局"], [""], ["2019年登记台账"], HEADER] + ROWS
    res = ok(write_csv(tmp_path / "t.csv", rows))
    assert res.data["source_row"].tolist() == [5, 6, 7]


def test_ragged_rows_and_tab_separated(tmp_path):
    rows = [["标题"]] + [HEADER] + [r + ["", "多余"] for r in ROWS]
    assert len(ok(write_csv(tmp_path / "r.csv", rows)).data) == 3
    assert len(ok(write_csv(tmp_path / "t.tsv", [HEADER] + ROWS, sep="\t")).data) == 3


def test_headers_with_full_width_spaces_and_units(tmp_path):
    header = ["编　号", "登记日期*", "信访形式：", "人数（人）", "到达层级", "问题属地", "ＣＡＴＥＧＯＲＹ", "信访人", "联系电话", "诉求"]
    assert len(ok(write_csv(tmp_path / "f.csv", [header] + ROWS)).data) == 3


def test_value_defects_become_rejects(tmp_path):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rows = [HEADER, ROWS[0],
            ["B1", future] + ROWS[0][2:],
            ["B2", "1989-12-31"] + ROWS[0][2:],
            ["B3", ""] + ROWS[0][2:],
            ["B4"] + ROWS[0][1:3] + ["0"] + ROWS[0][4:],
            ["B5"] + ROWS[0][1:3] + ["-3"] + ROWS[0][4:],
            ["B6"] + ROWS[0][1:3] + [""] + ROWS[0][4:],  # a visit needs persons
            ["B7", "2019-03-05", "飞鸽传书"] + ROWS[0][3:],
            ["B8", "2019-03-05", "来访", "1", "月球"] + ROWS[0][5:],
            ["B9", "2019-03-05", "来访", "1", "到市", ""] + ROWS[0][6:],
            ROWS[0],
            ["A1", "2019-03-09"] + ROWS[0][2:]]
    res = ok(write_csv(tmp_path / "v.csv", rows))
    assert reasons(res) == ["date_out_of_range", "date_out_of_range", "missing_date", "invalid_persons",
                            "invalid_persons", "invalid_persons", "invalid_channel", "invalid_level",
                            "missing_region", "duplicate", "duplicate_case_id"]
    assert res.data["case_id"].tolist() == ["A1"]


def test_unknown_category_becomes_other_and_is_listed(tmp_path):
    rows = [HEADER] + [r[:6] + ["外星事务"] + r[7:] for r in ROWS]
    res = ok(write_csv(tmp_path / "c.csv", rows))
    assert res.data["category"].astype(str).eq("other").all()
    assert res.log.unmapped_labels["category"] == {"labels": 1, "rows": 3}  # counts, never the text


def test_instructions_sheet_is_skipped(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"填表说明": [["请按要求填写"], ["日期格式：年-月-日"]], "数据": [HEADER] + ROWS})
    res = ok(path)
    assert len(res.data) == 3 and any("skipped" in w for w in res.log.warnings)


def test_sheet_not_found(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"数据": [HEADER] + ROWS})
    fails(path, UnreadableFileError, "no sheet named", sheet="2019Q1")


def test_bad_mapping_yaml_and_unknown_field(tmp_path):
    path = write_csv(tmp_path / "x.csv", [HEADER] + ROWS)
    fails(path, MappingError, "not valid YAML", mapping="columns: {a: [\n")
    e = fails(path, MappingError, "unknown field", mapping={"columns": {"地方": "regoin"}})
    assert "did you mean 'region'" in str(e)
    fails(path, MappingError, "unknown key", mapping={"colums": {}})


def test_canonical_parquet_round_trip(tmp_path):
    from petition_analysis import synth

    ref = synth.generate(2019, 2019).data.head(500)
    ref.to_parquet(tmp_path / "c.parquet")
    res = ok(tmp_path / "c.parquet")
    got = res.data.drop(columns=["source_file", "source_row"])
    for c in ref.columns:
        a, b = got[c], ref[c].reset_index(drop=True)
        if isinstance(b.dtype, pd.CategoricalDtype):
            a, b = a.astype(str), b.astype(str)
        assert ((a == b) | (a.isna() & b.isna())).all(), c


@pytest.mark.slow
def test_100k_rows_with_one_corrupt_row(tmp_path):
    n = 100_000
    rng = np.random.default_rng(1)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 360, n), unit="D")
    df = pd.DataFrame({
        "编号": "C" + pd.Series(np.arange(n)).astype(str).str.zfill(6),
        "登记日期": dates.strftime("%Y-%m-%d"),
        "信访形式": rng.choice(["来信", "来访", "网上信访", "电话"], n),
        "人数": rng.integers(1, 4, n).astype(str),
        "到达层级": rng.choice(["到县", "到市"], n),
        "问题属地": rng.choice(["甲区", "乙区"], n),
        "问题分类": rng.choice(["城乡建设", "国土资源", "民政"], n),
    })
    df.loc[54_321, "登记日期"] = "2019-02-30"
    df.to_csv(tmp_path / "big.csv", index=False)
    res = ok(tmp_path / "big.csv")
    assert len(res.data) == n - 1
    assert res.rejects[["source_row", "reason"]].values.tolist() == [[54_321 + 2, "invalid_date"]]


def test_cli_structural_error_is_one_paragraph(tmp_path, capsys):
    from petition_analysis.cli import main

    (tmp_path / "e.csv").write_bytes(b"")
    assert main(["clean", str(tmp_path / "e.csv"), "-o", str(tmp_path / "o.parquet")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("petition-analysis:") and "empty" in err and len(err.strip().splitlines()) == 1
