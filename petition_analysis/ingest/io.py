"""Reading raw register files into text grids, whatever their format.

A register export is read *without* assuming where its header is: every file becomes one
or more :class:`RawTable` objects whose ``grid`` holds every cell as text (``""`` for an
empty cell), with row 0 = spreadsheet row 1. Layout detection (title rows, header rows,
totals, notes) happens later, in :mod:`petition_analysis.ingest.headers` and
:mod:`petition_analysis.ingest.cleaning`.

Formats: CSV in UTF-8 (with or without BOM), GBK or GB18030 (detected, overridable), xlsx
and xls through calamine (every sheet, or a chosen one), Parquet, and DataFrames. Paths,
lists of paths and glob patterns are accepted.

>>> import pandas as pd
>>> t = read_tables(pd.DataFrame({"编号": ["A1"], "人数": [3]}))[0]
>>> t.grid.values.tolist(), t.header_row
([['编号', '人数'], ['A1', '3']], 0)
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import glob
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import EmptyInputError, UnreadableFileError

__all__ = ["RawTable", "expand_sources", "detect_encoding", "read_tables", "cells_to_text", "normalize_text", "on_uniques",
           "fill_merged", "INVISIBLE",
           "squeeze_spaces", "to_arrow", "from_arrow", "STR_DTYPE"]

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
_MAGIC = {b"PK\x03\x04": "excel", b"\xd0\xcf\x11\xe0": "excel", b"PAR1": "parquet"}
#: Encodings tried in order when none is given. GB18030 is a superset of GBK and GB2312.
DETECT_ORDER = ("utf-8", "gb18030")


@dataclass
class RawTable:
    """One table read from a file or sheet: every cell as text.

    ``header_row`` is known (0) for Parquet and DataFrames, ``None`` when it must be
    detected. ``encoding`` records the detected or given encoding of a CSV.
    """

    source_file: str
    sheet: str | None
    grid: pd.DataFrame
    header_row: int | None = None
    encoding: str | None = None
    #: A later chunk of a file whose notes block (填表说明 …) began in an earlier chunk.
    notes_above: bool = False
    #: Merged cell ranges of a sheet, ``((first_row, first_col), (last_row, last_col))`` in grid positions.
    merged: tuple = ()

    @property
    def label(self) -> str:
        return f"{self.source_file} (sheet {self.sheet})" if self.sheet else self.source_file


def expand_sources(source) -> list:
    """Paths from a path, a glob pattern or a list of them; DataFrames pass through.

    >>> expand_sources([])
    Traceback (most recent call last):
    ...
    petition_analysis.errors.EmptyInputError: No input was given. Pass a file, a list of files or a glob pattern such as 'exports/*.xlsx'.
    """
    items = source if isinstance(source, (list, tuple)) else [source]
    out: list = []
    for item in items:
        if isinstance(item, pd.DataFrame):
            out.append(item)
            continue
        text = str(item)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise EmptyInputError(text, "the glob pattern matches no file",
                                      hint="Check the pattern and the working directory.")
            out.extend(Path(m) for m in matches)
        else:
            out.append(Path(text))
    if not out:
        raise EmptyInputError("", "No input was given",
                              hint="Pass a file, a list of files or a glob pattern such as 'exports/*.xlsx'.")
    return out


def detect_encoding(data: bytes, *, partial: bool = False) -> str:
    """The encoding of CSV bytes: ``utf-8-sig`` (BOM), ``utf-16`` (BOM), ``utf-8`` or
    ``gb18030`` (GBK files decode as GB18030, its superset). ``partial``: ``data`` is the
    head of a bigger file, so a character cut at its end is fine.

    >>> detect_encoding("编号".encode("gbk")), detect_encoding(b"\\xef\\xbb\\xbfa")
    ('gb18030', 'utf-8-sig')
    >>> detect_encoding("编号".encode("utf-8")[:-1], partial=True)
    'utf-8'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for enc in DETECT_ORDER:
        try:
            codecs.getincrementaldecoder(enc)().decode(data, final=not partial)
        except UnicodeDecodeError:
            continue
        return enc
    raise UnicodeDecodeError("gb18030", data[:1], 0, 1, "neither UTF-8 nor GB18030")


