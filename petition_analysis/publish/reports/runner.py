"""Run a report notebook with papermill and write its three outputs.

Each run writes, under ``out_dir``:

- ``<name>.ipynb``: the executed notebook;
- ``<name>.html``: the report page, with no code, its figures and font embedded and no external
  request, so one file can be mailed (:mod:`.html`);
- ``<name>.json``: the machine-readable summary (:mod:`.summary`).

Names are predictable: ``annual/2019/annual_2019_xx-city_zh``,
``annual/2019/annual_2019-to-1220_geng-xian_en_public``, ``quarterly/2019/quarterly_2019q3_xx-city_zh``,
``hotspots/hotspots_2014-2023_xx-city_zh``.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import ReportParameterError
from .html import export_html

if TYPE_CHECKING:
    from .params import ReportContext

# The parameter checks (.params: pandas, the data loaders) are imported inside run(), after
# the kernel was launched: the kernel's start (about 2 s) is what a report waits for, so it
# begins as early as the command line allows.

__all__ = ["NOTEBOOKS", "notebook_path", "report_name", "ReportFailed", "ReportResult", "run", "export_html"]

NOTEBOOKS = {
    "annual": "annual_report.ipynb",
    "quarterly": "quarterly_report.ipynb",
    "hotspots": "hotspot_report.ipynb",
}
# petition_analysis/publish/reports/runner.py → the repository that holds notebooks/
_REPOSITORY = Path(__file__).resolve().parents[3]
#: Set this to a folder holding the report notebooks to use your own copies.
NOTEBOOK_DIR_ENV_VAR = "PETITION_NOTEBOOK_DIR"
DEFAULT_TIMEOUT = 600


class ReportFailed(RuntimeError):
    """A report notebook failed while executing. The message names the failing cell, its
    error and the executed notebook to open."""

    def __init__(self, message: str, notebook: Path | None = None, ename: str | None = None, evalue: str | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.ename = ename
        self.evalue = evalue


@dataclass
class ReportResult:
    """The files a run wrote, its summary and how long each phase took (seconds)."""

    name: str
    ipynb: Path
    html: Path
    json: Path
    summary: dict
    timings: dict = field(default_factory=dict)


def notebook_path(kind: str) -> Path:
    """The report notebook of ``kind`` (``notebooks/reports/`` in the repository)."""
    base = os.environ.get(NOTEBOOK_DIR_ENV_VAR)
    root = Path(base) if base else _REPOSITORY / "notebooks" / "reports"
    path = root / NOTEBOOKS[kind]
    if not path.exists():
        raise ReportParameterError(f"report notebook {path} is missing; set {NOTEBOOK_DIR_ENV_VAR} to the folder that has it.")
    return path


def report_name(ctx: ReportContext) -> str:
    """The report's path below ``out_dir``, without suffix."""
    tail = f"{ctx.region_slug}_{ctx.lang}" + ("_public" if ctx.public else "")
    if ctx.kind == "annual":
        period = f"{ctx.year}" + (f"-to-{ctx.as_of:%m%d}" if ctx.as_of else "")
        return f"annual/{ctx.year}/annual_{period}_{tail}"
    if ctx.kind == "quarterly":
        return f"quarterly/{ctx.year}/quarterly_{ctx.year}q{ctx.quarter}_{tail}"
    return f"hotspots/hotspots_{ctx.start_year}-{ctx.end_year}_{tail}"


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return "petition-analysis" if "petition-analysis" in KernelSpecManager().find_kernel_specs() else "python3"


def _parameters(ctx: ReportContext, summary_path: Path) -> dict:
    params = {k: v for k, v in ctx.parameters().items() if k != "kind"}
    params["data"] = params["data"] if ctx.data_path else None
    params["summary_path"] = str(summary_path)
    if ctx.public:
        params["suppression_k"] = ctx.suppression_k
    return params


def run(kind: str, out_dir: str | Path = "reports", *, timeout: int = DEFAULT_TIMEOUT, progress: bool = False,
        kernel_name: str | None = None, kernel=None, **params) -> ReportResult:
    """Run the ``kind`` report (``annual``, ``quarterly`` or ``hotspots``) and write its
    ipynb, HTML and JSON under ``out_dir``.

    ``params`` are the notebook's parameters (``data``, ``year``, ``as_of``, ``quarter``,
    ``start_year``, ``end_year``, ``region``, ``lang``, ``public``, ``mapping``). They are
    checked (and the data loaded) while the kernel starts and imports, before any cell
    runs; a bad one stops the kernel and raises
    :class:`~petition_analysis.publish.reports.params.ReportParameterError`. A failing cell raises
    :class:`ReportFailed`, naming the cell, its error and the executed notebook.

    ``kernel``: a :class:`~petition_analysis.publish.reports.warm.WarmKernel` to run the
    notebook in, kept alive for the next report (a batch worker's); by default each run
    starts its own kernel and stops it at the end.
    """
    from .kernels import kernel_manager_class
    from .warm import WarmKernel

    t0 = time.perf_counter()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ReportParameterError(f"timeout must be a number of seconds above 0, not {timeout!r}; the default is "
                                   f"{DEFAULT_TIMEOUT}.")
    own = kernel is None
    kernel = WarmKernel() if own else kernel
    launch_error = source = None
    if isinstance(kind, str) and kind in NOTEBOOKS:  # else prepare() below says which kinds there are
        source = notebook_path(kind)
        kernel_name = kernel_name or _kernel_name()
        if not kernel.alive or kernel.kernel_name != kernel_name:
            try:  # the kernel starts and imports (another process) while this one checks and loads
                kernel.launch(kernel_name, str(source.parent), kernel_manager_class())
            except Exception as err:  # noqa: BLE001 - reported after the parameters, as one paragraph
                launch_error = err
                kernel.shutdown()
    try:
        from .params import check_keywords, prepare

        check_keywords(params, [*inspect.signature(prepare).parameters][1:] + ["out_dir", "timeout", "progress",
                                                                             "kernel_name", "kernel"], "run()")
        return _run(kind, out_dir, timeout, progress, params, kernel, kernel_name, source, launch_error, t0)
    finally:
        if own:
            kernel.shutdown()


