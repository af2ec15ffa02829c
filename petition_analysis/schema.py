"""The canonical clean schema: one row = one registered petition item (一件信访事项).

Every column, its dtype and its allowed values live here, in :data:`COLUMNS`, and
:func:`validate` checks a frame against them. ``docs/schema.md`` describes the same
contract for readers.

Examples
--------
>>> import petition_analysis as pa
>>> df = pa.schema.empty_frame()
>>> pa.validate(df).shape
(0, 19)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import taxonomy
from .patterns import PII_PATTERNS

__all__ = [
    "CHANNELS",
    "LEVELS",
    "STATUSES",
    "SATISFACTION",
    "MAX_PERSONS",
    "COLUMNS",
    "PROVENANCE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "CATEGORY_SOURCES",
    "Column",
    "Violation",
    "SchemaError",
    "column_names",
    "canonical_dtypes",
    "empty_frame",
    "coerce",
    "validate",
]

#: 信访形式 – how the item arrived.
CHANNELS = ("letter", "visit", "online", "phone")
#: 到县 / 到市 / 赴省 / 进京 – the level of the office that received the item.
LEVELS = ("county", "city", "province", "national")
#: 办理状态 – handling status.
STATUSES = ("registered", "accepted", "not_accepted", "concluded")
#: 满意度 – the petitioner's evaluation of the result.
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied", "not_evaluated")
#: The most persons one item may have (a plausible bound; docs/schema.md). Cleaning rejects more.
MAX_PERSONS = 10_000


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, whether it may be null and its allowed values."""

    name: str
    kind: str  # "string" | "date" | "category" | "int" | "bool"
    nullable: bool
    zh: str
    description: str
    categories: tuple[str, ...] | None = None
    ordered: bool = False

    @property
    def dtype(self):
        if self.kind == "string":
            return "str"
        if self.kind == "date":
            return "datetime64[s]"
        if self.kind == "int":
            return "int32"
        if self.kind == "float":
            return "float64"
        if self.kind == "bool":
            return "bool"
        if self.categories is not None:
            return pd.CategoricalDtype(list(self.categories), ordered=self.ordered)
        return "category"


COLUMNS: tuple[Column, ...] = (
    Column("case_id", "string", False, "编号", "source case number, or a stable hash of the raw row"),
    Column("received_date", "date", False, "登记日期", "date the item was received (day precision)"),
    Column("channel", "category", False, "信访形式", "letter / visit / online / phone", CHANNELS),
    Column("persons", "int", False, "人数", "persons in the item; a group visit of 7 is 1 item, 7 person-times"),
    Column("level", "category", False, "到达层级", "level of the receiving office", LEVELS, ordered=True),
    Column("region", "category", False, "问题属地", "county or district where the problem lies"),
    Column(
        "category", "category", False, "问题分类", "top-level taxonomy code",
        tuple(taxonomy.category_codes()),
    ),
    Column(
        "subcategory", "category", True, "二级分类", "second-level taxonomy code",
        tuple(taxonomy.subcategory_codes()),
    ),
    Column("is_leapfrog", "bool", False, "越级访", "skipped the competent level"),
    Column("is_collective", "bool", False, "集体访", "a visit with persons >= collective threshold"),
    Column("is_repeat", "bool", False, "重复访/重件", "an earlier item of the same petitioner and category within the window, or marked 重件"),
    Column("leader_received", "bool", False, "领导接访", "received or handled by a leading cadre"),
    Column("petitioner_id", "string", True, "信访人（假名）", "keyed pseudonym (HMAC-SHA256); never a name, ID or phone number"),
    Column("status", "category", False, "办理状态", "registered / accepted / not_accepted / concluded", STATUSES),
    Column("accepted_date", "date", True, "受理日期", "date of the acceptance decision"),
    Column("concluded_date", "date", True, "办结日期", "date the item was concluded"),
    Column("extended", "bool", False, "延期", "handling limit extended by up to 30 days"),
    Column("satisfaction", "category", False, "满意度", "evaluation of the result", SATISFACTION),
    Column("summary", "string", True, "诉求摘要", "free text with personal data masked"),
)

