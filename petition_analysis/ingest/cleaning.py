"""Cleaning: from raw register exports to the canonical table, with nothing lost and no
personal data leaked.

:func:`clean` reads every table of the input (:mod:`petition_analysis.ingest.io`), finds each
table's header (:mod:`petition_analysis.ingest.headers`), then runs the steps below on one
*work frame* that holds the raw text of every mapped field (``raw:<field>``), the row's
provenance (``_file``, ``_sheet``, ``_row``) and its reject reason (``_reason``, NA while
the row is kept). Each step is a plain function ``frame -> frame`` that researchers can
run alone with ``.pipe()``; a step only rejects rows that are still kept, so the first
problem found is the reason recorded.

Every row read ends in ``.data`` or in ``.rejects`` (``rows read == clean + rejected``).

>>> import pandas as pd
>>> raw = pd.DataFrame({"编号": ["A1", "A2", "A2"], "登记日期": ["2019/3/5", "2019年13月1日", "2019-3-6"],
...                     "信访形式": ["来访", "来信", "网上信访"], "人数": ["3", "", ""], "到达层级": ["到市", "到县", "到县"],
...                     "问题属地": ["甲区", "乙区", "乙区"], "问题分类": ["国土资源", "城建", "城建"]})
>>> res = clean(raw, pseudonym_key="k")
>>> res.data[["case_id", "received_date", "persons", "category"]].values.tolist()
[['A1', Timestamp('2019-03-05 00:00:00'), 3, 'natural_resources'], ['A2', Timestamp('2019-03-06 00:00:00'), 1, 'urban_rural_construction']]
>>> res.rejects[["source_row", "reason"]].values.tolist()
[[3, 'invalid_date']]
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import secrets
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import derive, parse
from .. import schema
from ..errors import StructuralError
from .headers import PERSON_FIELDS, Mapping, find_header, load_mapping, normalize_header, resolve_columns
from .io import (RawTable, _kind, expand_sources, fill_merged, from_arrow, iter_csv_tables, normalize_text, on_uniques,
                 read_tables, squeeze_spaces, to_arrow)
from .parse import _PY_SPACE
from .privacy import KEY_ENV_VAR, _mask_own_names, identity_key, mask_text, pseudonymize, resolve_key
from ..patterns import PII_PATTERNS, PREFILTER
from .reasons import REJECT_REASONS

__all__ = [
    "CleanResult",
    "raw_preview",
    "unmapped_labels",
    "UNMAPPED_TOKEN",
    "CleanLog",
    "clean",
    "table_frame",
    "mark_layout_rows",
    "mark_duplicates",
    "parse_received_date",
    "parse_channel",
    "parse_persons",
    "parse_level",
    "parse_region",
    "parse_categories",
    "parse_handling",
    "assign_case_ids",
    "mark_duplicate_case_ids",
    "protect_case_ids",
    "pseudonymize_petitioners",
    "mask_summary",
    "parse_board_fields",
    "predict_categories",
    "derive_flags",
    "split_result",
    "clean_labels",
    "gate_regions",
    "OTHER_REGION",
    "LABEL_MIN_ROWS",
    "REJECT_COLUMNS",
    "PROGRESS_MIN_ROWS",
]

#: Label fields whose empty cells below an Excel merged cell are filled from it.
MERGED_FILL_FIELDS = ("region", "category", "subcategory", "channel", "level")
#: Columns of ``CleanResult.rejects`` (and of the CLI's rejects CSV).
REJECT_COLUMNS = ["source_file", "sheet", "source_row", "reason", "message", "case_id", "preview"]
#: Inputs with at least this many rows show a progress bar (when ``progress`` is not False).
PROGRESS_MIN_ROWS = 100_000
_TOTAL_WORDS = {"合计", "总计", "小计", "总合计", "本页小计", "本页合计", "累计", "total", "subtotal", "grandtotal", "sum"}
_NOTES = r"^(?:注|备注|说明|填表说明|数据来源|来源|制表|填报|审核|附注|note|notes|source)\s*[:：\d、.]|^(?:注|备注|说明)$"
_PREVIEW_CHARS = 240
# The first character of every cell that can be a total once normalized (table_frame): the
# first letters of _TOTAL_WORDS in either case, or anything outside ASCII and the CJK
# block (within that block only 合小总本累 normalize to a first letter of a total word).
_TOTAL_FIRST = r"^(?:[GSTgst合小总本累]|[^\x00-\x7f\x{4e00}-\x{9fff}])"

# Each cell is classed by its first two bytes (UTF-8), through one table of 65,536 entries:
_SPACE = 1      # may start with a space Arrow's utf8_trim_whitespace removes: \t–\r, U+001C–U+0020,
                # C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F), E3 (U+3000)
_TOTAL = 2      # may be a total: starts with G S T g s t, or outside ASCII and the CJK block
_TOTAL_CJK = 4  # starts with the first two bytes of 合 小 总 本 累 (the third byte tells)


def _first_bytes_table() -> np.ndarray:
    b0, b1 = np.divmod(np.arange(65536), 256)
    spaces = np.zeros(256, dtype=bool)
    spaces[[*range(0x09, 0x0e), *range(0x1c, 0x21), 0xc2, 0xe1, 0xe2, 0xe3]] = True
    ascii_total = np.zeros(256, dtype=bool)
    ascii_total[list(b"GSTgst")] = True
    # U+4E00–U+9FFF is E4 B8 80 – E9 BF BF.
    cjk = ((b0 == 0xE4) & (b1 >= 0xB8)) | ((b0 >= 0xE5) & (b0 <= 0xE9))
    total = np.where(b0 < 0x80, ascii_total[b0], ~cjk)
    prefixes = {tuple(c.encode()[:2]) for c in "合小总本累"}
    maybe = np.zeros(65536, dtype=bool)
    for x, y in prefixes:
        maybe[x * 256 + y] = True
    return (spaces[b0] * _SPACE | total * _TOTAL | maybe * _TOTAL_CJK).astype(np.uint8)


_FIRST_BYTES = _first_bytes_table()
_TOTAL_CJK_BYTES = np.array([int.from_bytes(c.encode(), "big") for c in "合小总本累"])


def _layout_flags(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(non-empty once trimmed, may be a total) for each cell of a column, from its first
    character: a cell that does not start with a space is non-empty, and only a cell whose
    first character matches :data:`_TOTAL_FIRST` (or is a space) may be a total. Cells that
    start with a space (rare) are trimmed to tell. Null cells are neither.

    >>> [f.tolist() for f in _layout_flags(pa.array(["合计", " ", "甲区", "Total", None, "", "　小计"], pa.large_string()))]
    [[True, False, True, True, False, False, True], [True, True, False, True, False, False, True]]
    """
    n = len(arr)
    if not n:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else np.zeros(1, np.uint8)
    start, length = offsets[:-1], np.diff(offsets)
    has = length > 0
    if arr.null_count:
        has &= arr.is_valid().to_numpy(zero_copy_only=False)
    last = len(data) - 1
    # Past a cell's end these read the next cell's bytes (or the buffer's last byte): a
    # second byte is only used where the first one leads a longer character.
    key = (data[np.minimum(start, last)].astype(np.uint16) << 8) | data[np.minimum(start + 1, last)]
    cls = _FIRST_BYTES[key]
    space = has & (cls & _SPACE).astype(bool)
    nonempty = has & ~space
    if space.any():  # trim those few cells to tell a blank from a cell with leading spaces
        idx = np.flatnonzero(space)
        trimmed = pc.utf8_trim_whitespace(arr.take(pa.array(idx)))
        nonempty[idx] = pc.greater(pc.binary_length(trimmed), 0).to_numpy(zero_copy_only=False)
    candidate = has & (cls & (_SPACE | _TOTAL)).astype(bool)
    maybe = np.flatnonzero(has & (cls & _TOTAL_CJK).astype(bool))
    if len(maybe):  # 合小总本累: the third byte tells
        char = (key[maybe].astype(np.int64) << 8) | data[np.minimum(start[maybe] + 2, last)]
        candidate[maybe] |= np.isin(char, _TOTAL_CJK_BYTES)
    return nonempty, candidate


#: What the log says after the counts of unmapped labels (the labels themselves are never printed).
UNMAPPED_HINT = ("to see the unmapped labels (masked) and write a mapping for them, run "
                 "pa.unmapped_labels(source, mapping) in a notebook (docs/mapping.md)")
# Distinct unmapped labels are counted through hashes under a per-run random key: the hashes
# are never written anywhere (they pass only between a run's own processes: the dataset
# path's workers), and a short label cannot be found again from its hash.
_LABEL_HASH_KEY = secrets.token_hex(8)
_NO_KEYS = np.empty(0, dtype=np.uint64)


