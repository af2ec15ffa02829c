"""Parsing raw values into canonical values: dates, persons, synonyms, flags, categories.

Every parser maps each *distinct* raw value once and broadcasts the result, so the cost
grows with the number of distinct values, not of rows. Raw values are folded first:
full-width → half-width (NFKC), no surrounding spaces, lower case for word matching.

>>> import pandas as pd
>>> parse_dates(pd.Series(["2019-03-05", "2019/3/5", "2019年3月5日", "43529", "２０１９.３.５ 14:02", "x", ""])).tolist()[:5]
[Timestamp('2019-03-05 00:00:00'), Timestamp('2019-03-05 00:00:00'), Timestamp('2019-03-05 00:00:00'), Timestamp('2019-03-05 00:00:00'), Timestamp('2019-03-05 00:00:00')]
>>> parse_choice(pd.Series(["来访", "网上信访", "Letter", "fax"]), CHANNEL_WORDS).tolist()
['visit', 'online', 'letter', nan]
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema, taxonomy
from .io import from_arrow, normalize_text, on_uniques, squeeze_spaces, to_arrow

__all__ = [
    "CHANNEL_WORDS",
    "LEVEL_WORDS",
    "STATUS_WORDS",
    "SATISFACTION_WORDS",
    "YES_WORDS",
    "NO_WORDS",
    "REPEAT_WORDS",
    "FIRST_WORDS",
    "MIN_DATE",
    "MAX_PERSONS",
    "fold_words",
    "parse_dates",
    "date_problems",
    "parse_persons",
    "parse_choice",
    "parse_flag",
    "parse_category",
    "parse_subcategory",
]

#: Dates before this are impossible for a register (reason ``date_out_of_range``).
MIN_DATE = pd.Timestamp("1990-01-01")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

CHANNEL_WORDS = {
    "letter": ("来信", "信", "信件", "书信", "写信", "邮寄", "来信件", "群众来信", "letter", "letters", "mail", "post"),
    "visit": ("来访", "访", "走访", "上访", "接访", "到访", "面访", "群众来访", "个体访", "集体访", "visit", "visits",
              "in person", "in-person"),
    "online": ("网上信访", "网信", "网上投诉", "网络", "网络信访", "网上", "网上来信", "在线", "网上留言", "留言", "信箱",
               "领导信箱", "市长信箱", "微信", "网站", "online", "internet", "web", "email", "e-mail"),
    "phone": ("电话", "来电", "电话信访", "热线", "12345", "12345热线", "热线电话", "phone", "telephone", "call",
              "hotline"),
}
LEVEL_WORDS = {
    "county": ("到县", "县级", "县", "县区级", "县区", "区县", "区级", "到区", "县(区)级", "县(市、区)", "county",
               "district"),
    "city": ("到市", "市级", "市", "市本级", "地市", "地市级", "city", "municipal", "prefecture"),
    "province": ("赴省", "省级", "省", "到省", "province", "provincial"),
    "national": ("进京", "国家级", "赴京", "京", "国家", "国家信访局", "中央", "national", "beijing"),
}
STATUS_WORDS = {
    "registered": ("已登记", "登记", "待受理", "未受理", "新登记", "待处理", "registered", "pending", "new"),
    "accepted": ("已受理", "受理", "办理中", "在办", "正在办理", "处理中", "已转办", "转办", "交办", "已交办",
                 "accepted", "in progress", "processing"),
    "not_accepted": ("不予受理", "不受理", "不再受理", "不予受理/不再受理", "not accepted", "not_accepted", "rejected",
                     "declined"),
    "concluded": ("已办结", "办结", "结案", "已结案", "已答复", "完成", "已完成", "concluded", "closed", "done",
                  "finished"),
}
SATISFACTION_WORDS = {
    "satisfied": ("满意", "非常满意", "很满意", "satisfied", "very satisfied"),
    "basically_satisfied": ("基本满意", "比较满意", "较满意", "basically satisfied", "basically_satisfied",
                            "fairly satisfied"),
    "dissatisfied": ("不满意", "很不满意", "非常不满意", "dissatisfied", "unsatisfied", "not satisfied"),
    "not_evaluated": ("", "未评价", "未参评", "未评", "不评价", "无", "待评价", "未回访", "not evaluated",
                      "not_evaluated", "none", "n/a", "na", "-"),
}
YES_WORDS = ("是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "t")
NO_WORDS = ("否", "n", "no", "false", "0", "", "×", "✗", "无", "f", "-")
REPEAT_WORDS = ("重", "重件", "重复", "重复件", "重信", "重访", "重复访", "重复信访") + YES_WORDS
FIRST_WORDS = ("初", "初件", "初信", "初访", "初信初访", "首次", "初次") + NO_WORDS


def _fold(u: pd.Series) -> pd.Series:
    return squeeze_spaces(normalize_text(u).str.lower())


def fold_words(values: pd.Series) -> pd.Series:
    """Fold for word matching: NFKC, strip, lower case, no inner spaces (distinct values only)."""
    return on_uniques(values.astype("str"), _fold)


def _fold_keys(words) -> list[str]:
    """Fold many words in one vectorized call (the same lists come back for every chunk
    of a big file: they are folded once)."""
    return list(_fold_keys_cached(tuple(words)))


@functools.lru_cache(maxsize=256)
def _fold_keys_cached(words: tuple) -> tuple[str, ...]:
    return tuple(fold_words(pd.Series(list(words), dtype="str")).fillna("").tolist()) if words else ()


def blank_text(values: pd.Series) -> pd.Series:
    """True where a value is missing or empty once normalized (:func:`~.io.normalize_text`),
    computed on the distinct values.

    >>> blank_text(pd.Series(["", " 　", None, "x", "\u200b"])).tolist()
    [True, True, True, False, True]
    """
    blank = on_uniques(values, lambda u: normalize_text(u).fillna("").eq(""))
    return blank | values.isna().to_numpy()


def _vocabulary(words: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None) -> dict[str, str]:
    pairs = [(code, code) for code in words] + [(w, code) for code, options in words.items() for w in options]
    vocab: dict[str, str] = {}
    for key, (_, code) in zip(_fold_keys(p[0] for p in pairs), pairs):
        vocab.setdefault(key, code)
    extra = extra or {}
    vocab.update(dict(zip(_fold_keys(extra), extra.values())))
    return vocab


def parse_choice(values: pd.Series, words: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None) -> pd.Series:
    """The code of each value from ``words`` (code → synonyms) and ``extra`` (a mapping
    file's values); unknown values give NA."""
    vocab = _vocabulary(words, extra)
    return on_uniques(values.astype("str"), lambda u: _fold(u).map(vocab).astype("str"))


def parse_flag(values: pd.Series, yes=YES_WORDS, no=NO_WORDS, extra: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """(bool flag, unknown mask): yes-words give True, no-words and blanks False; other
    values give False and are flagged as unknown.

    >>> flag, unknown = parse_flag(pd.Series(["是", "否", "", "√", "maybe"]))
    >>> flag.tolist(), unknown.tolist()
    ([True, False, False, True, False], [False, False, False, False, True])
    """
    vocab = {k: True for k in _fold_keys(yes)}
    vocab.update({k: False for k in _fold_keys(no)})
    extra = extra or {}
    vocab.update({k: str(v).lower() in ("true", "1", "yes", "是") for k, v in zip(_fold_keys(extra), extra.values())})
    # Two masks from the distinct values only (one factorization): "known" and "yes"
    # (blank / NA count as blank).
    codes, uniques = pd.factorize(values.astype("str").fillna(""))
    words = _fold(pd.Series(uniques, dtype="str")).fillna("")
    known = words.isin(vocab.keys()).to_numpy(dtype=bool)[codes]
    yes = words.map(vocab).fillna(False).astype(bool).to_numpy(dtype=bool)[codes]
    return pd.Series(yes, index=values.index, name=values.name), pd.Series(~known, index=values.index, name=values.name)


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
)


# Python's \s for str (RE2's \s is ASCII only): keeps the pyarrow version identical.
_PY_SPACE = r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+"


def _normalize_date_text(s: pd.Series) -> pd.Series:
    """Date text to ``Y-M-D[ h:m[:s]]`` form, with pyarrow's RE2 (one vectorized pass each).

    >>> _normalize_date_text(pd.Series(["2019年3月5日 14时2分", "2019/3/5", "20190305"])).tolist()
    ['2019-3-5 14:2', '2019-3-5', '2019-03-05']
    """
    arr = pc.utf8_lower(to_arrow(s))
    # Fractions of a second and a time zone (ISO 8601, as databases export them) are dropped:
    # the day is the register's own, as written (a +08:00 stamp is not moved to UTC).
    arr = pc.replace_substring_regex(arr, pattern=r"(\d:\d{1,2}:\d{1,2})[.,]\d+", replacement=r"\1")
    arr = pc.replace_substring_regex(arr, pattern=r"(\d:\d{1,2}(?::\d{1,2})?)\s*(?:z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?)$",
                                     replacement=r"\1")
    arr = pc.replace_substring_regex(arr, pattern="[年月/.]", replacement="-")
    arr = pc.replace_substring_regex(arr, pattern="[日号]", replacement="")
    arr = pc.replace_substring_regex(arr, pattern=r"(\d)时(\d{1,2})分(?:(\d{1,2})秒)?", replacement=r"\1:\2:\3")
    arr = pc.replace_substring_regex(arr, pattern=":$", replacement="")
    arr = pc.replace_substring_regex(arr, pattern=r"^(\d{4})(\d{2})(\d{2})$", replacement=r"\1-\2-\3")  # 20190305
    arr = pc.replace_substring_regex(arr, pattern=_PY_SPACE, replacement=" ")
    return from_arrow(arr, s.index, s.name).str.strip()


def parse_dates(values: pd.Series, formats: list[str] | None = None) -> pd.Series:
    """Dates at day precision from every common form: ISO, slashes, dots, 2019年3月5日,
    with times, compact 20190305, Excel serial numbers (days since 1899-12-30), full-width
    digits. ``formats`` (``strptime``) are tried first. Unreadable values give NaT; see
    :func:`date_problems` for why.
    """
    # Normalize the distinct raw values only (normalize_text works value by value), then
    # parse the distinct normalized ones.
    raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=True)
    norm_codes, uniques = pd.factorize(normalize_text(pd.Series(raw_uniques, dtype="str")), use_na_sentinel=True)
    codes = np.where(raw_codes >= 0, norm_codes[np.maximum(raw_codes, 0)] if len(norm_codes) else -1, -1)
    u = pd.Series(uniques, dtype="str")
    out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    for fmt in formats or []:
        todo = out.isna()
        out[todo] = _within_ns(pd.to_datetime(u[todo], format=fmt, errors="coerce"))
    todo = out.isna()
    # Excel serial numbers (\p{Nd}: Python's \d in str, as before; RE2, not Python per value).
    serial = todo & pc.match_substring_regex(to_arrow(u), r"^\p{Nd}{5}(?:\.\p{Nd}+)?$").to_numpy(zero_copy_only=False)
    days = pd.to_numeric(u.where(serial), errors="coerce")
    out[serial] = _EXCEL_EPOCH + pd.to_timedelta(np.floor(days[serial]), unit="D")
    todo = out.isna() & ~serial
    ymd = _ymd(_normalize_date_text(u.where(todo)))
    ok = todo & ymd.notna().all(axis=1)
    if ok.any():
        out[ok] = _within_ns(pd.to_datetime(ymd[ok], errors="coerce"))
    out = out.dt.floor("D")
    result = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = codes >= 0
    result[present] = out.to_numpy()[codes[present]]
    return pd.Series(result, index=values.index, name=values.name)


