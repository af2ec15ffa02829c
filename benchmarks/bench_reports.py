"""Benchmark: the annual report end to end (papermill, HTML, JSON) on the bundled data, as
``make run`` writes it, with its phase times; and a batch of 8 reports with 2 workers
against one report.

The single report runs ``--repeat`` times (default 3) and its median is reported, with every
run's phases. The batch is 8 default (not public) annual reports, like the one report it is
compared with: 2 years × 2 languages × the city and one county. Public reports add the
disclosure audit (HiGHS), which is outside these targets (see docs/performance.md).

    python benchmarks/bench_reports.py [--repeat 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time

from common import save, table, target

#: Seconds a phase may take inside the kernel: "compute" is every cell but the imports.
COMPUTE_LIMIT = 2.5
WALL_LIMIT = 8.0
BATCH_LIMIT = 4.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the kernels papermill
    starts, batch workers and their kernels): unlike wall time, hardly moved by other
    work on a shared machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from petition_analysis.publish.reports import run, run_batch

    singles = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            t, c = time.perf_counter(), _cpu()
            res = run("annual", f"{tmp}/one{i}")
            singles.append({"wall_s": time.perf_counter() - t, "cpu_s": _cpu() - c,
                            **{f"phase_{k}": v for k, v in res.timings.items()}})
        plan = {"reports": [{"kind": "annual", "years": [2022, 2023], "langs": ["zh", "en"], "regions": [None, "庚县"]}]}
        t, c = time.perf_counter(), _cpu()
        out = run_batch(plan, workers=args.workers, out_dir=f"{tmp}/batch", progress=False)
        batch, batch_cpu = time.perf_counter() - t, _cpu() - c
    med = {k: statistics.median(s[k] for s in singles) for k in singles[0]}
    one = med["wall_s"]
    rows = [{"what": f"annual report (median of {args.repeat})", **med, "ratio": 1.0,
             "wall_s_all": [s["wall_s"] for s in singles], "runs": singles},
            {"what": f"batch of {len(out)} with {args.workers} workers", "wall_s": batch, "ratio": batch / one,
             "cpu_s": batch_cpu, "cpu_ratio": batch_cpu / med["cpu_s"],
             "ok": int((out["status"] == "ok").sum()) if "status" in out else None}]
    print(table(rows, ["what", "wall_s", "cpu_s", "ratio", "cpu_ratio"]))
    print("phases (median):", {k.removeprefix("phase_"): round(v, 2) for k, v in med.items() if k.startswith("phase_")})
    targets = [target("annual report end to end (make run's report)", one, WALL_LIMIT, " s"),
               target("annual report compute in the kernel (cells other than imports)", med.get("phase_compute", float("nan")),
                      COMPUTE_LIMIT, " s"),
               target(f"batch of {len(out)} reports with {args.workers} workers vs one report", batch / one, BATCH_LIMIT)]
    save("reports", rows, targets, "phase_compute = every notebook cell except the one tagged phase-imports, as papermill "
         "times them (plots rendered by the inline backend included); phase_imports = that cell; kernel_start = from "
         "papermill's start to the first cell; kernel_wait = time execute waited for the kernel to finish starting "
         "and importing the package and pyplot (it starts while check_parameters runs, so the imports cell finds "
         "them loaded: compare imports + kernel_wait + compute, or the wall time, with runs before that change); "
         "cpu_s = CPU seconds of the runner and its kernel (for the batch: of the "
         f"workers and their kernels); load average at the end {__import__('os').getloadavg()}")


if __name__ == "__main__":
    main()
