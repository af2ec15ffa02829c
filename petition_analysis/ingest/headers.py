"""Headers: the built-in header dictionary, the YAML mapping file, and header detection.

A raw header is mapped to a *field*: a canonical column (``docs/schema.md``) or one of the
helper roles below, which feed the privacy step and never reach the clean table:

- ``name``, ``id_number``, ``phone``, ``address``, ``email``: personal data (信访人, 身份证号 …);
- ``account``: a message-board user (留言用户), pseudonymized when there is no ID / name + phone;
- ``repeat_flag``: the register's own 初/重 mark (初重件);
- ``ignore``: a column to drop without a warning.

Headers are matched after folding (full-width → half-width, no spaces, lower case, no
``*`` or trailing colon, no bracketed unit such as ``（人）``).

>>> normalize_header(" 人数（人） ")
'人数'
>>> field_for("来访日期"), field_for("Received date"), field_for("ＩＤ Number")
('received_date', 'received_date', 'id_number')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import schema
from ..errors import HeaderNotFoundError, MappingError, MissingColumnsError

__all__ = [
    "HEADER_ALIASES",
    "PERSON_FIELDS",
    "ROLE_FIELDS",
    "REQUIRED_FIELDS",
    "Mapping",
    "load_mapping",
    "normalize_header",
    "field_for",
    "find_header",
    "resolve_columns",
    "suggest_headers",
]

#: field → headers that mean it (zh and en). Matching is on :func:`normalize_header`.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": ("编号", "信访编号", "信访件编号", "案件编号", "登记编号", "件号", "留言编号", "工单编号", "事项编号",
                "case_id", "case id", "case no", "case number", "id"),
    "received_date": ("登记日期", "来信日期", "来访日期", "来电日期", "信访日期", "登记时间", "留言时间", "来电时间",
                      "收件日期", "来件日期", "投诉时间", "反映时间", "received_date", "received date", "date received",
                      "date", "received"),
    "channel": ("信访形式", "来信来访", "信访方式", "来源渠道", "信访渠道", "渠道", "形式", "来源", "channel"),
    "persons": ("人数", "来访人数", "信访人数", "人次", "persons", "number of persons", "people"),
    "level": ("到达层级", "层级", "信访层级", "接待层级", "受理层级", "来访层级", "level"),
    "is_leapfrog": ("是否越级", "越级", "越级访", "是否越级访", "is_leapfrog", "leapfrog"),
    "region": ("问题属地", "所属地区", "区县", "属地", "问题发生地", "所属区县", "县区", "地区", "region", "district", "county"),
    "category": ("问题分类", "内容分类", "一级分类", "问题类别", "分类", "信访事项分类", "诉求分类", "问题类型", "category"),
    "subcategory": ("二级分类", "子分类", "问题细类", "内容细类", "subcategory", "sub category"),
    "leader_received": ("领导接访", "是否领导接访", "领导接待", "leader_received", "leader received"),
    "status": ("办理状态", "状态", "处理状态", "办理情况", "status"),
    "accepted_date": ("受理日期", "受理时间", "accepted_date", "accepted date", "date accepted"),
    "concluded_date": ("办结日期", "办结时间", "结案日期", "concluded_date", "concluded date", "date concluded"),
    "extended": ("是否延期", "延期", "extended"),
    "satisfaction": ("满意度", "评价结果", "满意度评价", "群众评价", "评价", "satisfaction"),
    "summary": ("诉求", "留言详情", "留言内容", "留言", "内容摘要", "主要内容", "反映问题", "诉求内容", "信访内容", "事项摘要", "摘要",
                "来信内容", "summary", "content", "details"),
    "petitioner_id": ("petitioner_id", "信访人编号"),
    "is_collective": ("是否集体访", "集体访", "is_collective"),
    "is_repeat": ("is_repeat",),
    "repeat_flag": ("初重件", "初重", "是否重复", "重复件", "初信初访", "初重访"),
    "name": ("信访人", "姓名", "来访人", "来信人", "来电人", "信访人姓名", "反映人", "投诉人", "name", "petitioner"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "id_number", "id number", "id no"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "phone", "mobile", "telephone"),
    "address": ("住址", "地址", "家庭住址", "联系地址", "现住址", "address"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "account": ("留言用户", "用户名", "网名", "账号", "account", "user"),
    "source_file": ("source_file",),
    "source_row": ("source_row",),
    # Message boards (网上留言板, 市长信箱): optional columns of the clean table.
    "subject": ("留言主题", "主题", "标题", "留言标题", "subject", "title"),
    "likes": ("点赞数", "点赞", "赞同数", "支持数", "likes"),
    "dislikes": ("反对数", "反对", "踩", "dislikes"),
    "replied_date": ("答复时间", "答复日期", "回复时间", "回复日期", "replied_date", "replied date", "reply date"),
    "reply": ("答复意见", "答复内容", "回复内容", "回复意见", "reply"),
    "ignore": ("序号",),
}
#: Helper roles that carry personal data: used for pseudonyms and masking, then dropped.
PERSON_FIELDS = ("name", "id_number", "phone", "address", "email", "account")
ROLE_FIELDS = PERSON_FIELDS + ("repeat_flag", "ignore")
#: Fields every table needs, from a column or a mapping constant. The category is not
#: among them: without one it is predicted from the text (petition_analysis.classify).
REQUIRED_FIELDS = ("received_date", "channel", "level", "region")
#: Optional canonical columns a raw header can name (message boards).
OPTIONAL_FIELDS = ("subject", "likes", "dislikes", "replied_date", "reply")
KNOWN_FIELDS = tuple(schema.column_names()) + OPTIONAL_FIELDS + ROLE_FIELDS + ("source_file", "source_row")
_MAPPING_KEYS = {"columns", "values", "constants", "date_formats", "header_row", "sheet", "encoding"}

_BRACKETS = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_JUNK = re.compile(r"[\s*＊:：_\-]+")
# Invisible characters (controls, zero-width and bidi marks, BOMs, soft hyphens) never make a header different.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def normalize_header(text: object) -> str:
    """Fold a header for matching (see the module docstring)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text))).strip().lower()
    s = _BRACKETS.sub("", s)
    return _JUNK.sub("", s)


