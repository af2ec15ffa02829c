"""Benchmark: rows per second of ``petition_analysis.clean`` on a generated messy CSV.

Not part of the test suite. The input (default 1,000,000 rows) is generated once into
``benchmarks/data/`` (git-ignored) and reused.

    python benchmarks/bench_clean.py                 # 1M rows, UTF-8 with BOM
    python benchmarks/bench_clean.py --rows 200000 --encoding gbk
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from petition_analysis import clean, synth
from petition_analysis.synth import messy

HERE = Path(__file__).resolve().parent


def make_input(rows: int, encoding: str, seed: int) -> Path:
    path = HERE / "data" / f"messy_{rows}_{encoding}.csv"
    if path.exists():
        return path
    t = time.perf_counter()
    # 2019 at scale 1 has about 30k rows: scale up to reach the row count, then trim.
    scale = math.ceil(rows / 29_000 * 1.02)
    clean_rows = synth.generate(2019, 2019, seed=seed, scale=scale).data.head(rows)
    mx = messy.make_messy_export(clean_rows, seed=seed)
    mx.write_csv(path, encoding=encoding)
    print(f"generated {path.name}: {len(mx.raw):,} raw rows in {time.perf_counter() - t:.1f} s")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--encoding", default="utf-8-sig", choices=["utf-8-sig", "utf-8", "gbk", "gb18030"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    path = make_input(args.rows, args.encoding, args.seed)
    best = math.inf
    for _ in range(args.repeat):
        t = time.perf_counter()
        res = clean(path, pseudonym_key="bench", progress=False)
        best = min(best, time.perf_counter() - t)
    n = res.log.rows_read
    print(f"{path.name}: {n:,} rows read, {len(res.data):,} clean, {len(res.rejects):,} rejected")
    print(f"clean(): {best:.2f} s = {n / best:,.0f} rows/second")


if __name__ == "__main__":
    main()
