"""Messy raw exports (登记台账) made from clean canonical rows, with the expected cleaning
outcome.

Real registers arrive as Excel or CSV exports of a case system: Chinese headers, a title
row above the header, a 合计 (total) row at the bottom, dates in every form, synonyms,
old category labels, duplicated rows, names, ID numbers and phone numbers. This module
makes such exports from a clean table (usually :func:`petition_analysis.synth.generate`)
and records exactly what a correct cleaner must do with them: which rows it must reject,
for which reason (:data:`petition_analysis.ingest.reasons.REJECT_REASONS`), and which canonical
rows it must produce.

Everything is vectorized: loops run over formats, labels and sheets, never over rows.
The same arguments always give the same export.

>>> from petition_analysis import synth
>>> clean = synth.generate(2019, 2019).data.head(200)
>>> mx = make_messy_export(clean, seed=1)
>>> len(mx.raw) == len(mx.expected_clean) + int(mx.reasons.notna().sum())
True
>>> "登记日期" in mx.raw.columns
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..ingest import derive
from .. import schema, taxonomy
from ..ingest.export import write_csv
from ..ingest.privacy import identity_key, pseudonymize
from ..ingest.reasons import REJECT_REASONS

__all__ = [
    "RAW_COLUMNS",
    "BOARD_COLUMNS",
    "SAMPLE_PSEUDONYM_KEY",
    "ExpectedOutcome",
    "MessyExport",
    "make_messy_export",
    "make_message_board",
    "write_raw_samples",
]

#: Headers of a register export, in the order a case system writes them.
RAW_COLUMNS = (
    "编号", "登记日期", "信访形式", "人数", "到达层级", "是否越级", "问题属地", "问题分类", "二级分类",
    "信访人", "身份证号", "联系电话", "住址", "初重件", "领导接访", "办理状态", "受理日期", "办结日期",
    "是否延期", "满意度", "诉求",
)
#: Columns that carry personal data in a register export.
PERSON_COLUMNS = ("信访人", "身份证号", "联系电话", "住址")
#: Headers of a message-board (网上留言) export.
BOARD_COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类")
#: Key of the petitioner pseudonyms in the bundled ``data/raw`` samples (documented, not secret:
#: the data is fictional).
SAMPLE_PSEUDONYM_KEY = "xx-city-raw-samples"
#: The three-line mapping file that cleans the message-board export (see docs/mapping.md).
BOARD_MAPPING_YAML = (
    "columns: {留言用户: account}\n"
    "constants: {channel: online, level: city, region: XX市}\n"
)

# zh and en synonyms the exports use; the cleaner keeps its own dictionary, so tests catch a gap.
_CHANNEL_WORDS = {
    "letter": ["来信", "信件", "书信", "来信"],
    "visit": ["来访", "走访", "来访", "上访"],
    "online": ["网上信访", "网信", "网上投诉", "网络信访"],
    "phone": ["电话", "来电", "电话信访", "电话"],
}
_LEVEL_WORDS = {
    "county": ["到县", "县级", "县区级", "到县"],
    "city": ["到市", "市级", "到市", "市本级"],
    "province": ["赴省", "省级", "到省"],
    "national": ["进京", "国家级", "赴京"],
}
_STATUS_WORDS = {
    "registered": ["已登记", "待受理", "登记"],
    "accepted": ["已受理", "办理中", "受理"],
    "not_accepted": ["不予受理", "不受理"],
    "concluded": ["已办结", "办结", "已办结"],
}
_SATISFACTION_WORDS = {
    "satisfied": ["满意", "满意", "非常满意"],
    "basically_satisfied": ["基本满意"],
    "dissatisfied": ["不满意"],
    "not_evaluated": ["未评价", "", "未参评"],
}
_YES = ["是", "是", "√", "Y"]
_NO = ["否", "否", "", "N"]

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# Given-name characters that never occur in the generated summaries, so a planted name can
# only stand where the clean summary has [姓名].
_GIVEN = list("伟芳娜敏静秀英丽强磊洋艳勇杰娟涛超霞刚桂兰玉萍鹏辉玲燕琴云莲凤洁梅琳素荣斌波宁浩凯亮")
_ROADS = ["人民路", "建设路", "解放路", "和平街", "新华路", "朝阳路", "幸福巷", "光明街"]
_TITLE = "XX市信访局信访事项登记台账（{year}年）"
_NOTES = "注：本表由信访信息系统导出，数据截至{date}。"

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_EXCEL_EPOCH = np.datetime64("1899-12-30")


# --------------------------------------------------------------------------- results


@dataclass
class ExpectedOutcome:
    """What cleaning one written file must give.

    ``rejects`` has one row per raw row that must be rejected: ``sheet`` (``None`` for a
    CSV), ``source_row`` (as a spreadsheet shows it: the title is row 1, the header row 2),
    ``reason`` (a code of ``REJECT_REASONS``) and the raw ``case_id`` (``编号``). ``kept``
    lists the same for the rows that must be kept. ``rows_read`` counts every row below the
    header, total and notes rows included.
    """

    path: Path | None
    layout: str
    encoding: str | None
    rows_read: int
    rejects: pd.DataFrame
    kept: pd.DataFrame

    def write_rejects(self, path: str | Path) -> Path:
        """Write :attr:`rejects` as a UTF-8 CSV (``*.expected_rejects.csv``), through the
        formula-safe writer (a cell a spreadsheet would run gets a leading ``'``)."""
        return write_csv(self.rejects, Path(path), encoding="utf-8")


@dataclass
class MessyExport:
    """A messy export and its expected cleaning outcome.

    - ``raw``: the data rows as text (Chinese headers), in file order, blank rows included;
      no title, total or notes rows (the writers add those);
    - ``reasons``: aligned with ``raw``; the reject reason of each row, ``NA`` when it must
      be kept;
    - ``expected_clean``: the canonical rows a correct cleaner must produce (passes
      :func:`petition_analysis.validate`), in file order;
    - ``pii``: every planted name, ID number, phone number, e-mail and address, for privacy
      scans;
    - ``excel_dates``: aligned with ``raw``; the received date of rows whose date is an
      Excel serial number (written as a real date cell to xlsx), else ``NaT``.
    """

    raw: pd.DataFrame
    reasons: pd.Series
    expected_clean: pd.DataFrame
    pii: dict[str, list[str]]
    excel_dates: pd.Series
    quarter: pd.Series
    pseudonym_key: str
    title: str
    notes: str | None = None
    outcomes: list[ExpectedOutcome] = field(default_factory=list)

    # -- layouts ------------------------------------------------------------------
    def _total_row(self, rows: pd.DataFrame, reasons: pd.Series) -> list[str]:
        total = [""] * len(self.raw.columns)
        total[0] = "合计"
        if "人数" in self.raw.columns:
            persons = pd.to_numeric(rows.loc[reasons.isna(), "人数"].str.translate(_UNFULL), errors="coerce")
            total[list(self.raw.columns).index("人数")] = str(int(persons.fillna(1).sum()))
        return total

    def _block(self, mask: pd.Series, sheet: str | None) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """Rejects, kept rows and rows read for the rows in ``mask`` written as one table
        (title row 1, header row 2, data from row 3, then 合计 and the notes)."""
        idx = np.flatnonzero(mask.to_numpy())
        source_row = np.arange(len(idx)) + 3
        reasons = self.reasons.iloc[idx]
        case = self.raw["编号"].iloc[idx] if "编号" in self.raw else self.raw.iloc[idx, 0]
        frame = pd.DataFrame(
            {"sheet": sheet, "source_row": source_row, "reason": reasons.to_numpy(), "case_id": case.to_numpy()},
        )
        extra = [("total_row", "合计")] + ([("notes_row", "")] if self.notes else [])
        tail = pd.DataFrame(
            {
                "sheet": sheet,
                "source_row": len(idx) + 3 + np.arange(len(extra)),
                "reason": [r for r, _ in extra],
                "case_id": [c for _, c in extra],
            }
        )
        rejects = pd.concat([frame[frame["reason"].notna()], tail], ignore_index=True)
        kept = frame[frame["reason"].isna()].drop(columns="reason").reset_index(drop=True)
        return rejects, kept, len(idx) + len(extra)

    def expected_rejects(self, layout: str = "csv") -> pd.DataFrame:
        """Expected rejects for ``layout`` ``"csv"`` (one table) or ``"xlsx"`` (a sheet per
        quarter): columns ``sheet``, ``source_row``, ``reason``, ``case_id``."""
        return self._expected(layout)[0]

    def _expected(self, layout: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        if layout == "csv":
            return self._block(pd.Series(True, index=self.raw.index), None)
        if layout != "xlsx":
            raise ValueError(f"layout must be 'csv' or 'xlsx', not {layout!r}.")
        parts = [self._block(self.quarter == q, _sheet_name(q)) for q in sorted(self.quarter.unique())]
        rejects = pd.concat([p[0] for p in parts], ignore_index=True)
        kept = pd.concat([p[1] for p in parts], ignore_index=True)
        return rejects, kept, sum(p[2] for p in parts)

    # -- writers ------------------------------------------------------------------
    def write_csv(self, path: str | Path, encoding: str = "utf-8-sig") -> ExpectedOutcome:
        """Write one CSV table (title row, header, rows, 合计, notes) in ``encoding``
        (``"utf-8-sig"`` = UTF-8 with BOM, ``"utf-8"``, ``"gbk"``, ``"gb18030"``)."""
        path = Path(path)
        width = len(self.raw.columns)
        title = [self.title] + [""] * (width - 1)
        lines = [title, list(self.raw.columns)]
        body = self.raw.fillna("").astype(object).to_numpy().tolist()
        tail = [self._total_row(self.raw, self.reasons)]
        if self.notes:
            tail.append([self.notes] + [""] * (width - 1))
        table = pd.DataFrame(lines + body + tail)
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, header=False, index=False, encoding=encoding, lineterminator="\r\n")
        rejects, kept, read = self._expected("csv")
        out = ExpectedOutcome(path, "csv", encoding, read, rejects, kept)
        self.outcomes.append(out)
        return out

    def write_xlsx(self, path: str | Path) -> ExpectedOutcome:
        """Write an xlsx workbook with one sheet per quarter (2019Q1 …), each with its own
        merged title row, header, rows and 合计 row. Excel-serial dates become real date
        cells; whole numbers of persons become number cells."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        cols = list(self.raw.columns)
        with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd", date_format="yyyy-mm-dd") as xw:
            book = xw.book
            # A fixed creation time keeps the file byte-identical between runs.
            book.set_properties({"created": dt.datetime(2020, 1, 1)})
            title_fmt = book.add_format({"bold": True, "align": "center", "font_size": 14})
            for q in sorted(self.quarter.unique()):
                mask = (self.quarter == q).to_numpy()
                rows = self.raw[mask].copy()
                reasons = self.reasons[mask]
                cells = rows.astype(object).where(rows != "", None)
                if "登记日期" in cols:
                    excel = self.excel_dates[mask]
                    cells["登记日期"] = cells["登记日期"].where(excel.isna(), excel.dt.to_pydatetime().astype(object))
                if "人数" in cols:
                    plain = rows["人数"].str.fullmatch(r"[1-9][0-9]*")
                    cells["人数"] = cells["人数"].where(~plain, pd.to_numeric(rows["人数"].where(plain), errors="coerce"))
                total = self._total_row(rows, reasons)
                tail = [total] + ([[self.notes] + [None] * (len(cols) - 1)] if self.notes else [])
                tail_frame = pd.DataFrame(tail, columns=cols).astype(object)
                tail_frame = tail_frame.where(tail_frame != "", None)
                table = pd.concat([cells, tail_frame], ignore_index=True)
                if "人数" in cols:
                    table.loc[len(cells), "人数"] = int(total[cols.index("人数")])
                name = _sheet_name(q)
                table.to_excel(xw, sheet_name=name, startrow=1, index=False)
                sheet = xw.sheets[name]
                sheet.merge_range(0, 0, 0, len(cols) - 1, self.title.replace("年）", f"年第{q % 10}季度）"), title_fmt)
        rejects, kept, read = self._expected("xlsx")
        out = ExpectedOutcome(path, "xlsx", None, read, rejects, kept)
        self.outcomes.append(out)
        return out


_UNFULL = str.maketrans("０１２３４５６７８９", "0123456789")


def _sheet_name(q: int) -> str:
    return f"{q // 10}Q{q % 10}"


# --------------------------------------------------------------------------- helpers


def _pick(rng: np.random.Generator, codes: pd.Series, words: dict[str, list[str]]) -> pd.Series:
    """For each code, one of its words at random (a loop over codes, not rows)."""
    out = pd.Series("", index=codes.index, dtype=object)
    u = rng.random(len(codes))
    codes = codes.astype("str")
    for code, options in words.items():
        m = (codes == code).to_numpy()
        if m.any():
            out[m] = np.asarray(options, dtype=object)[(u[m] * len(options)).astype(int)]
    return out


def _flag(rng: np.random.Generator, values: pd.Series) -> pd.Series:
    u = (rng.random(len(values)) * len(_YES)).astype(int)
    yes = np.asarray(_YES, dtype=object)[u]
    no = np.asarray(_NO, dtype=object)[u]
    return pd.Series(np.where(values.to_numpy(dtype=bool), yes, no), index=values.index, dtype=object)


def _ymd(d: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    # Int64 first: with NaT present the parts are floats, which would print as "2019.0".
    return tuple(getattr(d.dt, p).astype("Int64").astype("str") for p in ("year", "month", "day"))


def format_dates(dates: pd.Series, kinds: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Format ``dates`` in the form given per row by ``kinds``:

    0 ``2019-03-05``, 1 ``2019/3/5``, 2 ``2019年3月5日``, 3 ``2019-03-05 14:23:07``,
    4 ``2019/3/5 9:05``, 5 an Excel serial number (``43529``), 6 ``2019.03.05``,
    7 ``20190305``. Missing dates give ``""``.
    """
    y, m, d = _ymd(dates)
    iso = dates.dt.strftime("%Y-%m-%d")
    secs = pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, size=len(dates)), unit="s")
    with_time = dates + secs
    forms = {
        0: iso,
        1: y + "/" + m + "/" + d,
        2: y + "年" + m + "月" + d + "日",
        3: with_time.dt.strftime("%Y-%m-%d %H:%M:%S"),
        4: y + "/" + m + "/" + d + " " + with_time.dt.hour.astype("Int64").astype("str") + ":" + with_time.dt.strftime("%M"),
        5: ((dates.to_numpy().astype("datetime64[D]") - _EXCEL_EPOCH).astype(np.int64)).astype(str),
        6: dates.dt.strftime("%Y.%m.%d"),
        7: dates.dt.strftime("%Y%m%d"),
    }
    out = pd.Series("", index=dates.index, dtype=object)
    for k, values in forms.items():
        sel = (kinds == k) & dates.notna().to_numpy()
        out[sel] = np.asarray(values, dtype=object)[sel]
    return out


