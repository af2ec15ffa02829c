"""Parameterized report notebooks: parameter checks, the papermill runner, the JSON
summary and batches.

>>> from petition_analysis.publish import reports
>>> reports.REPORT_KINDS
('annual', 'quarterly', 'hotspots')

Run one report (writes ipynb, HTML and JSON)::

    reports.run("annual", "reports", year=2019, as_of="2019-12-20", lang="zh")
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from ..._lazy import attach as _attach

if _TYPE_CHECKING:  # for type checkers and the API docs; at run time _LAZY imports on first use
    from .batch import expand_plan, format_batch, load_plan, run_batch
    from .params import LANGS, REPORT_KINDS, ReportContext, ReportParameterError, prepare, slugify
    from .runner import NOTEBOOKS, ReportFailed, ReportResult, export_html, notebook_path, report_name, run
    from .summary import build_summary, figure_object, protect_figure, write_summary

#: The module of each public name: imported on first use (PEP 562), so that the process that
#: runs a report (the command line, a batch worker) checks its parameters and starts the
#: kernel without importing the figure registry and ``scipy.stats`` (``summary``), which only
#: the kernel needs.
_LAZY = {
    "expand_plan": "batch", "format_batch": "batch", "load_plan": "batch", "run_batch": "batch",
    "LANGS": "params", "REPORT_KINDS": "params", "ReportContext": "params", "ReportParameterError": "params",
    "prepare": "params", "slugify": "params",
    "NOTEBOOKS": "runner", "ReportFailed": "runner", "ReportResult": "runner", "export_html": "runner",
    "notebook_path": "runner", "report_name": "runner", "run": "runner",
    "build_summary": "summary", "figure_object": "summary", "protect_figure": "summary", "write_summary": "summary",
}
#: Submodules the package's import used to bind (``reports.runner._kernel_name``): imported when asked for.
_SUBMODULES = ("batch", "html", "params", "runner", "summary")

__all__ = [
    "REPORT_KINDS", "LANGS", "NOTEBOOKS",
    "ReportContext", "ReportParameterError", "ReportFailed", "ReportResult",
    "prepare", "slugify", "run", "report_name", "notebook_path", "export_html",
    "build_summary", "figure_object", "protect_figure", "write_summary",
    "load_plan", "expand_plan", "run_batch", "format_batch",
]


__getattr__, __dir__ = _attach(__name__, _LAZY, {name: name for name in _SUBMODULES})
