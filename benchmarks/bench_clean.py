"""Benchmark: ``clean()`` of a messy CSV against pandas only reading the same file, and
peak memory against the clean frame's size.

    python benchmarks/bench_clean.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import math
import time

from common import DATA, isolated, save, table, target


def make_input(rows: int, encoding: str = "utf-8-sig", seed: int = 1):
    path = DATA / f"messy_{rows}_{encoding}.csv"
    if path.exists():
        return path
    from petition_analysis import synth
    from petition_analysis.synth import messy

    DATA.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    # 2019 at scale 1 has about 30k rows: scale up to reach the row count, then trim.
    scale = math.ceil(rows / 29_000 * 1.02)
    clean_rows = synth.generate(2019, 2019, seed=seed, scale=scale).data.head(rows)
    mx = messy.make_messy_export(clean_rows, seed=seed)
    mx.write_csv(path, encoding=encoding)
    print(f"generated {path.name}: {len(mx.raw):,} raw rows in {time.perf_counter() - t:.1f} s")
    return path


def read_only(path):
    import pandas as pd

    df = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    return {"rows": len(df)}


def run_clean(path):
    from petition_analysis import clean

    res = clean(path, pseudonym_key="bench", progress=False, today="2024-01-01")
    data = res.data
    no_summary = data.drop(columns=["summary", "source_file", "source_row"])
    return {"rows": res.log.rows_read, "clean_rows": len(data), "rejects": len(res.rejects),
            "frame_mb": data.memory_usage(deep=True).sum() / 2**20,
            "bytes_per_row_no_summary": no_summary.memory_usage(deep=True).sum() / max(len(data), 1)}


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args(argv)
    rows, targets = [], []
    for n in args.sizes:
        path = make_input(n)
        base = isolated(read_only, path)
        res = isolated(run_clean, path)
        net = res["peak_rss_mb"] - res["start_rss_mb"]
        for name, r in (("pandas read_csv (baseline)", base), ("clean()", res)):
            rows.append({"size": n, "what": name, "wall_s": r["wall_s"], "rows_per_s": r["rows"] / r["wall_s"],
                         "peak_rss_mb": r["peak_rss_mb"], "ratio": r["wall_s"] / base["wall_s"]})
        rows[-1].update(net_peak_mb=net, frame_mb=res["frame_mb"], peak_over_frame=net / res["frame_mb"],
                        bytes_per_row_no_summary=res["bytes_per_row_no_summary"])
    print(table(rows, ["size", "what", "wall_s", "rows_per_s", "peak_rss_mb", "ratio"]))
    for r in rows:
        if r["what"] == "clean()" and r["size"] == max(args.sizes):
            targets.append(target(f"clean {r['size']:,}-row messy CSV vs pandas read", r["ratio"], 5))
            targets.append(target(f"peak memory cleaning {r['size']:,} rows (above the process's start) vs clean frame",
                                  r["peak_over_frame"], 4))
    save("clean", rows, targets, "peak_over_frame = (peak RSS - RSS at start of the process, after imports) / "
         "clean frame memory_usage(deep=True)")
    return rows


if __name__ == "__main__":
    main()
