"""Public reports survive an integer-programming differencing attack that reads only what
they print (the rendered HTML and the JSON): no hidden count is recovered exactly, and none
is narrowed below the protection interval (at least k − 1 possible values; a ``<5`` count
keeps all of 1 … 4)."""

from __future__ import annotations

import pytest

from petition_analysis.publish import reports

from .attacker import Attacker, load

K = 5


def _assert_protected(ranges: dict, k: int = K) -> int:
    assert ranges, "the attacker found hidden counts to attack"
    for name, (lo, hi) in ranges.items():
        assert hi is None or hi - lo >= k - 2, f"{name} narrowed to [{lo}, {hi}]"
    return len(ranges)


@pytest.mark.slow
@pytest.mark.parametrize("kind,params", [
    ("annual", {"year": 2023, "region": "寅市"}),
    ("quarterly", {"year": 2023, "quarter": 3, "region": "丑县"}),
])
def test_a_public_report_survives_the_attack(tmp_path, kind, params):
    res = reports.run(kind, tmp_path, public=True, lang="zh", **params)
    summary = load(res.json)
    assert summary["disclosure"]["audit_passed"]
    attacker = Attacker()
    attacker.read_report("r", summary, res.html)
    n = _assert_protected(attacker.ranges())
    assert n >= summary["disclosure"]["hidden_small"]
    # a hidden figure carries no change, p-value, interval, significance or verdict
    for f in summary["figures"].values():
        counts = [f.get(p) for p in ("current", "previous", "numerator", "denominator")]
        if any(isinstance(c, str) for c in counts):
            assert all(f.get(key) is None for key in ("change", "change_pct", "p_value", "ci_low", "ci_high",
                                                      "significant", "assessment"))


def test_the_attacker_recovers_cells_of_plain_small_cell_suppression():
    """The attack works: against figures that only hide counts from 1 to 4 (the old public
    mode), subtraction gives a hidden level back exactly."""
    ctx = reports.prepare("annual", year=2023, region="寅市", lang="zh")
    from petition_analysis.publish.reports import sections

    figs = sections.summary_figures(ctx)
    naive = {}
    for fid, f in figs.items():
        f = dict(f)
        for part in ("current", "previous", "numerator", "denominator", "censored"):
            if isinstance(f.get(part), (int, float)) and 0 < f[part] < K:
                f[part] = f"<{K}"
        naive[fid] = f
    attacker = Attacker()
    attacker.read_report("r", {"figures": naive})
    ranges = attacker.ranges()
    assert any(hi is not None and hi == lo for lo, hi in ranges.values()), ranges