def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for fld, aliases in HEADER_ALIASES.items():
        for a in aliases:
            out.setdefault(normalize_header(a), fld)
    return out


_ALIAS_INDEX = _index()


def field_for(header: object, renames: dict[str, str] | None = None) -> str | None:
    """The field of a raw header: a mapping rename first, then the dictionary; else ``None``."""
    key = normalize_header(header)
    if renames:
        hit = renames.get(key)
        if hit is not None:
            return hit
    return _ALIAS_INDEX.get(key)


@dataclass
class Mapping:
    """A user mapping (usually from YAML; see ``docs/mapping.md``).

    - ``columns``: raw header → field (a canonical column or a role);
    - ``values``: field → {raw value → canonical value};
    - ``constants``: field → value for every row (``channel: online``);
    - ``date_formats``: field (or ``all``) → list of ``strptime`` formats tried first;
    - ``header_row``: the header's row number as a spreadsheet shows it (else detected);
    - ``sheet`` / ``encoding``: read options.

    >>> m = Mapping.from_dict({"columns": {"留言用户": "account"}, "constants": {"channel": "online"}})
    >>> m.renames, m.constants
    ({'留言用户': 'account'}, {'channel': 'online'})
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    date_formats: dict[str, list[str]] = field(default_factory=dict)
    header_row: int | None = None
    sheet: str | int | None = None
    encoding: str | None = None
    origin: str = "<mapping>"

    @property
    def renames(self) -> dict[str, str]:
        return {normalize_header(k): v for k, v in self.columns.items()}

    @classmethod
    def from_dict(cls, data: dict | None, origin: str = "<mapping>") -> Mapping:
        """A mapping from parsed YAML, every key and value type-checked (see :func:`_check_mapping`)."""
        return cls(**_check_mapping(data, origin), origin=origin)


#: A mapping file larger than this is refused (it is read with a bounded read, so a path
#: such as /dev/zero cannot fill memory).
MAX_MAPPING_BYTES = 1 << 20
_DATE_FIELDS = ("received_date", "accepted_date", "concluded_date", "replied_date", "all")
#: Fields whose values (``values:`` targets and ``constants:``) must be a known code.
_CHOICE_FIELDS = ("channel", "level", "status", "satisfaction")
_FLAG_FIELDS = ("is_leapfrog", "leader_received", "extended", "is_collective", "is_repeat", "repeat_flag")


def _short(value, n: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _did_you_mean(name, choices) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _scalar(value) -> bool:
    import datetime as _dt

    return isinstance(value, (str, int, float, bool, _dt.date)) and not (isinstance(value, float) and value != value)


def _choice_codes(fld: str) -> dict[str, str]:
    """Folded word → code for a field with a fixed vocabulary (codes and their synonyms)."""
    from . import parse

    words = {"channel": parse.CHANNEL_WORDS, "level": parse.LEVEL_WORDS, "status": parse.STATUS_WORDS,
             "satisfaction": parse.SATISFACTION_WORDS}[fld]
    return parse._vocabulary(words)


def _check_mapping(data, origin: str) -> dict:
    """The constructor arguments of a :class:`Mapping`, after checking the type of every
    key and value; a problem raises :class:`MappingError` naming the key and the fix."""
    import codecs

    def fail(problem: str, hint: str = "See docs/mapping.md for the format.") -> MappingError:
        return MappingError(origin, problem, hint=hint)

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise fail(f"the mapping must be a YAML mapping (key: value lines), not a {type(data).__name__}")
    for key in data:
        if key not in _MAPPING_KEYS:
            raise fail(f"unknown key {_short(key)}",
                       f"{_did_you_mean(key, _MAPPING_KEYS)}Allowed keys: {', '.join(sorted(_MAPPING_KEYS))}. "
                       "See docs/mapping.md.")
    for key in ("columns", "values", "constants", "date_formats"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise fail(f"'{key}' must be a mapping (key: value lines), not a {type(data[key]).__name__}")

    def field_name(section: str, fld, allowed) -> str:
        if not isinstance(fld, str) or fld not in allowed:
            raise fail(f"'{section}' names an unknown field {_short(fld)}",
                       f"{_did_you_mean(fld, allowed)}Fields: {', '.join(allowed)}. See docs/mapping.md.")
        return fld

    columns = {}
    for raw, fld in (data.get("columns") or {}).items():
        if not _scalar(raw) or isinstance(raw, bool):
            raise fail(f"'columns' has a key {_short(raw)} that is not a header text")
        if not isinstance(fld, str):
            raise fail(f"'columns: {raw}' must name one field, not {_short(fld)}",
                       f"Write e.g. 'columns: {{{raw}: region}}'. Fields: {', '.join(KNOWN_FIELDS)}.")
        columns[str(raw)] = field_name("columns", fld, KNOWN_FIELDS)
    canonical = tuple(schema.column_names())
    values = {}
    for fld, table in (data.get("values") or {}).items():
        field_name("values", fld, canonical + ("repeat_flag",))
        if not isinstance(table, dict):
            raise fail(f"'values: {fld}' must map raw values to canonical ones, not be a {type(table).__name__}",
                       f"Write e.g. 'values: {{{fld}: {{raw value: canonical value}}}}'; see docs/mapping.md.")
        values[fld] = {}
        for raw, target in table.items():
            if not _scalar(raw) or not _scalar(target):
                bad = raw if not _scalar(raw) else target
                raise fail(f"'values: {fld}' has {_short(bad)}, which is not a single value",
                           f"Write e.g. 'values: {{{fld}: {{raw value: canonical value}}}}'; see docs/mapping.md.")
            values[fld][str(raw)] = _check_value("values", fld, target, fail)
    constants = {}
    for fld, value in (data.get("constants") or {}).items():
        field_name("constants", fld, canonical)
        if value is not None and not _scalar(value):
            raise fail(f"'constants: {fld}' must be one value, not a {type(value).__name__}")
        constants[fld] = None if value is None else _check_value("constants", fld, value, fail)
    formats = {}
    for fld, v in (data.get("date_formats") or {}).items():
        field_name("date_formats", fld, _DATE_FIELDS)
        items = v if isinstance(v, list) else [v]
        if not items or not all(isinstance(x, str) and x.strip() for x in items):
            raise fail(f"'date_formats: {fld}' must be a list of strptime formats such as \"%d.%m.%Y\", not {_short(v)}")
        for fmt in items:
            _check_strptime(fmt, fld, fail)
        formats[fld] = list(items)
    header_row = data.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise fail(f"header_row must be a row number >= 1, not {_short(header_row)}",
                   "Give the header's row number as a spreadsheet shows it, e.g. 'header_row: 3'.")
    sheet = data.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))
                              or (isinstance(sheet, int) and sheet < 0)):
        raise fail(f"sheet must be a sheet name or a number from 0, not {_short(sheet)}")
    encoding = data.get("encoding")
    if encoding is not None:
        try:
            if not isinstance(encoding, str):
                raise LookupError
            codecs.lookup(encoding)
        except LookupError:
            raise fail(f"encoding {_short(encoding)} is not a known text encoding",
                       "Use utf-8, gbk or gb18030, or leave it out to detect the encoding.") from None
    return {"columns": columns, "values": values, "constants": constants, "date_formats": formats,
            "header_row": header_row, "sheet": sheet, "encoding": encoding}


def _check_value(section: str, fld: str, value, fail) -> str:
    """A ``values:`` target or a ``constants:`` value of ``fld``, as text; a field with a
    fixed vocabulary must get one of its codes or synonyms."""
    text = str(value).strip()
    if fld in _CHOICE_FIELDS:
        vocab = _choice_codes(fld)
        from .parse import fold_words

        folded = fold_words(pd.Series([text], dtype="str")).fillna("").iloc[0]
        if folded not in vocab:
            codes = sorted(set(vocab.values()))
            raise fail(f"'{section}: {fld}' has {_short(value)}, which is not a {fld}",
                       f"{_did_you_mean(text, codes)}Use one of: {', '.join(codes)}.")
        return vocab[folded] if section == "values" else text
    if fld in _FLAG_FIELDS and isinstance(value, bool):
        return "true" if value else "false"
    if not text and section == "values":
        raise fail(f"'values: {fld}' maps a value to an empty text", "Give the canonical value, or leave the line out.")
    return text


def _check_strptime(fmt: str, fld: str, fail) -> None:
    import datetime as _dt

    if "%" not in fmt:
        raise fail(f"date_formats: {fld}: {fmt!r} has no strptime directive",
                   "Use directives such as %Y %m %d, e.g. \"%d.%m.%Y\".")
    try:
        _dt.datetime.strptime(_dt.datetime(2019, 3, 5, 14, 2, 7).strftime(fmt), fmt)
        pd.to_datetime(pd.Series(["x"]), format=fmt, errors="coerce")
    except (ValueError, TypeError, re.error) as err:
        raise fail(f"date_formats: {fld}: {fmt!r} is not a valid strptime format ({err})",
                   "Use directives such as %Y %m %d %H %M %S, e.g. \"%d.%m.%Y\".") from None


def _is_path(mapping) -> bool:
    return isinstance(mapping, Path) or (isinstance(mapping, str) and "\n" not in mapping
                                         and ":" not in mapping.split("/")[-1])


def read_mapping_text(path: str | Path, what: str = "mapping file") -> str:
    """The text of a mapping file: a regular file of at most :data:`MAX_MAPPING_BYTES`,
    read with a bounded read, decoded as UTF-8 (with or without BOM), UTF-16 (BOM) or
    GBK/GB18030. Anything else raises :class:`MappingError`. ``what`` names the file in
    messages (the batch runner reads its YAML plans with this too)."""
    import os
    import stat as _stat

    from .io import detect_encoding

    path = Path(path)
    label = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MappingError(label, f"the {what} does not exist", hint="Check the path.") from None
    except OSError as err:
        raise MappingError(label, f"the {what} cannot be opened ({err.strerror or err})",
                           hint="Check the path and its permissions.") from None
    if _stat.S_ISDIR(st.st_mode):
        raise MappingError(label, f"the {what} is a folder, not a file",
                           hint="Give the YAML file itself, not a folder.")
    if not _stat.S_ISREG(st.st_mode):
        raise MappingError(label, f"the {what} is not a regular file (a device, pipe or socket)",
                           hint="Give a YAML file; see docs/mapping.md.")
    cap = MAX_MAPPING_BYTES
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except PermissionError:
        raise MappingError(label, f"the {what} cannot be read (permission denied)",
                           hint=f"Give yourself read access (chmod u+r {path.name}) or copy it somewhere readable.") from None
    except OSError as err:
        raise MappingError(label, f"the {what} cannot be read ({err.strerror or err})",
                           hint="Check the file.") from None
    if len(data) > cap:
        raise MappingError(label, f"the {what} is larger than {cap // 2**20} MB",
                           hint="It should be a few lines of YAML; check that this is the right file.")
    try:
        encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise MappingError(label, f"the {what} is not text in UTF-8, UTF-16 or GBK/GB18030; it may be binary",
                           hint="Save it as UTF-8 text; see docs/mapping.md.") from None
    if "\x00" in text or sum(ch < " " and ch not in "\t\r\n" for ch in text[:10_000]) > 0:
        raise MappingError(label, f"the {what} holds control characters; it looks binary, not like YAML",
                           hint="Save it as UTF-8 text; see docs/mapping.md.")
    return text.lstrip("\ufeff")


def load_mapping(mapping) -> Mapping:
    """A :class:`Mapping` from ``None``, a dict, a Mapping, YAML text or a YAML file path.

    A file must be a regular file of at most 1 MB (UTF-8, UTF-8 with BOM, UTF-16 with BOM
    or GBK/GB18030); every key and value is type-checked. Problems raise
    :class:`~petition_analysis.errors.MappingError` with the fix.
    """
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.from_dict(mapping)
    if not isinstance(mapping, (str, Path)):
        raise MappingError("<mapping>", f"a mapping is a YAML file path, YAML text or a dict, not a {type(mapping).__name__}")
    origin = "<mapping>"
    if _is_path(mapping):
        text, origin = read_mapping_text(mapping), str(mapping)
    else:
        text = str(mapping)
        if len(text.encode("utf-8")) > MAX_MAPPING_BYTES:
            raise MappingError(origin, f"the mapping text is larger than {MAX_MAPPING_BYTES // 2**20} MB")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise MappingError(origin, f"the mapping is not valid YAML ({str(err).splitlines()[0]})",
                           hint="See docs/mapping.md for the format.") from None
    except RecursionError:
        raise MappingError(origin, "the mapping is nested too deeply to be a mapping file",
                           hint="See docs/mapping.md for the format.") from None
    return Mapping.from_dict(data, origin)


# --------------------------------------------------------------------------- detection

_SCAN_ROWS = 30


def _row_scores(grid: pd.DataFrame, renames: dict[str, str]) -> np.ndarray:
    """Per row of the top of the grid: how many distinct fields its cells name."""
    top = grid.iloc[:_SCAN_ROWS].to_numpy(dtype=object)
    if top.size == 0:
        return np.zeros(len(top), dtype=int)
    # Plain Python over the distinct cells: a pandas map per column took minutes for a
    # header of 10,000 columns (issue 11); this takes well under a second.
    codes, uniq = pd.factorize(top.ravel(), use_na_sentinel=False)
    names = {f: i for i, f in enumerate(KNOWN_FIELDS)}
    ids = np.array([names.get(field_for(u, renames), -1) if isinstance(u, str) else -1 for u in uniq] or [-1])
    mapped = ids[codes].reshape(top.shape)
    return np.array([len(set(row[row >= 0].tolist())) for row in mapped], dtype=int)


def find_header(grid: pd.DataFrame, renames: dict[str, str] | None = None, *, label: str = "",
                header_row: int | None = None) -> tuple[int, list[str]]:
    """The header's last row (0-based) and the header texts per column.

    The header is the row among the first 30 that names the most known fields (at least
    2). A two-row header (group labels above sub-labels) is merged column by column when the
    merged row names more fields than either row.
    """
    renames = renames or {}
    if header_row is not None:
        if header_row > len(grid):
            raise HeaderNotFoundError(label, f"header_row {header_row} is below the last row ({len(grid)})")
        return header_row - 1, [str(v) for v in grid.iloc[header_row - 1]]
    scores = _row_scores(grid, renames)
    if len(scores) == 0 or scores.max() < 2:
        # The first row is not echoed: without a header it is a petitioner's record.
        first = sum(1 for v in grid.iloc[0].tolist() if str(v).strip()) if len(grid) else 0
        raise HeaderNotFoundError(
            label, "no header row found in the first rows: no row names at least two known columns "
                   f"(the first row has {first} non-empty cell(s))",
            hint="Map the headers in a mapping file ('columns: {your header: received_date}') "
                 "or give 'header_row:'; see docs/mapping.md.")
    h = int(np.argmax(scores))
    best = [str(v) for v in grid.iloc[h]]
    if h + 1 < len(grid):
        below = grid.iloc[h + 1].astype(str)
        merged = below.where(below.str.strip() != "", grid.iloc[h].astype(str)).tolist()
        below_score = scores[h + 1] if h + 1 < len(scores) else 0
        if _row_scores(pd.DataFrame([merged]), renames)[0] > max(scores[h], below_score):
            return h + 1, merged
    if h > 0:
        above = grid.iloc[h - 1].astype(str)
        merged = grid.iloc[h].astype(str)
        merged = merged.where(merged.str.strip() != "", above).tolist()
        if _row_scores(pd.DataFrame([merged]), renames)[0] > scores[h]:
            return h, merged
    return h, best


def suggest_headers(found: list[str], fld: str, n: int = 3) -> list[str]:
    """Headers in ``found`` closest to the known aliases of ``fld`` (best first)."""
    aliases = [normalize_header(a) for a in HEADER_ALIASES.get(fld, ())]
    scored = []
    for h in found:
        key = normalize_header(h)
        if not key:
            continue
        best = max((difflib.SequenceMatcher(None, key, a).ratio() for a in aliases), default=0.0)
        if best >= 0.4:
            scored.append((best, h))
    return [h for _, h in sorted(scored, key=lambda t: -t[0])[:n]]


@dataclass
class ColumnPlan:
    """How a table's columns map to fields: field → raw column positions (in order)."""

    fields: dict[str, list[int]]
    headers: list[str]
    unmapped: list[str]
    warnings: list[str]


