"""Reading raw files into text grids."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.errors import EmptyInputError, UnreadableFileError
from petition_analysis.ingest.io import cells_to_text, detect_encoding, normalize_text, on_uniques, read_tables


@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
                                               ("gb18030", "gb18030")])
def test_detect_encoding(encoding, expected):
    assert detect_encoding("编号,登记日期\nA1,２０１９年".encode(encoding)) == expected


def test_csv_grid_keeps_row_numbers_blank_lines_and_ragged_rows(tmp_path):
    (tmp_path / "x.csv").write_text("标题\n编号,日期\n\nA1,2019-01-01,extra\n", encoding="utf-8")
    t = read_tables(tmp_path / "x.csv")[0]
    assert t.grid.shape == (4, 3)
    assert t.grid.iloc[3].tolist() == ["A1", "2019-01-01", "extra"]
    assert (t.grid.iloc[2] == "").all() and t.header_row is None and t.encoding == "utf-8"


def test_cells_to_text_numbers_and_dates():
    df = pd.DataFrame({"a": [3.0, 2.5, None], "b": [pd.Timestamp("2019-03-05 10:00"), True, "x"]}, dtype=object)
    assert cells_to_text(df).values.tolist() == [["3", "2019-03-05 10:00:00"], ["2.5", "TRUE"], ["", "x"]]


def test_on_uniques_and_normalize_keep_alignment():
    s = pd.Series(["ａ", "b", "ａ", None], index=[10, 11, 12, 13])
    assert normalize_text(s).tolist() == ["a", "b", "a", None] or normalize_text(s).isna().iloc[3]
    out = on_uniques(s, lambda u: normalize_text(u).str.upper())
    assert out.index.tolist() == [10, 11, 12, 13] and out.iloc[:3].tolist() == ["A", "B", "A"] and pd.isna(out.iloc[3])


def test_workbook_every_sheet_or_one(tmp_path):
    with pd.ExcelWriter(tmp_path / "w.xlsx", engine="xlsxwriter") as xw:
        pd.DataFrame({"编号": ["A"]}).to_excel(xw, sheet_name="s1", index=False)
        pd.DataFrame({"编号": ["B"]}).to_excel(xw, sheet_name="s2", index=False)
    assert [t.sheet for t in read_tables(tmp_path / "w.xlsx")] == ["s1", "s2"]
    assert [t.sheet for t in read_tables(tmp_path / "w.xlsx", sheet=1)] == ["s2"]
    with pytest.raises(UnreadableFileError, match="no sheet number 5"):
        read_tables(tmp_path / "w.xlsx", sheet=5)


def test_list_glob_and_empty_inputs(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("x\n2\n", encoding="utf-8")
    assert [t.source_file.endswith(n) for t, n in zip(read_tables(str(tmp_path / "*.csv")), ["a.csv", "b.csv"])] == [True, True]
    with pytest.raises(EmptyInputError):
        read_tables([])
