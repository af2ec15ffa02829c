"""Synthetic data for XX City: canonical registers with planted ground truth, and messy
raw exports made from them with the expected cleaning outcome.

Examples
--------
>>> from petition_analysis import synth
>>> res = synth.generate(2019, 2019)
>>> res.manifest["calibration"]["figures"]["2019"]["items"]
28792
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from .._lazy import attach as _attach

if _TYPE_CHECKING:  # for type checkers and the API docs; at run time the names load lazily
    from .city import CITY, regions
    from .generator import CALIBRATION, CALIBRATION_AS_OF, DEFAULT_SEED, SynthResult, generate
    from .messy import (BOARD_MAPPING_YAML, SAMPLE_PSEUDONYM_KEY, ExpectedOutcome, MessyExport, make_message_board,
                        make_messy_export, write_raw_samples)
    from .worlds import World, simulate_world

# Names load with their module on first use (PEP 562): a report's parameter check imports
# synth.city for the city's regions, and should not pay for scipy.stats (worlds), the
# generator or the messy exports.
_LAZY = {
    "CITY": "city", "regions": "city",
    "CALIBRATION": "generator", "CALIBRATION_AS_OF": "generator", "DEFAULT_SEED": "generator",
    "SynthResult": "generator", "generate": "generator",
    "World": "worlds", "simulate_world": "worlds",  # simulated worlds with known truth
    "BOARD_MAPPING_YAML": "messy", "SAMPLE_PSEUDONYM_KEY": "messy", "ExpectedOutcome": "messy",
    "MessyExport": "messy", "make_message_board": "messy", "make_messy_export": "messy",
    "write_raw_samples": "messy",
}


__getattr__, __dir__ = _attach(__name__, _LAZY)


__all__ = [
    "CITY", "regions", "CALIBRATION", "CALIBRATION_AS_OF", "DEFAULT_SEED", "SynthResult", "generate",
    "MessyExport", "ExpectedOutcome", "make_messy_export", "make_message_board", "write_raw_samples",
    "SAMPLE_PSEUDONYM_KEY", "BOARD_MAPPING_YAML",
]