def _id_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 18-digit ID numbers (身份证号) with a valid check digit and the
    obviously fake area code 99xxxx."""
    k = np.arange(n)
    area = 990000 + (k // 1000) % 10000
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 50, size=n).astype("timedelta64[D]")
    birth_s = pd.Series(birth).dt.strftime("%Y%m%d").to_numpy().astype(str)
    seq = k % 1000
    body = np.char.add(np.char.add(area.astype(str), birth_s), np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode("ascii"), dtype=np.uint8).reshape(n, 17) - ord("0")
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.asarray(list("10X98765432"))[(digits * weights).sum(axis=1) % 11]
    return np.char.add(body, check).astype(object)


def id_checksum_ok(id_number: str) -> bool:
    """Whether an 18-digit ID number's last character is its ISO 7064 check digit.

    >>> id_checksum_ok("11010519491231002X")
    True
    """
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(id_number[:17], weights))
    return "10X98765432"[total % 11] == id_number[17].upper()


def _identities(rng: np.random.Generator, petitioners: np.ndarray, regions: np.ndarray, id_share: float) -> pd.DataFrame:
    """One consistent fake identity per petitioner: name, ID number (blank for about
    ``1 - id_share`` of them), mobile number, e-mail and address."""
    n = len(petitioners)
    k = np.arange(n)
    surname = np.asarray(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), size=n)]
    g1 = np.asarray(_GIVEN, dtype=object)[rng.integers(0, len(_GIVEN), size=n)]
    g2 = np.asarray(_GIVEN, dtype=object)[rng.integers(0, len(_GIVEN), size=n)]
    given = np.where(rng.random(n) < 0.6, g1 + g2, g1)
    prefix = np.asarray(["13", "15", "18"], dtype=object)[k % 3]
    # 7919 is coprime with 10**9, so the nine digits are distinct for distinct k // 3.
    tail = np.char.zfill((((k // 3) * 7919 + 104729) % 10**9).astype(str), 9).astype(object)
    ids = _id_numbers(rng, n)
    has_id = rng.random(n) < id_share
    road = np.asarray(_ROADS, dtype=object)[rng.integers(0, len(_ROADS), size=n)]
    number = rng.integers(1, 300, size=n).astype(str).astype(object)
    return pd.DataFrame(
        {
            "petitioner": petitioners,
            "name": surname + given,
            "id_number": ids,
            "has_id": has_id,
            "phone": prefix + tail,
            "email": np.char.add(np.char.add("user", k.astype(str)), "@example.com").astype(object),
            "address": "XX市" + regions + road + number + "号",
        }
    )


def _phone_styles(rng: np.random.Generator, phones: pd.Series) -> pd.Series:
    """Phones as registers write them: plain, ``139 1234 5678`` or ``139-1234-5678``."""
    s = phones.astype("str")
    spaced = s.str[:3] + " " + s.str[3:7] + " " + s.str[7:]
    dashed = s.str[:3] + "-" + s.str[3:7] + "-" + s.str[7:]
    u = rng.random(len(s))
    out = s.where(u < 0.8, spaced.where(u < 0.9, dashed))
    return out.where(phones.notna(), "").astype(object)


def _fill_tokens(summary: pd.Series, values: dict[str, pd.Series]) -> pd.Series:
    """Put each row's own name / ID / phone / e-mail where the clean summary has a token."""
    text = summary.fillna("").astype(str).to_numpy(dtype=np.dtypes.StringDType())
    for token, repl in values.items():
        r = repl.fillna("").astype(str).to_numpy(dtype=np.dtypes.StringDType())
        text = np.strings.replace(text, token, r)
    out = pd.Series(text.astype(object), index=summary.index)
    return out.where(summary.notna(), "")