def _looks_binary(text: str) -> bool:
    """Control characters (NUL included; not tab / newline) in more than 1 % of the text."""
    sample = text[:100_000]
    if not sample:
        return False
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n") + sample.count("\ufffd")
    return ctrl / len(sample) > 0.01


def _csv_grid(data: bytes, encoding: str, label: str) -> pd.DataFrame:
    """Parse CSV bytes into a text grid (no header, ragged rows padded with "").

    pandas decodes the bytes itself: its C parser reads UTF-8 without a Python round trip,
    which is several times faster than parsing already-decoded text.
    """
    sample = data[:200_000].decode(encoding, errors="ignore")[:50_000]
    delim = "\t" if sample.count("\t") > sample.count(",") else ","
    if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
        # Plain UTF-8 is read natively by the C parser; "utf-8-sig" goes through a Python codec.
        data, encoding = memoryview(data)[3:], "utf-8"
    opts = dict(header=None, dtype=str, keep_default_na=False, skip_blank_lines=False, sep=delim,
                engine="c", encoding=encoding)
    width = _rectangular_width(sample, delim) if encoding == "utf-8" else None
    if width:
        # Arrow's CSV reader, several times faster, when the file is one rectangle (else pandas).
        import pyarrow.csv as pacsv

        try:
            return _arrow_grid(pacsv.read_csv(pa.BufferReader(data), **_arrow_csv_options(width, delim)), 0)
        except pa.ArrowInvalid as err:
            if _bad_utf8(err):
                raise UnicodeDecodeError(encoding, b"", 0, 1, "invalid UTF-8") from None
            # a row of another width: pandas below
    try:
        grid = pd.read_csv(io.BytesIO(data), **opts)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, ValueError) as err:
        if isinstance(err, UnicodeDecodeError):
            raise
        # Ragged rows (a one-cell title row, a notes line): find the widest row, read again.
        try:
            text = bytes(data).decode(encoding)
            width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delim)), default=0)
            grid = pd.read_csv(io.BytesIO(data), names=range(width), **opts)
        except (pd.errors.ParserError, csv.Error, ValueError) as err:
            if isinstance(err, UnicodeDecodeError):
                raise
            raise UnreadableFileError(label, f"the file is not a readable CSV table ({err})",
                                      hint="Open it in a spreadsheet program and save it again as CSV.") from None
    return grid.fillna("")


def _read_csv(path: Path, encoding: str | None) -> RawTable:
    data = path.read_bytes()
    label = str(path)
    if not data.strip():
        raise EmptyInputError(label, "the file is empty", hint="Export the register again.")
    if encoding is None:
        try:
            encoding = detect_encoding(data)
        except UnicodeDecodeError:
            raise UnreadableFileError(label, "the file is neither UTF-8 nor GBK/GB18030 text; it may be binary or damaged",
                                      hint="Pass encoding=... if you know the encoding, or export the register again.") from None
    cannot = lambda err: UnreadableFileError(  # noqa: E731
        label, f"the file cannot be decoded as {encoding} ({type(err).__name__})",
        hint="Leave the encoding out to detect it, or try encoding='gb18030'.")
    try:
        # The first 100,000 characters decide whether the file is binary; the whole file is
        # decoded (strictly) by the CSV parser below, so it is not decoded twice here.
        head = data[:400_000].decode(encoding, errors="ignore" if len(data) > 400_000 else "strict")
    except (UnicodeDecodeError, LookupError) as err:
        raise cannot(err) from None
    if _looks_binary(head):
        raise UnreadableFileError(label, "the file looks binary, not like CSV text",
                                  hint="Check that it is the right file; a workbook must end in .xlsx or .xls.")
    try:
        grid = _csv_grid(data, encoding, label)
    except UnicodeDecodeError as err:
        raise cannot(err) from None
    if grid.empty:
        raise EmptyInputError(label, "the file has no rows", hint="Export the register again.")
    grid.columns = range(grid.shape[1])
    return RawTable(label, None, grid, None, encoding)


