"""Problem-category taxonomy (问题分类) of the national petition system.

The taxonomy is package data (``resources/taxonomy.csv``), not code. Each row has a
``code`` (stable English identifier), its ``level`` (1 = top-level category, 2 =
subcategory), the ``parent`` code(s) of a subcategory, ``zh`` and ``en`` labels,
``synonyms`` separated by ``|``, the years the label was in use (``year_from`` /
``year_to``, blank for open) and ``crosswalk_to``: the code the label maps to after the
2018 institutional reform (机构改革), e.g. 国土资源 → 自然资源.

Examples
--------
>>> lookup("国土资源")
'land_resources'
>>> lookup(" 劳动社保 ")          # synonym with stray spaces
'labour_social_security'
>>> lookup("城乡建设类")          # a trailing 类 is tolerated
'urban_rural_construction'
>>> label("land_resources", "en")
'Land and resources'
>>> crosswalk("land_resources")
'natural_resources'
>>> code_in_use("land_resources", 2020)
'natural_resources'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import pandas as pd

__all__ = [
    "load_taxonomy",
    "normalize_label",
    "lookup",
    "lookup_series",
    "label",
    "labels",
    "crosswalk",
    "crosswalk_series",
    "code_in_use",
    "codes_in_use_series",
    "category_codes",
    "subcategory_codes",
    "UnknownCodeError",
]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (pd, re …)
    return sorted(__all__)

_SUFFIXES = ("问题", "类", "方面")
_SPACE = re.compile(r"\s+")


class UnknownCodeError(KeyError):
    """A taxonomy code that does not exist."""


@functools.cache
def _table() -> pd.DataFrame:
    with resources.files("petition_analysis").joinpath("resources/taxonomy.csv").open(
        encoding="utf-8"
    ) as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["level"] = df["level"].astype(int)
    for col in ("year_from", "year_to"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    return df


def load_taxonomy() -> pd.DataFrame:
    """The taxonomy table (a copy): code, level, parent, zh, en, synonyms, years, crosswalk.

    >>> load_taxonomy().query("level == 1").shape[0]
    26
    """
    return _table().copy()


def normalize_label(text: object) -> str:
    """Fold a raw label for matching: NFKC (full-width → half-width), no spaces, lower case,
    without a trailing 问题/类/方面.

    >>> normalize_label("　国土资源 类 ")
    '国土资源'
    >>> normalize_label("ＬＡＮＤ")
    'land'
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s).lower()
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


@functools.cache
def _index(level: int | None) -> dict[str, str]:
    """Normalized label → code, built from codes, zh and en labels and synonyms."""
    index: dict[str, str] = {}
    table = _table() if level is None else _table()[_table()["level"] == level]
    # Level-1 entries are added last so that they win over subcategories on a clash.
    for _, row in table.sort_values("level", ascending=False).iterrows():
        names = [row["code"], row["zh"], row["en"], *row["synonyms"].split("|")]
        for name in names:
            key = normalize_label(name)
            if key:
                index[key] = row["code"]
    return index


def lookup(text: object, *, level: int | None = 1) -> str | None:
    """The taxonomy code for a raw label (code, zh, en or synonym), or ``None``.

    ``level=1`` (default) matches only top-level categories, ``level=2`` only
    subcategories, ``level=None`` both.

    >>> lookup("拖欠工资", level=2)
    'wage_arrears'
    >>> lookup("no such thing") is None
    True
    """
    return _index(level).get(normalize_label(text))


def lookup_series(values: pd.Series, *, level: int | None = 1) -> pd.Series:
    """Vectorized :func:`lookup`: maps each distinct value once. Unknown labels give NA.

    >>> lookup_series(pd.Series(["国土", "环保", "??"])).tolist()
    ['land_resources', 'environmental_protection', nan]
    """
    uniques = pd.Series(values.dropna().unique())
    mapping = {u: lookup(u, level=level) for u in uniques}
    return values.map(mapping).astype("str")


def _row(code: str) -> pd.Series:
    table = _table()
    hit = table[table["code"] == code]
    if hit.empty:
        raise UnknownCodeError(f"{code!r} is not a taxonomy code; see load_taxonomy()['code'].")
    return hit.iloc[0]


def label(code: str, lang: str = "zh") -> str:
    """The zh or en label of a code.

    >>> label("labour_social_security")
    '劳动和社会保障'
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    found = _label_map(lang).get(code)
    return found if found is not None else str(_row(code)[lang])  # _row names an unknown code


@functools.cache
def _label_map(lang: str) -> dict[str, str]:
    """Every code's label in ``lang`` (a report looks up dozens: one table scan each, before)."""
    return {str(k): str(v) for k, v in labels(lang).items()}


def labels(lang: str = "zh", *, level: int | None = None) -> dict[str, str]:
    """Mapping code → label in ``lang`` for every code (or every code of ``level``).

    >>> labels("en")["other"]
    'Other'
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    table = _table() if level is None else _table()[_table()["level"] == level]
    return dict(zip(table["code"], table[lang]))


def crosswalk(code: str) -> str:
    """The code after the 2018 institutional reform (itself when it did not change).

    >>> crosswalk("health_family_planning")
    'health'
    >>> crosswalk("politics_law")
    'politics_law'
    """
    return str(_row(code)["crosswalk_to"])


@functools.cache
def _crosswalk_map() -> dict[str, str]:
    t = _table()
    return dict(zip(t["code"], t["crosswalk_to"]))


def crosswalk_series(codes: pd.Series) -> pd.Series:
    """Vectorized :func:`crosswalk`, keeping a categorical dtype when given one.

    Multi-year series stay comparable when every year is expressed in crosswalked codes.
    """
    mapping = _crosswalk_map()
    if isinstance(codes.dtype, pd.CategoricalDtype):
        return codes.map(mapping).astype(codes.dtype)
    return codes.map(mapping)


def code_in_use(code: str, year: int) -> str:
    """The code a register would use for ``code`` in ``year``: an old label used after
    its last year is crosswalked forward; other codes are returned unchanged.

    >>> code_in_use("land_resources", 2017)
    'land_resources'
    >>> code_in_use("land_resources", 2019)
    'natural_resources'
    """
    row = _row(code)
    if pd.notna(row["year_to"]) and year > int(row["year_to"]):
        return str(row["crosswalk_to"])
    return code


def codes_in_use_series(codes: pd.Series, years: pd.Series) -> pd.Series:
    """Vectorized :func:`code_in_use` over aligned ``codes`` and ``years``."""
    t = _table().set_index("code")
    year_to = codes.map(t["year_to"].dropna().astype(int).to_dict())
    forward = codes.map(_crosswalk_map())
    expired = year_to.notna() & (years > year_to.fillna(9999))
    out = codes.astype("str").where(~expired, forward.astype("str"))
    if isinstance(codes.dtype, pd.CategoricalDtype):
        return out.astype(codes.dtype)
    return out


@functools.cache
def _reverse_crosswalk() -> dict[str, str]:
    """New code → the old code that maps to it (only for one-to-one renames)."""
    t = _table()
    renamed = t[(t["crosswalk_to"] != t["code"])]
    return dict(zip(renamed["crosswalk_to"], renamed["code"]))


def category_codes() -> list[str]:
    """All top-level category codes, in taxonomy order."""
    t = _table()
    return t.loc[t["level"] == 1, "code"].tolist()


def subcategory_codes() -> list[str]:
    """All subcategory codes, in taxonomy order."""
    t = _table()
    return t.loc[t["level"] == 2, "code"].tolist()