#: Optional columns that record where a cleaned row came from (many files at once).
PROVENANCE_COLUMNS: tuple[Column, ...] = (
    Column("source_file", "category", False, "来源文件", "file the row was read from"),
    Column("source_row", "int", False, "来源行号", "row number in that file or sheet, as a spreadsheet shows it"),
)

#: Where a row's category came from (see :data:`OPTIONAL_COLUMNS`).
CATEGORY_SOURCES = ("given", "mapped", "predicted", "unclassified")

#: Optional columns: present when the source has them (message boards: 留言主题, 点赞数,
#: 反对数, 答复时间, 答复意见) or when categories were predicted (``category_source``,
#: ``category_confidence``). Registers without them clean exactly as before.
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column("category_source", "category", False, "分类来源",
           "given (the export's label), mapped (the mapping file), predicted (the classifier) or "
           "unclassified (no label and no text)", CATEGORY_SOURCES),
    Column("category_confidence", "float", False, "分类置信度",
           "the classifier's confidence in a predicted category (0-1); 1 for a given or mapped one"),
    Column("subject", "string", True, "留言主题", "the message's subject, personal data masked"),
    Column("likes", "int", False, "点赞数", "likes a message received (0 when blank)"),
    Column("dislikes", "int", False, "反对数", "dislikes a message received (0 when blank)"),
    Column("replied_date", "date", True, "答复时间", "date the office replied in public"),
    Column("reply", "string", True, "答复意见", "the office's reply, personal data masked"),
)

_BY_NAME = {c.name: c for c in COLUMNS + PROVENANCE_COLUMNS + OPTIONAL_COLUMNS}

# Patterns that must never survive into a clean table (privacy rules). RE2 syntax for
# pyarrow (no look-behind), so digit boundaries are spelled out.
_ID_NUMBER = PII_PATTERNS["id_number"]
_PHONE = PII_PATTERNS["phone"]
_HAN = r"[\x{4e00}-\x{9fff}]"


def _matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Vectorized RE2 search over a string column (pyarrow), nulls as False."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


def column_names() -> list[str]:
    """The canonical column names, in order."""
    return [c.name for c in COLUMNS]


def canonical_dtypes(*, region_categories: list[str] | None = None) -> dict[str, object]:
    """Mapping column → pandas dtype of the canonical schema."""
    dtypes = {c.name: c.dtype for c in COLUMNS}
    if region_categories is not None:
        dtypes["region"] = pd.CategoricalDtype(region_categories)
    return dtypes


def empty_frame() -> pd.DataFrame:
    """A canonical frame with no rows and every column at its canonical dtype."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in COLUMNS})


def coerce(df: pd.DataFrame) -> pd.DataFrame:
    """Cast the canonical columns of ``df`` to their canonical dtypes (a new frame).

    Dates are floored to the day; category columns get the full set of allowed values
    so that frames from different sources concatenate without losing the dtype.
    """
    out = df.copy()
    for col in COLUMNS + PROVENANCE_COLUMNS + OPTIONAL_COLUMNS:
        if col.name not in out:
            continue
        s = out[col.name]
        if col.kind == "date":
            s = pd.to_datetime(s).dt.floor("D").astype("datetime64[s]")
        elif col.kind == "category" and col.categories is None:
            s = s.astype("category")
        elif col.kind == "string":
            s = s.astype("str")
        else:
            s = s.astype(col.dtype)
        out[col.name] = s
    return out


@dataclass
class Violation:
    """One violated rule: which column, which rule, how many rows, a few offending values."""

    column: str
    rule: str
    count: int
    examples: list = field(default_factory=list)

    def __str__(self) -> str:
        ex = ", ".join(repr(e) for e in self.examples)
        return f"{self.column}: {self.rule} ({self.count} row{'s' if self.count != 1 else ''}{'; e.g. ' + ex if ex else ''})"


class SchemaError(ValueError):
    """A frame does not satisfy the canonical schema. ``.violations`` lists every rule broken."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        lines = [f"{len(violations)} schema rule(s) violated:"]
        lines += [f"  - {v}" for v in violations]
        lines.append(
            "The canonical schema is documented in docs/schema.md; "
            "petition_analysis.clean() produces frames that satisfy it."
        )
        super().__init__("\n".join(lines))


