"""Disclosure control over a series of public reports (a batch plan with ``public: true``).

Reports of one series are read side by side: a year to date next to the full year, the
quarters next to the year, each region next to the city. Protecting each report on its own
leaves cells that come back by subtraction *between* reports. :func:`protect_series` puts
every count of every public report of a plan into one
:class:`~petition_analysis.publish.disclosure.CellTable` (counts with the same rows are one
cell, whichever report prints them), suppresses and audits them together, and writes each
report's decisions and audited ranges to ``<out>/disclosure/<report name>.json``; each
report then prints exactly those (the ``disclosure_plan`` parameter). The series' proof
covers each report: an integer table consistent with everything the series prints, summed
over the report's coarser groups, is one consistent with what the report alone prints.
``<out>/disclosure/series.json`` records the series' audit, and the batch index says it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..disclosure import AuditFailed, CellTable, protect
from .cells import report_cells, universe
from .params import DEFAULT_SUPPRESSION_K, load_input, prepare
from .runner import report_name

__all__ = ["protect_series"]


def _series_key(job: dict) -> tuple:
    data = job.get("data")
    data = tuple(data) if isinstance(data, (list, tuple)) else data  # several files: one input
    return (data, job.get("mapping"), int(job.get("suppression_k") or DEFAULT_SUPPRESSION_K))


def protect_series(jobs: list[dict], out_dir: str | Path, *, seconds: float | None = None,
                   progress: bool = False) -> list[dict]:
    """Protect the public reports of ``jobs`` as series (one per input and k); adds
    ``disclosure_plan`` to each public job and returns one audit summary per series.
    Raises :class:`~petition_analysis.publish.disclosure.AuditFailed` when a series cannot be
    protected, or not within ``seconds`` (then none of its reports is written).
    ``progress`` shows bars for collecting the counts and for the audit's rounds."""
    from tqdm.auto import tqdm

    series: dict[tuple, list[dict]] = {}
    for job in jobs:
        if job.get("public"):
            series.setdefault(_series_key(job), []).append(job)
    folder = Path(out_dir) / "disclosure"
    summaries = []
    for (data, mapping, k), group in series.items():
        df, _, sha, _ = load_input(list(data) if isinstance(data, tuple) else data, mapping)
        u = universe(df)
        table = CellTable(u)
        names = []
        for job in tqdm(group, desc="public series: counts", unit="report", disable=not progress):
            params = {key: v for key, v in job.items() if key not in ("kind", "disclosure_plan")}
            ctx = prepare(job["kind"], frame=df, **params)
            name = report_name(ctx)
            names.append(name)
            report_cells(ctx, u, table, prefix=name + "|")
        with tqdm(desc="public series: audit", unit="round", disable=not progress) as bar:
            def on_round(rounds, phase, checked, failing):
                bar.set_postfix_str(f"{phase}: {failing} of {checked} checked still to protect", refresh=False)
                bar.update(1)

            prot = protect(table, k, seconds=seconds, on_round=on_round)
        folder.mkdir(parents=True, exist_ok=True)
        for job, name in zip(group, names):
            status = {key.split("|", 1)[1]: s for key, s in prot.status.items() if key.startswith(name + "|")}
            audit = {key.split("|", 1)[1]: [int(r.lo), int(r.hi)] for key, r in prot.audit.iterrows()
                     if key.startswith(name + "|")}
            path = folder / (name.replace("/", "__") + ".json")
            path.write_text(json.dumps({"report": name, "k": k, "status": status, "audit": audit}, ensure_ascii=False,
                                       indent=0, sort_keys=True) + "\n", encoding="utf-8")
            job["disclosure_plan"] = str(path.resolve())
        counts = prot.counts()
        widths = prot.audit["hi"] - prot.audit["lo"] if len(prot.audit) else None
        summaries.append({
            "reports": sorted(names), "data_sha256": sha, "k": k, "cells": len(table),
            "distinct_counts": prot.stats.get("distinct_cells"), "shown": counts["shown"],
            "hidden_small": counts["primary"], "hidden_complementary": counts["complementary"],
            "audit_passed": bool(prot.ok), "narrowest_range": int(widths.min()) if widths is not None else None,
        })
    if summaries:
        (folder / "series.json").write_text(json.dumps(summaries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summaries


def series_text(summaries: list[dict]) -> str:
    """One sentence per series for the batch's summary and index."""
    out = []
    for s in summaries:
        out.append(f"public series of {len(s['reports'])} report(s) audited together: "
                   f"{s['hidden_small']} small counts and {s['hidden_complementary']} protecting counts hidden "
                   f"across {s['distinct_counts']} distinct counts; every hidden count keeps at least "
                   f"{s['k'] - 1} possible values ({'passed' if s['audit_passed'] else 'FAILED'}).")
    return "\n".join(out)


__all__ += ["series_text", "AuditFailed"]