@dataclass
class CleanLog:
    """What cleaning did: rows per file, per step and per reason, unmapped labels (counts
    per field, never the text: see :func:`unmapped_labels`) and columns, warnings, and
    where the pseudonym key came from."""

    files: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)
    #: Labels no dictionary or mapping knows, as counts only (never the text):
    #: ``{"category": {"labels": 3, "rows": 17}}`` (distinct labels, rows still kept). See
    #: them masked with :func:`unmapped_labels` to write a mapping file.
    unmapped_labels: dict[str, dict[str, int]] = field(default_factory=dict)
    unmapped_columns: dict[str, list[str]] = field(default_factory=dict)
    #: Labels grouped by the label gate, as counts only: ``{"region": {"grouped_as_other": 3, "labels": 2}}``.
    grouped_labels: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    key_source: str = ""
    rows_read: int = 0
    rows_clean: int = 0
    #: The record of the model that predicted categories (:func:`petition_analysis.classify.model.model_record`), if any.
    classifier: str | None = None
    #: Warnings that carry a row count, by template (``{n}`` is the count): chunks add up.
    counted: dict[str, int] = field(default_factory=dict, repr=False)
    #: Keyed hashes of the distinct unmapped labels per field, so that chunks add up to
    #: distinct labels; never written anywhere (not in ``to_dict``, ``summary`` or ``repr``).
    _label_keys: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def warn_count(self, template: str, n: int) -> None:
        """A warning about ``n`` rows (``template`` holds ``{n}``); a second call adds to it."""
        old = self.counted.get(template)
        self.counted[template] = (old or 0) + int(n)
        text = template.format(n=self.counted[template])
        if old is None:
            self.warnings.append(text)
        else:
            self.warnings[self.warnings.index(template.format(n=old))] = text

    def merge(self, other: "CleanLog") -> None:
        """Add the log of a later chunk of the same run (files, steps, labels, warnings)."""
        self.rows_read += other.rows_read
        self.key_source = self.key_source or other.key_source
        self.classifier = self.classifier or other.classifier
        for f in other.files:
            same = next((g for g in self.files if (g["source_file"], g["sheet"]) == (f["source_file"], f["sheet"])), None)
            if same is None:
                self.files.append(dict(f))
            else:
                same["rows_read"] += f["rows_read"]
        for st in other.steps:  # every chunk runs the same steps: add up by (step, reason)
            same = next((t for t in self.steps if (t["step"], t["reason"]) == (st["step"], st["reason"])), None)
            if same is None:
                self.steps.append(dict(st))
            else:
                same["rejected"] += st["rejected"]
                same["kept_after"] += st["kept_after"]
        for fld, counts in other.unmapped_labels.items():
            book = self.unmapped_labels.setdefault(fld, {"labels": 0, "rows": 0})
            book["rows"] += int(counts.get("rows", 0))
            if fld in other._label_keys:
                keys = np.union1d(self._label_keys.get(fld, _NO_KEYS), other._label_keys[fld])
                self._label_keys[fld] = keys
                book["labels"] = int(len(keys))
            else:  # a log without its keys (read back from JSON): labels may be counted twice
                book["labels"] += int(counts.get("labels", 0))
        for label, cols in other.unmapped_columns.items():
            self.unmapped_columns.setdefault(label, cols)
        rendered = {t.format(n=n): t for t, n in other.counted.items()}
        for w in other.warnings:
            if w in rendered:
                self.warn_count(rendered[w], other.counted[rendered[w]])
            else:
                self.warn(w)

    def count_labels(self, fld: str, labels: pd.Series) -> None:
        """Count the unmapped ``labels`` of field ``fld`` (the normalized raw text of the
        rows still kept): distinct labels and rows, never the text. Raw text typed into a
        label column can hold a name or a number, and the log is printed and saved."""
        labels = labels.dropna()
        if not len(labels):
            return
        uniques = pd.Series(pd.unique(labels.astype("str").to_numpy()), dtype="str")
        keys = pd.util.hash_pandas_object(uniques, index=False, hash_key=_LABEL_HASH_KEY).to_numpy()
        keys = np.union1d(self._label_keys.get(fld, _NO_KEYS), keys)
        self._label_keys[fld] = keys
        book = self.unmapped_labels.setdefault(fld, {"labels": 0, "rows": 0})
        book["labels"] = int(len(keys))
        book["rows"] += int(len(labels))

    def reconciliation(self) -> pd.DataFrame:
        """Rows read, clean and rejected (by reason) per file and in total."""
        rows = [{"item": "rows read", "rows": self.rows_read}, {"item": "clean", "rows": self.rows_clean}]
        rows += [{"item": f"rejected: {r}", "rows": n} for r, n in sorted(self.rejected.items(), key=lambda t: -t[1])]
        rows.append({"item": "read − clean − rejected", "rows": self.rows_read - self.rows_clean - sum(self.rejected.values())})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "rows_read": self.rows_read, "rows_clean": self.rows_clean, "rejected": dict(self.rejected),
            "files": self.files, "steps": self.steps, "unmapped_labels": self.unmapped_labels,
            "unmapped_columns": self.unmapped_columns, "grouped_labels": self.grouped_labels,
            "warnings": self.warnings, "key_source": self.key_source,
            **({"classifier": json.loads(self.classifier)} if self.classifier else {}),
        }

    def summary(self) -> str:
        """A short text report: the reconciliation table, then unmapped labels and warnings."""
        lines = [f"{r.item:<32}{r.rows:>12,}" for r in self.reconciliation().itertuples()]
        for fld, counts in self.unmapped_labels.items():
            lines.append(f"unmapped {fld} labels: {counts['labels']:,} label(s) in {counts['rows']:,} row(s)")
        if self.unmapped_labels:
            lines.append(UNMAPPED_HINT)
        for fld, counts in self.grouped_labels.items():
            lines.append(f"{fld}: {counts.get('grouped_as_other', 0):,} row(s) grouped as {OTHER_REGION} "
                         f"({counts.get('labels', 0):,} label(s) neither canonical nor in {counts.get('min_rows', LABEL_MIN_ROWS)}+ rows)")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class CleanResult:
    """``data`` (canonical, passes :func:`~petition_analysis.validate`), ``rejects``
    (:data:`REJECT_COLUMNS`, no personal data) and ``log`` (:class:`CleanLog`)."""

    data: pd.DataFrame
    rejects: pd.DataFrame
    log: CleanLog

    def __post_init__(self) -> None:
        # the model that predicted categories travels with the table (and its Parquet file)
        if self.log.classifier:
            self.data.attrs["classifier"] = self.log.classifier

    def __repr__(self) -> str:
        return f"CleanResult({len(self.data):,} clean rows, {len(self.rejects):,} rejects)"


# --------------------------------------------------------------------------- work frame


def _raw(df: pd.DataFrame, fld: str) -> pd.Series:
    col = f"raw:{fld}"
    return df[col] if col in df else pd.Series("", index=df.index, dtype="str")


def _normalized(df: pd.DataFrame, fld: str, mask: pd.Series) -> pd.Series:
    """Normalized raw text of the rows in ``mask`` (for the log: only those rows)."""
    return normalize_text(_raw(df, fld)[mask.to_numpy(dtype=bool)])


#: What a reject's preview shows for a label no dictionary or mapping knows (the text may be a name).
UNMAPPED_TOKEN = "[未识别标签]"
_UNMAPPED_PREFIX = "_unmapped:"


def _mark_unmapped(df: pd.DataFrame, fld: str, mask: pd.Series) -> None:
    """Mark the rows whose ``fld`` label is unmapped: their preview shows :data:`UNMAPPED_TOKEN`."""
    if f"raw:{fld}" in df:
        df[_UNMAPPED_PREFIX + fld] = np.asarray(pd.Series(mask, index=df.index).fillna(False), dtype=bool)


def _kept(df: pd.DataFrame) -> pd.Series:
    return df["_reason"].isna()


def _reject(df: pd.DataFrame, mask: pd.Series, reason: str, log: CleanLog | None, step: str) -> pd.DataFrame:
    assert reason in REJECT_REASONS, reason
    new = mask.fillna(False).astype(bool) & _kept(df)
    n = int(new.sum())
    if n:
        df.loc[new, "_reason"] = reason
    if log is not None:
        log.steps.append({"step": step, "reason": reason, "rejected": n, "kept_after": int(_kept(df).sum())})
    return df


def table_frame(table: RawTable, mapping: Mapping, log: CleanLog | None = None) -> pd.DataFrame:
    """The work frame of one table: header found, fields mapped (several columns for one
    field are combined, first non-empty wins), layout flags computed on whole rows."""
    grid = table.grid
    if grid.empty or grid.shape[1] == 0:
        raise StructuralError(table.label, "the table has no cells", hint="Export the register again.")
    if table.header_row is not None:
        h, headers = table.header_row, [str(v) for v in grid.iloc[table.header_row]]
    else:
        h, headers = find_header(grid, mapping.renames, label=table.label, header_row=mapping.header_row)
    plan = resolve_columns(headers, mapping, label=table.label)
    # Excel keeps a merged label (a region over several rows) in the top cell only: fill it down.
    grid, n_merged = fill_merged(grid, table.merged, [p for f in MERGED_FILL_FIELDS for p in plan.fields.get(f, [])], h + 1)
    body = grid.iloc[h + 1:]
    text = body.astype("str")
    # Layout flags need normalized text (NFKC + strip) in a few cells only, so the whole
    # grid is not normalized (that was about 5 s per million rows of 21 columns):
    # - a cell is empty after NFKC + strip exactly when it is empty after strip (checked
    #   for every Unicode code point: NFKC maps whitespace to whitespace and nothing else
    #   to whitespace only), so emptiness needs only a trim;
    # - a total cell starts, once normalized and lower-cased, with 合, 总, 小, 本, 累, t, s
    #   or g, so its first raw character is one of those (either case) or is outside ASCII
    #   and the CJK block (a compatibility form such as Ｔ or ⼩): only such cells are
    #   normalized (see _TOTAL_FIRST);
    # - notes are looked for only in rows of at most two cells.
    # Both flags come from each cell's first bytes (numpy over the Arrow buffers), not a
    # trim and a regex per cell (see _layout_flags).
    nonempty, total_candidate = {}, {}
    for c in text.columns:
        nonempty[c], total_candidate[c] = _layout_flags(to_arrow(text[c]))
    nonempty = pd.DataFrame(nonempty, index=body.index)
    out = pd.DataFrame(index=body.index)
    for fld, positions in plan.fields.items():
        col = text[positions[0]].astype("str")
        for p in positions[1:]:
            col = col.where(nonempty[positions[0]], text[p].astype("str"))  # first non-empty wins
        out[f"raw:{fld}"] = col.fillna("")
    for fld, value in mapping.constants.items():
        out[f"raw:{fld}"] = "" if value is None else str(value)
    out["_file"] = table.source_file
    out["_sheet"] = table.sheet
    out["_row"] = (body.index.to_numpy() + 1).astype("int64")
    out["_blank"] = ~nonempty.any(axis=1)
    # Loops over columns, not rows: a short cell that is exactly 合计 / 总计 / 小计 marks a total row.
    is_total = pd.Series(False, index=body.index)
    for c in text.columns:
        cand = total_candidate[c] & nonempty[c].to_numpy()
        if not cand.any():
            continue
        s = normalize_text(text[c][cand]).fillna("")
        short = s.ne("") & s.str.len().le(12)
        if short.any():
            hit = on_uniques(s[short], lambda u: squeeze_spaces(u).str.lower().pipe(
                lambda q: q.isin(_TOTAL_WORDS) | q.str.match(r"^(?:合计|总计|小计)[:：]").fillna(False).astype(bool)))
            is_total[hit.index[hit.to_numpy()]] = True
    out["_total"] = is_total
    # A note is a row of at most 2 cells whose first non-empty cell reads like one. Only
    # those few rows are looked at (numpy: argmax over the non-empty mask).
    few = nonempty.sum(axis=1) <= 2
    notes = pd.Series(False, index=body.index)
    if few.any():
        values = text[few].to_numpy(dtype=object)
        first_pos = nonempty[few].to_numpy().argmax(axis=1)
        first = normalize_text(pd.Series(values[np.arange(len(values)), first_pos], dtype="str")).fillna("")
        notes[few] = first.str.contains(_NOTES, regex=True).to_numpy(dtype=bool)
    # Everything below the first note that is not a full row also belongs to the notes.
    # (In a later chunk of a big CSV, the block may have begun in an earlier chunk.)
    after = (notes.cummax() | table.notes_above) & few & ~out["_blank"]
    out["_notes"] = notes | after
    # str (Arrow), not object: "is the row kept" (_kept) is asked by every step, and an
    # Arrow column answers from its validity bitmap.
    out["_reason"] = pd.Series(np.nan, index=out.index, dtype="str")
    out = out.reset_index(drop=True)
    if log is not None:
        log.files.append({"source_file": table.source_file, "sheet": table.sheet, "encoding": table.encoding,
                          "header_row": h + 1, "rows_read": int(len(out)),
                          "columns": {f: [plan.headers[p] for p in ps] for f, ps in plan.fields.items()}})
        if plan.unmapped:
            log.unmapped_columns[table.label] = plan.unmapped
        for w in plan.warnings:
            log.warn(w)
        if len(out) == 0:
            log.warn(f"{table.label}: the table has a header but no rows")
        if n_merged:
            log.warn_count(f"{table.label}: {{n}} empty cell(s) below merged cells in "
                           f"{', '.join(f for f in MERGED_FILL_FIELDS if f in plan.fields)} filled down from the merged cell", n_merged)
        # Cells beyond the header (or under an empty header cell) belong to no field: say so.
        unnamed = [c for c, hdr in zip(nonempty.columns, list(headers) + [""] * nonempty.shape[1]) if not normalize_header(hdr)]
        extra = nonempty[unnamed].any(axis=1) if unnamed else None
        if extra is not None and extra.any():
            cols = [int(c) + 1 for c in unnamed if nonempty[c].any()]
            log.warn_count(f"{table.label}: {{n}} row(s) have cells in columns without a header (column "
                           f"{', '.join(map(str, cols[:10]))}{' …' if len(cols) > 10 else ''}); the rows are kept, "
                           "those cells are read into no field", int(extra.sum()))
    out.attrs["headers"] = {f: plan.headers[ps[0]] for f, ps in plan.fields.items()}
    return out


