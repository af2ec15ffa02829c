"""petition-analysis: load, clean and analyse Chinese petition (信访) registers.

A small public API over well-named modules::

    import petition_analysis as pa
    res = pa.clean("register.xlsx")                      # raw export → canonical table
    reg = pa.build_registry(res.data, year=2019, as_of="2019-12-20")   # what a report publishes
    reg["visits_national_items"]                          # count, interval, p-value, verdict
"""

from . import periods, plots, schema, stats, synth, taxonomy  # plots imports matplotlib only when drawing
from ._version import __version__
from .analysis.registry import FigureRegistry, build_registry
from .clean import CleanResult, clean, raw_preview
from .compare import channel_mix, five_declines, leapfrog_by_level, visits_by_level
from .compare import compare as compare_periods
from .compare import counts as count
from .compare import headline as headline_figures
from .errors import StructuralError
from .hotspots import emerging_hotspots, rank_categories, seasonal_peaks, share_change_scan
from .narrative import headline_text
from .petitioners import accumulated_cases, repeat_concentration
from .rates import three_rates
from .schema import SchemaError, validate
from .suppression import suppress

__all__ = [
    "__version__",
    # data: schema, taxonomy, synthetic data, cleaning
    "schema", "validate", "SchemaError", "taxonomy", "synth", "clean", "raw_preview", "CleanResult", "StructuralError",
    # the figure registry: every figure of a report, its verdict and interval, computed once
    "build_registry", "FigureRegistry",
    # periods and comparisons with uncertainty
    "periods", "stats", "count", "compare_periods", "headline_figures", "five_declines",
    "visits_by_level", "leapfrog_by_level", "channel_mix", "three_rates",
    # hotspots and petitioners
    "rank_categories", "emerging_hotspots", "seasonal_peaks", "share_change_scan",
    "accumulated_cases", "repeat_concentration",
    # publication
    "headline_text", "suppress", "plots",
]