def _category_words() -> dict[str, dict[str, list[str]]]:
    """For each code: the labels that mean it (zh, synonyms, zh + 类), checked through
    :func:`taxonomy.lookup` so that every planted label is one the taxonomy knows."""
    table = taxonomy.load_taxonomy()
    out: dict[str, dict[str, list[str]]] = {}
    for row in table.itertuples():
        cands = [row.zh, row.zh, row.zh + "类"] + [s for s in row.synonyms.split("|") if s and not s.isascii()]
        level = int(row.level)
        ok = [c for c in cands if taxonomy.lookup(c, level=level) == row.code]
        out.setdefault(level, {})[row.code] = ok or [row.zh]
    return out


# --------------------------------------------------------------------------- makers


def make_messy_export(
    clean: pd.DataFrame,
    *,
    seed: int = 0,
    pseudonym_key: str = SAMPLE_PSEUDONYM_KEY,
    invalid_share: float = 0.03,
    duplicate_share: float = 0.01,
    duplicate_case_ids: int = 2,
    blank_rows: int = 2,
    id_share: float = 0.85,
    old_label_share: float = 0.3,
    full_width_share: float = 0.05,
    notes: bool = True,
    title: str | None = None,
) -> MessyExport:
    """Turn canonical rows into a messy register export with its expected outcome.

    ``clean`` is a canonical table (e.g. ``generate(...).data`` or a slice of it). About
    ``invalid_share`` of its rows are corrupted, one defect each (missing / invalid /
    impossible date, persons 0 / negative / not a number, unknown channel or level, no
    region) and must be rejected; about ``duplicate_share`` are copied exactly (the copy is
    rejected as ``duplicate``); ``duplicate_case_ids`` rows reuse an earlier 编号 with
    different content; ``blank_rows`` empty rows are scattered in. Every other row must
    clean back to its clean row, with ``petitioner_id`` recomputed as
    ``pseudonymize(identity_key(ID number, else name + phone), pseudonym_key)``.

    >>> from petition_analysis import synth
    >>> mx = make_messy_export(synth.generate(2019, 2019).data.head(300), seed=3)
    >>> set(mx.reasons.dropna()) <= set(REJECT_REASONS)
    True
    """
    if clean.empty:
        raise ValueError("make_messy_export needs at least one clean row.")
    rng = np.random.default_rng([seed, len(clean), 7])
    src = clean.reset_index(drop=True)
    n = len(src)
    dates = src["received_date"]
    years = dates.dt.year

    # -- fake identities, one per petitioner ---------------------------------------
    pid = src["petitioner_id"].astype("str")
    uniq = np.sort(pid.dropna().unique().astype(str))
    first_region = src.dropna(subset=["petitioner_id"]).drop_duplicates("petitioner_id").set_index("petitioner_id")["region"]
    ident = _identities(rng, uniq, first_region.reindex(uniq).astype(str).to_numpy(dtype=object), id_share)
    ident = ident.set_index("petitioner")
    person = ident.reindex(pid.to_numpy())
    person.index = src.index
    name, phone = person["name"], person["phone"]
    id_col = person["id_number"].where(person["has_id"].fillna(False).astype(bool))

    # -- the raw table ---------------------------------------------------------------
    kinds = rng.choice(8, size=n, p=[0.30, 0.20, 0.15, 0.10, 0.05, 0.10, 0.05, 0.05])
    raw = pd.DataFrame(index=src.index)
    raw["编号"] = src["case_id"].astype(object)
    raw["登记日期"] = format_dates(dates, kinds, rng)
    raw["信访形式"] = _pick(rng, src["channel"], _CHANNEL_WORDS)
    persons = src["persons"].astype(str).astype(object)
    blank_persons = (src["channel"].astype(str) != "visit").to_numpy() & (src["persons"] == 1).to_numpy() & (rng.random(n) < 0.3)
    raw["人数"] = persons.where(~blank_persons, "")
    raw["到达层级"] = _pick(rng, src["level"], _LEVEL_WORDS)
    raw["是否越级"] = _flag(rng, src["is_leapfrog"])
    raw["问题属地"] = src["region"].astype(str).astype(object)
    raw["问题分类"] = _category_labels(rng, src, years, old_label_share)
    words = _category_words()
    sub = src["subcategory"].astype("str")
    raw["二级分类"] = _pick(rng, sub.fillna(""), words[2]).where(sub.notna(), "")
    raw["信访人"] = name.where(name.notna(), "").astype(object)
    raw["身份证号"] = id_col.where(id_col.notna(), "").astype(object)
    raw["联系电话"] = _phone_styles(rng, phone)
    raw["住址"] = person["address"].where(person["address"].notna(), "").astype(object)
    raw["初重件"] = np.where(src["is_repeat"].to_numpy(), "重", "初").astype(object)
    raw["领导接访"] = _flag(rng, src["leader_received"])
    raw["办理状态"] = _pick(rng, src["status"], _STATUS_WORDS)
    for col, zh in (("accepted_date", "受理日期"), ("concluded_date", "办结日期")):
        raw[zh] = format_dates(src[col], rng.choice([0, 1, 2], size=n), rng)
    raw["是否延期"] = _flag(rng, src["extended"])
    raw["满意度"] = _pick(rng, src["satisfaction"], _SATISFACTION_WORDS)
    raw["诉求"] = _fill_tokens(
        src["summary"],
        {"[姓名]": name, "[电话]": phone, "[证件号]": person["id_number"], "[邮箱]": person["email"]},
    )
    # Full-width digits in some dates and persons (the cleaner folds them with NFKC).
    full_width = {}
    for col in ("登记日期", "人数"):
        fw = rng.random(n) < full_width_share
        raw.loc[fw, col] = raw.loc[fw, col].astype(str).str.translate(_FULL_WIDTH)
        full_width[col] = fw
    # Serial-number dates become real date cells in xlsx (unless written full-width).
    excel = dates.where((kinds == 5) & ~full_width["登记日期"])

    # -- defects: one per corrupted row, never on the first row -----------------------
    reasons = pd.Series(pd.NA, index=src.index, dtype=object)
    n_bad = int(round(invalid_share * n))
    bad = np.sort(rng.choice(np.arange(1, n), size=min(n_bad, n - 1), replace=False)) if n > 1 else np.array([], int)
    defects = _defects()
    which = rng.integers(0, len(defects), size=len(bad))
    for j, (reason, column, values) in enumerate(defects):
        rows = bad[which == j]
        if len(rows) == 0:
            continue
        raw.loc[rows, column] = np.asarray(values, dtype=object)[rng.integers(0, len(values), size=len(rows))]
        reasons[rows] = reason
    excel[bad[np.isin(which, [j for j, d in enumerate(defects) if d[1] == "登记日期"])]] = pd.NaT
    # Persons defects on a blank-persons row still need a value: they overwrite it above.

    expected = src[reasons.isna().to_numpy()].copy()
    valid_pos = np.flatnonzero(reasons.isna().to_numpy())

    # -- duplicates: exact copies, and reused case numbers with other content ----------
    n_dup = int(round(duplicate_share * n))
    dup_src = np.sort(rng.choice(valid_pos, size=min(n_dup, len(valid_pos)), replace=False))
    reuse_src = np.sort(rng.choice(np.setdiff1d(valid_pos, dup_src), size=min(duplicate_case_ids, max(len(valid_pos) - len(dup_src), 0)), replace=False))
    copies = raw.loc[dup_src].copy()
    reused = raw.loc[reuse_src].copy()
    reused["诉求"] = reused["诉求"].astype(str) + "（补充材料）"
    order_key = np.concatenate([np.arange(n, dtype=float), dup_src + 0.5, reuse_src + 0.6 + rng.integers(1, 5, size=len(reuse_src))])
    blank_at = rng.uniform(1, n, size=blank_rows)
    blank = pd.DataFrame("", index=range(blank_rows), columns=raw.columns, dtype=object)
    order_key = np.concatenate([order_key, blank_at])
    all_rows = pd.concat([raw, copies, reused, blank], ignore_index=True)
    all_reasons = pd.concat(
        [reasons, pd.Series("duplicate", index=range(len(copies)), dtype=object),
         pd.Series("duplicate_case_id", index=range(len(reused)), dtype=object),
         pd.Series("blank_row", index=range(blank_rows), dtype=object)],
        ignore_index=True,
    )
    all_excel = pd.concat([excel, excel[dup_src], excel[reuse_src], pd.Series(pd.NaT, index=range(blank_rows), dtype="datetime64[ns]")], ignore_index=True)
    origin_dates = pd.concat([dates, dates[dup_src], dates[reuse_src], dates.iloc[np.minimum(blank_at.astype(int), n - 1)]], ignore_index=True)
    order = np.argsort(order_key, kind="stable")
    all_rows = all_rows.iloc[order].reset_index(drop=True)
    all_reasons = all_reasons.iloc[order].reset_index(drop=True)
    all_excel = all_excel.iloc[order].reset_index(drop=True)
    origin_dates = origin_dates.iloc[order].reset_index(drop=True)
    quarter = (origin_dates.dt.year * 10 + origin_dates.dt.quarter).astype(int)

    # -- expected canonical rows --------------------------------------------------------
    exp_id, exp_name, exp_phone = (
        raw.loc[valid_pos, c].astype("str").where(lambda s: s != "") for c in ("身份证号", "信访人", "联系电话")
    )
    expected["petitioner_id"] = pseudonymize(identity_key(exp_id, exp_name, exp_phone), pseudonym_key).to_numpy()
    expected = schema.coerce(expected)
    expected["is_collective"] = derive.flag_collective(expected)
    expected["is_repeat"] = derive.flag_repeats(expected, source_flag=expected["is_repeat"])
    expected = expected.reset_index(drop=True)
    schema.validate(expected)

    pii = {
        "names": sorted(set(name.dropna())),
        "id_numbers": sorted(set(person["id_number"].dropna())),
        "phones": sorted(set(phone.dropna())),
        "emails": sorted(set(person["email"].dropna())),
        "addresses": sorted(set(person["address"].dropna())),
    }
    year = int(years.mode().iloc[0])
    last = dates.max().strftime("%Y年%m月%d日")
    return MessyExport(
        raw=all_rows,
        reasons=all_reasons,
        expected_clean=expected,
        pii=pii,
        excel_dates=pd.to_datetime(all_excel),
        quarter=quarter,
        pseudonym_key=pseudonym_key,
        title=title or _TITLE.format(year=year),
        notes=_NOTES.format(date=last) if notes else None,
    )


