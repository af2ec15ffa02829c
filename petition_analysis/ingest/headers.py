"""Headers: the built-in header dictionary, the YAML mapping file, and header detection.

A raw header is mapped to a *field*: a canonical column (``DESIGN.md`` §2) or one of the
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
    "concluded_date": ("办结日期", "办结时间", "答复时间", "答复日期", "结案日期", "concluded_date", "concluded date",
                       "date concluded"),
    "extended": ("是否延期", "延期", "extended"),
    "satisfaction": ("满意度", "评价结果", "满意度评价", "群众评价", "评价", "satisfaction"),
    "summary": ("诉求", "留言详情", "内容摘要", "主要内容", "反映问题", "诉求内容", "信访内容", "事项摘要", "摘要",
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
    "ignore": ("序号", "留言主题"),
}
#: Helper roles that carry personal data: used for pseudonyms and masking, then dropped.
PERSON_FIELDS = ("name", "id_number", "phone", "address", "email", "account")
ROLE_FIELDS = PERSON_FIELDS + ("repeat_flag", "ignore")
#: Fields every table needs, from a column or a mapping constant.
REQUIRED_FIELDS = ("received_date", "channel", "level", "region", "category")
KNOWN_FIELDS = tuple(schema.column_names()) + ROLE_FIELDS + ("source_file", "source_row")
_MAPPING_KEYS = {"columns", "values", "constants", "date_formats", "header_row", "sheet", "encoding"}

_BRACKETS = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_JUNK = re.compile(r"[\s*＊:：_\-]+")


def normalize_header(text: object) -> str:
    """Fold a header for matching (see the module docstring)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
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
        data = data or {}
        if not isinstance(data, dict):
            raise MappingError(origin, "the mapping must be a YAML mapping (key: value lines)",
                               hint="See docs/mapping.md for the format.")
        unknown = set(data) - _MAPPING_KEYS
        if unknown:
            raise MappingError(origin, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                               hint=f"Allowed keys: {', '.join(sorted(_MAPPING_KEYS))}. See docs/mapping.md.")
        for key in ("columns", "values", "constants", "date_formats"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise MappingError(origin, f"'{key}' must be a mapping, not {type(data[key]).__name__}",
                                   hint="See docs/mapping.md.")
        columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items()}
        bad = sorted({v for v in columns.values()} - set(KNOWN_FIELDS))
        bad += sorted(k for k in (data.get("constants") or {}) if k not in schema.column_names())
        bad += sorted(k for k in (data.get("values") or {}) if k not in schema.column_names() + ["repeat_flag"])
        if bad:
            close = {b: difflib.get_close_matches(str(b), KNOWN_FIELDS, n=1) for b in bad}
            tips = "; ".join(f"{b!r} → did you mean {c[0]!r}?" for b, c in close.items() if c)
            raise MappingError(origin, f"unknown field(s) {', '.join(map(repr, bad))}",
                               hint=(tips + ". " if tips else "") + f"Fields: {', '.join(KNOWN_FIELDS)}.")
        values = {str(f): {str(k): str(v) for k, v in (m or {}).items()} for f, m in (data.get("values") or {}).items()}
        formats = {}
        for f, v in (data.get("date_formats") or {}).items():
            formats[str(f)] = [str(x) for x in (v if isinstance(v, list) else [v])]
        header_row = data.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise MappingError(origin, f"header_row must be a row number >= 1, not {header_row!r}")
        return cls(columns, values, dict(data.get("constants") or {}), formats, header_row,
                   data.get("sheet"), data.get("encoding"), origin)


def load_mapping(mapping) -> Mapping:
    """A :class:`Mapping` from ``None``, a dict, a Mapping, YAML text or a YAML file path."""
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.from_dict(mapping)
    text, origin = None, "<mapping>"
    if isinstance(mapping, Path) or (isinstance(mapping, str) and "\n" not in mapping and ":" not in mapping.split("/")[-1]):
        path = Path(mapping)
        if not path.exists():
            raise MappingError(str(path), "the mapping file does not exist", hint="Check the path.")
        text, origin = path.read_text(encoding="utf-8-sig"), str(path)
    else:
        text = str(mapping)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise MappingError(origin, f"the mapping is not valid YAML ({str(err).splitlines()[0]})",
                           hint="See docs/mapping.md for the format.") from None
    return Mapping.from_dict(data, origin)


# --------------------------------------------------------------------------- detection

_SCAN_ROWS = 30


def _row_scores(grid: pd.DataFrame, renames: dict[str, str]) -> np.ndarray:
    """Per row of the top of the grid: how many distinct fields its cells name."""
    top = grid.iloc[:_SCAN_ROWS]
    uniq = pd.unique(top.to_numpy().ravel())
    fields = {u: field_for(u, renames) for u in uniq}
    mapped = top.apply(lambda col: col.map(fields))  # column-wise over ≤ 30 rows
    return mapped.nunique(axis=1).to_numpy()


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
        first = [str(v) for v in grid.iloc[0].tolist() if str(v).strip()][:8] if len(grid) else []
        raise HeaderNotFoundError(
            label, "no header row found in the first rows: no row names at least two known columns "
                   f"(first row: {', '.join(first) or 'empty'})",
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
            close = suggest_headers(unmapped or found, f)
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
