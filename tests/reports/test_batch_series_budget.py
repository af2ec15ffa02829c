"""A batch gives its public series' audit a time budget (``disclosure_seconds``): past it,
the public reports are failed reports that say why and what to do; none is written."""

from __future__ import annotations

from petition_analysis.publish.disclosure import AuditFailed
from petition_analysis.publish.reports import batch, series


def test_the_plan_budget_reaches_the_series_audit_and_a_refusal_fails_only_the_public_reports(tmp_path, monkeypatch):
    seen = {}

    def refuse(jobs, out_dir, *, seconds=None, progress=False):
        seen["seconds"], seen["public"] = seconds, sum(bool(j.get("public")) for j in jobs)
        raise AuditFailed("the protection of these 7,069 distinct counts was not proved within the time budget "
                          f"of {seconds:,.0f} s; nothing of it is written. Publish fewer reports together.")

    monkeypatch.setattr(series, "protect_series", refuse)
    plan = {"out_dir": str(tmp_path), "disclosure_seconds": 42,
            "reports": [{"kind": "quarterly", "years": [2023], "quarters": [3, 4], "regions": ["丑县"], "public": True}]}
    table = batch.run_batch(plan, progress=False)
    assert seen == {"seconds": 42, "public": 2}
    assert (table["status"] == "failed").all() and table["output"].isna().all()
    assert all("time budget of 42 s" in e and e.startswith("series disclosure audit:") for e in table["error"])
    assert not list(tmp_path.glob("quarterly/**/*.html"))  # nothing public was written
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "time budget of 42 s" in index


def test_the_default_budget_is_used_when_the_plan_gives_none(tmp_path, monkeypatch):
    seen = {}

    def refuse(jobs, out_dir, *, seconds=None, progress=False):
        seen["seconds"] = seconds
        raise AuditFailed("stop here")

    monkeypatch.setattr(series, "protect_series", refuse)
    batch.run_batch({"out_dir": str(tmp_path), "reports": [{"kind": "annual", "years": [2023], "public": True}]},
                    progress=False)
    assert seen["seconds"] == batch.DEFAULT_DISCLOSURE_SECONDS == 900
