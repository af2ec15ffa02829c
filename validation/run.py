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

DEFAULT_SEEDS = {"null": 100, "null_between_years": 100, "campaign": 60, "campaign_unclustered": 60, "trend": 60}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, help="worlds per scenario (default: 100 per null scenario, 200 null worlds in all; 60 with effects)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="only these scenarios")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "validation.json"))
    ap.add_argument("--docs", default=str(Path(__file__).parent.parent / "docs" / "statistics.md"),
                    help="the Markdown file whose validation table is rewritten ('' to skip)")
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
    if args.docs:
        write_table(out, Path(args.docs))
        print(f"updated the table in {args.docs}")
    return 0


ROWS = [("seeds", "worlds"), ("coverage_items_large", "coverage, items (Wald-t)"),
        ("coverage_items_small", "coverage, items (exact)"),
        ("coverage_person_times_large", "coverage, person-times (Wald-t)"),
        ("coverage_person_times_small", "coverage, person-times (exact)"), ("coverage_all", "coverage, all"),
        ("fdr_primary", "FDR primary"), ("fdr_breakdown", "FDR breakdown"), ("fdr_regions", "FDR regions"),
        ("fdr_categories", "FDR categories"), ("fwer_primary", "FWER primary"),
        ("fcr_primary", "FCR primary"), ("fcr_categories", "FCR categories"),
        ("power_visits_national_items", "power: national visits, items"),
        ("power_visits_national_person_times", "power: national visits, person-times"),
        ("power_items", "power: all items"), ("power_person_times", "power: all person-times")]


def table(out: dict) -> str:
    """The validation table in Markdown: metrics × scenarios."""
    names = list(out["scenarios"])
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in ROWS:
        cells = []
        for n in names:
            v = out["scenarios"][n].get(key)
            cells.append("" if v is None else (f"{v}" if key == "seeds" else f"{100 * v:.1f} %"))
        if any(cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"* **{n}**: {out['scenarios'][n]['description']}" for n in names]
    lines.append(f"\nPackage {out['package_version']}, Python {out['python']}; {out['seconds']:.0f} s on 2 cores.")
    return "\n".join(lines)


def write_table(out: dict, doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    a, b = "<!-- validation:start -->", "<!-- validation:end -->"
    head, rest = text.split(a, 1)
    _, tail = rest.split(b, 1)
    doc.write_text(head + a + "\n" + table(out) + "\n" + b + tail, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
