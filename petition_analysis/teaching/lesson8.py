"""Lesson 8: cleaning a messy register (清洗原始台账).

The exercises clean the bundled workbook ``data/raw/xx_city_2019_register_quarters.xlsx`` (one
sheet per quarter, title and total rows, dates in several forms, fake personal data); the
lesson works through the CSV export of the same kind.
"""

from __future__ import annotations

import functools

from .core import Exercise, Mistake

WORKBOOK = "xx_city_2019_register_quarters.xlsx"
NOT_ITEMS = ("total_row", "notes_row", "blank_row")


@functools.cache
def cleaned():
    """The workbook cleaned by ``pa.clean`` (pseudonyms do not affect any answer)."""
    from ..ingest.cleaning import clean
    from ..reference import data_dir

    return clean(data_dir() / "raw" / WORKBOOK, pseudonym_key="lesson-8")


def _reasons():
    return cleaned().rejects["reason"].astype("str").value_counts()


def _reason(*names: str) -> int:
    r = _reasons()
    return int(sum(r.get(n, 0) for n in names))


def _persons_at_least(n: int, visits_only: bool = True, strict: bool = False) -> int:
    d = cleaned().data
    big = d["persons"] > n if strict else d["persons"] >= n
    if visits_only:
        big &= d["channel"].astype("str") == "visit"
    return int(big.sum())


EXERCISES = [
    Exercise(
        "8.1", "number",
        {"zh": "用 pa.clean 清洗工作簿 data/raw/xx_city_2019_register_quarters.xlsx（四个工作表，每季度一张），得到多少条有效记录？",
         "en": "Clean the workbook data/raw/xx_city_2019_register_quarters.xlsx (four sheets, one per quarter) with "
               "pa.clean. How many clean rows do you get?"},
        expected=lambda: len(cleaned().data),
        explain={"zh": "读入的每一行不是进了有效数据，就是带着原因进了剔除表：读入 = 有效 + 剔除。",
                 "en": "Every row read ends up either in the clean data or in the rejects with a reason: read = clean + "
                       "rejected."},
        hint={"zh": "res = pa.clean(路径)，有效记录在 res.data 里。",
              "en": "res = pa.clean(path); the clean rows are in res.data."},
        mistakes=[
            Mistake("rows_read", lambda: cleaned().log.rows_read,
                    {"zh": "这是读入的总行数，其中包括合计行、备注行、重复行和无法使用的行。要看清洗后留下的。",
                     "en": "that is every row read, total, notes, duplicate and unusable rows included. Count what is left "
                           "after cleaning."}),
            Mistake("duplicates_kept", lambda: len(cleaned().data) + _reason("duplicate", "duplicate_case_id"),
                    {"zh": "你把重复登记的行也算进去了。同一事项登记两次只能算一件。",
                     "en": "you kept the duplicate rows. An item registered twice is still one item."}),
            Mistake("rejected", lambda: len(cleaned().rejects),
                    {"zh": "这是被剔除的行数。题目问的是留下来的有效记录。",
                     "en": "that is how many rows were rejected. The question asks for the clean rows."}),
        ],
    ),
    Exercise(
        "8.2", "number",
        {"zh": "被剔除的行中，有多少行根本不是信访事项（合计行、备注行和空行）？",
         "en": "Of the rejected rows, how many are not petition items at all (total, notes and blank rows)?"},
        expected=lambda: _reason(*NOT_ITEMS),
        explain={"zh": "这些行是表格的“装饰”，不是数据错误；真正需要回头核对的是其余被剔除的行。",
                 "en": "Those rows are the table's furniture, not errors in the data; the other rejects are the ones to "
                       "take back to the office."},
        hint={"zh": "看 res.rejects 的 reason 列：total_row、notes_row、blank_row。",
              "en": "Look at the reason column of res.rejects: total_row, notes_row, blank_row."},
        mistakes=[
            Mistake("totals_only", lambda: _reason("total_row"),
                    {"zh": "这只是合计行。还有备注行和空行也不是信访事项。",
                     "en": "that counts the total rows only. Notes rows and blank rows are not items either."}),
            Mistake("no_blank", lambda: _reason("total_row", "notes_row"),
                    {"zh": "还差空行：空行也被读入并剔除了。",
                     "en": "the blank rows are missing: they are read and rejected too."}),
            Mistake("all_rejected", lambda: len(cleaned().rejects),
                    {"zh": "这是全部被剔除的行，其中大部分是真正的信访事项，只是有错误（日期、人数、重复……）。",
                     "en": "that is every rejected row; most of them are real items with an error (a date, the persons, "
                           "a duplicate …)."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "8.3", "number",
        {"zh": "有多少行因完全重复（同一事项登记了两次）而被剔除？",
         "en": "How many rows were rejected as exact duplicates (the same item registered twice)?"},
        expected=lambda: _reason("duplicate"),
        explain={"zh": "完全重复的行只保留一行；编号重复但内容不同的行另有原因（duplicate_case_id），要人工核对。",
                 "en": "Exact copies keep one row; a case number reused with different contents has its own reason "
                       "(duplicate_case_id) and needs a person to look at it."},
        hint={"zh": "reason == 'duplicate' 的行数。", "en": "The rows whose reason is 'duplicate'."},
        mistakes=[
            Mistake("case_id", lambda: _reason("duplicate_case_id"),
                    {"zh": "这是编号重复但内容不同的行。完全重复是另一个原因。",
                     "en": "those reuse a case number with different contents. Exact copies have another reason."}),
            Mistake("both", lambda: _reason("duplicate", "duplicate_case_id"),
                    {"zh": "你把编号重复的行也算进去了。题目只问完全重复的。",
                     "en": "you added the reused case numbers. The question asks about exact copies only."}),
        ],
        leak_forms=lambda: [],
    ),
    Exercise(
        "8.4", "number",
        {"zh": "清洗后的数据中有多少批集体访（来访且人数不少于 5 人）？",
         "en": "How many collective visits (visits of 5 persons or more) are in the clean data?"},
        expected=lambda: int(cleaned().data["is_collective"].sum()),
        explain={"zh": "集体访只看来访，阈值是 5 人（含 5 人）；清洗时已据此生成 is_collective 列。",
                 "en": "Collective visits are visits only, with a threshold of 5 persons, 5 included; cleaning derives "
                       "is_collective from it."},
        hint={"zh": "is_collective 列，或 channel == 'visit' 且 persons >= 5。",
              "en": "The is_collective column, or channel == 'visit' and persons >= 5."},
        mistakes=[
            Mistake("all_channels", lambda: _persons_at_least(5, visits_only=False),
                    {"zh": "你把联名来信等其他渠道也算进去了。集体访只指来访。",
                     "en": "you counted other channels too, such as letters signed by several people. Collective "
                           "visits are visits only."}),
            Mistake("strict", lambda: _persons_at_least(5, strict=True),
                    {"zh": "你用的是“多于 5 人”。阈值是 5 人及以上。",
                     "en": "you used more than 5. The threshold is 5 persons or more."}),
        ],
        leak_forms=lambda: [],
    ),
]