#: Columns read beyond the widest of a big CSV's first thousand lines (see iter_csv_tables).
_SPARE_COLUMNS = 8


def iter_csv_tables(path: str | Path, chunk_rows: int, *, encoding: str | None = None, renames=None,
                    header_row: int | None = None):
    """One big CSV as :class:`RawTable` chunks of at most ``chunk_rows`` body rows, so that
    it is never held in memory whole. The header is found once, in the first chunk, and
    put on top of every later chunk, so that row numbers stay those of the file. The
    encoding is detected from the first megabyte and the table's width from its first
    thousand lines; a later row may be up to 8 cells wider. A row wider still, or bytes
    that do not decode, raise :class:`~petition_analysis.errors.UnreadableFileError`.
    """
    from .headers import _SCAN_ROWS, find_header

    path = Path(path)
    label = str(path)
    if not path.exists():
        raise UnreadableFileError(label, "the file does not exist", hint="Check the path.")
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip():
        raise EmptyInputError(label, "the file is empty", hint="Export the register again.")
    try:
        enc = encoding or detect_encoding(head, partial=True)
    except UnicodeDecodeError:
        raise UnreadableFileError(label, "the file is neither UTF-8 nor GBK/GB18030 text; it may be binary or damaged",
                                  hint="Pass encoding=... if you know the encoding, or export the register again.") from None
    try:
        text = head.decode(enc, errors="ignore" if len(head) == 1 << 20 else "strict")
    except (UnicodeDecodeError, LookupError) as err:
        raise UnreadableFileError(label, f"the file cannot be decoded as {enc} ({type(err).__name__})",
                                  hint="Leave the encoding out to detect it, or try encoding='gb18030'.") from None
    if _looks_binary(text):
        raise UnreadableFileError(label, "the file looks binary, not like CSV text",
                                  hint="Check that it is the right file; a workbook must end in .xlsx or .xls.")
    delim = "\t" if text.count("\t") > text.count(",") else ","
    lines = text.splitlines()[:-1] or text.splitlines()  # the last line may be cut
    width = max((len(r) for r in csv.reader(io.StringIO("\n".join(lines[:1000])), delimiter=delim)), default=1)
    # Rectangular UTF-8 (every one of the first thousand rows as wide, no blank line) is read
    # by Arrow's CSV reader, several times faster than pandas' C parser; anything else, or a
    # row further down that breaks the shape, by pandas from that row on (_csv_chunks).
    rectangular = enc in ("utf-8", "utf-8-sig") and _rectangular_width(text, delim) == width
    header, first = None, []
    try:
        for grid in _csv_chunks(path, chunk_rows, width, delim, enc, arrow=rectangular):
            if header is not None:
                table = RawTable(label, None, pd.concat([header, grid]).fillna(""), 0, enc)
                del grid  # the table holds its own copy: one chunk of raw text in memory, not two
                yield table
                del table
                continue
            # The first chunk holds the whole header zone and at least one body row.
            first.append(grid)
            top = pd.concat(first).fillna("") if len(first) > 1 else grid
            if len(top) <= _SCAN_ROWS:
                continue
            h, _ = find_header(top, renames, label=label, header_row=header_row)
            if len(top) > h + 1:
                header, first = top.iloc[[h]], []
                yield RawTable(label, None, top, h, enc)
        if first:  # the whole file fitted in the first chunk
            top = pd.concat(first).fillna("")
            yield RawTable(label, None, top, find_header(top, renames, label=label, header_row=header_row)[0], enc)
    except pd.errors.ParserError as err:
        raise UnreadableFileError(label, f"a row is wider than the first rows ({err})",
                                  hint="Open it in a spreadsheet program and save it again as CSV.") from None
    except UnicodeDecodeError as err:
        raise UnreadableFileError(label, f"the file cannot be decoded as {enc} ({type(err).__name__})",
                                  hint="Leave the encoding out to detect it, or try encoding='gb18030'.") from None