def _category_labels(rng: np.random.Generator, src: pd.DataFrame, years: pd.Series, old_label_share: float) -> pd.Series:
    """Category labels as a register writes them: zh label, a synonym or zh + 类; on rows
    after 2018, sometimes the pre-reform label (国土资源 for 自然资源), which a cleaner must
    crosswalk forward to the code in use."""
    words = _category_words()[1]
    codes = src["category"].astype("str")
    reverse = taxonomy._reverse_crosswalk()
    old = codes.map(reverse)
    use_old = old.notna() & (rng.random(len(codes)) < old_label_share)
    label_codes = old.where(use_old, codes)
    return _pick(rng, label_codes, words)


#: A received date after any plausible extraction day. Fixed, never taken from the clock:
#: generated files must be the same bytes whatever day they are written on.
FUTURE_DATE = "2090-06-30"


def _defects() -> list[tuple[str, str, list[str]]]:
    """(reason, column, raw values) of each planted defect."""
    return [
        ("missing_date", "登记日期", [""]),
        ("invalid_date", "登记日期", ["2019-13-45", "不详", "2019年2月30日", "待补"]),
        ("date_out_of_range", "登记日期", ["2099-01-01", "1985-03-05", FUTURE_DATE]),
        ("invalid_persons", "人数", ["0", "-2", "若干", "两人"]),
        ("invalid_channel", "信访形式", ["不详", "传真件", "其他渠道"]),
        ("invalid_level", "到达层级", ["不详", "乡镇街道"]),
        ("missing_region", "问题属地", [""]),
    ]


