"""Analysis: canonical rows → figures with their uncertainty.

:mod:`~petition_analysis.periods` (periods, 同比 and 环比),
:mod:`~petition_analysis.analysis.compare` and :mod:`~petition_analysis.analysis.stats`
(exploratory comparisons and statistics), :mod:`~petition_analysis.analysis.rates` (三率),
:mod:`~petition_analysis.analysis.hotspots`, :mod:`~petition_analysis.analysis.petitioners`
(积案), :mod:`~petition_analysis.analysis.workdays` (working days and 调休),
:mod:`~petition_analysis.analysis.models` (count models: exposure, dispersion, between-year
variation, exact and compound tests, false-coverage-rate intervals),
:mod:`~petition_analysis.analysis.registry` (every published figure, computed once) and
:mod:`~petition_analysis.analysis.validation` (the models checked on simulated worlds).
"""
