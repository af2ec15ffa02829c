"""Benchmark: reading a 100k-row xlsx with calamine (what the package uses) against openpyxl.

    python benchmarks/bench_excel.py --rows 100000
"""

from __future__ import annotations

import argparse

from common import DATA, isolated, save, table, target


def make_xlsx(rows: int):
    path = DATA / f"register_{rows}.xlsx"
    if path.exists():
        return path
    from petition_analysis import synth

    DATA.mkdir(parents=True, exist_ok=True)
    df = synth.generate(2019, 2019, seed=1, scale=rows / 29_000 * 1.05).data.head(rows)
    df.to_excel(path, index=False, engine="xlsxwriter")
    return path


def read_calamine(path):
    from petition_analysis.ingest.io import read_tables

    return {"rows": len(read_tables(path)[0].grid) - 1}


def read_openpyxl(path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)) - 1
    return {"rows": n}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args(argv)
    path = make_xlsx(args.rows)
    base = isolated(read_openpyxl, path)
    cal = isolated(read_calamine, path)
    rows = [{"size": r["rows"], "what": w, "wall_s": r["wall_s"], "rows_per_s": r["rows"] / r["wall_s"],
             "peak_rss_mb": r["peak_rss_mb"], "ratio": r["wall_s"] / base["wall_s"]}
            for w, r in (("openpyxl read-only (baseline)", base), ("calamine → text grid (package)", cal))]
    print(table(rows, ["size", "what", "wall_s", "rows_per_s", "peak_rss_mb", "ratio"]))
    t = target("calamine time / openpyxl time (recorded; no limit in the issue, < 1 expected)", rows[1]["ratio"], 1)
    save("excel", rows, [t])


if __name__ == "__main__":
    main()
