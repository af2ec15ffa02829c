"""Synthetic data for XX City: canonical registers with planted ground truth, and messy
raw exports made from them with the expected cleaning outcome.

>>> from petition_analysis import synth
>>> res = synth.generate(2019, 2019)
>>> res.manifest["calibration"]["figures"]["2019"]["items"]
28792
"""

from .city import CITY, regions
from .generator import CALIBRATION, CALIBRATION_AS_OF, DEFAULT_SEED, SynthResult, generate

__all__ = ["CITY", "regions", "CALIBRATION", "CALIBRATION_AS_OF", "DEFAULT_SEED", "SynthResult", "generate"]