# _ISO in RE2 (pyarrow), with named groups for the day: \p{Nd} is what Python's \d matches
# in str (every Unicode decimal digit), so the same values match.
_ISO_RE2 = (r"^(?P<year>\p{Nd}{4})-(?P<month>\p{Nd}{1,2})-(?P<day>\p{Nd}{1,2})"
            r"(?:[ t]*\p{Nd}{1,2}:\p{Nd}{1,2}(?::\p{Nd}{1,2}(?:\.\p{Nd}+)?)?)?\n?$")  # Python's $ also matches before a last \n


def _ymd(text: pd.Series) -> pd.DataFrame:
    """Year, month and day (floats, NaN where :data:`_ISO` does not match or a part is not
    an ASCII number) of normalized date text, in Arrow: one RE2 pass, no Python per value.

    >>> _ymd(pd.Series(["2019-3-5 14:2", "2019-3-5", "x", None], dtype="str")).values.tolist()
    [[2019.0, 3.0, 5.0], [2019.0, 3.0, 5.0], [nan, nan, nan], [nan, nan, nan]]
    """
    parts = pc.extract_regex(to_arrow(text), _ISO_RE2)
    cols = {}
    for name in ("year", "month", "day"):
        v = pc.struct_field(parts, name)
        # A digit outside ASCII matches \p{Nd} but is no number to pandas (NaN before): the same here.
        v = pc.if_else(pc.string_is_ascii(v), v, pa.scalar(None, v.type))
        cols[name] = pc.fill_null(pc.cast(v, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    return pd.DataFrame(cols, index=text.index)


def _within_ns(parsed: pd.Series) -> pd.Series:
    """Dates as nanosecond timestamps; a year outside 1800–2200 (9999-12-31, 0001-01-01)
    is moved to that edge, so that it is rejected as ``date_out_of_range`` instead of
    overflowing the nanosecond range."""
    a = parsed.to_numpy(dtype="datetime64[s]").copy()
    ok = ~np.isnat(a)
    a[ok] = np.minimum(np.maximum(a[ok], np.datetime64("1800-01-01", "s")), np.datetime64("2200-01-01", "s"))
    return pd.Series(a.astype("datetime64[ns]"), index=parsed.index)


def date_problems(raw: pd.Series, parsed: pd.Series, *, today: pd.Timestamp | None = None) -> pd.Series:
    """Reason per row: ``missing_date`` (blank), ``invalid_date`` (unreadable) or
    ``date_out_of_range`` (before 1990 or after ``today``); NA when fine.

    >>> raw = pd.Series(["", "x", "1985-01-01", "2019-01-01"])
    >>> date_problems(raw, parse_dates(raw), today=pd.Timestamp("2020-01-01")).tolist()
    ['missing_date', 'invalid_date', 'date_out_of_range', nan]
    """
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    blank = blank_text(raw)
    out = pd.Series(np.nan, index=raw.index, dtype="object")
    out[parsed.isna() & ~blank] = "invalid_date"
    out[blank] = "missing_date"
    out[parsed.notna() & ((parsed < MIN_DATE) | (parsed > today))] = "date_out_of_range"
    return out.astype("str")


#: More persons than this on one item is not plausible (a collective visit of thousands is
#: registered as several batches): such a value is rejected as ``invalid_persons``.
MAX_PERSONS = schema.MAX_PERSONS


def parse_persons(values: pd.Series, channel: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """(persons, invalid mask). Whole numbers from 1 to :data:`MAX_PERSONS` (``3``, ``3.0``,
    ``３人``) are kept; a blank means 1 except on a visit (来访), where it is invalid; zero,
    negative, fractional, non-numeric values and values above 10,000 are invalid. Numbers
    are read as floats first, so 4294967297 is rejected, never wrapped to 1.

    >>> p, bad = parse_persons(pd.Series(["3", "３人", "", "", "0", "若干"]),
    ...                        pd.Series(["visit", "visit", "letter", "visit", "visit", "visit"]))
    >>> p.tolist(), bad.tolist()
    ([3, 3, 1, 1, 1, 1], [False, False, False, True, True, True])
    """
    text = fold_words(values).fillna("")
    n = on_uniques(text, lambda u: pd.to_numeric(u.str.extract(r"^(-?[0-9]+(?:\.0+)?)人?$", expand=False), errors="coerce"))
    n = pd.to_numeric(n, errors="coerce").astype("float64")
    blank = text.eq("")
    visit = channel.astype("str").eq("visit").fillna(False) if channel is not None else pd.Series(False, index=values.index)
    invalid = (~blank & (n.isna() | (n < 1) | (n > MAX_PERSONS))) | (blank & visit)
    out = n.where(~invalid & ~blank, 1).fillna(1).astype("int64")
    return out, invalid.astype(bool)


def parse_category(values: pd.Series, years: pd.Series, extra: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """(category code in use at the row's year, unknown mask). Labels go through the
    taxonomy's synonyms, then old labels used after 2018 are crosswalked forward
    (国土资源 in 2019 → ``natural_resources``). Unknown or blank labels become ``other``.

    >>> cat, unknown = parse_category(pd.Series(["国土资源", "国土资源", "城建类", "??"]),
    ...                               pd.Series([2017, 2019, 2019, 2019]))
    >>> cat.tolist(), unknown.tolist()
    (['land_resources', 'natural_resources', 'urban_rural_construction', 'other'], [False, False, False, True])
    """
    def to_codes(u: pd.Series) -> pd.Series:
        text = normalize_text(u)
        codes = taxonomy.lookup_series(text)
        if extra:
            user = text.map({k.strip(): v for k, v in extra.items()})
            codes = user.where(user.notna(), codes).astype("str")
        return codes.astype("str")

    codes = on_uniques(values.astype("str"), to_codes)  # distinct labels only
    unknown = codes.isna()
    codes = codes.fillna("other")
    # The code in use depends on (code, year) only: map each distinct pair once.
    cat = codes.astype("category")
    pair = cat.cat.codes.to_numpy().astype(np.int64) * 10_000 + np.asarray(years, dtype=np.int64)
    ids, pairs = pd.factorize(pair)
    in_use = taxonomy.codes_in_use_series(pd.Series(cat.cat.categories.take(pairs // 10_000), dtype="str"),
                                          pd.Series(pairs % 10_000)).astype("str")
    return from_arrow(to_arrow(in_use).take(pa.array(ids)), values.index, values.name), unknown


def parse_subcategory(values: pd.Series, extra: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """(subcategory code or NA, unknown mask: a non-blank label the taxonomy lacks)."""
    def to_codes(u: pd.Series) -> pd.Series:
        text = normalize_text(u)
        codes = taxonomy.lookup_series(text, level=2)
        if extra:
            user = text.map({k.strip(): v for k, v in extra.items()})
            codes = user.where(user.notna(), codes).astype("str")
        return codes.astype("str")

    codes = on_uniques(values.astype("str"), to_codes)
    blank = on_uniques(values.astype("str").fillna(""), lambda u: normalize_text(u).eq(""))
    unknown = codes.isna() & ~blank
    return codes, unknown
