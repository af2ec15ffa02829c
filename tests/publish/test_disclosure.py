"""Disclosure control (publish/disclosure.py): suppression, the audit and the attacker's model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from petition_analysis.publish.disclosure import COMPLEMENTARY, PRIMARY, SHOWN, CellTable, protect


def _visits(levels: dict[str, int], persons=1, collective=False) -> pd.DataFrame:
    rows = [lv for lv, n in levels.items() for _ in range(n)]
    return pd.DataFrame({"level": rows, "persons": persons, "channel": "visit", "is_collective": collective})


def _levels_table(df: pd.DataFrame, person_times: bool = False) -> CellTable:
    t = CellTable(df)
    t.add("visits", np.ones(len(df), bool))
    for lv in df["level"].unique():
        t.add(lv, (df["level"] == lv).to_numpy())
        if person_times:
            t.add(lv + ":persons", (df["level"] == lv).to_numpy(), "person_times")
    if person_times:
        t.add("visits:persons", np.ones(len(df), bool), "person_times")
    return t


def test_a_small_level_gets_a_partner_and_keeps_its_whole_range():
    p = protect(_levels_table(_visits({"county": 139, "city": 68, "province": 6, "national": 2})), k=5)
    assert p.status["national"] == PRIMARY
    assert p.status["province"] == COMPLEMENTARY  # 215 − (139 + 68 + 6) = 2 no longer works
    assert p.status["visits"] == SHOWN
    assert p.audit.loc["national", ["lo", "hi"]].tolist() == [1, 4]
    assert p.audit["ok"].all()


def test_person_times_do_not_give_a_hidden_item_count_back():
    # two collective visits of 5: items hidden, but person-times 10 with ≥ 5 per item would
    # pin the items at ≤ 2 — so the person-times are hidden too
    df = pd.concat([_visits({"national": 2}, persons=5, collective=True), _visits({"county": 50})])
    p = protect(_levels_table(df, person_times=True), k=5)
    assert p.hidden("national") and p.hidden("national:persons")
    assert p.audit["ok"].all()
    lo, hi = p.audit.loc["national", ["lo", "hi"]]
    assert hi - lo >= 3


def test_identical_cells_share_their_status():
    df = _visits({"county": 30, "national": 3})
    t = _levels_table(df)
    t.add("national (again)", (df["level"] == "national").to_numpy())
    p = protect(t, k=5)
    assert p.status["national"] == p.status["national (again)"] == PRIMARY


def test_a_series_decision_is_kept():
    t = _levels_table(_visits({"county": 40, "city": 30, "province": 9, "national": 2}))
    p = protect(t, k=5, hide={"city": COMPLEMENTARY})
    assert p.status["city"] == COMPLEMENTARY and p.audit["ok"].all()


def test_display_and_json_values():
    p = protect(_levels_table(_visits({"county": 40, "city": 30, "province": 9, "national": 2})), k=5)
    assert p.display("national") == "<5" and p.json_value("national") == "<5"
    hidden = [key for key, s in p.status.items() if s == COMPLEMENTARY]
    assert hidden and p.display(hidden[0]) == "x"
    assert p.display("county") == "40" and p.json_value("county") == 40


def test_k_below_3_is_refused():
    with pytest.raises(ValueError, match="at least 3"):
        protect(_levels_table(_visits({"county": 4})), k=2)


def test_a_proof_past_its_time_budget_is_refused_with_the_fix():
    """A proof that has not finished is no proof: past its budget the search stops and says
    what to do, instead of running on for hours over a very large series."""
    from petition_analysis.publish.disclosure import AuditFailed

    table = _levels_table(_visits({"county": 139, "city": 68, "province": 6, "national": 2}))
    rounds = []
    p = protect(table, k=5, seconds=60, on_round=lambda *a: rounds.append(a))
    assert p.audit["ok"].all()
    # the first round finds the small count pinned, the next ones hide its partner and prove it
    assert rounds[0] == (1, "relaxation", 1, 1) and rounds[-1][1:] == ("integers", rounds[-1][2], 0)
    with pytest.raises(AuditFailed, match=r"not proved within the time budget of 0 s.*disclosure_seconds"):
        protect(table, k=5, seconds=0)
