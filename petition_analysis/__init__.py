"""petition-analysis: load, clean and analyse Chinese petition (信访) registers.

A small public API over well-named modules::

    import petition_analysis as pa
    df = pa.load_reference()                             # the bundled synthetic register
    res = pa.clean("register.xlsx")                      # raw export → canonical table
    reg = pa.build_registry(res.data, year=2019, as_of="2019-12-20")   # what a report publishes
    reg["visits_national_items"]                          # count, interval, p-value, verdict
"""

import sys as _sys
from types import ModuleType as _ModuleType

from ._lazy import attach as _attach
from ._version import __version__

from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # for type checkers and the API docs; at run time _LAZY imports on first use
    from . import periods, schema, synth, taxonomy
    from .analysis import stats
    from .publish import plots
    from .analysis.compare import (channel_mix, compare as compare_periods, counts as count, five_declines,
                                   headline as headline_figures, leapfrog_by_level, visits_by_level)
    from .analysis.hot_issues import hot_issues
    from .analysis.hotspots import emerging_hotspots, rank_categories, seasonal_peaks, share_change_scan
    from .analysis.petitioners import accumulated_cases, repeat_concentration
    from .analysis.rates import three_rates
    from .analysis.registry import FigureRegistry, build_registry
    from .classify import classify
    from .errors import StructuralError
    from .ingest.cleaning import CleanResult, clean, raw_preview, unmapped_labels
    from .publish.narrative import headline_text
    from .publish.suppression import suppress
    from .reference import load_reference
    from .schema import SchemaError, validate

#: Where each name of the API lives: imported on first use (PEP 562), so that ``import
#: petition_analysis`` (every report kernel, every command) does not import scipy.stats,
#: statsmodels or the synthetic generator until something asks for them. A module's entry
#: has no attribute name.
_LAZY = {
    "schema": ("schema", None), "synth": ("synth", None), "taxonomy": ("taxonomy", None),
    "periods": ("periods", None), "stats": ("analysis.stats", None), "plots": ("publish.plots", None),
    "FigureRegistry": ("analysis.registry", "FigureRegistry"), "build_registry": ("analysis.registry", "build_registry"),
    "CleanResult": ("ingest.cleaning", "CleanResult"), "clean": ("ingest.cleaning", "clean"),
    "raw_preview": ("ingest.cleaning", "raw_preview"), "unmapped_labels": ("ingest.cleaning", "unmapped_labels"),
    "channel_mix": ("analysis.compare", "channel_mix"), "five_declines": ("analysis.compare", "five_declines"),
    "leapfrog_by_level": ("analysis.compare", "leapfrog_by_level"), "visits_by_level": ("analysis.compare", "visits_by_level"),
    "compare_periods": ("analysis.compare", "compare"), "count": ("analysis.compare", "counts"),
    "headline_figures": ("analysis.compare", "headline"), "StructuralError": ("errors", "StructuralError"),
    "emerging_hotspots": ("analysis.hotspots", "emerging_hotspots"), "rank_categories": ("analysis.hotspots", "rank_categories"),
    "seasonal_peaks": ("analysis.hotspots", "seasonal_peaks"), "share_change_scan": ("analysis.hotspots", "share_change_scan"),
    "headline_text": ("publish.narrative", "headline_text"),
    "accumulated_cases": ("analysis.petitioners", "accumulated_cases"),
    "repeat_concentration": ("analysis.petitioners", "repeat_concentration"),
    "three_rates": ("analysis.rates", "three_rates"), "SchemaError": ("schema", "SchemaError"),
    "validate": ("schema", "validate"), "suppress": ("publish.suppression", "suppress"),
    "hot_issues": ("analysis.hot_issues", "hot_issues"), "classify": ("classify", "classify"),
    "load_reference": ("reference", "load_reference"),
}

__all__ = [
    "__version__",
    # data: the bundled reference register, schema, taxonomy, synthetic data, cleaning
    "load_reference", "schema", "validate", "SchemaError", "taxonomy", "synth", "clean", "raw_preview", "unmapped_labels", "CleanResult", "StructuralError",
    # the figure registry: every figure of a report, its verdict and interval, computed once
    "build_registry", "FigureRegistry",
    # periods and comparisons with uncertainty
    "periods", "stats", "count", "compare_periods", "headline_figures", "five_declines",
    "visits_by_level", "leapfrog_by_level", "channel_mix", "three_rates",
    # hotspots and petitioners
    "rank_categories", "emerging_hotspots", "seasonal_peaks", "share_change_scan",
    "accumulated_cases", "repeat_concentration",
    # message boards: categories predicted from text, hot issues (热点问题)
    "classify", "hot_issues",
    # publication
    "headline_text", "suppress", "plots",
]


#: Modules that lived at the top of the package before it was split into ingest, analysis and
#: publish: ``from petition_analysis import reports`` (or ``compare``, ``hotspots`` …) keeps
#: working, and imports them only when asked for.
_MOVED = {
    "io": "ingest.io", "headers": "ingest.headers", "parse": "ingest.parse", "cleaning": "ingest.cleaning",
    "dataset": "ingest.dataset", "derive": "ingest.derive", "privacy": "ingest.privacy", "reasons": "ingest.reasons",
    "compare": "analysis.compare", "rates": "analysis.rates", "hotspots": "analysis.hotspots",
    "petitioners": "analysis.petitioners", "suppression": "publish.suppression", "narrative": "publish.narrative",
    "fonts": "publish.fonts", "headline": "publish.headline", "reports": "publish.reports",
}


__getattr__, __dir__ = _attach(__name__, _LAZY, _MOVED, list_submodules=False)  # old names work, unlisted


class _Package(_ModuleType):
    """The package module. Importing the subpackage ``classify`` binds its name here, which
    would hide the function ``classify`` of the API (imported eagerly before it became lazy):
    the function is kept."""

    def __setattr__(self, name, value):
        module, attr = _LAZY.get(name, (None, None))
        if attr is not None and getattr(value, "__name__", None) == f"{__name__}.{module}":
            value = getattr(value, attr)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