def _csv_chunks(path: Path, chunk_rows: int, width: int, delim: str, enc: str, *, arrow: bool):
    """Text grids of exactly ``chunk_rows`` rows (the last one shorter), columns ``0..``,
    every cell a string ("" when empty), as pandas' C parser reads them with ``dtype=str``.

    With ``arrow``, Arrow's streaming CSV reader reads the file (UTF-8, ``width`` cells a
    row); when it meets a row of another width, pandas goes on from the first row not yet
    read, so the grids are the same either way. pandas reads with a few spare columns for
    rows further down that are wider than the first ones (a note with trailing commas);
    those left empty in a chunk are dropped again.
    """
    done = 0  # rows handed out so far
    if arrow:
        import pyarrow.csv as pacsv

        with path.open("rb") as fh:
            if enc == "utf-8-sig":
                fh.seek(3)
            try:
                # 1 MB blocks: with 16 MB ones the read-ahead held 400 MB at 1M rows (pandas: 170 MB).
                reader = pacsv.open_csv(fh, **_arrow_csv_options(width, delim, block_size=1 << 20))
                pending, n_pending = [], 0
                for batch in reader:
                    pending.append(batch)
                    n_pending += batch.num_rows
                    while n_pending >= chunk_rows:
                        table = pa.Table.from_batches(pending)
                        grid = _arrow_grid(table.slice(0, chunk_rows), done)
                        pending = table.slice(chunk_rows).to_batches()
                        n_pending -= chunk_rows
                        del table  # nothing but the grid and the rows after it stays referenced
                        batch = None
                        done += chunk_rows
                        yield grid
                        del grid
                if n_pending:
                    grid = _arrow_grid(pa.Table.from_batches(pending), done)
                    del pending
                    yield grid
                return
            except pa.ArrowInvalid as err:
                if _bad_utf8(err):
                    # Same failure, same message as pandas' decoder gives.
                    raise UnicodeDecodeError(enc, b"", 0, 1, "invalid UTF-8") from None
                # A row of another width: rows read before it but not handed out yet are
                # read again by pandas below.
    fh = path.open("rb")
    read_enc = enc
    if enc == "utf-8-sig":  # the C parser reads plain UTF-8 natively; skip the BOM ourselves
        fh.seek(3)
        read_enc = "utf-8"
    try:
        reader = pd.read_csv(fh, header=None, names=range(width + _SPARE_COLUMNS), dtype=str, keep_default_na=False,
                             skip_blank_lines=False, sep=delim, encoding=read_enc, chunksize=chunk_rows, engine="c",
                             skiprows=done or None)
        for grid in reader:
            grid = grid.fillna("")
            spare = [c for c in grid.columns[width:] if not grid[c].ne("").any()]
            yield (grid.drop(columns=spare) if spare else grid).set_axis(pd.RangeIndex(done, done + len(grid)))
            done += len(grid)
    finally:
        fh.close()


def _arrow_csv_options(width: int, delim: str, block_size: int = 4 << 20) -> dict:
    """Arrow CSV options that read as pandas' C parser does with ``dtype=str,
    keep_default_na=False``: every cell a string, an empty one "", quoted newlines kept. A
    row of another width, a blank line among them, stops the read with ``ArrowInvalid``
    (the pandas path reads such files). ``block_size``: bytes parsed at a time; the
    streaming reader reads several blocks ahead, so small blocks bound its memory."""
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(width)]
    return dict(read_options=pacsv.ReadOptions(column_names=names, block_size=block_size),
                parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, ignore_empty_lines=False,
                                                 invalid_row_handler=lambda row: "error"),
                # large_string: pandas' str dtype holds it as is (a string column would be copied).
                convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))


def _rectangular_width(text: str, delim: str) -> int | None:
    """The width of the first thousand rows of ``text`` when they are all as wide (and the
    text has no blank line), else None."""
    lines = text.splitlines()
    if len(lines) > 1000:
        lines = lines[:1000]
    elif not text.endswith(("\n", "\r")) and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    if not lines or any(not line.strip() for line in lines):
        return None
    widths = {len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)}
    return widths.pop() if len(widths) == 1 else None


def _bad_utf8(err: Exception) -> bool:
    """Arrow's error for bytes that are not UTF-8 (its parse errors quote the row, so
    only the start of the message is trusted)."""
    return str(err).startswith("In CSV column") and "CSV conversion error to string: invalid UTF8" in str(err)