# --------------------------------------------------------------------------- steps


def mark_layout_rows(df: pd.DataFrame, log: CleanLog | None = None) -> pd.DataFrame:
    """Reject blank rows, total rows (合计/总计/小计) and the notes below a table."""
    df = _reject(df, df["_blank"], "blank_row", log, "layout")
    df = _reject(df, df["_total"], "total_row", log, "layout")
    return _reject(df, df["_notes"], "notes_row", log, "layout")


def _raw_columns(df: pd.DataFrame) -> list[str]:
    return sorted(c for c in df.columns if c.startswith("raw:"))


def _unmapped_columns(df: pd.DataFrame) -> list[str]:
    return sorted(c for c in df.columns if c.startswith(_UNMAPPED_PREFIX))


def row_hash(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's values in ``cols`` in which an empty value counts as
    absent, so that rows from files with different columns compare equal when every
    non-empty value is equal (as they do in one work frame, where a missing column is "").

    The strings are hashed by DuckDB, about twice as fast as pandas'
    ``hash_pandas_object`` (which makes a Python object of every string).
    """
    out = np.zeros(len(df), dtype=np.uint64)
    if not len(df) or not cols:
        return out
    names = [f'"{c.replace(chr(34), chr(34) * 2)}"' for c in cols]
    exprs = [f"CASE WHEN coalesce({n}, '') = '' THEN 0::UBIGINT ELSE hash({_sql_text(c)}, {n}) END AS h{i}"
             for i, (c, n) in enumerate(zip(cols, names))]
    cur = _duckdb().cursor()  # a cursor per call: safe from several threads
    try:
        rows = df[cols]
        cur.register("_rows", rows)
        # Without ORDER BY DuckDB still returns a plain projection in input order
        # (preserve_insertion_order is on).
        hashes = cur.execute(f"SELECT {', '.join(exprs)} FROM _rows").fetchnumpy()
    finally:
        cur.close()
    for h in hashes.values():
        out += np.asarray(h, dtype=np.uint64)  # wraps around: a sum modulo 2**64
    return out


def _text_hash(values: pd.Series) -> np.ndarray:
    """A 64-bit hash of each value (DuckDB's, over the Arrow text: several times faster
    than pandas' ``hash_pandas_object``). Only ever compared within one run."""
    cur = _duckdb().cursor()  # a cursor per call: safe from several threads
    try:
        cur.register("_values", pa.table({"v": to_arrow(values)}))
        return np.asarray(cur.execute("SELECT hash(v) AS h FROM _values").fetchnumpy()["h"], dtype=np.uint64)
    finally:
        cur.close()


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_DUCKDB = None


def _duckdb():
    """One in-memory DuckDB connection per process (for :func:`row_hash`)."""
    global _DUCKDB
    if _DUCKDB is None:
        import duckdb

        _DUCKDB = duckdb.connect()
        _DUCKDB.execute("SET preserve_insertion_order = true")
    return _DUCKDB


class _HashRuns:
    """A growing set of 64-bit hashes as a few sorted runs (merged when two get close in
    size), so that looking up a chunk costs a binary search per run instead of
    re-sorting everything seen so far."""

    def __init__(self):
        self.runs: list[np.ndarray] = []

    def add(self, h: np.ndarray) -> None:
        self.runs.append(np.sort(h))
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            last = self.runs.pop()
            self.runs[-1] = np.sort(np.concatenate([self.runs[-1], last]), kind="stable")

    def contains(self, h: np.ndarray) -> np.ndarray:
        found = np.zeros(len(h), dtype=bool)
        if not self.runs or not len(h):
            return found
        # Sorted needles walk each run in order (cache-friendly): about 2 × faster.
        order = np.argsort(h)
        needles = h[order]
        hit = np.zeros(len(h), dtype=bool)
        for run in self.runs:
            pos = np.minimum(np.searchsorted(run, needles), len(run) - 1)
            hit |= run[pos] == needles
        found[order] = hit
        return found


class EarlierChunks:
    """What the steps that compare rows know about the chunks cleaned before this one:
    the row hashes of every row (for exact copies) and the case numbers of the kept rows
    (for reused case numbers), so that a big file cleaned in chunks gives the result of
    cleaning it whole."""

    def __init__(self):
        self.row_hashes = _HashRuns()
        self.case_id_hashes = _HashRuns()
        self.case_ids: list = []


def mark_duplicates(df: pd.DataFrame, log: CleanLog | None = None, *, earlier: EarlierChunks | None = None) -> pd.DataFrame:
    """Reject exact copies of an earlier row (all raw values equal; the first is kept).

    ``earlier``: the rows of the chunks before this one count as earlier rows."""
    cols = _raw_columns(df)
    if earlier is not None:
        h = row_hash(df, cols)
        dup = pd.Series(pd.Index(h).duplicated(keep="first") | earlier.row_hashes.contains(h), index=df.index)
        earlier.row_hashes.add(h)
        return _reject(df, dup & _kept(df), "duplicate", log, "duplicates")
    # Copies share every value, so only rows whose first raw value repeats are candidates:
    # hashing those few rows gives the same answer as hashing them all.
    first = "raw:case_id" if "raw:case_id" in cols else (cols[0] if cols else None)
    candidates = df[first].duplicated(keep=False) if first else pd.Series(False, index=df.index)
    dup = pd.Series(False, index=df.index)
    if candidates.any():
        keys = pd.util.hash_pandas_object(df.loc[candidates, cols].fillna(""), index=False)
        dup[candidates] = keys.duplicated(keep="first").to_numpy()
    dup &= _kept(df)
    # A copy of a row already rejected for its layout is still just that layout row.
    return _reject(df, dup, "duplicate", log, "duplicates")


NO_DATES_WARNING = ("no row has a readable received date; give 'date_formats' in a mapping file if the dates are "
                    "in another form")


def parse_received_date(df: pd.DataFrame, log: CleanLog | None = None, *, formats: list[str] | None = None,
                        today=None) -> pd.DataFrame:
    """``received_date`` from every date form; reject missing, unreadable and impossible dates."""
    raw = _raw(df, "received_date")
    parsed = parse.parse_dates(raw, formats)
    problems = parse.date_problems(raw, parsed, today=today)
    df["received_date"] = parsed
    for reason in ("missing_date", "invalid_date", "date_out_of_range"):
        df = _reject(df, problems.eq(reason), reason, log, "received_date")
    if log is not None and len(df) and _kept(df).sum() == 0 and problems.notna().all():
        log.warn(NO_DATES_WARNING)
    return df


def parse_channel(df: pd.DataFrame, log: CleanLog | None = None, *, values: dict | None = None) -> pd.DataFrame:
    """``channel`` from zh / en synonyms (来信, 来访, 网上信访, 电话 …); reject unknown values."""
    df["channel"] = parse.parse_choice(_raw(df, "channel"), parse.CHANNEL_WORDS, values)
    bad = df["channel"].isna()
    _mark_unmapped(df, "channel", bad)
    if log is not None:
        log.count_labels("channel", _normalized(df, "channel", bad & _kept(df)))
    return _reject(df, bad, "invalid_channel", log, "channel")


def parse_persons(df: pd.DataFrame, log: CleanLog | None = None) -> pd.DataFrame:
    """``persons``: blank means 1 except on a visit; reject zero, negative or non-numbers."""
    if "raw:persons" not in df:
        if log is not None and len(df):
            log.warn("no persons (人数) column: every item counts as 1 person")
        df["persons"] = 1
        return df
    persons, invalid = parse.parse_persons(df["raw:persons"], df["channel"])
    df["persons"] = persons
    return _reject(df, invalid, "invalid_persons", log, "persons")


def parse_level(df: pd.DataFrame, log: CleanLog | None = None, *, values: dict | None = None) -> pd.DataFrame:
    """``level`` from synonyms (到县, 到市, 赴省, 进京 …); reject unknown values."""
    df["level"] = parse.parse_choice(_raw(df, "level"), parse.LEVEL_WORDS, values)
    bad = df["level"].isna()
    _mark_unmapped(df, "level", bad)
    if log is not None:
        log.count_labels("level", _normalized(df, "level", bad & _kept(df)))
    return _reject(df, bad, "invalid_level", log, "level")


#: What regions neither canonical nor frequent are grouped as (the label gate, :func:`gate_regions`).
OTHER_REGION = "其他区域"
#: A region label leaves the package when it is canonical or appears in at least this many clean rows.
LABEL_MIN_ROWS = 5
# Invisible characters taken out of labels: C0/C1 controls, zero-width and bidi marks, BOMs,
# soft hyphens, and terminal escape sequences (ESC [ … letter).
_INVISIBLE = (r"\x{1b}\[[0-9;?]*[A-Za-z]|[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{ad}\x{200b}-\x{200f}"
              r"\x{202a}-\x{202e}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{feff}]")
# Placeholders that mean "no value", and spreadsheet formulas (=, +, -, @ first; checked after NFKC).
_PLACEHOLDER = r"^(?i:nan|none|null|nil|n/?a|#n/?a|#null!|#value!|#ref!|undefined|-+|/|—+)$"
_FORMULA = r"^[=+\-@]."


def clean_labels(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Labels as they may be shown, and which raw values are formula text.

    Invisible characters are removed (zero-width, BOM, controls, bidi marks, terminal
    escapes), the text is NFKC-folded and its spaces dropped; placeholders (NaN, None,
    null, N/A, #N/A …) and blanks become empty; a value that starts with =, +, -, @
    (spreadsheet formulas: ``=HYPERLINK(…)``, ``+1+1``, ``@SUM(…)``) becomes empty and is
    flagged. Works on distinct values only.

    >>> text, formula = clean_labels(pd.Series(["甲\u200b区", "NaN", "=HYPERLINK(1)", " \ufeff乙 区 "]))
    >>> text.tolist(), formula.tolist()
    (['甲区', '', '', '乙区'], [False, False, True, False])
    """
    def fold(u: pd.Series) -> pd.DataFrame:
        arr = pc.replace_substring_regex(to_arrow(u), pattern=_INVISIBLE, replacement="")
        arr = pc.utf8_normalize(arr, form="NFKC")
        arr = pc.replace_substring_regex(arr, pattern=r"\s+", replacement="")
        formula = pc.fill_null(pc.match_substring_regex(arr, _FORMULA), False)
        empty = pc.or_(formula, pc.fill_null(pc.match_substring_regex(arr, _PLACEHOLDER), False))
        text = pc.if_else(empty, "", arr).to_pandas(types_mapper=None).astype("str").fillna("")
        return pd.DataFrame({"text": text.to_numpy(), "formula": formula.to_numpy(zero_copy_only=False)}, index=u.index)

    raw = values.astype("str").fillna("")
    codes, uniques = pd.factorize(raw)
    folded = fold(pd.Series(uniques, dtype="str"))
    text = pd.Series(folded["text"].to_numpy()[codes], index=values.index, dtype="str")
    formula = pd.Series(folded["formula"].to_numpy(dtype=bool)[codes], index=values.index)
    return text, formula


def parse_region(df: pd.DataFrame, log: CleanLog | None = None, *, values: dict | None = None) -> pd.DataFrame:
    """``region`` (问题属地) as written, cleaned by :func:`clean_labels`; a mapping can
    rename values; reject blanks and placeholders (``missing_region``) and formula text
    (``invalid_region``). Rare labels are grouped later, by :func:`gate_regions`."""
    region, formula = clean_labels(_raw(df, "region"))
    if values:
        region = region.replace({clean_labels(pd.Series([k], dtype="str"))[0].iloc[0]: v for k, v in values.items()})
    df["region"] = region.where(region.fillna("").ne(""))
    df = _reject(df, formula, "invalid_region", log, "region")
    return _reject(df, df["region"].isna(), "missing_region", log, "region")


def canonical_regions(mapping: Mapping | None = None) -> set[str]:
    """The region labels that are always shown: the region dictionary (the regions of XX
    City and the city itself, :mod:`petition_analysis.synth.city`), the targets of the
    mapping's ``values: region:`` and its ``constants: region``."""
    from ..synth.city import CITY, regions

    out = set(regions()["zh"]) | {CITY["zh"] if isinstance(CITY, dict) else str(CITY)}
    if mapping is not None:
        out |= {str(v) for v in (mapping.values.get("region") or {}).values() if v is not None}
        if mapping.constants.get("region") is not None:
            out.add(str(mapping.constants["region"]))
    return out


def _looks_personal(labels: pd.Series) -> np.ndarray:
    """Labels that hold (or may hold) personal data: an ID or phone number, an address, an
    e-mail, a name phrase (the masking prefilter) or anything masking would change."""
    arr = to_arrow(labels.astype("str"))
    hit = pc.fill_null(pc.match_substring_regex(arr, PREFILTER), False).to_numpy(zero_copy_only=False)
    return hit | (mask_text(labels.astype("str")).to_numpy() != labels.astype("str").to_numpy())


def regions_to_group(counts: pd.Series, *, canonical: set[str] | None = None,
                     min_rows: int = LABEL_MIN_ROWS) -> tuple[list[str], dict[str, int]]:
    """The labels of ``counts`` (rows per region label) that the label gate groups as
    :data:`OTHER_REGION`, and the counts for the log (no label text)."""
    canonical = canonical_regions() if canonical is None else canonical
    labels = pd.Series(counts.index.astype("str"), dtype="str")
    n = counts.to_numpy()
    keep = (labels.isin(canonical).to_numpy() | (n >= min_rows)) & ~_looks_personal(labels) if len(labels) else n > 0
    n_rows = int(n[~keep].sum())
    grouped = {"grouped_as_other": n_rows, "labels": int((~keep).sum()), "min_rows": int(min_rows)} if n_rows else {}
    return labels[~keep].tolist(), grouped


def gate_regions(data: pd.DataFrame, log: CleanLog | None = None, *, canonical: set[str] | None = None,
                 min_rows: int = LABEL_MIN_ROWS) -> pd.DataFrame:
    """The label gate: a region label stays when it is canonical (:func:`canonical_regions`)
    or appears in at least ``min_rows`` rows of ``data``, and holds nothing personal;
    every other label becomes :data:`OTHER_REGION`. The log gets counts only, never the
    labels (``log.grouped_labels["region"]``).

    >>> d = pd.DataFrame({"region": pd.Series(["甲区"] * 2 + ["某街道"] * 5 + ["XX市甲区人民路500号王磊明家"], dtype="category")})
    >>> gate_regions(d)["region"].value_counts().to_dict()
    {'某街道': 5, '甲区': 2, '其他区域': 1}
    """
    if not len(data):
        return data
    region = data["region"].astype("category")
    drop, grouped = regions_to_group(region.value_counts(), canonical=canonical, min_rows=min_rows)
    if log is not None and grouped:
        log.grouped_labels["region"] = grouped
    if len(drop):
        region = region.cat.remove_categories([c for c in region.cat.categories if c in set(drop)])
        if OTHER_REGION not in region.cat.categories:
            region = region.cat.add_categories([OTHER_REGION])
        region = region.fillna(OTHER_REGION)
        data = data.copy()
        data["region"] = region.cat.remove_unused_categories()
    return data


def parse_categories(df: pd.DataFrame, log: CleanLog | None = None, *, values: dict | None = None,
                     sub_values: dict | None = None, constant: bool = False) -> pd.DataFrame:
    """``category`` through the taxonomy and the 2018 crosswalk (unknown → ``other``,
    counted in the log) and ``subcategory`` (unknown → empty, counted)."""
    years = df["received_date"].dt.year.fillna(2000).astype(int)
    raw = _raw(df, "category")
    cat, unknown = parse.parse_category(raw, years, values)
    df["category"] = cat
    # 分类来源: the export's label, or the mapping (a values: entry or a constant). A blank
    # label (or no category column) is predicted from the text later (predict_categories).
    # on the distinct labels only (a register has a few dozen)
    blank = on_uniques(raw, lambda u: normalize_text(u).fillna("").eq("")).fillna(True).astype(bool)
    keys = [str(k).strip() for k in (values or {})]
    mapped = on_uniques(raw, lambda u: normalize_text(u).isin(keys)).fillna(False).astype(bool) if keys \
        else pd.Series(False, index=df.index)
    df["_category_blank"] = blank.to_numpy(dtype=bool)
    df["category_source"] = np.where(mapped.to_numpy(dtype=bool) | constant, "mapped", "given")
    unknown = unknown & ~blank
    sub, sub_unknown = parse.parse_subcategory(_raw(df, "subcategory"), sub_values)
    df["subcategory"] = sub
    _mark_unmapped(df, "category", unknown)
    _mark_unmapped(df, "subcategory", sub_unknown)
    if log is not None:
        kept = _kept(df)
        log.count_labels("category", _normalized(df, "category", unknown & kept))
        log.count_labels("subcategory", _normalized(df, "subcategory", sub_unknown & kept))
    return df


def _flag_column(df: pd.DataFrame, fld: str, log: CleanLog | None, values: dict | None = None,
                 yes=parse.YES_WORDS, no=parse.NO_WORDS) -> pd.Series:
    flag, unknown = parse.parse_flag(_raw(df, fld), yes, no, values)
    _mark_unmapped(df, fld, unknown)
    if log is not None:
        log.count_labels(fld, _normalized(df, fld, unknown & _kept(df)))
    return flag


def parse_handling(df: pd.DataFrame, log: CleanLog | None = None, *, values: dict | None = None,
                   date_formats: dict | None = None) -> pd.DataFrame:
    """Flags (越级, 领导接访, 延期, 初/重), status, acceptance and conclusion dates and
    satisfaction, made consistent with each other (schema rules); each fix is counted in
    the log as a warning rather than losing the item."""
    values, date_formats = values or {}, date_formats or {}
    for fld in ("is_leapfrog", "leader_received", "extended"):
        df[fld] = _flag_column(df, fld, log, values.get(fld))
    src_repeat = _flag_column(df, "repeat_flag", log, values.get("repeat_flag"), parse.REPEAT_WORDS, parse.FIRST_WORDS)
    df["_source_repeat"] = src_repeat | _flag_column(df, "is_repeat", log)
    for fld in ("accepted_date", "concluded_date"):
        raw = _raw(df, fld)
        d = parse.parse_dates(raw, date_formats.get(fld, date_formats.get("all")))
        bad = d.isna() & ~parse.blank_text(raw) & _kept(df)
        if log is not None and bad.any():
            log.warn_count(fld + ": {n} value(s) could not be read as dates and were left empty", int(bad.sum()))
        df[fld] = d
    status = parse.parse_choice(_raw(df, "status"), parse.STATUS_WORDS, values.get("status"))
    inferred = pd.Series(np.where(df["concluded_date"].notna(), "concluded",
                                  np.where(df["accepted_date"].notna(), "accepted", "registered")), index=df.index)
    _mark_unmapped(df, "status", status.isna())
    if log is not None and "raw:status" in df:
        log.count_labels("status", _normalized(df, "status", status.isna() & _kept(df) & _raw(df, "status").ne("")))
    df["status"] = status.fillna(inferred)
    sat = parse.parse_choice(_raw(df, "satisfaction"), parse.SATISFACTION_WORDS, values.get("satisfaction"))
    _mark_unmapped(df, "satisfaction", sat.isna())
    if log is not None:
        log.count_labels("satisfaction", _normalized(df, "satisfaction", sat.isna() & _kept(df)))
    df["satisfaction"] = sat.fillna("not_evaluated")
    return _make_consistent(df, log)


def _make_consistent(df: pd.DataFrame, log: CleanLog | None) -> pd.DataFrame:
    kept = _kept(df)

    def fix(mask: pd.Series, text: str) -> pd.Series:
        mask = mask.fillna(False) & kept
        if log is not None and mask.any():
            log.warn_count("{n} row(s): " + text, int(mask.sum()))
        return mask

    rec = df["received_date"]
    m = fix(df["accepted_date"] < rec, "accepted_date before received_date; accepted_date left empty")
    df.loc[m, "accepted_date"] = pd.NaT
    start = df["accepted_date"].fillna(rec)
    m = fix(df["concluded_date"] < start, "concluded_date before acceptance; concluded_date left empty")
    df.loc[m, "concluded_date"] = pd.NaT
    m = fix((df["status"] == "concluded") & df["concluded_date"].isna(), "status concluded without a concluded_date; status set from the dates")
    df.loc[m, "status"] = np.where(df.loc[m, "accepted_date"].notna(), "accepted", "registered")
    m = fix((df["status"] != "concluded") & df["concluded_date"].notna(), "a concluded_date on an item not concluded; status set to concluded")
    df.loc[m, "status"] = "concluded"
    m = fix(df["status"].isin(["registered", "not_accepted"]) & df["accepted_date"].notna(),
            "an accepted_date on an item registered or not accepted; accepted_date left empty")
    df.loc[m, "accepted_date"] = pd.NaT
    m = fix((df["satisfaction"] != "not_evaluated") & (df["status"] != "concluded"), "satisfaction on an item not concluded; set to not_evaluated")
    df.loc[m, "satisfaction"] = "not_evaluated"
    m = fix(df["is_leapfrog"] & (df["level"] == "county"), "leapfrog at county level is impossible; is_leapfrog set to False")
    df.loc[m, "is_leapfrog"] = False
    return df


def assign_case_ids(df: pd.DataFrame, log: CleanLog | None = None) -> pd.DataFrame:
    """``case_id`` from 编号, or a stable hash of the row's raw values when it is empty, a
    placeholder (NaN, None, null, N/A …) or formula text (=…, +…, -…, @…)."""
    given = normalize_text(_raw(df, "case_id")).fillna("")
    junk = on_uniques(given, lambda u: u.str.contains(_PLACEHOLDER, regex=True) | u.str.contains(_FORMULA, regex=True))
    if junk.any():
        if log is not None and (junk & _kept(df)).any():
            log.warn_count("{n} row(s) with a placeholder (NaN, None, null, N/A) or formula text as the case number: "
                           "case_id is a hash of the row", int((junk & _kept(df)).sum()))
        given = given.where(~junk, "")
    cols = [c for c in _raw_columns(df) if c != "raw:case_id"]
    empty = given.eq("")
    case_id = given.copy()
    if empty.any():  # hash only the rows that need it (the hash is per row)
        hashed = pd.util.hash_pandas_object(df.loc[empty, cols].fillna(""), index=False)
        case_id[empty] = "H" + pd.Series(np.char.zfill(np.char.mod("%x", hashed.to_numpy()), 16), index=hashed.index, dtype="str")
    df["case_id"] = case_id
    if log is not None and given.eq("").any() and "raw:case_id" in df:
        n = int((given.eq("") & _kept(df)).sum())
        if n:
            log.warn_count("{n} row(s) without a case number (编号): case_id is a hash of the row", n)
    return df


def mark_duplicate_case_ids(df: pd.DataFrame, log: CleanLog | None = None, *,
                            earlier: EarlierChunks | None = None) -> pd.DataFrame:
    """Reject a kept row whose case number is already used by an earlier kept row
    (``earlier``: the kept rows of the chunks before this one count too)."""
    kept = _kept(df)
    dup = df["case_id"].where(kept).duplicated(keep="first") & kept
    if earlier is not None:
        h = _text_hash(df["case_id"])
        maybe = kept.to_numpy() & earlier.case_id_hashes.contains(h)
        if maybe.any():  # a hash seen before: compare the text itself
            seen = pa.chunked_array(earlier.case_ids, type=pa.large_string()).combine_chunks()
            hit = pc.is_in(to_arrow(df["case_id"][maybe]), value_set=seen).to_numpy(zero_copy_only=False)
            dup.iloc[np.flatnonzero(maybe)[hit]] = True
        new = (kept & ~dup).to_numpy()
        earlier.case_id_hashes.add(h[new])
        earlier.case_ids.append(to_arrow(df["case_id"][new]))
    return _reject(df, dup, "duplicate_case_id", log, "case_id")


#: A case number that holds an ID or phone number is replaced by this prefix + a keyed pseudonym of it.
CASE_ID_PSEUDONYM_PREFIX = "M"
CASE_ID_WARNING = ("{n} row(s): the case number (编号) held an ID or phone number; case_id is a keyed pseudonym of it "
                   "(" + CASE_ID_PSEUDONYM_PREFIX + " + 16 letters)")


def protect_case_ids(df: pd.DataFrame, log: CleanLog | None = None, *, key=None) -> pd.DataFrame:
    """A ``case_id`` that holds an ID-number or phone pattern never reaches the clean
    table: it becomes ``M`` + the keyed pseudonym of the case number (so the item is
    kept, and the same case number gives the same case_id under the same key). Runs after
    reused case numbers are found, on the kept rows."""
    case_id = df["case_id"].astype("str")
    arr = to_arrow(case_id)
    personal = pc.or_(pc.fill_null(pc.match_substring_regex(arr, PII_PATTERNS["id_number"]), False),
                      pc.fill_null(pc.match_substring_regex(arr, PII_PATTERNS["phone"]), False))
    personal = personal.to_numpy(zero_copy_only=False) & _kept(df).to_numpy()
    if personal.any():
        k, _ = resolve_key(key)
        pid = pseudonymize(("case:" + case_id[personal]).astype("str"), k)
        df.loc[personal, "case_id"] = (CASE_ID_PSEUDONYM_PREFIX + pid).to_numpy()
        if log is not None:
            log.warn_count(CASE_ID_WARNING, int(personal.sum()))
    return df


def _blank_to_na(s: pd.Series) -> pd.Series:
    s = normalize_text(s)
    return s.where(s.fillna("").ne(""))


RANDOM_KEY_WARNING = (f"no pseudonym key given (option pseudonym_key or environment variable {KEY_ENV_VAR}): "
                      "a random per-run key was used, so pseudonyms link rows within this run only")


def pseudonymize_petitioners(df: pd.DataFrame, log: CleanLog | None = None, *, key=None) -> pd.DataFrame:
    """``petitioner_id``: HMAC-SHA256 pseudonym of the ID number, else name + phone, else a
    message-board account; an input ``petitioner_id`` (already a pseudonym) is kept when no
    identity column exists."""
    k, source = resolve_key(key)
    if log is not None:
        log.key_source = source
        if source == "random":
            log.warn(RANDOM_KEY_WARNING)
    has = {f: f"raw:{f}" in df for f in ("id_number", "name", "phone", "account")}
    identity = pd.Series(pd.NA, index=df.index, dtype="str")
    if has["id_number"] or (has["name"] and has["phone"]):
        identity = identity_key(
            _blank_to_na(df["raw:id_number"]) if has["id_number"] else None,
            _blank_to_na(df["raw:name"]) if has["name"] else None,
            _blank_to_na(df["raw:phone"]) if has["phone"] else None,
        )
    if has["account"]:
        acct = _blank_to_na(df["raw:account"])
        identity = identity.fillna("acct:" + acct)
    pid = pseudonymize(identity.astype("str"), k)
    if identity.isna().all() and "raw:petitioner_id" in df:
        pid = _blank_to_na(df["raw:petitioner_id"])
    df["petitioner_id"] = pid
    return df


def mask_summary(df: pd.DataFrame, log: CleanLog | None = None) -> pd.DataFrame:
    """``summary`` with ID numbers, phone numbers, e-mails and the row's own name masked."""
    # Only stripped, not NFKC-folded: free text keeps its full-width punctuation.
    text = _raw(df, "summary").astype("str").str.strip()
    text = text.where(text.fillna("").ne(""))
    names = _blank_to_na(df["raw:name"]) if "raw:name" in df else None
    df["summary"] = mask_text(text, names=names) if text.notna().any() else text
    return df


def parse_board_fields(df: pd.DataFrame, log: CleanLog | None = None, *, date_formats: dict | None = None) -> pd.DataFrame:
    """Message-board fields, when the export has them: ``likes`` and ``dislikes`` (点赞数,
    反对数: blank → 0; a value that is not a whole number ≥ 0 → 0, counted in the log),
    ``replied_date`` (答复时间; before the message → empty, counted) and ``subject`` and
    ``reply`` (留言主题, 答复意见) masked like ``summary``."""
    date_formats = date_formats or {}
    kept = _kept(df)
    for fld in ("likes", "dislikes"):
        if f"raw:{fld}" not in df:
            continue
        text = normalize_text(df[f"raw:{fld}"]).fillna("")
        num = pd.to_numeric(text.str.replace(",", "", regex=False).where(text.ne("")), errors="coerce")
        bad = (num.isna() & text.ne("")) | (num < 0) | (num != num.round()) | (num > 2**31 - 1)
        if log is not None and (bad & kept).any():
            log.warn_count(fld + ": {n} value(s) are not whole numbers of at least 0 and were read as 0",
                           int((bad & kept).sum()))
        df[fld] = num.where(~bad, 0).fillna(0).astype("int32")
    if "raw:replied_date" in df:
        raw = df["raw:replied_date"]
        d = parse.parse_dates(raw, date_formats.get("replied_date", date_formats.get("all")))
        bad = d.isna() & normalize_text(raw).fillna("").ne("") & kept
        if log is not None and bad.any():
            log.warn_count("replied_date: {n} value(s) could not be read as dates and were left empty", int(bad.sum()))
        early = (d < df["received_date"]).fillna(False) & kept
        if log is not None and early.any():
            log.warn_count("{n} row(s): replied_date before received_date; replied_date left empty", int(early.sum()))
        df["replied_date"] = d.where(~early)
    names = _blank_to_na(df["raw:name"]) if "raw:name" in df else None
    for fld in ("subject", "reply"):
        if f"raw:{fld}" in df:
            text = df[f"raw:{fld}"].astype("str").str.strip()
            text = text.where(text.fillna("").ne(""))
            df[fld] = mask_text(text, names=names) if text.notna().any() else text
    return df


#: What the log says when categories were predicted ({n}: rows; see docs/classification.md).
PREDICTED_WARNING = ("{n} row(s) had no category: it was predicted from the message text "
                     "(category_source 'predicted'; below the confidence threshold it stays 'other')")
UNCLASSIFIED_WARNING = "{n} row(s) had no category and no text to predict it from: category 'other' (category_source 'unclassified')"


def predict_categories(df: pd.DataFrame, log: CleanLog | None = None, *, model=None,
                       threshold: float | None = None) -> pd.DataFrame:
    """Predict the category of the kept rows without one (a blank label, or no category
    column) from their masked subject and summary, with ``model`` (default: the built-in
    keyword model; see :mod:`petition_analysis.classify`). Adds ``category_confidence``
    and sets ``category_source`` to ``predicted`` (or ``unclassified`` without text); a
    frame with nothing to predict is left as it is, unless ``model`` was given."""
    todo = df["_category_blank"].to_numpy(dtype=bool) & _kept(df).to_numpy()
    if not todo.any() and model is None:
        return df
    from ..classify import message_text, predict_categories as _predict

    df["category_confidence"] = 1.0
    if todo.any():
        sub = df.loc[todo]
        pred = _predict(message_text(sub), sub["received_date"].dt.year, model=model, threshold=threshold)
        df.loc[todo, "category"] = pred["category"].to_numpy()
        df.loc[todo, "category_confidence"] = pred["confidence"].to_numpy()
        has_text = pred["has_text"].to_numpy(dtype=bool)
        df.loc[todo, "category_source"] = np.where(has_text, "predicted", "unclassified")
        if log is not None:
            from ..classify.model import model_record

            log.classifier = model_record(model, threshold=threshold)  # the threshold used
            if has_text.any():
                log.warn_count(PREDICTED_WARNING, int(has_text.sum()))
            if (~has_text).any():
                log.warn_count(UNCLASSIFIED_WARNING, int((~has_text).sum()))
    return df


def derive_flags(df: pd.DataFrame, log: CleanLog | None = None, *, collective_threshold: int = derive.DEFAULT_COLLECTIVE_THRESHOLD,
                 repeat_window_days: int = derive.DEFAULT_REPEAT_WINDOW_DAYS, repeats: bool = True) -> pd.DataFrame:
    """``is_collective`` (threshold) and ``is_repeat`` (same petitioner and crosswalked
    category within the window, or the source's 重 mark), over the kept rows.
    ``repeats=False`` leaves ``is_repeat`` False, for a chunk whose repeats are linked
    later over every chunk at once."""
    kept = _kept(df)
    sub = df.loc[kept, ["case_id", "channel", "persons", "petitioner_id", "category", "received_date"]]
    df["is_collective"] = False
    df["is_repeat"] = False
    if len(sub):
        df.loc[kept, "is_collective"] = derive.flag_collective(sub, collective_threshold).to_numpy()
        if repeats:
            df.loc[kept, "is_repeat"] = derive.flag_repeats(sub, repeat_window_days,
                                                            source_flag=df.loc[kept, "_source_repeat"]).to_numpy()
    return df


def _preview(df: pd.DataFrame, headers: dict[str, str], regions: set[str] | None = None) -> pd.Series:
    """Masked ``header=value`` preview of the non-personal raw fields of each row. Each
    value is masked before it is cut (a cut ID number would no longer look like one), the
    region is shown only when it is canonical (else :data:`OTHER_REGION`) and a label no
    dictionary or mapping knows (channel, level, category …) as :data:`UNMAPPED_TOKEN`."""
    parts = []
    canonical = canonical_regions() if regions is None else regions
    fields = [c[4:] for c in _raw_columns(df) if c[4:] not in PERSON_FIELDS]
    # Every field but the region masked in one call (fields stacked), then cut.
    masked_fields = [f for f in fields if f != "region"]
    masked = {}
    if masked_fields and len(df):
        stacked = pd.concat([df[f"raw:{f}"].fillna("").astype("str") for f in masked_fields], ignore_index=True)
        names = pd.concat([_blank_to_na(df["raw:name"])] * len(masked_fields), ignore_index=True) \
            if "raw:name" in df else None
        # The row's own name first (per row), then the patterns on the distinct values only:
        # the stacked fields repeat their labels and dates over and over.
        own = _mask_own_names(stacked, names) if names is not None else stacked
        out = to_arrow(on_uniques(own, mask_text).fillna(""))  # sliced in Arrow, no Python strings
        for i, f in enumerate(masked_fields):
            masked[f] = from_arrow(out.slice(i * len(df), len(df)), df.index)
    for fld in fields:
        v = df[f"raw:{fld}"].fillna("").astype("str")
        if fld == "region":
            label = clean_labels(v)[0]
            v = label.where(label.isin(canonical) | label.eq(""), OTHER_REGION)
        else:
            v = masked.get(fld, v)
        if _UNMAPPED_PREFIX + fld in df:  # a label no dictionary knows may be a name: never shown
            unknown = df[_UNMAPPED_PREFIX + fld].fillna(False).astype(bool) & v.str.strip().ne("")
            v = v.where(~unknown, UNMAPPED_TOKEN)
        v = v.str.slice(0, 80)
        parts.append((headers.get(fld, fld) + "=" + v).where(v.str.strip().ne(""), ""))
    if not parts:
        return pd.Series("", index=df.index, dtype="str")
    # One join of all parts (adding them one by one copied the growing text every time).
    joined = parts[0] if len(parts) == 1 else from_arrow(
        pc.binary_join_element_wise(*map(to_arrow, parts), pa.scalar(" | ", pa.large_string())), df.index)
    # Runs of empty parts squeezed in RE2 (pandas runs a Python regex per row for \s);
    # _PY_SPACE is the class Python's \s matches, so the result is the same.
    squeezed = pc.replace_substring_regex(to_arrow(joined), pattern=rf"(?:{_PY_SPACE[:-1]}\|{_PY_SPACE[:-1]})+",
                                          replacement=" | ")
    return from_arrow(squeezed, joined.index).str.strip(" |").str.slice(0, _PREVIEW_CHARS)


def _messages(rej: pd.DataFrame) -> pd.Series:
    base = rej["_reason"].map(REJECT_REASONS)
    # Field names only: the raw value is in the (masked) preview, never in the message.
    detail_field = rej["_reason"].map(_MESSAGE_FIELDS)
    detail = (" (field: " + detail_field + ")").fillna("")
    return (base + detail).astype("str")


#: The field a reject message names (the message never repeats the raw value).
_MESSAGE_FIELDS = {"missing_date": "received_date", "invalid_date": "received_date", "date_out_of_range": "received_date",
                   "invalid_persons": "persons", "invalid_channel": "channel", "invalid_level": "level",
                   "missing_region": "region", "invalid_region": "region", "duplicate_case_id": "case_id"}


def split_result(df: pd.DataFrame, log: CleanLog | None = None, *, headers: dict | None = None,
                 provenance: bool = True, regions: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(canonical data, rejects) from a finished work frame (before the label gate)."""
    kept = _kept(df)
    return data_table(df.loc[kept, _data_columns(df)], provenance=provenance), reject_table(df[~kept], headers, regions)


def _data_columns(df: pd.DataFrame) -> list[str]:
    """The columns of a work frame that :func:`data_table` reads: taking the kept rows of
    these only does not copy the raw text of every field."""
    wanted = set(schema.column_names()) | {c.name for c in schema.OPTIONAL_COLUMNS} | {"_file", "_sheet", "_row"}
    return [c for c in df.columns if c in wanted]


def data_table(kept: pd.DataFrame, *, provenance: bool = True) -> pd.DataFrame:
    """The canonical table of the kept rows of a finished work frame."""
    optional = [c.name for c in schema.OPTIONAL_COLUMNS if c.name in kept]
    if "category_confidence" not in kept:  # nothing was predicted: no prediction columns
        optional = [c for c in optional if c != "category_source"]
    data = kept[schema.column_names() + optional].copy()
    if provenance:
        label = kept["_file"].astype("str")
        sheet = kept["_sheet"]
        data["source_file"] = label.where(sheet.isna(), label + "#" + sheet.astype("str"))
        data["source_row"] = kept["_row"]
    data = schema.coerce(_fixed_categories(data.reset_index(drop=True)))
    data["region"] = data["region"].astype("category")
    if provenance and optional:  # provenance last, as before
        data = data[schema.column_names() + optional + ["source_file", "source_row"]]
    return data


def _fixed_categories(data: pd.DataFrame) -> pd.DataFrame:
    """The text columns whose schema fixes the categories (channel, level, status …) as
    that categorical, built from the distinct values (Arrow's dictionary encoding) instead
    of a lookup per row: the same values (unknown text → NaN), so that
    :func:`~petition_analysis.schema.coerce` then has nothing left to do for them."""
    for col in schema.COLUMNS + schema.OPTIONAL_COLUMNS:
        if col.kind != "category" or col.categories is None or col.name not in data \
                or isinstance(data[col.name].dtype, pd.CategoricalDtype):
            continue
        enc = pc.dictionary_encode(to_arrow(data[col.name]))
        where = pd.Index(col.dtype.categories).get_indexer(pd.Index(enc.dictionary.to_pylist(), dtype=object))
        idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        codes = np.where(idx >= 0, where[np.maximum(idx, 0)] if len(where) else -1, -1)
        data[col.name] = pd.Categorical.from_codes(codes, dtype=col.dtype)
    return data


#: Values of an optional column in rows of a chunk or file that did not have it.
_OPTIONAL_DEFAULTS = {"category_source": "given", "category_confidence": 1.0, "likes": 0, "dislikes": 0}


def align_optional(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give every canonical frame the optional columns any of them has (a chunk where no
    category was predicted gets ``category_source`` ``given``), in one column order."""
    have = {c for f in frames for c in f.columns}
    optional = [c.name for c in schema.OPTIONAL_COLUMNS if c.name in have]
    if not optional:
        return frames
    out = []
    for f in frames:
        f = f.copy() if any(c not in f for c in optional) else f
        for c in optional:
            if c not in f:
                f[c] = _OPTIONAL_DEFAULTS.get(c)
        f = schema.coerce(f[schema.column_names() + optional + [c for c in ("source_file", "source_row") if c in f]])
        out.append(f)
    return out


def reject_table(rej: pd.DataFrame, headers: dict | None = None, regions: set[str] | None = None) -> pd.DataFrame:
    """The rejects table (:data:`REJECT_COLUMNS`: reason, message, masked preview) of the
    rejected rows of a work frame; ``headers`` names the fields in the preview."""
    return pd.DataFrame(
        {
            "source_file": rej["_file"].astype("str"),
            "sheet": rej["_sheet"].astype("str"),
            "source_row": rej["_row"].astype("int64"),
            "reason": rej["_reason"].astype("str"),
            "message": _messages(rej),
            "case_id": mask_text(normalize_text(_raw(rej, "case_id")).fillna("")),
            "preview": _preview(rej, headers or {}, regions),
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- pipeline


def _progress(total: int, enabled: bool | None):
    if enabled is False or (enabled is None and total < PROGRESS_MIN_ROWS):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=12, desc="cleaning", unit="step", file=sys.stderr, disable=enabled is None and not sys.stderr.isatty())


def clean(source, mapping=None, *, collective_threshold: int = derive.DEFAULT_COLLECTIVE_THRESHOLD,
          repeat_window_days: int = derive.DEFAULT_REPEAT_WINDOW_DAYS, pseudonym_key: str | bytes | None = None,
          sheet=None, encoding: str | None = None, today: dt.date | str | None = None, provenance: bool = True,
          progress: bool | None = None, chunk_rows: int | None = None,
          label_min_rows: int = LABEL_MIN_ROWS, classifier=None, classifier_threshold: float | None = None) -> CleanResult:
    """Clean raw register exports into the canonical table.

    ``source`` is a path, a glob pattern, a DataFrame or a list of them. ``mapping`` is a
    YAML file path, YAML text, a dict or a :class:`~petition_analysis.ingest.headers.Mapping`
    (see ``docs/mapping.md``). ``pseudonym_key`` (else the environment variable
    ``PETITION_PSEUDONYM_KEY``, else a random per-run key) keys the petitioner pseudonyms.
    ``sheet`` picks one sheet of each workbook, ``encoding`` overrides CSV detection,
    ``today`` is the last possible received date (default: today). With ``provenance``,
    ``data`` also has ``source_file`` (``file#sheet`` for workbooks) and ``source_row``.

    ``label_min_rows`` (the label gate, :func:`gate_regions`): a region label that is not
    canonical (the region dictionary or the mapping's region values) is kept only when it
    appears in at least this many clean rows; others become :data:`OTHER_REGION`.

    ``classifier``: the category model for rows without a category (a blank label or no
    category column): ``None`` for the built-in keyword model, or a model file from
    ``petition-analysis classify train`` (:mod:`petition_analysis.classify`).
    ``classifier_threshold`` overrides the model's confidence threshold, below which a
    predicted category stays ``other``. Where anything was predicted, ``data`` has
    ``category_source`` and ``category_confidence``.

    ``chunk_rows``: read CSV files in chunks of this many rows, which bounds memory (the
    result is the same). By default a CSV file over :data:`CHUNKED_MIN_BYTES` (32 MB,
    about 120,000 rows) is read in chunks of :data:`CHUNK_ROWS`; smaller inputs are read
    whole. For inputs bigger than memory use :func:`petition_analysis.ingest.dataset.clean_to_dataset`.

    Raises :class:`~petition_analysis.errors.StructuralError` (a subclass per problem) when
    an input cannot be cleaned at all; single bad rows are rejected instead.
    """
    if collective_threshold < 2:
        raise ValueError(f"collective_threshold must be at least 2, not {collective_threshold}.")
    if repeat_window_days < 1:
        raise ValueError(f"repeat_window_days must be at least 1, not {repeat_window_days}.")
    m = load_mapping(mapping)
    sheet = sheet if sheet is not None else m.sheet
    encoding = encoding if encoding is not None else m.encoding
    items = expand_sources(source)
    if chunk_rows is None and any(_is_big_csv(item) for item in items):
        chunk_rows = CHUNK_ROWS
    if chunk_rows is not None:
        if int(chunk_rows) < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}.")
        return _clean_in_chunks(items, m, int(chunk_rows), sheet=sheet, encoding=encoding, provenance=provenance,
                                progress=progress, collective_threshold=collective_threshold,
                                repeat_window_days=repeat_window_days, pseudonym_key=pseudonym_key, today=today,
                                label_min_rows=label_min_rows, classifier=classifier,
                                classifier_threshold=classifier_threshold)
    log = CleanLog()
    tables = read_tables(items, sheet=sheet, encoding=encoding)
    df, headers = work_frame(tables, m, log, label=str(source))
    if len(df) == 0:  # header only: nothing to parse
        return CleanResult(_empty_data(provenance), _empty_rejects(), log)
    if classifier is not None:
        from ..classify import load_model

        classifier = load_model(classifier)  # a bad model file fails before any step runs
    df = run_steps(df, m, log, collective_threshold=collective_threshold, repeat_window_days=repeat_window_days,
                   pseudonym_key=pseudonym_key, today=today, progress=progress, classifier=classifier,
                   threshold=classifier_threshold)
    regions = canonical_regions(m)
    data, rejects = split_result(df, log, headers=headers, provenance=provenance, regions=regions)
    data = gate_regions(data, log, canonical=regions, min_rows=label_min_rows)
    log.rows_clean = len(data)
    log.rejected = Counter(rejects["reason"].value_counts().to_dict())
    schema.validate(data)
    return CleanResult(data, rejects, log)


def raw_preview(source, rows: int = 6, mapping=None) -> pd.DataFrame:
    """The first ``rows`` rows of a raw export as they stand (header found, cells as
    text), safe to show: the columns that hold personal data (names, ID numbers, phones,
    addresses, e-mail, accounts) read ``[hidden]`` and the other cells are masked like
    free text. A look at an export before cleaning it.

    >>> raw = pd.DataFrame({"编号": ["A1"], "登记日期": ["2019/3/5"], "信访形式": ["来访"], "到达层级": ["到市"],
    ...                     "问题属地": ["甲区"], "问题分类": ["城建"], "信访人": ["张三"], "诉求": ["张三电话13800138000"]})
    >>> raw_preview(raw).iloc[0].tolist()
    ['A1', '2019/3/5', '来访', '到市', '甲区', '城建', '[hidden]', '[姓名]电话[电话]']
    """
    m = load_mapping(mapping)
    item = expand_sources(source)[0]
    if _is_csv_file(item):
        table = next(iter_csv_tables(item, rows + 100, encoding=m.encoding, renames=m.renames,  # + the header zone
                                     header_row=m.header_row))
    else:
        table = read_tables(item, sheet=m.sheet, encoding=m.encoding)[0]
    grid = table.grid
    if table.header_row is not None:
        h, headers = table.header_row, [str(v) for v in grid.iloc[table.header_row]]
    else:
        h, headers = find_header(grid, m.renames, label=table.label, header_row=m.header_row)
    plan = resolve_columns(headers, m, label=table.label)
    personal = {p for fld, ps in plan.fields.items() if fld in PERSON_FIELDS for p in ps}
    body = grid.iloc[h + 1:h + 1 + rows].astype("str").reset_index(drop=True)
    names = body[plan.fields["name"][0]] if "name" in plan.fields else None
    out = {}
    for pos, col in enumerate(body.columns):
        label = headers[pos] or f"column {pos + 1}"
        out[label if label not in out else f"{label} ({pos + 1})"] = (
            "[hidden]" if pos in personal else mask_text(body[col], names=names).to_numpy())
    return pd.DataFrame(out, index=pd.RangeIndex(h + 2, h + 2 + len(body), name="row"))


class _LabelCollector(CleanLog):
    """A log that also keeps the unmapped labels themselves, for :func:`unmapped_labels`
    only: it is never returned, printed or saved."""

    def __init__(self):
        super().__init__()
        self.found: list[pd.DataFrame] = []

    def count_labels(self, fld: str, labels: pd.Series) -> None:
        counts = labels.dropna().astype("str").value_counts(sort=False)
        if len(counts):
            self.found.append(pd.DataFrame({"field": fld, "label": counts.index.to_numpy(dtype=object),
                                            "rows": counts.to_numpy(dtype="int64")}))


def unmapped_labels(source, mapping=None, *, sheet=None, encoding: str | None = None,
                    today: dt.date | str | None = None) -> pd.DataFrame:
    """The labels of a raw export that no dictionary or mapping knows, to write a mapping
    file: one row per ``field`` (channel, level, category, subcategory, status,
    satisfaction, flags), ``label`` and ``rows`` (rows still kept when the field was read,
    as :class:`CleanLog` counts them), most frequent first within each field.

    For a look in a notebook only: the cleaning log, the CLI and the rejects give counts
    per field and never the labels (a name or a phone number typed into the category
    column would otherwise reach them). The labels are masked with
    :func:`~petition_analysis.ingest.privacy.mask_text` (numbers, e-mail, addresses and
    name phrases; a bare name is left as typed), so do not paste the table into anything
    that leaves your machine. ``source``, ``mapping``, ``sheet``, ``encoding`` and
    ``today`` are as for :func:`clean`.

    >>> raw = pd.DataFrame({"编号": ["A1", "A2", "A3"], "登记日期": ["2019-03-01"] * 3, "信访形式": ["传真", "来信", "传真"],
    ...                     "到达层级": ["到县"] * 3, "问题属地": ["甲区"] * 3, "问题分类": ["城建", "电话13912345678", "城建"]})
    >>> unmapped_labels(raw).values.tolist()
    [['channel', '传真', 2], ['category', '电话[电话]', 1]]
    """
    m = load_mapping(mapping)
    sheet = sheet if sheet is not None else m.sheet
    encoding = encoding if encoding is not None else m.encoding
    collector, earlier = _LabelCollector(), EarlierChunks()
    key = secrets.token_bytes(32)  # pseudonyms are computed by the steps and thrown away
    for df, _, _ in work_chunks(expand_sources(source), m, CHUNK_ROWS, sheet=sheet, encoding=encoding):
        if len(df):
            run_steps(df, m, collector, pseudonym_key=key, today=today, progress=False, earlier=earlier)
        del df
    columns = {"field": pd.Series([], dtype="str"), "label": pd.Series([], dtype="str"), "rows": pd.Series([], dtype="int64")}
    if not collector.found:
        return pd.DataFrame(columns)
    found = pd.concat(collector.found, ignore_index=True)
    found = found.groupby(["field", "label"], sort=False, as_index=False)["rows"].sum()
    found["label"] = mask_text(found["label"].astype("str")).to_numpy()  # distinct labels only
    found = found.groupby(["field", "label"], sort=False, as_index=False)["rows"].sum()
    order = pd.unique(found["field"])
    found["_f"] = pd.Categorical(found["field"], categories=order, ordered=True)
    found = found.sort_values(["_f", "rows", "label"], ascending=[True, False, True], kind="stable")
    return pd.DataFrame({"field": found["field"].astype("str").to_numpy(), "label": found["label"].astype("str").to_numpy(),
                         "rows": found["rows"].astype("int64").to_numpy()})


#: CSV files bigger than this are cleaned in chunks by :func:`clean` (bounded memory, same result).
CHUNKED_MIN_BYTES = 32 * 2**20
#: Rows per chunk then: peak memory about 3.5 × the clean frame (about 12 × when read whole).
CHUNK_ROWS = 100_000


def _empty_data(provenance: bool) -> pd.DataFrame:
    data = schema.empty_frame()
    if provenance:
        data["source_file"] = pd.Series([], dtype="category")
        data["source_row"] = pd.Series([], dtype="int32")
    return data


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in REJECT_COLUMNS})


def _is_csv_file(item) -> bool:
    if isinstance(item, pd.DataFrame):
        return False
    p = Path(item)
    return p.is_file() and p.stat().st_size > 0 and _kind(p) == "csv"


def _is_big_csv(item) -> bool:
    return _is_csv_file(item) and Path(item).stat().st_size > CHUNKED_MIN_BYTES


def work_chunks(items: list, m: Mapping, chunk_rows: int, *, sheet=None, encoding: str | None = None):
    """(work frame, raw headers, log) per chunk of ``items``: a CSV file in chunks of
    ``chunk_rows`` rows, any other input whole. A notes block that starts in one chunk of
    a file goes on in the next."""
    for item in items:
        if not _is_csv_file(item):
            log = CleanLog()
            yield *work_frame(read_tables(item, sheet=sheet, encoding=encoding), m, log, label=str(item)), log
            continue
        notes = False
        for t in iter_csv_tables(item, chunk_rows, encoding=encoding, renames=m.renames, header_row=m.header_row):
            t.notes_above = notes
            log = CleanLog()
            df, headers = work_frame([t], m, log, label=t.source_file)
            del t  # the raw grid is in the work frame now; not kept while the chunk is cleaned
            notes = notes or bool(df["_notes"].any())
            yield df, headers, log


def _release_memory() -> None:
    """Hand memory freed by a chunk back to the system: the Arrow pool and glibc's heap
    keep freed blocks for reuse otherwise, and peak RSS grows with every chunk."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl)
        pass


def _concat_chunks(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate canonical chunks (emptying ``frames``); a category column gets the
    union of the chunks' categories, sorted as :func:`~petition_analysis.schema.coerce`
    sorts them. Column by column, each column's pieces freed once joined, so that the
    chunks and the whole are not both in memory."""
    if len(frames) == 1:
        return frames.pop()
    columns = {}
    for c in list(frames[0].columns):
        pieces = [f.pop(c) for f in frames]
        if isinstance(pieces[0].dtype, pd.CategoricalDtype):
            cats = [p.cat.categories for p in pieces]
            if not all(x.equals(cats[0]) for x in cats[1:]):
                union = pd.Index(sorted(set().union(*cats)), dtype=cats[0].dtype)
                pieces = [p.cat.set_categories(union) for p in pieces]
        columns[c] = pd.concat(pieces, ignore_index=True)
        del pieces
    frames.clear()
    return pd.DataFrame(columns)


def _clean_in_chunks(items: list, m: Mapping, chunk_rows: int, *, sheet, encoding, provenance: bool, progress,
                     collective_threshold: int, repeat_window_days: int, pseudonym_key, today,
                     label_min_rows: int = LABEL_MIN_ROWS, classifier=None,
                     classifier_threshold: float | None = None) -> CleanResult:
    """:func:`clean` chunk by chunk: each chunk runs every step (exact copies and reused
    case numbers checked against the chunks before it) and is split into data and rejects
    at once, so that only one chunk's raw text is in memory; repeats are linked at the end
    over all the data."""
    from tqdm.auto import tqdm

    key, key_source = resolve_key(pseudonym_key)  # one key for every chunk
    if classifier is not None:
        from ..classify import load_model

        classifier = load_model(classifier)
    log, earlier = CleanLog(), EarlierChunks()
    datas, rejected, source_repeat, all_headers = [], [], [], {}
    chunks_with_rows = chunks_without_dates = 0
    bar = tqdm(desc="cleaning", unit=" rows", unit_scale=True, file=sys.stderr,
               disable=not progress if progress is not None else not sys.stderr.isatty())
    for df, headers, chunk_log in work_chunks(items, m, chunk_rows, sheet=sheet, encoding=encoding):
        if len(df):
            df = run_steps(df, m, chunk_log, collective_threshold=collective_threshold,
                           repeat_window_days=repeat_window_days, pseudonym_key=key, today=today, progress=False,
                           earlier=earlier, classifier=classifier, threshold=classifier_threshold)
            kept = _kept(df)
            source_repeat.append(df.loc[kept, "_source_repeat"].to_numpy(dtype=bool))
            datas.append(data_table(df.loc[kept, _data_columns(df)], provenance=provenance))
            # Rejected rows keep their raw text until the end (a few per cent of the rows),
            # so that their previews name the fields as the whole run does.
            rejected.append(df.loc[~kept, _raw_columns(df) + _unmapped_columns(df) + ["_reason", "_file", "_sheet", "_row"]])
            all_headers.update({k: v for k, v in headers.items() if k not in all_headers})
            chunks_with_rows += 1
            chunks_without_dates += NO_DATES_WARNING in chunk_log.warnings
            bar.update(len(df))
        del df
        _release_memory()
        log.merge(chunk_log)
    bar.close()
    # Whole-input warnings: no readable date in the whole input, and the key's origin.
    if NO_DATES_WARNING in log.warnings and chunks_without_dates < chunks_with_rows:
        log.warnings.remove(NO_DATES_WARNING)
    log.key_source = key_source
    if key_source == "random" and chunks_with_rows:
        log.warn(RANDOM_KEY_WARNING)
    if not datas:
        return CleanResult(_empty_data(provenance), _empty_rejects(), log)
    datas = align_optional(datas)
    data = _concat_chunks(datas)
    rejected = pd.concat(rejected, ignore_index=True)
    for c in _raw_columns(rejected):  # a column missing from some files is "" there, as in one work frame
        rejected[c] = rejected[c].fillna("").astype("str")
    for c in _unmapped_columns(rejected):
        rejected[c] = rejected[c].fillna(False).astype(bool)
    regions = canonical_regions(m)
    rejects = reject_table(rejected, all_headers, regions)
    del rejected
    _release_memory()
    data["is_repeat"] = derive.flag_repeats(data, repeat_window_days,
                                            source_flag=pd.Series(np.concatenate(source_repeat), index=data.index)
                                            ).to_numpy()
    data = gate_regions(data, log, canonical=regions, min_rows=label_min_rows)
    log.rows_clean = len(data)
    log.rejected = Counter(rejects["reason"].value_counts().to_dict())
    schema.validate(data)
    return CleanResult(data, rejects, log)


#: Steps that compare rows with each other; the chunked path runs them in a second pass.
CROSS_ROW_STEPS = ("mark_duplicates", "mark_duplicate_case_ids")


def work_frame(tables: list[RawTable], m: Mapping, log: CleanLog, *, label: str = "") -> tuple[pd.DataFrame, dict]:
    """The work frame of several tables (headers found, fields mapped) and the raw headers."""
    frames, headers = [], {}
    for t in tables:
        try:
            frame = table_frame(t, m, log)
        except StructuralError:
            if len(tables) > 1 and t.sheet is not None:
                # Workbooks often hold an instructions sheet: skip a sheet without a header.
                log.warn(f"{t.label}: skipped, no register header found")
                continue
            raise
        headers.update({k: v for k, v in frame.attrs.get("headers", {}).items() if k not in headers})
        frames.append(frame)
    if not frames:
        raise StructuralError(label, "no sheet has a register header", hint="See docs/mapping.md to map the headers.")
    df = pd.concat(frames, ignore_index=True)
    for c in _raw_columns(df):
        df[c] = df[c].fillna("").astype("str")
    log.rows_read = len(df)
    return df, headers


def run_steps(df: pd.DataFrame, m: Mapping, log: CleanLog, *, collective_threshold: int = derive.DEFAULT_COLLECTIVE_THRESHOLD,
              repeat_window_days: int = derive.DEFAULT_REPEAT_WINDOW_DAYS, pseudonym_key=None, today=None,
              progress: bool | None = None, cross_row: bool = True, earlier: EarlierChunks | None = None,
              classifier=None, threshold: float | None = None) -> pd.DataFrame:
    """Every cleaning step, in order, on a work frame.

    ``classifier`` and ``threshold`` predict the categories of rows without one
    (:func:`predict_categories`).

    With ``earlier`` (a chunk of a bigger input) the steps that compare rows also compare
    with the chunks before, and repeat linking is left to the caller, over every chunk.
    With ``cross_row=False`` the steps that compare rows (:data:`CROSS_ROW_STEPS` and
    repeat linking) are left out: the dataset path (:mod:`petition_analysis.ingest.dataset`) runs
    them in DuckDB over all chunks at once."""
    today = pd.Timestamp(today) if today is not None else pd.Timestamp.today().normalize()
    vals = m.values
    bar = _progress(len(df), progress)
    chunked = earlier is not None or not cross_row
    steps = [
        (mark_layout_rows, {}),
        (mark_duplicates, {"earlier": earlier}),
        (parse_received_date, {"formats": m.date_formats.get("received_date", m.date_formats.get("all")), "today": today}),
        (parse_channel, {"values": vals.get("channel")}),
        (parse_persons, {}),
        (parse_level, {"values": vals.get("level")}),
        (parse_region, {"values": vals.get("region")}),
        (parse_categories, {"values": vals.get("category"), "sub_values": vals.get("subcategory"),
                            "constant": m.constants.get("category") is not None}),
        (parse_handling, {"values": vals, "date_formats": m.date_formats}),
        (assign_case_ids, {}),
        (mark_duplicate_case_ids, {"earlier": earlier}),
        (protect_case_ids, {"key": pseudonym_key}),
        (pseudonymize_petitioners, {"key": pseudonym_key}),
        (mask_summary, {}),
        (parse_board_fields, {"date_formats": m.date_formats}),
        (predict_categories, {"model": classifier, "threshold": threshold}),
        (derive_flags, {"collective_threshold": collective_threshold, "repeat_window_days": repeat_window_days,
                        "repeats": not chunked}),
    ]
    if not cross_row:
        steps = [(f, {k: v for k, v in kw.items() if k != "earlier"}) for f, kw in steps if f.__name__ not in CROSS_ROW_STEPS]
    for step, kwargs in steps:
        df = df.pipe(step, log, **kwargs)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return df
