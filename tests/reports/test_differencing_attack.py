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
    # a county's report prints the city's totals beside its own (the context table)
    assert attacker.vars["r|city|current"] in attacker.known and attacker.vars["r|city|previous"] in attacker.known
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


@pytest.mark.slow
def test_a_public_batch_series_survives_the_attack_across_its_reports(tmp_path):
    """Two quarters of one county, protected as a series: the attacker also uses that the
    fourth quarter's "previous quarter" counts are the third quarter's own."""
    from petition_analysis.publish.reports import run_batch

    plan = {"out_dir": str(tmp_path), "workers": 2, "reports": [
        {"kind": "quarterly", "years": [2023], "quarters": [3, 4], "regions": ["丑县"], "public": True}]}
    table = run_batch(plan, progress=False)
    assert (table["status"] == "ok").all(), table["error"].tolist()
    assert table.attrs["series"] and table.attrs["series"][0]["audit_passed"]
    assert "audited together" in (tmp_path / "index.html").read_text(encoding="utf-8")
    attacker = Attacker()
    found = {}
    for out in table["output"]:
        html = __import__("pathlib").Path(out)
        summary = load(html.with_suffix(".json"))
        assert summary["disclosure"]["series"] is True
        tag = f"q{summary['parameters']['quarter']}"
        found[tag] = summary
        attacker.read_report(tag, summary, html)
    for fid, f in found["q4"]["figures"].items():
        if fid.startswith("qoq_"):
            attacker.link(f"q4|{fid}|previous", [f"q3|{fid.removeprefix('qoq_')}|current"])
    _assert_protected(attacker.ranges())