def make_message_board(
    clean: pd.DataFrame,
    *,
    seed: int = 0,
    pseudonym_key: str = SAMPLE_PSEUDONYM_KEY,
    region: str = "XX市",
) -> MessyExport:
    """A message-board (网上留言) export: 留言编号, 留言用户, 留言主题, 留言时间, 留言详情,
    一级分类 with old-style labels (劳动和社会保障, 城乡建设, 教育文体, 卫生计生, 交通运输,
    商贸旅游, 环境保护 …). Every row must be kept when cleaned with
    :data:`BOARD_MAPPING_YAML`. Phone numbers, ID numbers and e-mails stand in the details
    where the clean summary has tokens; user handles stand for the petitioner.

    >>> from petition_analysis import synth
    >>> mb = make_message_board(synth.generate(2019, 2019).data.head(50), seed=1)
    >>> list(mb.raw.columns) == list(BOARD_COLUMNS)
    True
    """
    rng = np.random.default_rng([seed, len(clean), 11])
    src = clean.reset_index(drop=True).copy()
    n = len(src)
    pid = src["petitioner_id"].astype("str")
    uniq = np.sort(pid.dropna().unique().astype(str))
    ident = _identities(rng, uniq, np.full(len(uniq), "甲区", dtype=object), 1.0).set_index("petitioner")
    ident["handle"] = "网友" + pd.Series(uniq).str[:6].str.lower().to_numpy()
    person = ident.reindex(pid.to_numpy())
    person.index = src.index
    handle = person["handle"].where(person["handle"].notna(), "")  # anonymous: no user
    when = src["received_date"] + pd.to_timedelta(rng.integers(0, 86400, size=n), unit="s")
    reverse = taxonomy._reverse_crosswalk()
    codes = src["category"].astype("str")
    label_code = codes.map(reverse).fillna(codes)
    labels = label_code.map(taxonomy.labels("zh"))
    summary = src["summary"].str.replace("[姓名]", "本人", regex=False)
    details = _fill_tokens(summary, {"[电话]": person["phone"], "[证件号]": person["id_number"], "[邮箱]": person["email"]})
    raw = pd.DataFrame(
        {
            "留言编号": "LY" + src["case_id"].str[2:],
            "留言用户": handle.astype(object),
            "留言主题": src["summary"].str.extract(r"反映(.*?)，", expand=False).fillna("咨询").astype(object),
            "留言时间": when.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object),
            "留言详情": details,
            "一级分类": labels.astype(object),
        }
    )
    expected = pd.DataFrame(
        {
            "case_id": raw["留言编号"].astype("str"),
            "received_date": src["received_date"],
            "channel": "online",
            "persons": 1,
            "level": "city",
            "region": region,
            "category": taxonomy.codes_in_use_series(label_code, src["received_date"].dt.year),
            "subcategory": pd.Series(None, index=src.index, dtype=object),
            "is_leapfrog": False,
            "is_collective": False,
            "is_repeat": False,
            "leader_received": False,
            "petitioner_id": pseudonymize(("acct:" + person["handle"]).astype("str"), pseudonym_key),
            "status": "registered",
            "accepted_date": pd.NaT,
            "concluded_date": pd.NaT,
            "extended": False,
            "satisfaction": "not_evaluated",
            "summary": summary,
        }
    )
    expected = schema.coerce(expected)
    expected["is_repeat"] = derive.flag_repeats(expected)
    schema.validate(expected)
    pii = {
        "names": [],
        "id_numbers": sorted(set(person["id_number"].dropna())),
        "phones": sorted(set(person["phone"].dropna())),
        "emails": sorted(set(person["email"].dropna())),
        "addresses": [],
    }
    return MessyExport(
        raw=raw,
        reasons=pd.Series(pd.NA, index=raw.index, dtype=object),
        expected_clean=expected,
        pii=pii,
        excel_dates=pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]"),
        quarter=(src["received_date"].dt.year * 10 + src["received_date"].dt.quarter).astype(int),
        pseudonym_key=pseudonym_key,
        title="",
        notes=None,
    )


