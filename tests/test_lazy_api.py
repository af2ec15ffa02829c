"""``import petition_analysis`` is light (every report kernel and command pays for it) and
imports the API's modules on first use: every name of ``__all__`` is the object its module
defines, and ``pa.classify`` stays the function after the subpackage is imported."""

from __future__ import annotations

import json
import subprocess
import sys

import petition_analysis as pa

SCRIPT = r"""
import json, sys
import petition_analysis as pa
light = {m: m in sys.modules for m in ("pandas", "scipy.stats", "statsmodels", "petition_analysis.synth")}
import petition_analysis.classify.model  # binds the subpackage's name on the package
classify_is_function = callable(pa.classify) and pa.classify.__name__ == "classify"
from petition_analysis import synth, stats, count
print(json.dumps({"light": light, "classify": classify_is_function, "synth": synth.__name__,
                  "stats": stats.__name__, "count": count.__qualname__}))
"""


def test_import_is_light_and_names_resolve_on_use():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["light"] == {"pandas": False, "scipy.stats": False, "statsmodels": False,
                            "petition_analysis.synth": False}
    assert got["classify"] is True
    assert (got["synth"], got["stats"], got["count"]) == ("petition_analysis.synth", "petition_analysis.analysis.stats",
                                                          "counts")


def test_every_name_is_its_modules_object():
    from petition_analysis.analysis import compare, registry
    from petition_analysis.classify import classify
    from petition_analysis.ingest import cleaning

    for name in pa.__all__:
        assert getattr(pa, name) is not None, name
        assert name in dir(pa)
    assert pa.compare_periods is compare.compare and pa.count is compare.counts
    assert pa.headline_figures is compare.headline and pa.build_registry is registry.build_registry
    assert pa.clean is cleaning.clean and pa.classify is classify
    assert pa.stats.__name__ == "petition_analysis.analysis.stats"
