"""Parameterized report notebooks: parameter checks, the papermill runner, the JSON
summary and batches.

>>> from petition_analysis.publish import reports
>>> reports.REPORT_KINDS
('annual', 'quarterly', 'hotspots')

Run one report (writes ipynb, HTML and JSON)::

    reports.run("annual", "reports", year=2019, as_of="2019-12-20", lang="zh")
"""

from .batch import expand_plan, format_batch, load_plan, run_batch
from .params import LANGS, REPORT_KINDS, ReportContext, ReportParameterError, prepare, slugify
from .runner import NOTEBOOKS, ReportFailed, ReportResult, export_html, notebook_path, report_name, run
from .summary import build_summary, figure_object, protect_figure, write_summary

__all__ = [
    "REPORT_KINDS", "LANGS", "NOTEBOOKS",
    "ReportContext", "ReportParameterError", "ReportFailed", "ReportResult",
    "prepare", "slugify", "run", "report_name", "notebook_path", "export_html",
    "build_summary", "figure_object", "protect_figure", "write_summary",
    "load_plan", "expand_plan", "run_batch", "format_batch",
]
