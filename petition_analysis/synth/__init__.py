"""Synthetic data for XX City: canonical registers with planted ground truth, and messy
raw exports made from them with the expected cleaning outcome.

Examples
--------
>>> from petition_analysis import synth
>>> res = synth.generate(2019, 2019)
>>> res.manifest["calibration"]["figures"]["2019"]["items"]
28792
"""

from .city import CITY, regions
from .generator import CALIBRATION, CALIBRATION_AS_OF, DEFAULT_SEED, SynthResult, generate
from .worlds import World, simulate_world  # noqa: F401 - simulated worlds with known truth
from .messy import (
    BOARD_MAPPING_YAML,
    SAMPLE_PSEUDONYM_KEY,
    ExpectedOutcome,
    MessyExport,
    make_message_board,
    make_messy_export,
    write_raw_samples,
)

__all__ = [
    "CITY", "regions", "CALIBRATION", "CALIBRATION_AS_OF", "DEFAULT_SEED", "SynthResult", "generate",
    "MessyExport", "ExpectedOutcome", "make_messy_export", "make_message_board", "write_raw_samples",
    "SAMPLE_PSEUDONYM_KEY", "BOARD_MAPPING_YAML",
]
