"""Shared benchmark machinery: run a job in a fresh process, record wall time and peak RSS,
print a table and write JSON with machine info to ``benchmarks/results/``.

Baselines run in the same invocation as what they are compared with, because absolute
times on a shared machine are noise; the ratios are what the targets are about.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
#: The machine's load when the benchmark started (other work shares its cores).
LOAD_AT_START = os.getloadavg()


def machine() -> dict:
    import pandas as pd
    import psutil

    import petition_analysis

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(), "pandas": pd.__version__,
            "petition_analysis": petition_analysis.__version__, "load_avg_at_start": LOAD_AT_START,
            "load_avg_at_end": os.getloadavg()}


def _status_mb(field: str, pid: int | str = "self") -> float:
    # VmHWM is the peak RSS of this process image; unlike ru_maxrss it does not inherit
    # the parent's peak across fork + exec. NaN when the field (or the process) is gone.
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _child(q, func, args, kwargs):
    # Import the libraries first, so that "above the start" measures the job, not the
    # ~160 MB of pandas, pyarrow and package code.
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    import petition_analysis  # noqa: F401

    base = _status_mb("VmRSS")
    t, c = time.perf_counter(), time.process_time()
    extra = func(*args, **kwargs) or {}
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    # cpu_s: CPU seconds of every thread of the process (Arrow and DuckDB use several). On
    # a machine shared with other work it moves far less than wall time does.
    q.put({"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": _status_mb("VmHWM"), "start_rss_mb": base, **extra})


def isolated(func, *args, **kwargs) -> dict:
    """Run ``func`` in a fresh (spawned) process: its wall time, peak RSS (MB) and whatever
    dict it returns. The process has imported the package before the clock starts."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, func, args, kwargs))
    p.start()
    while True:  # a crashed child must not leave us waiting forever
        try:
            out = q.get(timeout=5)
            break
        except Exception:
            if not p.is_alive():
                raise RuntimeError(f"{getattr(func, '__name__', func)} failed in its process (exit code {p.exitcode})") from None
    p.join()
    return out


def table(rows: list[dict], cols: list[str]) -> str:
    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.2f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    cells = [[fmt(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(x.rjust(w) for x, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def save(name: str, rows: list[dict], targets: list[dict], notes: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    doc = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
           "rows": rows, "targets": targets, "notes": notes}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str))
    print(f"→ {path.relative_to(HERE.parent)}")
    return path


def target(what: str, value: float, limit: float, unit: str = "×") -> dict:
    value = float(value)
    met = bool(value <= limit)
    print(f"target: {what}: {value:,.2f}{unit} (limit {limit:g}{unit}) {'MET' if met else 'NOT MET'}")
    return {"what": what, "value": round(value, 3), "limit": limit, "unit": unit, "met": met}
