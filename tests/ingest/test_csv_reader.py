"""Arrow's CSV reader reads rectangular UTF-8 exports (issue 14); pandas' C parser reads the
rest. Both must give the same text grid, chunk by chunk, whatever the file holds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from petition_analysis.errors import UnreadableFileError
from petition_analysis.ingest import io as pio

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
HEADER = "编号,登记日期,信访形式,人数,问题属地,诉求"


def _rows(n: int, start: int = 0) -> list[str]:
    return [f'A{i},2019-03-{1 + i % 28:02d},来信,{1 + i % 3},甲区,"反映,问题{i}"' for i in range(start, start + n)]


def _both(path: Path, chunk_rows: int, width: int, delim: str = ",", enc: str = "utf-8"):
    arrow = list(pio._csv_chunks(path, chunk_rows, width, delim, enc, arrow=True))
    plain = list(pio._csv_chunks(path, chunk_rows, width, delim, enc, arrow=False))
    return arrow, plain


def _assert_same(arrow, plain):
    assert len(arrow) == len(plain)
    for a, b in zip(arrow, plain):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("name", ["xx_city_2019_register_utf8.csv", "xx_city_2019_message_board.csv"])
@pytest.mark.parametrize("chunk_rows", [97, 100_000])
def test_bundled_samples_read_the_same(name, chunk_rows):
    path = RAW / name
    text = path.read_bytes().decode("utf-8-sig")
    width = pio._rectangular_width(text, ",")
    assert width, "the bundled UTF-8 samples are rectangular, so Arrow reads them"
    enc = pio.detect_encoding(path.read_bytes())
    _assert_same(*_both(path, chunk_rows, width, enc=enc))


def test_quoted_newlines_blank_lines_and_bom(tmp_path):
    lines = [HEADER, *_rows(50), 'A50,2019-03-05,来信,1,甲区,"第一行\n第二行"', ",,,,,", "", *_rows(20, 60)]
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    arrow, plain = _both(path, 16, 6, enc="utf-8-sig")
    _assert_same(arrow, plain)
    assert arrow[3].loc[51, 5] == "第一行\n第二行"


def test_a_ragged_row_further_down_hands_over_to_pandas(tmp_path):
    """A short notes line after several chunks: Arrow's chunks before it stand, pandas reads
    on from the first row not handed out; the grids equal pandas' from the start."""
    lines = [HEADER, *_rows(300), "填表说明：本表由信访局填报", *_rows(10, 300), "A999,2019-01-01,来信,1,甲区,x,多,余"]
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arrow, plain = _both(path, 64, 6)
    _assert_same(arrow, plain)
    assert arrow[-1].shape[1] == 8  # the wider last row keeps its cells
    assert arrow[4].loc[301, 0] == "填表说明：本表由信访局填报"


def test_tab_separated(tmp_path):
    lines = [HEADER.replace(",", "\t"), *[r.replace(",", "\t").replace('"', "") for r in _rows(40)]]
    path = tmp_path / "x.tsv"
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline
    _assert_same(*_both(path, 7, 7, delim="\t"))


def test_bad_utf8_is_one_sentence(tmp_path):
    """Bytes that are not UTF-8 past the sniffed head: the same sentence as pandas gave."""
    body = ("\n".join([HEADER, *_rows(40_000)]) + "\n").encode()  # > 1 MB, the head that is sniffed
    bad = "A1,2019-01-01,来信,1,甲区,".encode() + b"\xff\xfe\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(body + bad + ("\n".join(_rows(10)) + "\n").encode())
    with pytest.raises(UnreadableFileError, match="cannot be decoded as utf-8"):
        list(pio.iter_csv_tables(path, 5000))
    whole = tmp_path / "whole.csv"  # read whole: over the 400 kB that are decoded strictly first
    whole.write_bytes(body[:600_000].rsplit(b"\n", 1)[0] + b"\n" + bad)
    with pytest.raises(UnreadableFileError, match="cannot be decoded as utf-8"):
        pio.read_tables(whole, encoding="utf-8")


def test_whole_file_reader_uses_arrow_and_matches_pandas(tmp_path):
    """Files read whole (under 32 MB) give the same grid through either reader."""
    lines = [HEADER, *_rows(120), ",,,,,", *_rows(5, 200)]
    path = tmp_path / "x.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = path.read_bytes()
    fast = pio._csv_grid(data, "utf-8", str(path))
    slow = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, skip_blank_lines=False).fillna("")
    slow.columns = fast.columns
    pd.testing.assert_frame_equal(fast, slow)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join(["台账", *lines]) + "\n", encoding="utf-8")
    t = pio.read_tables(ragged)[0]
    assert t.grid.shape == (len(lines) + 1, 6) and t.grid.iloc[0, 0] == "台账" and t.grid.iloc[0, 1] == ""
