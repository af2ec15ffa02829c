"""The JSON summary: documented keys, figures from comparison tables, public suppression."""

from __future__ import annotations

import json

from petition_analysis.publish import reports
from petition_analysis.publish.reports import sections, summary


def test_protect_figure_prints_decisions_and_drops_what_would_reveal_them():
    import pandas as pd

    from petition_analysis.publish.disclosure import Protection

    fig = {"current": 30, "previous": 40, "change": -10, "change_pct": -25.0, "p_value": 0.001,
           "significant": True, "assessment": "decline", "rate_ratio": 0.75, "ci_low": 0.5, "ci_high": 0.9}
    prot = Protection(5, {"fig:a:current": 30, "fig:a:previous": 40},
                      {"fig:a:current": "complementary", "fig:a:previous": "shown"}, pd.DataFrame())
    out = summary.protect_figure("a", fig, prot)
    assert out["current"] == "x" and out["previous"] == 40  # hidden although not small
    assert all(out[k] is None for k in ("change", "change_pct", "p_value", "rate_ratio", "ci_low", "ci_high",
                                        "significant", "assessment"))
    shown = Protection(5, {"fig:a:current": 30, "fig:a:previous": 40},
                       {"fig:a:current": "shown", "fig:a:previous": "shown"}, pd.DataFrame())
    assert summary.protect_figure("a", fig, shown) == fig


def test_figure_object_has_the_documented_keys_and_plain_numbers(reference_df):
    from petition_analysis.analysis.registry import build_registry

    reg = build_registry(reference_df, year=2019, as_of="2019-12-20")
    f = summary.figure_object(reg["visits_national_items"])
    assert list(f) == list(summary.FIGURE_KEYS)
    assert (f["current"], f["previous"], f["change"], f["change_pct"]) == (80, 150, -70, -46.67)
    assert all(type(f[k]) is int for k in ("current", "previous", "change"))
    assert f["significant"] is True and f["assessment"] == "decline" and f["family"] == "primary"
    json.dumps(f)  # nothing numpy left
    rate = summary.figure_object(reg["rate_timely_acceptance"])
    assert rate["kind"] == "rate" and rate["denominator"] + rate["censored"] > rate["numerator"]


def test_summary_keys_and_calibration(tmp_path):
    ctx = reports.prepare("annual", year=2019, as_of="2019-12-20")
    s = reports.build_summary(ctx, reports.report_name(ctx), sections.summary_figures(ctx),
                              period=sections.period_labels(ctx))
    path = tmp_path / "s.json"
    reports.write_summary(path, s)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert {"report", "parameters", "data", "package_version", "period", "figures", "quality", "public"} <= set(back)
    assert len(back["data"]["sha256"]) == 64
    f = back["figures"]
    assert (f["items"]["current"], f["items"]["previous"], f["items"]["change_pct"]) == (28792, 29368, -1.96)
    assert (f["visits_national_items"]["current"], f["visits_national_person_times"]["current"]) == (80, 159)
    assert (f["leapfrog_city_items"]["previous"], f["leapfrog_city_person_times"]["previous"]) == (536, 3367)
    for key in ("current", "previous", "change", "change_pct", "p_value", "significant"):
        assert key in f["leapfrog_city_person_times"]
    assert back["period"]["partial"] is True and back["period"]["comparison"]["end"] == "2018-12-20"
