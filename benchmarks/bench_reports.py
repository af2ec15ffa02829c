"""Benchmark: the annual report end to end (papermill, HTML, JSON) on the bundled data with
its phase times, and a batch of 8 reports with 2 workers against one report.

    python benchmarks/bench_reports.py
"""

from __future__ import annotations

import argparse
import tempfile
import time

from common import save, table, target


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from petition_analysis.publish.reports import run, run_batch

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = run("annual", f"{tmp}/one")
        one = time.perf_counter() - t
        plan = {"reports": [{"kind": "annual", "years": [2018, 2019], "langs": ["zh", "en"], "public": False},
                            {"kind": "annual", "years": [2018, 2019], "langs": ["zh", "en"], "public": True}]}
        t = time.perf_counter()
        out = run_batch(plan, workers=args.workers, out_dir=f"{tmp}/batch", progress=False)
        batch = time.perf_counter() - t
    rows = [{"what": "annual report (1)", "wall_s": one, "ratio": 1.0, **{f"phase_{k}": v for k, v in res.timings.items()}},
            {"what": f"batch of {len(out)} with {args.workers} workers", "wall_s": batch, "ratio": batch / one,
             "ok": int((out["status"] == "ok").sum()) if "status" in out else None}]
    print(table(rows, ["what", "wall_s", "ratio"]))
    print("phases:", {k: round(v, 2) for k, v in res.timings.items()})
    targets = [target("annual report end to end", one, 20, " s"),
               target(f"batch of {len(out)} reports with {args.workers} workers vs one report", batch / one, 5)]
    save("reports", rows, targets)


if __name__ == "__main__":
    main()
