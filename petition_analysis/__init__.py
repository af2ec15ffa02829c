"""petition-analysis: load, clean and analyse Chinese petition (信访) registers.

A small public API over well-named modules::

    import petition_analysis as pa
    df = pa.load_reference()                             # the bundled synthetic register
    res = pa.clean("register.xlsx")                      # raw export → canonical table
    reg = pa.build_registry(res.data, year=2019, as_of="2019-12-20")   # what a report publishes
    reg["visits_national_items"]                          # count, interval, p-value, verdict
"""

from . import schema, synth, taxonomy
from ._version import __version__
from . import periods
from .analysis import stats
from .publish import plots  # plots imports matplotlib only when drawing
from .analysis.registry import FigureRegistry, build_registry
from .ingest.cleaning import CleanResult, clean, raw_preview, unmapped_labels
from .analysis.compare import channel_mix, five_declines, leapfrog_by_level, visits_by_level
from .analysis.compare import compare as compare_periods
from .analysis.compare import counts as count
from .analysis.compare import headline as headline_figures
from .errors import StructuralError
from .analysis.hotspots import emerging_hotspots, rank_categories, seasonal_peaks, share_change_scan
from .publish.narrative import headline_text
from .analysis.petitioners import accumulated_cases, repeat_concentration
from .analysis.rates import three_rates
from .schema import SchemaError, validate
from .publish.suppression import suppress
from .analysis.hot_issues import hot_issues
from .classify import classify
from .reference import load_reference

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


def __getattr__(name: str):
    if name in _MOVED:
        import importlib

        return importlib.import_module(f"{__name__}.{_MOVED[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