def resolve_columns(headers: list[str], mapping: Mapping, *, label: str = "") -> ColumnPlan:
    """Map each header to a field; check the required fields are there (or constant).

    Several columns for one field (来信日期 and 来访日期) are combined later, first
    non-empty wins; an exactly repeated header is noted in the warnings.
    """
    renames = mapping.renames
    fields: dict[str, list[int]] = {}
    unmapped, warnings = [], []
    seen: dict[str, int] = {}
    for pos, h in enumerate(headers):
        key = normalize_header(h)
        if not key:
            continue
        if key in seen:
            warnings.append(f"{label}: header {h!r} appears more than once (columns {seen[key] + 1} and {pos + 1}); "
                            "the first non-empty value of each row is used")
        seen.setdefault(key, pos)
        fld = field_for(h, renames)
        if fld is None:
            unmapped.append(str(h))
        elif fld != "ignore":
            fields.setdefault(fld, []).append(pos)
    missing = [f for f in REQUIRED_FIELDS if f not in fields and f not in mapping.constants]
    if missing:
        found = [h for h in headers if normalize_header(h)]
        parts = []
        for f in missing:
            zh = HEADER_ALIASES[f][0]
            # only headers not already read as another field: a message board's 留言 (the
            # text) resembles 留言时间 (a date), but suggesting it for the date misleads
            close = suggest_headers(unmapped, f)
            tip = f" (closest found: {', '.join(map(repr, close))})" if close else ""
            parts.append(f"{f} ({zh}){tip}")
        example = next((c for f in missing for c in suggest_headers(unmapped, f)[:1]), None)
        rename = f"columns: {{{example}: {missing[0]}}}" if example else f"constants: {{{missing[0]}: ...}}"
        raise MissingColumnsError(
            label,
            f"required column(s) not found: {'; '.join(parts)}. Headers found: {', '.join(map(str, found[:25]))}",
            hint=f"Known headers for {missing[0]}: {', '.join(HEADER_ALIASES[missing[0]][:6])}. "
                 f"Rename in a mapping file ('{rename}'); see docs/mapping.md.",
        )
    return ColumnPlan(fields, list(map(str, headers)), unmapped, warnings)
