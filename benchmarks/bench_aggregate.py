"""Benchmark: items and person-times by quarter × region × category with YoY, in memory
(pandas) against DuckDB on the same in-memory frame; results must be equal. Also the
clean frame's bytes per row without ``summary``.

    python benchmarks/bench_aggregate.py --sizes 100000 1000000 10000000
"""

from __future__ import annotations

import argparse
import math
import time

from common import DATA, isolated, save, table, target

YEARS = list(range(2014, 2024))


def make_dataset(rows: int, seed: int = 1):
    """Canonical rows over ten years, generated a year at a time (bounded memory), as a
    year-partitioned Parquet dataset."""
    path = DATA / f"canonical_{rows}"
    if (path / "_done").exists():
        return path
    from petition_analysis.ingest import dataset
    from petition_analysis import synth

    t = time.perf_counter()
    per_year = rows / len(YEARS)
    scale = per_year / 30_000
    for y in YEARS:
        df = synth.generate(y, y, seed=seed, scale=scale).data.drop(columns=["summary"])
        dataset.write_dataset(df.head(math.ceil(per_year)), path)
    (path / "_done").write_text("")
    print(f"generated {path.name} in {time.perf_counter() - t:.1f} s")
    return path


def _best(func, repeat: int):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t)
    return best, out


def compare_engines(path, repeat: int = 3):
    from petition_analysis.ingest import dataset

    df = dataset.read_dataset(path)
    n = len(df)
    bpr = df.drop(columns=[c for c in ("summary", "source_file", "source_row") if c in df]).memory_usage(deep=True).sum() / n
    con = dataset.connect()
    t_duck, a = _best(lambda: dataset.quarterly_table(df, engine="duckdb", con=con), repeat)
    t_pd, b = _best(lambda: dataset.quarterly_table(df, engine="pandas"), repeat)
    t_ds, c = _best(lambda: dataset.quarterly_table(path), 1)
    return {"rows": n, "duckdb_s": t_duck, "pandas_s": t_pd, "duckdb_on_dataset_s": t_ds,
            "equal": bool(a.equals(b) and a.equals(c)), "groups": len(a), "bytes_per_row_no_summary": bpr}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    args = ap.parse_args(argv)
    rows, targets = [], []
    for n in args.sizes:
        path = make_dataset(n)
        r = isolated(compare_engines, path)
        for name, key in (("DuckDB on the frame (baseline)", "duckdb_s"), ("pandas quarterly_table", "pandas_s"),
                          ("DuckDB on the Parquet dataset", "duckdb_on_dataset_s")):
            rows.append({"size": r["rows"], "what": name, "wall_s": r[key], "rows_per_s": r["rows"] / r[key],
                         "peak_rss_mb": r["peak_rss_mb"], "ratio": r[key] / r["duckdb_s"], "equal": r["equal"],
                         "bytes_per_row_no_summary": r["bytes_per_row_no_summary"]})
    print(table(rows, ["size", "what", "wall_s", "rows_per_s", "peak_rss_mb", "ratio", "equal"]))
    big = max(rows, key=lambda r: r["size"])["size"]
    pd_row = next(r for r in rows if r["size"] == big and r["what"].startswith("pandas"))
    targets.append(target(f"quarterly table on {big:,} rows in memory vs DuckDB (equal={pd_row['equal']})", pd_row["ratio"], 1.0))
    targets.append(target(f"clean frame bytes per row without summary at {big:,} rows",
                          pd_row["bytes_per_row_no_summary"], 100, " B"))
    save("aggregate", rows, targets, "wall times are the best of 3 runs in one process; peak RSS includes the loaded frame")


if __name__ == "__main__":
    main()