def _examples(values: pd.Series, k: int = 5) -> list:
    out = []
    for v in values.drop_duplicates().head(k).tolist():
        out.append(v.isoformat()[:10] if hasattr(v, "isoformat") else v)
    return out


def _check_dtype(col: Column, s: pd.Series) -> str | None:
    t = pd.api.types
    if col.kind == "string":
        ok = t.is_string_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype)
        return None if ok else f"dtype must be a string dtype, not {s.dtype}"
    if col.kind == "date":
        ok = t.is_datetime64_dtype(s.dtype) and not isinstance(s.dtype, pd.DatetimeTZDtype)
        return None if ok else f"dtype must be timezone-naive datetime64, not {s.dtype}"
    if col.kind == "int":
        return None if t.is_integer_dtype(s.dtype) and not t.is_bool_dtype(s.dtype) else f"dtype must be an integer dtype, not {s.dtype}"
    if col.kind == "bool":
        return None if t.is_bool_dtype(s.dtype) else f"dtype must be bool, not {s.dtype}"
    if col.kind == "float":
        return None if t.is_float_dtype(s.dtype) else f"dtype must be a float dtype, not {s.dtype}"
    if col.kind == "category":
        return None if isinstance(s.dtype, pd.CategoricalDtype) else f"dtype must be category, not {s.dtype}"
    return None  # pragma: no cover


