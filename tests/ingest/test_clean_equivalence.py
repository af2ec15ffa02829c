"""clean() of every bundled raw sample, read whole and in chunks of 50 rows, gives exactly
the data, rejects and log recorded in ``clean_fingerprints.json`` (issue 14: speed-ups
must change nothing). After an intended change of the output, rewrite the reference with
``python benchmarks/equivalence.py record --golden`` and say why in the commit."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_equivalence", ROOT / "benchmarks" / "equivalence.py")
equivalence = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(equivalence)

GOLDEN = json.loads(equivalence.GOLDEN.read_text(encoding="utf-8"))
SAMPLES = dict(equivalence.samples())


def test_every_bundled_sample_has_a_reference():
    assert set(SAMPLES) == set(GOLDEN), "record the new sample's fingerprint: benchmarks/equivalence.py record --golden"
    assert any("chunks" in name for name in SAMPLES) and any(name.endswith(".xlsx") for name in SAMPLES)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if "chunks" in n else n for n in sorted(SAMPLES)])
def test_clean_result_is_unchanged(name):
    got = equivalence.result_fingerprint(equivalence.run(SAMPLES[name]))
    diffs = equivalence.differences({name: GOLDEN[name]}, {name: got})
    assert not diffs, "clean() changed its output:\n" + "\n".join(diffs) + (
        "\nIf the change is intended, run: python benchmarks/equivalence.py record --golden")


def test_chunked_equals_whole():
    """The reference itself: cleaning in chunks gives the whole run's bytes."""
    for name in SAMPLES:
        if name.endswith(" chunks of 50"):
            whole = GOLDEN[name.removesuffix(" chunks of 50")]
            assert GOLDEN[name]["data"] == whole["data"] and GOLDEN[name]["rejects"] == whole["rejects"], name
