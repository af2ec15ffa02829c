"""Validate the statistics by simulation: `make validate` (about 15 minutes on 2 cores).

Runs the figure registry on many generated worlds per scenario
(:data:`petition_analysis.analysis.validation.SCENARIOS`) and writes
``validation/results/validation.json``: for every scenario the coverage of the 95 %
intervals by figure type, the false-discovery rate, family-wise error rate and
false-coverage rate of each family, and the power for each planted effect.

    python validation/run.py                 # the committed run
    python validation/run.py --seeds 20      # a quick look
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from petition_analysis import __version__
from petition_analysis.analysis.validation import SCENARIOS, run_scenario, summarise

DEFAULT_SEEDS = {"null": 100, "null_between_years": 100, "campaign": 60, "trend": 60}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, help="worlds per scenario (default: 100 per null scenario, 200 null worlds in all; 60 with effects)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="only these scenarios")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "validation.json"))
    args = ap.parse_args(argv)
    out = {"package_version": __version__, "python": platform.python_version(), "scenarios": {}}
    started = time.perf_counter()
    for name in args.scenario or list(SCENARIOS):
        sc = SCENARIOS[name]
        n = args.seeds or DEFAULT_SEEDS[name]
        t0 = time.perf_counter()
        res = run_scenario(sc, range(1, n + 1), workers=args.workers, progress=True)
        s = summarise(res)
        s.update(description=sc.description, between_year_sd=sc.between_year_sd, cluster_mean=sc.cluster_mean,
                 effects=[dict(e) for e in sc.effects], trend=sc.trend, items_per_year=sc.items_per_year,
                 seconds=round(time.perf_counter() - t0, 1))
        out["scenarios"][name] = s
        print(name, json.dumps({k: v for k, v in s.items() if k.startswith(("coverage_all", "fdr_", "power_visits_nat"))}))
    out["seconds"] = round(time.perf_counter() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