def _arrow_grid(table: pa.Table, start: int) -> pd.DataFrame:
    """A text grid from an Arrow table of string columns, rows numbered from ``start``."""
    cols = {i: pd.Series(table.column(i), dtype=STR_DTYPE, index=pd.RangeIndex(start, start + table.num_rows))
            for i in range(table.num_columns)}
    return pd.DataFrame(cols)


def _cell_text(v) -> str:
    """Text of one spreadsheet cell value (applied to distinct values only)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def cells_to_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, mapping each column's distinct values once (numbers without a
    trailing ``.0``, dates as ISO text, empties as "").

    >>> cells_to_text(pd.DataFrame({"a": [3.0, None], "b": [pd.Timestamp("2019-03-05"), "x"]})).values.tolist()
    [['3', '2019-03-05 00:00:00'], ['', 'x']]
    """
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_string_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype) and s.dtype != object:
            out[col] = s.fillna("").astype(object)
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        texts = np.array([_cell_text(u.to_pydatetime() if isinstance(u, pd.Timestamp) else u) for u in uniques] + [""], dtype=object)
        out[col] = pd.Series(texts[codes], index=s.index, dtype=object)
    return pd.DataFrame(out, index=df.index)


def _read_excel(path: Path, sheet) -> list[RawTable]:
    from python_calamine import CalamineWorkbook

    label = str(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        if sheet is not None:
            if isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    raise UnreadableFileError(label, f"there is no sheet number {sheet}; the workbook has {len(names)}",
                                              hint=f"Sheets: {', '.join(names)}.")
                names = [names[sheet]]
            elif sheet not in names:
                raise UnreadableFileError(label, f"there is no sheet named {sheet!r}",
                                          hint=f"Sheets: {', '.join(names)}.")
            else:
                names = [sheet]
        tables = []
        for name in names:
            ws = wb.get_sheet_by_name(name)
            rows = ws.to_python(skip_empty_area=False)
            if not rows:
                continue
            width = max(len(r) for r in rows)
            grid = cells_to_text(pd.DataFrame(rows, columns=range(width)))
            try:
                merged = tuple(ws.merged_cell_ranges or ())
            except Exception:  # noqa: BLE001 - older formats (xls, ods) may not report them
                merged = ()
            tables.append(RawTable(label, name, grid, None, None, merged=merged))
    except UnreadableFileError:
        raise
    except Exception as err:  # calamine raises its own types for zip / xml damage
        raise UnreadableFileError(label, f"the workbook cannot be read ({type(err).__name__}: {err})",
                                  hint="It may be truncated or password-protected; open and save it again in Excel.") from None
    if not tables:
        raise EmptyInputError(label, "every sheet of the workbook is empty", hint="Export the register again.")
    return tables


def _frame_table(df: pd.DataFrame, label: str) -> RawTable:
    header = pd.DataFrame([list(map(str, df.columns))], columns=range(df.shape[1]))
    body = cells_to_text(df.reset_index(drop=True))
    body.columns = range(df.shape[1])
    return RawTable(label, None, pd.concat([header, body], ignore_index=True), 0, None)


def _read_parquet(path: Path) -> RawTable:
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for unreadable files
        raise UnreadableFileError(str(path), f"the Parquet file cannot be read ({type(err).__name__})",
                                  hint="It may be incomplete; write it again.") from None
    return _frame_table(df, str(path))


def _kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return "csv"


def read_tables(source, *, sheet=None, encoding: str | None = None) -> list[RawTable]:
    """Read every table of ``source`` (a path, glob, DataFrame or a list of them).

    ``sheet`` picks one sheet of each workbook (name or 0-based number; default all);
    ``encoding`` overrides CSV encoding detection.
    """
    tables: list[RawTable] = []
    for item in expand_sources(source):
        if isinstance(item, pd.DataFrame):
            tables.append(_frame_table(item, "<DataFrame>"))
            continue
        path = Path(item)
        if not path.exists():
            raise UnreadableFileError(str(path), "the file does not exist", hint="Check the path.")
        if path.is_dir():
            raise UnreadableFileError(str(path), "this is a folder, not a file",
                                      hint=f"Pass a glob such as '{path}/*.xlsx' to read the files in it.")
        if path.stat().st_size == 0:
            raise EmptyInputError(str(path), "the file is empty", hint="Export the register again.")
        kind = _kind(path)
        if kind == "excel":
            tables.extend(_read_excel(path, sheet))
        elif kind == "parquet":
            tables.append(_read_parquet(path))
        else:
            tables.append(_read_csv(path, encoding))
    return tables


#: pandas 3's default ``str`` dtype: Arrow-backed, NaN for missing values.
STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def to_arrow(values: pd.Series) -> pa.Array:
    """The values as an Arrow ``large_string`` array (no copy for pandas' ``str`` dtype).

    >>> to_arrow(pd.Series(["a", None])).to_pylist()
    ['a', None]
    """
    s = values if values.dtype == STR_DTYPE else values.astype("str")
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def from_arrow(arr: pa.Array | pa.ChunkedArray, index=None, name=None) -> pd.Series:
    """A ``str`` Series from an Arrow string array, without a round trip through Python
    objects (which costs about 0.3 s per million rows).

    >>> from_arrow(pa.array(["a", None])).tolist()
    ['a', nan]
    """
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return pd.Series(STR_DTYPE.__from_arrow__(arr), index=index, name=name)


#: Invisible characters that never belong to a label, a date or a case number: C0/C1
#: controls (not tab or line breaks, which count as spaces), zero-width and bidi marks,
#: soft hyphens and BOMs (U+FEFF).
INVISIBLE = (r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{ad}\x{200b}-\x{200f}\x{202a}-\x{202e}"
             r"\x{2060}-\x{2064}\x{2066}-\x{2069}\x{feff}]")


def byte_ranges(*ranges: tuple[int, int] | int) -> tuple[tuple[int, int], ...]:
    """Byte values for :func:`rows_with_bytes`: each an int or an inclusive ``(first, last)`` range.

    >>> byte_ranges((0x41, 0x43), 0x7f)
    ((65, 67), (127, 127))
    """
    return tuple((r, r) if isinstance(r, int) else (int(r[0]), int(r[1])) for r in ranges)


def rows_with_bytes(arr: pa.Array, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Which strings of an Arrow (large) string array hold a byte in one of ``ranges``
    (:func:`byte_ranges`), found by a few numpy comparisons over the array's data buffer
    instead of a regex call per string (a regex search costs about 100 ns a string even
    when it finds nothing). Meant as a prefilter: look for the first bytes (UTF-8) of the
    characters a regex needs, then run the regex on the rows found only. A null's bytes
    (if it has any) count.

    >>> rows_with_bytes(pa.array(["ab", "", None, "xé"], pa.large_string()), byte_ranges((0xc2, 0xc3))).tolist()
    [False, False, False, True]
    """
    n = len(arr)
    out = np.zeros(n, dtype=bool)
    data = arr.buffers()[2] if n else None
    if data is None:
        return out
    width = 8 if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type) else 4
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if width == 8 else np.int32, count=n + 1,
                            offset=arr.offset * width)
    lo, hi = int(offsets[0]), int(offsets[-1])
    b = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    hit = np.zeros(len(b), dtype=bool)
    for first, last in ranges:  # (b - first) wraps around below first: one comparison a range
        hit |= (b - np.uint8(first)) <= np.uint8(last - first)
    pos = np.flatnonzero(hit)
    if len(pos):
        # The string that holds byte lo + p: the last one that starts at or before it.
        out[np.searchsorted(offsets, pos + lo, side="right") - 1] = True
    return out


#: First bytes (UTF-8) of the characters of :data:`INVISIBLE`: the ASCII controls, C2 (U+0080–U+00BF),
#: E2 (U+2000–U+2FFF) and EF (U+F000–U+FFFF). A continuation byte is never one of these.
_INVISIBLE_LEADS = byte_ranges((0x00, 0x08), (0x0b, 0x0c), (0x0e, 0x1f), 0x7f, 0xc2, 0xe2, 0xef)


def normalize_text(values: pd.Series) -> pd.Series:
    """Invisible characters removed (:data:`INVISIBLE`), NFKC (full-width → half-width) and
    strip, vectorized with pyarrow.

    >>> normalize_text(pd.Series(["　２０１９年 ", None, "来\\u200b访\\ufeff", "A\\x0710"])).tolist()
    ['2019年', nan, '来访', 'A10']
    """
    arr = to_arrow(values)
    # Invisible characters are rare: the regex runs only on the strings that hold a first
    # byte of one (a byte scan), and replaces only where it found one.
    cand = np.flatnonzero(rows_with_bytes(arr, _INVISIBLE_LEADS))
    if len(cand) and pc.any(pc.match_substring_regex(arr.take(cand), INVISIBLE)).as_py():
        arr = pc.replace_substring_regex(arr, pattern=INVISIBLE, replacement="")
    arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, form="NFKC"))
    return from_arrow(arr, values.index, values.name)


def fill_merged(grid: pd.DataFrame, merged, columns, first_row: int) -> tuple[pd.DataFrame, int]:
    """Fill the empty cells of vertically merged ranges (``((r0, c0), (r1, c1))``, as
    calamine gives them) in ``columns`` from the merged range's top cell, for ranges that
    start at or below ``first_row``. Excel keeps a merged value in the top cell only, so
    without this every row below it would lose its label. Returns the grid and the number
    of cells filled.

    >>> g = pd.DataFrame([["h", "region"], ["1", "甲区"], ["2", ""], ["3", ""]])
    >>> out, n = fill_merged(g, [((1, 1), (2, 1))], [1], 1)
    >>> out[1].tolist(), n
    (['region', '甲区', '甲区', ''], 1)
    """
    wanted, filled = set(columns), 0
    for (r0, c0), (r1, c1) in merged or ():
        if r1 <= r0 or r0 < first_row:
            continue
        for c in range(c0, c1 + 1):
            if c not in wanted or c >= grid.shape[1] or r0 >= len(grid):
                continue
            top = grid.iat[r0, c]
            rows = range(r0 + 1, min(r1, len(grid) - 1) + 1)
            for r in rows:
                if not str(grid.iat[r, c]).strip():
                    if filled == 0:
                        grid = grid.copy()
                    grid.iat[r, c] = top
                    filled += 1
    return grid, filled


def on_uniques(values: pd.Series, func) -> pd.Series:
    """Apply the vectorized ``func`` to the distinct values of ``values`` only, then
    broadcast back (nulls stay null): a column of a million rows with a few hundred
    distinct labels costs a few hundred.

    >>> on_uniques(pd.Series(["a", "b", "a", None]), lambda s: s.str.upper()).tolist()
    ['A', 'B', 'A', nan]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = func(pd.Series(uniques, dtype=values.dtype if values.dtype != object else "str"))
    present = codes >= 0
    if pd.api.types.is_bool_dtype(mapped.dtype):
        out = np.zeros(len(values), dtype=bool)
        out[present] = mapped.to_numpy(dtype=bool)[codes[present]]
        return pd.Series(out, index=values.index, name=values.name)
    if pd.api.types.is_string_dtype(mapped.dtype):
        # Broadcast in Arrow: a take with null indices for the null inputs.
        taken = to_arrow(mapped).take(pa.array(codes, mask=~present))
        return from_arrow(taken, values.index, values.name)
    arr = np.asarray(mapped.to_numpy(dtype=object, na_value=None), dtype=object)
    out = np.full(len(values), None, dtype=object)
    out[present] = arr[codes[present]]
    return pd.Series(out, index=values.index, name=values.name).infer_objects()


def squeeze_spaces(values: pd.Series) -> pd.Series:
    """Remove all whitespace with pyarrow's regex engine (pandas falls back to Python for ``\\s``).

    >>> squeeze_spaces(pd.Series(["合 计", None])).tolist()
    ['合计', nan]
    """
    arr = pc.replace_substring_regex(to_arrow(values), pattern=r"\s+", replacement="")
    return from_arrow(arr, values.index, values.name)
