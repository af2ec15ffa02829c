"""Run a grid of reports (years × quarters × regions × languages) in parallel.

A plan is a YAML file (or a dict) such as::

    out_dir: reports
    workers: 2
    timeout: 600            # seconds per report
    data: null              # default: the bundled reference data
    reports:
      - kind: annual
        years: [2022, 2023]
        regions: [null, 庚县]   # null = the whole city
        langs: [zh, en]
      - kind: quarterly
        years: [2023]
        quarters: [1, 2, 3, 4]
      - kind: hotspots
        start_year: 2014
        end_year: 2023

One failure does not stop the others. :func:`run_batch` returns one row per report with its
status, seconds, output path and, for a failure, the failing cell's error and the executed
notebook to open.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from .params import REPORT_KINDS, ReportParameterError
from .runner import DEFAULT_TIMEOUT, ReportFailed

__all__ = ["load_plan", "expand_plan", "run_batch", "format_batch"]

_GRID_KEYS = {"years": "year", "quarters": "quarter", "regions": "region", "langs": "lang", "as_ofs": "as_of"}
_SCALAR_KEYS = {"kind", "year", "quarter", "region", "lang", "as_of", "public", "start_year", "end_year", "mapping", "data"}


def load_plan(path: str | Path) -> dict:
    """Read a YAML plan, failing with a clear message when it is not one."""
    import yaml

    p = Path(path)
    if not p.exists():
        raise ReportParameterError(f"plan file {p} does not exist.")
    try:
        plan = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ReportParameterError(f"plan file {p} is not valid YAML: {err}") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("reports"), list):
        raise ReportParameterError(f"plan file {p} needs a `reports:` list; see `petition-analysis batch --help`.")
    return plan


def expand_plan(plan: dict) -> list[dict]:
    """One parameter dict per report: each entry's lists (years, quarters, regions, langs,
    as_ofs) are crossed; the plan's ``data`` and ``mapping`` are the defaults."""
    jobs = []
    for i, entry in enumerate(plan["reports"], 1):
        if not isinstance(entry, dict) or entry.get("kind") not in REPORT_KINDS:
            raise ReportParameterError(f"report {i} of the plan needs `kind:` one of {', '.join(REPORT_KINDS)}.")
        unknown = set(entry) - set(_GRID_KEYS) - _SCALAR_KEYS
        if unknown:
            raise ReportParameterError(f"report {i} of the plan has unknown keys: {', '.join(sorted(unknown))}.")
        base = {k: v for k, v in entry.items() if k in _SCALAR_KEYS}
        for key in ("data", "mapping"):
            if key not in base and plan.get(key) is not None:
                base[key] = plan[key]
        grids = [(single, entry[plural] if isinstance(entry[plural], list) else [entry[plural]])
                 for plural, single in _GRID_KEYS.items() if plural in entry]
        for combo in itertools.product(*[values for _, values in grids]):
            job = dict(base)
            job.update({single: value for (single, _), value in zip(grids, combo)})
            jobs.append(job)
    return jobs


def _run_one(job: dict, out_dir: str, timeout: int) -> dict:
    """Worker: run one report and describe the outcome (never raises)."""
    import time

    from .runner import run

    t0 = time.perf_counter()
    row = {"kind": job["kind"], "parameters": job, "status": "ok", "seconds": 0.0, "output": None,
           "error": None, "notebook": None}
    params = {k: v for k, v in job.items() if k != "kind"}
    try:
        res = run(job["kind"], out_dir, timeout=timeout, **params)
        row["output"] = str(res.html)
    except ReportParameterError as err:
        row.update(status="bad parameters", error=str(err))
    except ReportFailed as err:
        row.update(status="failed", error=f"{err.ename}: {err.evalue}", notebook=str(err.notebook) if err.notebook else None)
    except Exception as err:  # noqa: BLE001 - a batch reports every failure and goes on
        row.update(status="failed", error=f"{type(err).__name__}: {err}")
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def run_batch(plan: dict | str | Path, *, workers: int | None = None, timeout: int | None = None,
              out_dir: str | Path | None = None, progress: bool = True) -> pd.DataFrame:
    """Run every report of ``plan`` in worker processes; returns the outcome table."""
    from tqdm.auto import tqdm

    if not isinstance(plan, dict):
        plan = load_plan(plan)
    jobs = expand_plan(plan)
    workers = int(workers or plan.get("workers") or 2)
    timeout = int(timeout or plan.get("timeout") or DEFAULT_TIMEOUT)
    out = str(out_dir or plan.get("out_dir") or "reports")
    if workers < 1:
        raise ReportParameterError(f"workers must be at least 1, not {workers}.")
    rows = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_one, job, out, timeout): job for job in jobs}
        with tqdm(total=len(futures), desc="reports", unit="report", disable=not progress) as bar:
            for fut in as_completed(futures):
                rows.append(fut.result())
                bar.update(1)
    table = pd.DataFrame(rows)
    table["label"] = table["parameters"].map(_label)
    return table.sort_values("label", kind="stable").reset_index(drop=True)


def _label(job: dict) -> str:
    bits = [job["kind"]]
    for key in ("year", "quarter", "start_year", "end_year", "as_of", "region", "lang"):
        if job.get(key) is not None:
            bits.append(f"{key}={job[key]}")
    if job.get("public"):
        bits.append("public")
    return " ".join(bits)


def format_batch(table: pd.DataFrame) -> str:
    """The summary printed at the end of a batch, failures with their error and notebook."""
    lines = [f"{len(table)} report(s): {int((table['status'] == 'ok').sum())} ok, "
             f"{int((table['status'] != 'ok').sum())} failed"]
    shown = table[["label", "status", "seconds"]].to_string(index=False)
    lines.append(shown)
    for _, row in table[table["status"] != "ok"].iterrows():
        lines.append(f"\nFAILED {row['label']}\n  {row['error']}")
        if row["notebook"]:
            lines.append(f"  executed notebook: {row['notebook']}")
    return "\n".join(lines)
