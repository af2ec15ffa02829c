"""A/B benchmark: ``clean()`` of the same messy CSV by an older commit's package and by the
working tree, alternately, each run in a fresh process, so that both see the same load on a
shared machine (there, the load moves absolute times by 2 × from one minute to the next).
The speed-up is the ratio of the medians, in wall time and in CPU seconds.

    python benchmarks/ab_clean.py --before 105f91b --rows 1000000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import HERE, save, table

_RUN = """
import json, os, sys, time
import pandas, pyarrow, petition_analysis
from petition_analysis import clean
t, c = time.perf_counter(), time.process_time()
clean(sys.argv[1], pseudonym_key="bench", progress=False, today="2024-01-01")
print(json.dumps({"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
                  "load": os.getloadavg()[0], "package": petition_analysis.__file__}))
"""


def _export(commit: str, into: Path) -> Path:
    """The package as it was at ``commit`` (``git archive``), importable from ``into``."""
    archive = subprocess.run(["git", "archive", commit, "petition_analysis"], cwd=HERE.parent, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _one(path: Path, pythonpath: str | None) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    # Run from a folder without the package, so that PYTHONPATH (or the installed working tree) decides.
    out = subprocess.run([sys.executable, "-c", _RUN, str(path)], env=env, cwd=tempfile.gettempdir(), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the older commit")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    from bench_clean import make_input

    path = make_input(args.rows)
    runs = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        old = str(_export(args.before, Path(tmp)))
        for _ in range(args.rounds):
            for name, pythonpath in (("before", old), ("after", None)):
                r = _one(path, pythonpath)
                assert r["package"].startswith(old) == (name == "before"), r["package"]
                runs[name].append({k: v for k, v in r.items() if k != "package"})
                print(name, {k: round(v, 2) for k, v in runs[name][-1].items()}, flush=True)
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "load")} for n, rs in runs.items()}
    rows = [{"what": f"clean() {args.rows:,} rows, {n} ({args.before if n == 'before' else 'working tree'})", **med[n],
             "runs": runs[n]} for n in ("before", "after")]
    speedup = {"wall": med["before"]["wall_s"] / med["after"]["wall_s"], "cpu": med["before"]["cpu_s"] / med["after"]["cpu_s"]}
    print(table(rows, ["what", "wall_s", "cpu_s", "load"]))
    print(f"speed-up: wall {speedup['wall']:.2f} ×, CPU {speedup['cpu']:.2f} ×")
    save("clean_ab", rows + [{"what": "speed-up (before / after)", "wall_ratio": speedup["wall"],
                              "cpu_ratio": speedup["cpu"]}], [],
         f"before = package of commit {args.before}, after = the working tree; runs alternate (before, after) in fresh "
         "processes on the same file, so both see the same load; medians over the rounds; load = 1-minute load "
         "average at the end of each run")
    return speedup


if __name__ == "__main__":
    main()