def write_board_csv(board: MessyExport, path: str | Path, encoding: str = "utf-8") -> ExpectedOutcome:
    """Write a message-board export as a plain CSV (header on row 1, no title or totals)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    board.raw.to_csv(path, index=False, encoding=encoding)
    kept = pd.DataFrame({"sheet": None, "source_row": np.arange(len(board.raw)) + 2, "case_id": board.raw["留言编号"]})
    rejects = pd.DataFrame({"sheet": pd.Series([], dtype=object), "source_row": pd.Series([], dtype=int),
                            "reason": pd.Series([], dtype=object), "case_id": pd.Series([], dtype=object)})
    out = ExpectedOutcome(path, "csv", encoding, len(board.raw), rejects, kept)
    board.outcomes.append(out)
    return out


#: File names of the bundled samples in ``data/raw``.
SAMPLE_FILES = {
    "utf8": "xx_city_2019_register_utf8.csv",
    "gbk": "xx_city_2019_register_gbk.csv",
    "xlsx": "xx_city_2019_register_quarters.xlsx",
    "board": "xx_city_2019_message_board.csv",
    "board_mapping": "xx_city_2019_message_board.mapping.yaml",
}


def sample_rows(reference: pd.DataFrame, n: int, *, seed: int, year: int = 2019, channel: str | None = None) -> pd.DataFrame:
    """``n`` rows of ``year`` drawn deterministically from ``reference``, in case order."""
    pool = reference[reference["received_date"].dt.year == year]
    if channel is not None:
        pool = pool[pool["channel"].astype(str) == channel]
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(pool), size=min(n, len(pool)), replace=False))
    return pool.iloc[take].sort_values("case_id").reset_index(drop=True)


def write_raw_samples(reference: pd.DataFrame, out_dir: str | Path) -> dict[str, Path]:
    """Write small deterministic messy samples made from 2019 rows of ``reference`` into
    ``out_dir`` (``data/raw``): a UTF-8 CSV with BOM, a GBK CSV, a workbook with a sheet per
    quarter and a message-board CSV with its mapping file, each register with its expected
    rejects next to it (``*.expected_rejects.csv``). Pseudonyms use
    :data:`SAMPLE_PSEUDONYM_KEY`. Returns the paths written, by kind.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for kind, seed, n in (("utf8", 101, 300), ("gbk", 102, 300), ("xlsx", 103, 400)):
        rows = sample_rows(reference, n, seed=seed)
        mx = make_messy_export(rows, seed=seed, invalid_share=0.05, duplicate_share=0.02)
        path = out / SAMPLE_FILES[kind]
        if kind == "xlsx":
            outcome = mx.write_xlsx(path)
        else:
            outcome = mx.write_csv(path, encoding="utf-8-sig" if kind == "utf8" else "gbk")
        written[kind] = path
        written[f"{kind}_rejects"] = outcome.write_rejects(path.with_name(path.stem + ".expected_rejects.csv"))
    board = make_message_board(sample_rows(reference, 200, seed=104, channel="online"), seed=104)
    written["board"] = write_board_csv(board, out / SAMPLE_FILES["board"]).path
    mapping = out / SAMPLE_FILES["board_mapping"]
    mapping.write_text(BOARD_MAPPING_YAML, encoding="utf-8")
    written["board_mapping"] = mapping
    return written
