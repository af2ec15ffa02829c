"""A floor for the cleaning target: the core of the cleaning work written as one DuckDB SQL
query over the same 1M-row messy CSV, against the fastest read of the file as text in the
same round.

This is not a second implementation of ``clean()``; it does less than ``clean()`` does, on
purpose, so that its time is a lower bound for any implementation of the contract:

- read every cell as text (DuckDB's own CSV reader, both cores);
- an exact-duplicate check: a hash of every field of the row and its first occurrence;
- the three dates parsed from the formats the file uses (ISO, slashes, dots, Chinese
  year-month-day, compact digits, with or without a time; Excel serial numbers);
- the persons count (full-width digits folded);
- eleven label columns mapped to their codes through lookup tables built beforehand from
  the file's distinct values (not timed: the lookup is what every row pays for);
- keyed pseudonyms of the petitioner and of the case number as one SHA-256 each (an
  HMAC, which the contract asks for, is two);
- the free text masked: the row's own name, then e-mail, ID and phone numbers with the
  same RE2 patterns ``clean()`` uses, on the rows that may hold one (the same prefilter);
  without the name, address and Chinese-numeral passes and the second pass for adjacent
  numbers;
- the result fetched as an Arrow table, in whatever order the joins leave it (no pandas
  frame, no rejects table, no log, no schema check, no repeat linking, rows not put back
  in file order).

    python benchmarks/floor_clean.py [--repeat 3]

The ratio is the query's wall time over the fastest read (pyarrow) in the same round, as
``bench_clean`` measures ``clean()``; the median of the rounds is reported.
"""

from __future__ import annotations

import argparse
import statistics

from bench_clean import make_input, read_arrow, read_arrow_pandas
from common import isolated, save, table

ROWS = 1_000_000
LIMIT = 8

#: Label columns of the messy export and the lookup each goes through.
LABELS = ["信访形式", "到达层级", "是否越级", "问题属地", "问题分类", "二级分类", "初重件", "领导接访", "办理状态",
          "是否延期", "满意度"]
DATES = ["登记日期", "受理日期", "办结日期"]
FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d"]


