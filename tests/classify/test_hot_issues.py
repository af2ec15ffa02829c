"""Issue 15: hot issues (热点问题) found in message text; the planted issues of a synthetic
board come first, with their messages; the CLI writes the two tables."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis.analysis.hot_issues import TABLE_COLUMNS, extract_places, heat_index
from petition_analysis.cli import main
from petition_analysis.synth.board import BOARD_MAPPING_YAML, DEFAULT_PLANTED, make_board


@pytest.fixture(scope="module")
def board():
    return make_board(1200, seed=21)


@pytest.fixture(scope="module")
def clean_board(board):
    return pa.clean(board.raw, BOARD_MAPPING_YAML, pseudonym_key="k").data


@pytest.fixture(scope="module")
def hot(clean_board):
    return pa.hot_issues(clean_board)


def test_planted_issues_come_first_with_their_messages(board, hot):
    planted = {p.key: p for p in DEFAULT_PLANTED}
    truth = board.truth.set_index("case_id")["issue"]
    top = hot.table.head(len(planted))
    assert list(top.columns) == TABLE_COLUMNS
    found = {}
    for rank in top["rank"]:
        ids = hot.members.loc[hot.members["rank"] == rank, "case_id"]
        issue = truth.reindex(ids).value_counts()
        key = issue.index[0]
        precision = issue.iloc[0] / len(ids)
        recall = issue.iloc[0] / planted[key].messages
        assert precision >= 0.95 and recall >= 0.9, (key, precision, recall)
        found[key] = rank
    assert set(found) == set(planted)
    # the places are the planted places, the labels name them, and heat decreases with rank
    assert set(top["place"]) == {p.place for p in DEFAULT_PLANTED}
    for r in top.itertuples():
        assert r.place in r.label
    assert top["heat"].is_monotonic_decreasing
    # nothing else of the background (every message about its own place) is as hot
    rest = hot.table.iloc[len(planted):]
    assert rest.empty or rest["heat"].max() < top["heat"].min()


def test_hot_issue_table_counts_match_members(clean_board, hot):
    d = clean_board.set_index("case_id")
    for r in hot.table.itertuples():
        ids = hot.members.loc[hot.members["rank"] == r.rank, "case_id"]
        sub = d.loc[ids]
        assert r.messages == len(ids) and r.likes == sub["likes"].sum() and r.dislikes == sub["dislikes"].sum()
        assert r.users == sub["petitioner_id"].nunique()
        assert r.first_date == sub["received_date"].min() and r.last_date == sub["received_date"].max()
        span = (r.last_date - r.first_date).days
        assert r.heat == pytest.approx(heat_index([r.messages], [r.users], [r.likes], [r.dislikes], [span])[0], abs=0.01)


def test_hot_issues_are_reproducible_and_never_name_users(board, clean_board, hot):
    again = pa.hot_issues(clean_board.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(hot.table, again.table)
    pd.testing.assert_frame_equal(hot.members, again.members)
    handles = set(board.raw["留言用户"])
    text = hot.table.to_csv() + hot.members.to_csv()
    assert not any(h in text for h in handles)


def test_public_keeps_only_issues_of_at_least_k_users(hot):
    assert (hot.public(5).table["users"] >= 5).all()
    big = hot.public(25)
    assert (big.table["users"] >= 25).all() and set(big.members["rank"]) == set(big.table["rank"])


def test_labels_are_masked():
    b = make_board(100, seed=22, pii_share=0.0)
    raw = b.raw.copy()
    issue = b.truth["issue"].notna().to_numpy()
    raw.loc[issue, "留言主题"] = raw.loc[issue, "留言主题"] + " 电话13912345678"
    df = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    hi = pa.hot_issues(df)
    assert len(hi.table) and not hi.table["label"].str.contains("13912345678").any()


def test_extract_places_and_window():
    s = pd.Series(["关于丽景华庭旁的搅拌站", "距离丽景华庭不到两百米", "丽景华庭业主", "梅溪湖西路公交", "没有地点",
                   "华盛碧厂拖欠工资", "金盛碧厂拖欠工资"])
    # coded names (A市A5区 …) keep their letters and digits; a date before a name and a word that
    # only ends like a place (农村) are not places
    coded = pd.Series(["A市A5区魅力之城小区临街油烟", "2019年5月丽景华庭业主", "农村道路", "某信用合作联社拖欠"])
    assert extract_places(coded).tolist() == ["A市A5区魅力之城小区", "丽景华庭", np.nan, "某信用合作联社"]
    # a prefix is dropped when the rest is a name twice as frequent; two companies stay two
    assert extract_places(s).tolist() == ["丽景华庭", "丽景华庭", "丽景华庭", "梅溪湖西路", np.nan, "华盛碧厂", "金盛碧厂"]
    b = make_board(50, seed=23)
    df = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    # a one-day window cuts the planted issues into small pieces: fewer messages per issue
    wide, narrow = pa.hot_issues(df), pa.hot_issues(df, window_days=0)
    assert len(wide.table), "the planted issues are found with the default window"
    narrow_max = narrow.table["messages"].max() if len(narrow.table) else 0  # none left is fewer too
    assert wide.table["messages"].max() > narrow_max
    with pytest.raises(ValueError):
        pa.hot_issues(df, similarity=0)


def test_cli_hot_issues_and_classify(tmp_path, capsys, board):
    b = make_board(300, seed=24)
    src = tmp_path / "board.csv"
    b.write_csv(src)
    mapping = tmp_path / "board.yaml"
    mapping.write_text(BOARD_MAPPING_YAML, encoding="utf-8")
    out = tmp_path / "hot"
    assert main(["hot-issues", str(src), "--mapping", str(mapping), "-o", str(out)]) == 0
    table = pd.read_csv(out / "hot_issues.csv")
    members = pd.read_csv(out / "hot_issue_members.csv")
    assert list(table.columns) == TABLE_COLUMNS and list(members.columns) == ["rank", "case_id"]
    assert set(members["rank"]) == set(table["rank"]) and len(table) >= 3
    stdout = capsys.readouterr().out
    assert "hot issue(s)" in stdout
    # classify train on a labelled export, then clean with the model
    lab = make_board(300, seed=25, with_category=True).raw[["一级分类", "留言主题", "留言详情"]]
    lab.to_csv(tmp_path / "lab.csv", index=False)
    model = tmp_path / "m.json.gz"
    assert main(["classify", "train", str(tmp_path / "lab.csv"), "-o", str(model), "--folds", "3"]) == 0
    stdout = capsys.readouterr().out
    assert "accuracy" in stdout and "macro-F1" in stdout and "confusion matrix" in stdout and model.exists()
    assert main(["clean", str(src), "--mapping", str(mapping), "-o", str(tmp_path / "c.parquet"),
                 "--classifier", str(model)]) == 0
    data = pd.read_parquet(tmp_path / "c.parquet")
    assert (data["category_source"] == "predicted").all()
    assert main(["classify", "apply", str(tmp_path / "c.parquet"), "-o", str(tmp_path / "d.parquet"), "--all"]) == 0
    # a bad model file: one paragraph, exit 2
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["clean", str(src), "--mapping", str(mapping), "-o", str(tmp_path / "e.parquet"),
                 "--classifier", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a petition-analysis category model" in err and "Traceback" not in err


@pytest.mark.slow
def test_planted_issues_first_among_thirty_thousand_messages():
    b = make_board(30_000, seed=9)
    df = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    hi = pa.hot_issues(df)
    truth = b.truth.set_index("case_id")["issue"]
    top = hi.table.head(3)
    for rank in top["rank"]:
        issue = truth.reindex(hi.members.loc[hi.members["rank"] == rank, "case_id"]).value_counts(dropna=False)
        assert isinstance(issue.index[0], str) and issue.iloc[0] / issue.sum() >= 0.95
    assert set(top["place"]) == {p.place for p in DEFAULT_PLANTED}


@pytest.mark.parametrize("command", [["hot-issues", "{f}", "-o", "{o}"], ["classify", "apply", "{f}", "-o", "{o}/x.parquet"]])
@pytest.mark.parametrize("content", ["corrupt", "not_clean"])
def test_a_parquet_that_is_not_a_clean_table_gets_one_paragraph_and_exit_2(tmp_path, capsys, command, content):
    from petition_analysis import cli

    f = tmp_path / "in.parquet"
    if content == "corrupt":
        f.write_bytes(b"PAR1" + bytes(range(256)) * 4)
    else:
        pd.DataFrame({"x": [1]}).to_parquet(f)
    args = [a.format(f=f, o=tmp_path / "out") for a in command]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert ("could not be read as Parquet" if content == "corrupt" else "not a clean canonical table") in err
    assert not (tmp_path / "out" / "x.parquet").exists()
