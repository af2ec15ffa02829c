"""Analysis: canonical rows → figures with their uncertainty.

:mod:`~petition_analysis.analysis.workdays` (the working-day calendar, 工作日与调休),
:mod:`~petition_analysis.analysis.models` (count models: exposure, dispersion, between-year
variation, exact and compound tests, false-coverage-rate intervals) and
:mod:`~petition_analysis.analysis.registry` (every published figure, computed once).
"""
