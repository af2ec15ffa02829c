"""Issue 15: honest counts from predicted categories, and the message-board section of the
hotspots and quarterly reports (nothing changes for a register without board columns)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis import taxonomy
from petition_analysis.analysis.classified import category_counts
from petition_analysis.publish import reports
from petition_analysis.publish.reports import hot_issues_section as board
from petition_analysis.publish.reports import sections
from petition_analysis.synth.board import BOARD_MAPPING_YAML, make_board


@pytest.fixture(scope="module")
def board_files(tmp_path_factory):
    """Three years of a synthetic board (the planted issues in the last), as CSV + mapping."""
    d = tmp_path_factory.mktemp("board")
    parts = [make_board(400, seed=31, year=2018, planted=()), make_board(400, seed=32, year=2019, planted=()),
             make_board(500, seed=33, year=2020)]
    raw = pd.concat([b.raw.assign(留言编号=b.raw["留言编号"].str.replace("LY", f"L{i}")) for i, b in enumerate(parts)],
                    ignore_index=True)
    truth = pd.concat([b.truth.assign(case_id=b.truth["case_id"].str.replace("LY", f"L{i}")) for i, b in enumerate(parts)],
                      ignore_index=True)
    (d / "board.csv").write_text(raw.to_csv(index=False), encoding="utf-8")
    (d / "board.yaml").write_text(BOARD_MAPPING_YAML, encoding="utf-8")
    return d / "board.csv", d / "board.yaml", truth


def test_given_categories_have_exact_intervals():
    b = make_board(150, seed=34, planted=(), with_category=True)
    df = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    t = category_counts(df)
    assert t.attrs["predicted_rows"] == 0
    present = t[t["count"] > 0]
    assert (present["ci_low"] == present["count"]).all() and (present["ci_high"] == present["count"]).all()


def test_intervals_cover_the_true_counts_and_are_reproducible(board_files):
    csv, mapping, truth = board_files
    df = pa.clean(csv, mapping, pseudonym_key="k").data
    t = category_counts(df)
    true = taxonomy.crosswalk_series(truth["category"]).value_counts()
    for code, n in true.items():
        assert t.loc[code, "ci_low"] <= n <= t.loc[code, "ci_high"], (code, n, t.loc[code].to_dict())
    assert t["count"].sum() == len(df) and t.attrs["predicted_rows"] == len(df)
    pd.testing.assert_frame_equal(t, category_counts(df))


def test_a_trained_model_gives_narrower_intervals_than_the_default(board_files, tmp_path):
    csv, mapping, truth = board_files
    lab = make_board(600, seed=35, with_category=True, planted=())
    lab.raw[["一级分类", "留言主题", "留言详情"]].to_csv(tmp_path / "lab.csv", index=False)
    from petition_analysis.classify import read_labelled, train

    model = train(read_labelled(tmp_path / "lab.csv"), folds=3)
    df = pa.clean(csv, mapping, pseudonym_key="k", classifier=model).data
    wide = category_counts(df, model="default")
    narrow = category_counts(df, model=model)
    pd.testing.assert_frame_equal(category_counts(df), narrow)  # the model cleaning recorded
    common = narrow.index[narrow["count"] > 20]
    width = lambda t: (t.loc[common, "ci_high"] - t.loc[common, "ci_low"]).mean()  # noqa: E731
    assert width(narrow) < width(wide)


def test_section_tables_in_full_and_public_reports(board_files):
    csv, mapping, truth = board_files
    ctx = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en")
    assert board.applies(ctx) and board.has_replies(ctx)
    note = board.classification_note(ctx)
    assert "had no category" in note and "intervals" in note
    t = board.classification_table(ctx)
    assert list(t.columns) == ["category", "messages", "predicted", "estimate", "interval", "share", "share interval"]
    hot = board.hot_issue_table(ctx)
    assert len(hot) >= 1 and hot["issue"].str.contains("丽景华庭").any()  # the mixing plant, April–May
    rt = board.response_time(ctx)
    assert "median days to reply" in rt["measure"].tolist()
    pub = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="zh", public=True)
    assert board.classification_table(pub).empty
    k = pub.suppression_k
    full = board._hot(ctx).table.set_index("rank")
    shown = board.hot_issue_table(pub)  # the table a reader of the public edition sees
    prot = sections.disclosure(pub)
    eligible = full[(full["users"] >= k) & (full["messages"] >= k)].head(board.TOP_ISSUES)
    listed = [r for r in eligible.index
              if not (prot.hidden(f"board:hot:{r}:messages") or prot.hidden(f"board:hot:{r}:users"))]
    assert len(listed) >= 1 and shown["排名"].astype(int).tolist() == listed
    for row in shown.itertuples(index=False):
        r = int(row[0])
        assert row[1] == full.loc[r, "label"] and row[2] == full.loc[r, "place"]
        # the printed counts are the issue's, and its disclosure cells hold the same numbers
        assert row[5] == f"{full.loc[r, 'messages']:,}" == prot.display(f"board:hot:{r}:messages")
        assert row[6] == f"{full.loc[r, 'users']:,}" == prot.display(f"board:hot:{r}:users")
        assert int(full.loc[r, "users"]) >= k and int(full.loc[r, "messages"]) >= k


def test_every_count_of_the_public_board_section_is_a_disclosure_cell(board_files):
    csv, mapping, _ = board_files
    pub = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en", public=True)
    prot = sections.disclosure(pub)
    d = board.period_data(pub)
    days = (d["replied_date"] - d["received_date"]).dt.days
    want = {"board:messages": len(d), "board:predicted": int(d["category_source"].isin(["predicted", "unclassified"]).sum()),
            "board:replied": int(d["replied_date"].notna().sum()), "board:replied_within": int((days <= board.REPLY_DAYS).sum())}
    for key, n in want.items():  # each cell counts what the section counts
        assert prot.values[key] == n, key
    note = board.classification_note(pub)
    assert f"Of the {prot.display('board:messages')} messages" in note and f", {prot.display('board:predicted')} had" in note
    rt = board.response_time(pub).set_index("measure")["value"]
    assert rt["messages"] == prot.display("board:messages") and rt["replied"] == prot.display("board:replied")
    block = board.summary_block(pub)
    assert block["messages"] == prot.json_value("board:messages") and block["predicted"] == prot.json_value("board:predicted")
    for h in block["hot_issues"]:
        assert h["messages"] == prot.json_value(f"board:hot:{h['rank']}:messages")
        assert h["users"] == prot.json_value(f"board:hot:{h['rank']}:users")
    # the audit covers the section's cells, and the internal report prints plain counts
    assert prot.ok and {k for k in prot.keys if k.startswith("board:hot:")}
    ctx = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en")
    assert sections.disclosure(ctx) is None and f"Of the {len(d):,} messages" in board.classification_note(ctx)


def test_a_register_gets_no_board_section(reference_df):
    ctx = reports.prepare("quarterly", year=2019, quarter=3, lang="en")
    assert not board.applies(ctx) and not board.has_replies(ctx)


@pytest.mark.slow
def test_hotspots_report_on_a_board_shows_hot_issues_and_intervals(board_files, tmp_path):
    csv, mapping, _ = board_files
    res = reports.run("hotspots", tmp_path, data=str(csv), mapping=str(mapping), lang="en", progress=False)
    html = next(tmp_path.rglob("*.html")).read_text(encoding="utf-8")
    assert "Message board: predicted categories and hot issues" in html
    assert "heat" in html and "丽景华庭" in html and "share interval" in html
    summary = json.loads(next(tmp_path.rglob("*.json")).read_text(encoding="utf-8"))
    block = summary["message_board"]
    assert block["hot_issues"][0]["place"] in {"丽景华庭", "金域蓝湾"} and block["heat_index"].startswith("ln(1+messages)")
    assert {c["category"] for c in block["categories"]} and all(c["ci_low"] <= c["ci_high"] for c in block["categories"])


def test_summary_block_public_leaves_out_corrected_counts(board_files):
    csv, mapping, _ = board_files
    pub = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en", public=True)
    block = board.summary_block(pub)
    assert "categories" not in block and all(h["users"] >= pub.suppression_k for h in block["hot_issues"])
    assert block["model"]["kind"] == "keywords" and "response_time" in block
    json.dumps(block)  # plain JSON


def test_the_section_reads_its_numbers_from_the_registry(board_files):
    csv, mapping, _ = board_files
    ctx = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en")
    f = sections.registry(ctx).board
    # the quarter's rows, selected here (not through the section or the registry)
    d = ctx.data[ctx.data["received_date"].between("2020-04-01", "2020-06-30")]
    assert len(d) and len(board.period_data(ctx)) == len(d)
    days = (d["replied_date"] - d["received_date"]).dt.days.dropna()
    # the registry's figures, checked against the period's rows
    assert (f.start, f.end) == (pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-30"))
    assert f.messages == len(d) and f.predicted == int(d["category_source"].isin(["predicted", "unclassified"]).sum())
    assert f.replied == len(days) and f.replied_within == int((days <= board.REPLY_DAYS).sum())
    assert f.median_days == pytest.approx(float(np.median(days)))
    # each category's count and predicted part, counted here from the rows (crosswalked codes)
    cat = taxonomy.crosswalk_series(d["category"].astype("str"))
    pred = d["category_source"].astype("str").isin(["predicted", "unclassified"]).to_numpy()
    got = f.categories[f.categories["count"] > 0]
    assert got["count"].to_dict() == cat.value_counts().to_dict()
    assert got["predicted"].to_dict() == cat[pred].value_counts().reindex(got.index, fill_value=0).to_dict()
    assert ((got["ci_low"] <= got["estimate"]) & (got["estimate"] <= got["ci_high"])).all()
    assert f.hot.table["messages"].sum() == len(f.hot.members)
    # and the section prints them
    hot = board.hot_issue_table(ctx)
    assert hot["messages"].tolist() == [f"{v:,}" for v in f.hot.table.head(board.TOP_ISSUES)["messages"]]
    rt = board.response_time(ctx).set_index("measure")["value"]
    assert rt["replied"] == f"{f.replied:,}" and rt["median days to reply"] == f"{f.median_days:.1f}"
    assert rt[f"replied within {board.REPLY_DAYS} days"] == f"{100 * f.within_share:.1f}%"
    block = board.summary_block(ctx)
    assert block["messages"] == f.messages and [c["count"] for c in block["categories"]] == \
        f.categories.loc[f.categories["count"] > 0, "count"].tolist()


def test_a_register_has_no_board_figures(reference_df):
    ctx = reports.prepare("quarterly", year=2019, quarter=3, lang="en")
    assert sections.registry(ctx).board is None


def test_the_section_period_is_the_registry_period(board_files):
    # Review of issue 15 #3: the section's label names the period its numbers count (the
    # registry's), in a quarterly report and in an annual report to date, worded as the
    # other sections word it
    import dataclasses

    csv, mapping, _ = board_files
    q = reports.prepare("quarterly", data=str(csv), mapping=str(mapping), year=2020, quarter=2, lang="en")
    a = reports.prepare("annual", data=str(csv), mapping=str(mapping), year=2020, as_of="2020-06-30", lang="en")
    # a quarterly context built directly, carrying an as-of date the registry may use
    q_as_of = dataclasses.replace(q, as_of=pd.Timestamp("2020-05-15").date(), cache={})
    for ctx in (q, a, q_as_of):
        reg = sections.registry(ctx)
        p = board.period(ctx)
        assert (p.start, p.end) == (reg.board.start, reg.board.end) == (reg.period.start, reg.period.end)
        assert p.label("en") == sections.period_labels(ctx)["en"] and p.label("zh") == sections.period_labels(ctx)["zh"]
        d = board.period_data(ctx)
        assert len(d) == reg.board.messages and d["received_date"].between(reg.period.start, reg.period.end).all()
    assert (board.period(q).start, board.period(q).end) == (pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-30"))
    assert board.period(a).label("en") == "2020 (1 Jan to 30 Jun)"
    # the quarter cut at its as-of date: the section counts (and says) 1 Apr to 15 May
    assert (board.period(q_as_of).start, board.period(q_as_of).end) == (pd.Timestamp("2020-04-01"), pd.Timestamp("2020-05-15"))
    assert board.period_data(q_as_of)["received_date"].max() <= pd.Timestamp("2020-05-15 23:59:59")
    note = board.classification_note(q)
    assert "messages of 2020 Q2" in note
    block = board.summary_block(q)
    assert block["period"] == {"start": "2020-04-01", "end": "2020-06-30"}
