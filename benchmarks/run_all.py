"""Run every benchmark (``make bench``). Not part of the test suite.

    python benchmarks/run_all.py                  # 100k / 1M / 10M, the clean floor, reports, Excel
    python benchmarks/run_all.py --scale-rows 50000000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_aggregate  # noqa: E402
import bench_clean  # noqa: E402
import bench_excel  # noqa: E402
import bench_reports  # noqa: E402
import bench_scale  # noqa: E402
import floor_clean  # noqa: E402

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale-rows", type=int, default=0, help="also run the scale path on this many rows")
    args = ap.parse_args()
    for name, bench, argv in (("clean", bench_clean, []), ("clean floor (DuckDB SQL)", floor_clean, []),
                              ("aggregate", bench_aggregate, []), ("excel", bench_excel, []),
                              ("reports", bench_reports, [])):
        print(f"\n=== {name} ===", flush=True)
        bench.main(argv)
    if args.scale_rows:
        print("\n=== scale ===", flush=True)
        bench_scale.main(["--rows", str(args.scale_rows)])
