"""Publish: figures → what people read.

:mod:`~petition_analysis.publish.reports` (parameters, sections, the papermill runner, the
JSON summary, batches) shows the figure registry's rows;
:mod:`~petition_analysis.publish.narrative` writes them as sentences;
:mod:`~petition_analysis.publish.plots` draws them (with the CJK font of
:mod:`~petition_analysis.publish.fonts`); :mod:`~petition_analysis.publish.suppression`
protects small cells; :mod:`~petition_analysis.publish.headline` is the terminal table.
"""