def _run(kind, out_dir, timeout, progress, params, kernel, kernel_name, source, launch_error, t0) -> ReportResult:
    import papermill as pm

    from .kernels import kernel_manager_class
    from .params import prepare

    ctx = prepare(kind, **params)
    timings = {"check_parameters": time.perf_counter() - t0}
    name = report_name(ctx)
    # Absolute: the notebook runs in its own folder and writes the JSON itself.
    base = Path(out_dir).resolve() / name
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportParameterError(f"cannot create the output folder {base.parent} ({err.strerror or err}); give an "
                                   "--out / out_dir folder you can write to.") from None
    ipynb, html, js = base.with_suffix(".ipynb"), base.with_suffix(".html"), base.with_suffix(".json")
    for stale in (html, js):
        stale.unlink(missing_ok=True)
    from .html import discard_prefetched, prefetch

    discard_prefetched()  # a previous report's, if its export failed
    if launch_error is None:
        from .html import prepare_export

        try:  # while the kernel is still starting (about 2 s), not after the notebook
            prepare_export()
        except Exception:  # noqa: BLE001 - only a head start: export_html does it all again
            pass

    t1 = time.perf_counter()
    ran = False
    try:
        if launch_error is not None:
            raise launch_error
        # private IPC sockets (encrypted TCP where there are none): no port races, no plain text (kernels.py)
        kernel.execute(str(source), str(ipynb), parameters=_parameters(ctx, js), kernel_name=kernel_name,
                       timeout=timeout, progress=progress, cwd=str(source.parent), manager_class=kernel_manager_class(),
                       on_cell_complete=prefetch)  # the page's charts reduced while later cells run
        ran = True
    except pm.PapermillExecutionError as err:
        raise ReportFailed(
            f"{name}: cell {err.exec_count or err.cell_index} failed with {err.ename}: {err.evalue}. "
            f"Open the executed notebook {ipynb} to see the cell and its traceback.",
            ipynb, err.ename, err.evalue,
        ) from None
    except TimeoutError as err:  # nbclient raises CellTimeoutError, a TimeoutError
        raise ReportFailed(f"{name}: a cell ran longer than the {timeout} s timeout ({err}). "
                           f"See {ipynb}; raise --timeout for large data.", ipynb, "Timeout", str(err)) from None
    except Exception as err:  # noqa: BLE001 - a dead kernel, a missing kernel spec: still one paragraph
        said = getattr(kernel, "last_words", "")
        raise ReportFailed(f"{name}: the notebook could not be run ({type(err).__name__}: {str(err).strip()[:300]}"
                           + (f"; the kernel's last message: {said!r}" if said else "") + "). "
                           f"Check that the Jupyter kernel is installed (`make kernel`); the partial notebook, if any, "
                           f"is {ipynb}.", ipynb, type(err).__name__, str(err)) from None
    finally:
        if not ran:  # no export follows: let go of its head start (the font, reduced charts)
            from ..fonts import discard_preloaded

            discard_prefetched()
            discard_preloaded()
    timings["execute"] = time.perf_counter() - t1
    timings["kernel_wait"] = kernel.last_wait  # of execute: the kernel still starting after the checks
    timings.update(_cell_phases(ipynb))

    t2 = time.perf_counter()
    export_html(ipynb, html, lang=ctx.lang)  # an office file may set the language, not the notebook
    discard_prefetched()
    timings["export_html"] = time.perf_counter() - t2
    if not js.exists():
        raise ReportFailed(f"{name}: the notebook ran but wrote no summary to {js}; "
                           "its last cell must call petition_analysis.publish.reports.write_summary.", ipynb)
    summary = json.loads(js.read_text(encoding="utf-8"))
    timings["total"] = time.perf_counter() - t0
    return ReportResult(name, ipynb, html, js, summary, timings)


def _cell_phases(ipynb: Path) -> dict:
    """Seconds spent in cells tagged ``phase-imports`` and ``phase-compute`` (papermill
    records each cell's duration), and the kernel start-up before the first cell."""
    import nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    out = {"imports": 0.0, "compute": 0.0}
    for cell in nb.cells:
        meta = cell.metadata.get("papermill", {})
        dur = meta.get("duration") or 0.0
        tags = cell.metadata.get("tags", [])
        if "phase-imports" in tags:
            out["imports"] += dur
        else:
            out["compute"] += dur
    start = nb.metadata.get("papermill", {}).get("start_time")
    first = next((c.metadata.get("papermill", {}).get("start_time") for c in nb.cells
                  if c.metadata.get("papermill", {}).get("start_time")), None)
    if start and first:
        from datetime import datetime

        out["kernel_start"] = (datetime.fromisoformat(first) - datetime.fromisoformat(start)).total_seconds()
    return out
