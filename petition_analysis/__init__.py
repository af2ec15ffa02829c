"""petition-analysis: load, clean and analyse Chinese petition (信访) registers."""

from . import periods, schema, stats, synth, taxonomy
from .compare import channel_mix, five_declines, leapfrog_by_level, visits_by_level
from .compare import compare as compare_periods
from .compare import counts as count
from .compare import headline as headline_figures
from .hotspots import emerging_hotspots, rank_categories, seasonal_peaks, share_change_scan
from .narrative import headline_text
from .petitioners import accumulated_cases, repeat_concentration
from .rates import three_rates
from .suppression import suppress
from . import plots  # matplotlib and seaborn are imported only when a plot is drawn
from ._version import __version__
from .schema import SchemaError, validate
from .clean import CleanResult, clean
from .errors import StructuralError

__all__ = [
    "__version__", "schema", "synth", "taxonomy", "validate", "SchemaError",
    # analysis (issue 4)
    "periods", "stats", "count", "compare_periods", "headline_figures", "five_declines",
    "visits_by_level", "leapfrog_by_level", "channel_mix", "three_rates", "accumulated_cases",
    "repeat_concentration", "rank_categories", "emerging_hotspots", "seasonal_peaks", "share_change_scan",
    "headline_text", "suppress", "plots",
    # ingestion and cleaning (issue 3)
    "clean", "CleanResult", "StructuralError",
]