def validate(df: pd.DataFrame, *, allow_extra: bool = False) -> pd.DataFrame:
    """Check ``df`` against the canonical schema and return it unchanged.

    Every rule is checked before anything is raised, so one :class:`SchemaError`
    lists every violation: column, rule, count and the first offending values.
    ``allow_extra=True`` tolerates columns outside the schema (never do that for
    output that leaves your machine: an extra column may carry personal data).

    >>> import pandas as pd
    >>> bad = empty_frame().drop(columns="channel")
    >>> try:
    ...     validate(bad)
    ... except SchemaError as err:
    ...     print(err.violations[0])
    channel: column is missing (0 rows)
    """
    v: list[Violation] = []
    add = v.append

    for col in COLUMNS:
        if col.name not in df.columns:
            add(Violation(col.name, "column is missing", 0))
    known = set(_BY_NAME)
    extra = [c for c in df.columns if c not in known]
    if extra and not allow_extra:
        add(Violation(", ".join(map(str, extra)), "column is not in the canonical schema", len(df), []))
    dup_cols = df.columns[df.columns.duplicated()].tolist()
    if dup_cols:
        add(Violation(", ".join(map(str, dup_cols)), "column name is duplicated", len(df)))
        df = df.loc[:, ~df.columns.duplicated()]

    present = {c.name: c for c in COLUMNS + PROVENANCE_COLUMNS + OPTIONAL_COLUMNS if c.name in df.columns}
    typed_ok: set[str] = set()
    for name, col in present.items():
        s = df[name]
        problem = _check_dtype(col, s)
        if problem:
            add(Violation(name, problem, len(s), _examples(s.dropna())))
        else:
            typed_ok.add(name)
        nulls = s.isna()
        if not col.nullable and nulls.any():
            add(Violation(name, "must not be null", int(nulls.sum())))
        if col.categories is not None:
            if isinstance(s.dtype, pd.CategoricalDtype):
                # compare the categories, not 300k strings: a value is bad only if its category is
                extra_cats = [c for c in s.cat.categories if str(c) not in col.categories]
                bad = s[s.isin(extra_cats)].astype("str") if extra_cats else s.iloc[:0]
            else:
                values = s.dropna()
                bad = values[~values.astype("str").isin(col.categories)]
            if len(bad):
                add(Violation(name, f"value not allowed (allowed: {', '.join(col.categories)})", len(bad), _examples(bad.astype("str"))))

    def rule(column: str, text: str, mask: pd.Series, values: pd.Series | None = None) -> None:
        mask = mask.fillna(False).astype(bool)
        n = int(mask.sum())
        if n:
            shown = (values if values is not None else df[column])[mask]
            add(Violation(column, text, n, _examples(shown)))

    # A case number holding an ID or phone number is never shown in an example (see Privacy below).
    cid_personal = None
    if "case_id" in present:
        cid_personal = pd.Series(_matches(df["case_id"], _ID_NUMBER) | _matches(df["case_id"], _PHONE), index=df.index)
        cid_personal &= df["case_id"].notna()
    if "case_id" in typed_ok:
        rule("case_id", "must be unique", df["case_id"].duplicated(keep=False) & df["case_id"].notna(),
             df["case_id"].astype("object").where(~cid_personal, "<withheld>"))
    if "persons" in typed_ok:
        rule("persons", "must be >= 1", df["persons"] < 1)
        rule("persons", f"must be at most {MAX_PERSONS:,} (a plausible bound per item)", df["persons"] > MAX_PERSONS)
    for name in ("received_date", "accepted_date", "concluded_date"):
        if name in typed_ok:
            s = df[name]
            rule(name, "must have day precision (no time of day)", s.notna() & (s != s.dt.floor("D")))
    if {"received_date", "accepted_date"} <= typed_ok:
        rule("accepted_date", "must not be before received_date", df["accepted_date"] < df["received_date"])
    if {"accepted_date", "concluded_date", "received_date"} <= typed_ok:
        start = df["accepted_date"].fillna(df["received_date"])
        rule("concluded_date", "must not be before accepted_date (or received_date)", df["concluded_date"] < start)
    if {"status", "concluded_date"} <= set(present):
        status = df["status"]
        rule("concluded_date", "must be set when status is concluded", (status == "concluded") & df["concluded_date"].isna())
        rule("concluded_date", "must be empty unless status is concluded", (status != "concluded") & df["concluded_date"].notna())
    if {"status", "accepted_date"} <= set(present):
        status = df["status"]
        rule("accepted_date", "must be empty when status is registered or not_accepted",
             status.isin(["registered", "not_accepted"]) & df["accepted_date"].notna())
    if {"status", "satisfaction"} <= set(present):
        rule("satisfaction", "can be evaluated only when status is concluded",
             (df["satisfaction"] != "not_evaluated") & (df["status"] != "concluded"),
             df["satisfaction"])
    if {"is_collective", "channel"} <= set(present) and "is_collective" in typed_ok:
        rule("is_collective", "only a visit can be collective", df["is_collective"] & (df["channel"] != "visit"),
             df["channel"])
    if {"is_leapfrog", "level"} <= set(present) and "is_leapfrog" in typed_ok:
        rule("is_leapfrog", "an item received at county level cannot be leapfrog",
             df["is_leapfrog"] & (df["level"] == "county"), df["level"])

    # Privacy: identifiers must never reach a clean table.
    if cid_personal is not None and cid_personal.any():
        add(Violation("case_id", "holds an ID or phone number; must be the case number or a keyed pseudonym of it",
                      int(cid_personal.sum()), ["<withheld>"]))
    if "petitioner_id" in present:
        pid = df["petitioner_id"].dropna()
        looks_personal = _matches(pid, _ID_NUMBER) | _matches(pid, _PHONE) | _matches(pid, _HAN)
        if looks_personal.any():
            add(Violation("petitioner_id", "looks like a name, ID or phone number; must be a keyed pseudonym",
                          int(looks_personal.sum()), ["<withheld>"]))
    for name in ("summary", "subject", "reply"):
        if name not in present:
            continue
        text = df[name].dropna()
        leaked = _matches(text, _ID_NUMBER) | _matches(text, _PHONE)
        if leaked.any():
            add(Violation(name, "contains an unmasked ID or phone number", int(leaked.sum()), ["<withheld>"]))
    if "category_confidence" in typed_ok:
        c = df["category_confidence"]
        rule("category_confidence", "must be between 0 and 1", (c < 0) | (c > 1))
    for name in ("likes", "dislikes"):
        if name in typed_ok:
            rule(name, "must be >= 0", df[name] < 0)
    if {"received_date", "replied_date"} <= typed_ok:
        rule("replied_date", "must not be before received_date", df["replied_date"] < df["received_date"])
    if "replied_date" in typed_ok:
        s = df["replied_date"]
        rule("replied_date", "must have day precision (no time of day)", s.notna() & (s != s.dt.floor("D")))

    if v:
        raise SchemaError(v)
    return df