def _sql(path: str) -> str:
    from petition_analysis.patterns import PII_PATTERNS, PREFILTER

    def q(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    full = "０１２３４５６７８９"
    # Dates are parsed once per distinct text (a few thousand), then looked up, as clean() does.
    text = f"translate(trim(v), '{full}', '0123456789')"
    tries = ", ".join(f"try_strptime({text}, {q(f)})" for f in FORMATS)
    serial = f"DATE '1899-12-30' + INTERVAL (try_cast({text} AS INTEGER)) DAY"
    dates = " UNION ".join(f'SELECT DISTINCT "{c}" AS v FROM r' for c in DATES)
    looks = ",\n  ".join(f'l{i}.code AS "{c}_code"' for i, c in enumerate(LABELS))
    joins = "\n".join(f'LEFT JOIN lab{i} l{i} ON l{i}.v = r."{c}"' for i, c in enumerate(LABELS))
    joins += "\n" + "\n".join(f'LEFT JOIN d d{i} ON d{i}.v = r."{c}"' for i, c in enumerate(DATES))
    parsed = ", ".join(f'd{i}.d AS "{c}_d"' for i, c in enumerate(DATES))

    def replace(expr: str, pattern: str, token: str) -> str:
        # the replace with groups only where the pattern matches (a match is a fast scan)
        return (f"CASE WHEN regexp_matches({expr}, {q(pattern)}) "
                f"THEN regexp_replace({expr}, {q(pattern)}, {q(token)}, 'g') ELSE {expr} END")

    email = replace("m", PII_PATTERNS["email"], "[邮箱]")
    ids = replace("m", PII_PATTERNS["id_number"], "\\1[证件号]\\3")
    phones = replace("m", PII_PATTERNS["phone"], "\\1[电话]\\3")
    # One stage per pattern, each computed once (a nested CASE would repeat its inner part).
    return f"""
WITH r AS (
  SELECT *, row_number() OVER () AS _row
  FROM read_csv({q(path)}, all_varchar=true, skip=1, header=true, strict_mode=false)
), d AS (
  SELECT v, coalesce({tries}, CASE WHEN length({text}) = 5 THEN {serial} END) AS d FROM ({dates})
), x AS (
  SELECT *, hash(COLUMNS(* EXCLUDE (_row))) AS _cells,
    CASE WHEN 信访人 <> '' AND contains(诉求, 信访人) THEN replace(诉求, 信访人, '[姓名]') ELSE 诉求 END AS m0
  FROM r
), first AS (
  SELECT _cells, min(_row) AS _first FROM x GROUP BY _cells
), m1 AS (
  SELECT _row, m0 AS m FROM x WHERE regexp_matches(m0, {q(PREFILTER)})
), m2 AS (
  SELECT _row, {email} AS m FROM m1
), m3 AS (
  SELECT _row, {ids} AS m FROM m2
), m4 AS (
  SELECT _row, {phones} AS m FROM m3
)
SELECT
  r._row,
  f._first < r._row AS is_copy,
  {parsed},
  try_cast(translate(trim(r.人数), '{full}', '0123456789') AS INTEGER) AS persons,
  {looks},
  sha256('key' || coalesce(r.身份证号, '') || '|' || coalesce(r.信访人, '')) AS petitioner,
  sha256('key' || coalesce(r.编号, '')) AS case_id,
  coalesce(m4.m, r.m0) AS summary
FROM x AS r
JOIN first f USING (_cells)
LEFT JOIN m4 USING (_row)
{joins}
"""


def floor_query(path, threads: int = 2):
    """The SQL floor (see the module docstring); lookup tables built before the clock."""
    import time

    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""CREATE TEMP TABLE raw AS SELECT {", ".join(f'"{c}"' for c in LABELS)} FROM read_csv('{path}',
        all_varchar=true, skip=1, header=true, strict_mode=false)""")
    for i, c in enumerate(LABELS):
        con.execute(f"""CREATE TABLE lab{i} AS SELECT v, row_number() OVER (ORDER BY v) AS code FROM (
            SELECT DISTINCT trim("{c}") AS v FROM raw WHERE "{c}" IS NOT NULL)""")
    con.execute("DROP TABLE raw")
    sql = _sql(str(path))
    t, c = time.perf_counter(), time.process_time()
    out = con.sql(sql).to_arrow_table()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    masked = out.column("summary").to_pylist()
    return {"rows": out.num_rows, "query_wall_s": wall, "query_cpu_s": cpu, "columns": out.num_columns,
            "copies": int(sum(out.column("is_copy").to_pylist())),
            "ids_masked": sum("[证件号]" in s for s in masked if s),
            "names_masked": sum("[姓名]" in s for s in masked if s)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    path = make_input(ROWS)
    rounds = []
    for _ in range(args.repeat):
        reads = [isolated(read_arrow_pandas, path)["wall_s"], isolated(read_arrow, path)["wall_s"]]
        q = isolated(floor_query, path)
        rounds.append({"fastest_read_s": min(reads), **q, "ratio": q["query_wall_s"] / min(reads)})
    med = {k: statistics.median(r[k] for r in rounds) for k in ("fastest_read_s", "query_wall_s", "query_cpu_s", "ratio")}
    rows = [{"what": "DuckDB SQL floor of the cleaning work (median)", **rounds[-1], **med,
             "ratios_all": [r["ratio"] for r in rounds], "query_wall_s_all": [r["query_wall_s"] for r in rounds]}]
    print(table(rows, ["what", "fastest_read_s", "query_wall_s", "query_cpu_s", "ratio"]))
    # Not a target of its own: how much of the cleaning target's budget this floor takes.
    print(f"floor: {med['ratio']:.2f} × the fastest read, {med['ratio'] / LIMIT:.0%} of the {LIMIT} × that clean() "
          "may take for the whole contract")
    save("clean_floor", rows, [],
         f"query_wall_s = the SQL floor query (see benchmarks/floor_clean.py: less work than clean(), so a lower bound "
         f"for the {LIMIT} x cleaning target) run by DuckDB on every core, lookup tables built before the clock; "
         "ratio = that over the faster of pandas engine=pyarrow and pyarrow.csv in the same round; medians over the "
         "rounds (ratios_all, query_wall_s_all)")

if __name__ == "__main__":
    main()
