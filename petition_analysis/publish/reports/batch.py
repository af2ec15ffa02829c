"""Run a grid of reports (years × quarters × regions × languages) in parallel.

A plan is a YAML file (or a dict) such as::

    out_dir: reports
    workers: 2
    timeout: 600            # seconds per report
    data: null              # default: the bundled reference data; or files, folders, globs (a list)
    mapping: null           # the mapping file of raw exports
    city: null              # the city's Chinese name (default: XX市 for the bundled data)
    office: null            # an office file: names, regions' English names, default language
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

from .params import REPORT_KINDS, ReportParameterError, check_keywords, did_you_mean
from .runner import DEFAULT_TIMEOUT, ReportFailed

__all__ = ["load_plan", "expand_plan", "run_batch", "format_batch", "write_index"]

_GRID_KEYS = {"years": "year", "quarters": "quarter", "regions": "region", "langs": "lang", "as_ofs": "as_of"}
_PLAN_KEYS = ("out_dir", "workers", "timeout", "data", "mapping", "city", "office", "reports")
#: Keys that the plan gives as defaults for every report (a report's own value wins).
_DEFAULT_KEYS = ("data", "mapping", "city", "office")
_SCALAR_KEYS = {"kind", "year", "quarter", "region", "lang", "as_of", "public", "start_year", "end_year", "mapping", "data",
                "city", "office", "suppression_k"}


def load_plan(path: str | Path) -> dict:
    """Read a YAML plan, failing with a clear message when it is not one."""
    import yaml

    from ...errors import MappingError
    from ...ingest.headers import read_mapping_text

    p = Path(path)
    if not p.exists():
        raise ReportParameterError(f"plan file {p} does not exist.")
    try:  # a bounded read: at most 1 MB, a regular text file
        plan = yaml.safe_load(read_mapping_text(p, "plan file"))
    except MappingError as err:
        raise ReportParameterError(str(err)) from None
    except (yaml.YAMLError, RecursionError) as err:
        raise ReportParameterError(f"plan file {p} is not valid YAML: {str(err).splitlines()[0] if str(err) else err}") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("reports"), list):
        raise ReportParameterError(f"plan file {p} needs a `reports:` list; see `petition-analysis batch --help`.")
    return plan


def expand_plan(plan: dict) -> list[dict]:
    """One parameter dict per report: each entry's lists (years, quarters, regions, langs,
    as_ofs) are crossed; the plan's ``data``, ``mapping``, ``city`` and ``office`` are the
    defaults (``data`` may be a list of files, folders and glob patterns: one input)."""
    check_keywords(plan, _PLAN_KEYS, "the plan")
    if not isinstance(plan.get("reports"), list) or not plan["reports"]:
        raise ReportParameterError("the plan needs a non-empty `reports:` list, e.g. `reports: [{kind: annual, "
                                   "years: [2023]}]`; see `petition-analysis batch --help`.")
    jobs = []
    for i, entry in enumerate(plan["reports"], 1):
        if not isinstance(entry, dict) or entry.get("kind") not in REPORT_KINDS:
            kind = entry.get("kind") if isinstance(entry, dict) else None
            raise ReportParameterError(f"report {i} of the plan needs `kind:` one of {', '.join(REPORT_KINDS)}"
                                       f"{', not ' + repr(kind) + did_you_mean(kind, REPORT_KINDS) if kind else ''}.")
        check_keywords(entry, [*_GRID_KEYS, *_SCALAR_KEYS], f"report {i} of the plan")
        base = {k: v for k, v in entry.items() if k in _SCALAR_KEYS}
        for key in _DEFAULT_KEYS:
            if key not in base and plan.get(key) is not None:
                base[key] = plan[key]
        if isinstance(base.get("data"), (list, tuple)):  # several files are one input, not a grid
            base["data"] = [str(d) for d in base["data"]]
        grids = [(single, entry[plural] if isinstance(entry[plural], list) else [entry[plural]])
                 for plural, single in _GRID_KEYS.items() if plural in entry]
        for combo in itertools.product(*[values for _, values in grids]):
            job = dict(base)
            job.update({single: value for (single, _), value in zip(grids, combo)})
            jobs.append(job)
    return jobs


def _count(name: str, value, default: int) -> int:
    """A whole number of at least 1 (workers, timeout seconds), or the default when absent."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() or int(value) < 1:
        raise ReportParameterError(f"{name} must be a whole number of at least 1, not {value!r} (default {default}).")
    return int(value)


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
    workers = _count("workers", workers if workers is not None else plan.get("workers"), 2)
    timeout = _count("timeout", timeout if timeout is not None else plan.get("timeout"), DEFAULT_TIMEOUT)
    out = str(out_dir or plan.get("out_dir") or "reports")
    rows = []
    series, series_error = [], None
    if any(job.get("public") for job in jobs):
        from ..disclosure import AuditFailed
        from .series import protect_series

        try:
            series = protect_series(jobs, out)
        except AuditFailed as err:  # no public report of the series is written
            series_error = str(err)
            rows += [{"kind": j["kind"], "parameters": j, "status": "failed", "seconds": 0.0, "output": None,
                      "error": f"series disclosure audit: {err}", "notebook": None} for j in jobs if j.get("public")]
            jobs = [j for j in jobs if not j.get("public")]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_one, job, out, timeout): job for job in jobs}
        with tqdm(total=len(futures), desc="reports", unit="report", disable=not progress) as bar:
            for fut in as_completed(futures):
                rows.append(fut.result())
                bar.update(1)
    table = pd.DataFrame(rows)
    table["label"] = table["parameters"].map(_label)
    table = table.sort_values("label", kind="stable").reset_index(drop=True)
    table.attrs["series"] = series
    table.attrs["series_error"] = series_error
    write_index(table, out)
    return table


def write_index(table: pd.DataFrame, out_dir: str | Path) -> Path:
    """``<out>/index.html``: every report of the batch with its status and a link, and, for a
    public series, the sentence that says it was audited as a whole."""
    import html

    from .series import series_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items = []
    for _, row in table.iterrows():
        label = html.escape(row["label"])
        if row["status"] == "ok" and row["output"]:
            rel = Path(row["output"]).resolve().relative_to(out.resolve())
            items.append(f'<li><a href="{html.escape(rel.as_posix())}">{label}</a></li>')
        else:
            items.append(f"<li>{label}: {html.escape(str(row['status']))}</li>")
    note = series_text(table.attrs.get("series") or [])
    if table.attrs.get("series_error"):
        note = "public series not written: " + table.attrs["series_error"]
    page = ("<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>petition-analysis reports</title>"
            "</head><body><h1>Reports</h1>" + (f"<p>{html.escape(note)}</p>" if note else "")
            + "<ul>" + "".join(items) + "</ul></body></html>\n")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


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
    from .series import series_text

    lines = [f"{len(table)} report(s): {int((table['status'] == 'ok').sum())} ok, "
             f"{int((table['status'] != 'ok').sum())} failed"]
    if table.attrs.get("series"):
        lines.append(series_text(table.attrs["series"]))
    shown = table[["label", "status", "seconds"]].to_string(index=False)
    lines.append(shown)
    for _, row in table[table["status"] != "ok"].iterrows():
        lines.append(f"\nFAILED {row['label']}\n  {row['error']}")
        if row["notebook"]:
            lines.append(f"  executed notebook: {row['notebook']}")
    return "\n".join(lines)
