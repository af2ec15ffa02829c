"""Hot-issue places never carry a person's name (issue 15, privacy): the place is found in
message text, where a name can stand right before or after it; the privacy masks cannot be
applied (they mask road and estate names as addresses, which are the point of the column)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis.analysis.hot_issues import extract_places
from petition_analysis.synth.board import BOARD_MAPPING_YAML, DEFAULT_PLANTED, make_board

# (phrase, the name in it, the place it names or None): names before and after places, with
# and without the words around them, 代 phrases, traditional characters
ADVERSARIAL = [
    ("业主王建国在阳光花园反映搅拌站噪音", "王建国", "阳光花园"),
    ("阳光花园业主王建国反映搅拌站噪音", "王建国", "阳光花园"),
    ("王建国家住人民路，夜间施工扰民", "王建国", "人民路"),
    ("家住人民路的王建国投诉夜间施工", "王建国", "人民路"),
    ("李娜女士投诉阳光花园物业乱收费", "李娜", "阳光花园"),
    ("阳光花园李女士反映物业乱收费", "李", "阳光花园"),
    ("王先生在人民路开店被乱罚款", "王", "人民路"),
    ("张伟代阳光花园业主反映停车位捆绑销售", "张伟", "阳光花园"),
    ("张伟（代）阳光花园业主反映停车位", "张伟", "阳光花园"),
    ("刘德华代为反映幸福小区供暖不热", "刘德华", "幸福小区"),
    ("我叫陈明住在幸福小区，供暖不热", "陈明", "幸福小区"),
    ("联系人：赵丽华，幸福小区供暖不热", "赵丽华", "幸福小区"),
    ("，孙海涛反映幸福小区供暖不热", "孙海涛", "幸福小区"),
    ("王建国阳光花园业主，停车位被强卖", "王建国", "阳光花园"),
    ("我是王建国阳光花园业主，停车位被强卖", "王建国", "阳光花园"),
    ("李娜阳光花园停车位被强卖", "李娜", "阳光花园"),
    ("業主王建國在陽光花園反映噪音", "王建國", "陽光花園"),
    ("陽光花園業主王建國反映噪音", "王建國", "陽光花園"),
    ("王建國家住人民路，夜間施工擾民", "王建國", "人民路"),
    ("李娜女士投訴陽光花園物業亂收費", "李娜", "陽光花園"),
    ("張偉代陽光花園業主反映停車位", "張偉", "陽光花園"),
    ("村民王小二在东风村反映土地被占", "王小二", "东风村"),
    ("东风村村民：王小二，土地被占", "王小二", "东风村"),
    ("王某某在XX小区门口摆摊被罚", "王某某", "XX小区"),
    ("租户周杰住在金域蓝湾，房东不退押金", "周杰", "金域蓝湾"),
    ("业主黄晓明家住丽景华庭，搅拌站噪音", "黄晓明", "丽景华庭"),
    ("吴敏居住在梅溪湖西路，路灯不亮", "吴敏", "梅溪湖西路"),
    ("王建国", "王建国", None),
    ("业主王建国反映噪音", "王建国", None),
]


def test_no_place_carries_a_name():
    text = pd.Series([p for p, _, _ in ADVERSARIAL])
    found = extract_places(text)
    for (phrase, name, place), got in zip(ADVERSARIAL, found):
        # not the name, nor any part of it longer than its surname (建国, 建國)
        if isinstance(got, str):
            assert name not in got and (len(name) < 3 or name[1:] not in got), (phrase, got)
        if place is None:
            assert not isinstance(got, str), (phrase, got)
        else:
            assert got == place, (phrase, got)


def test_each_phrase_alone_is_safe_too():
    # no help from other messages that name the place alone
    for phrase, name, place in ADVERSARIAL:
        got = extract_places(pd.Series([phrase])).iloc[0]
        assert not isinstance(got, str) or name not in got, (phrase, got)
        if place is not None:
            assert got == place, (phrase, got)


def test_real_places_are_still_found():
    s = pd.Series(["阳光花园搅拌站噪音扰民", "人民路夜间施工", "XX小区物业乱收费", "关于丽景华庭旁的搅拌站",
                   "金域蓝湾停车位捆绑销售", "梅溪湖西路公交站撤了", "恳请解决东风村土地问题", "A市A5区魅力之城小区临街油烟",
                   "陽光花園噪音擾民", "时代花园停车难", "现代城门口占道", "没有地点的留言"])
    assert extract_places(s).tolist() == ["阳光花园", "人民路", "XX小区", "丽景华庭", "金域蓝湾", "梅溪湖西路",
                                          "东风村", "A市A5区魅力之城小区", "陽光花園", "时代花园", np.nan, np.nan]


def test_hot_issue_places_and_csv_carry_no_name(tmp_path):
    # the planted messages name their place after a petitioner's name, each message the same phrase
    b = make_board(300, seed=24, pii_share=0.0)
    raw = b.raw.copy()
    for p in DEFAULT_PLANTED:
        rows = (b.truth["issue"] == p.key).to_numpy()
        raw.loc[rows, "留言详情"] = "业主王建国在" + p.place + "，" + raw.loc[rows, "留言详情"]
        raw.loc[rows, "留言主题"] = "王建国" + p.place + raw.loc[rows, "留言主题"]
    df = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    hi = pa.hot_issues(df)
    assert set(hi.table.head(len(DEFAULT_PLANTED))["place"]) == {p.place for p in DEFAULT_PLANTED}
    a, m = hi.to_csv(tmp_path)
    assert "王建国" not in a.read_text(encoding="utf-8") + m.read_text(encoding="utf-8")
    assert not hi.table["place"].dropna().str.contains("建国").any()


def test_labels_of_plain_messages_are_not_masked_as_names():
    # verbs before a place (关停丽景华庭, 恢复梅溪湖西路) are no names
    b = make_board(300, seed=25, pii_share=0.0)
    hi = pa.hot_issues(pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k").data)
    assert len(hi.table) and not hi.table["label"].str.contains("[姓名]", regex=False).any(), hi.table["label"].tolist()


# given names that are not words of any planted message, one per user
_GIVEN = "娜伟芳敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆"


def _unique_names(n: int, length: int) -> list[str]:
    """``n`` distinct names of two or three characters (surname, then given names)."""
    surnames = "王李张刘陈杨黄赵吴周"
    assert n <= len(surnames) * len(_GIVEN)
    return [surnames[i % 10] + _GIVEN[i // 10] + ("" if length == 2 else _GIVEN[(i * 7 + 3) % len(_GIVEN)])
            for i in range(n)]


def test_a_name_one_user_wrote_never_reaches_a_label_or_place(tmp_path):
    # every planted message carries its own writer's name (or a list of neighbours' names), in
    # the forms the name rules cannot see: two or three characters right before or after the
    # place, inside the subject, in a list; each name is written by one user only
    b = make_board(300, seed=24, pii_share=0.0)
    raw = b.raw.copy()
    names_used = []
    for p in DEFAULT_PLANTED:
        rows = np.flatnonzero((b.truth["issue"] == p.key).to_numpy())
        offset = len(names_used) // 2
        names3 = _unique_names(offset + len(rows), 3)[offset:]
        names2 = _unique_names(offset + len(rows), 2)[offset:]
        for j, r in enumerate(rows):
            name, other = names3[j], names2[j]
            subject = raw.iloc[r, raw.columns.get_loc("留言主题")]
            form = j % 4
            raw.iloc[r, raw.columns.get_loc("留言主题")] = (
                other + p.place + subject if form == 0 else
                p.place + name + subject if form == 1 else
                subject + name + "、" + other + "等" if form == 2 else
                name + p.place + subject)
            names_used += [name, other]
    df = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k").data
    hi = pa.hot_issues(df)
    top = hi.table.head(len(DEFAULT_PLANTED))
    assert set(top["place"]) == {p.place for p in DEFAULT_PLANTED}
    published = "\n".join(hi.table["label"].tolist() + hi.table["place"].dropna().tolist())
    leaked = sorted({n for n in names_used if n in published})
    assert not leaked, (leaked, hi.table["label"].tolist())
    # the labels still say what the issue is about (the planted wording that the users share)
    assert all(len(label.replace("…", "")) >= 6 for label in top["label"]), top["label"].tolist()


@pytest.mark.parametrize("user", ["A000000001", np.nan, ""], ids=["one-id", "id-missing", "id-empty"])
def test_an_issue_of_one_user_has_no_words_of_theirs_in_label_or_place(user):
    # one person wrote all the messages (under one id, or without any: messages without a
    # petitioner could all be one person, so they are one user together): nothing in them is
    # shared by a second person, and the issue is too small for a public report
    b = make_board(200, seed=26, pii_share=0.0)
    raw = b.raw.copy()
    raw["留言用户"] = raw["留言用户"].astype("object")
    p = DEFAULT_PLANTED[0]
    rows = np.flatnonzero((b.truth["issue"] == p.key).to_numpy())
    raw.iloc[rows, raw.columns.get_loc("留言用户")] = user
    raw.iloc[rows, raw.columns.get_loc("留言主题")] = "周晓梅" + p.place + "搅拌站噪音"
    hi = pa.hot_issues(pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k").data)
    planted_ids = set(raw["留言编号"].iloc[rows].astype("str"))
    ranks = hi.members.loc[hi.members["case_id"].isin(planted_ids), "rank"].unique()
    # (their identical subjects are too common to count for similarity: the messages may split)
    issues = hi.table[hi.table["rank"].isin(ranks)]
    assert len(issues) and issues["messages"].sum() >= len(rows) // 2
    assert (issues["users"] == 1).all() and (issues["label"] == "…").all() and issues["place"].isna().all()
    assert "周晓梅" not in "".join(hi.table["label"])
    assert not set(ranks) & set(hi.public(5).table["rank"])


def test_traditional_place_endings_and_leading_words():
    # Review of issue 15 #9: 市場 ends a place, and the words before a place (關於, 投訴,
    # 處理 …) are cut in traditional characters as in simplified ones
    phrases = {
        "關於東門菜市場佔道經營": "東門菜市場",
        "強烈要求整治東門菜市場": "東門菜市場",
        "處理幸福花園噪音問題": "幸福花園",
        "諮詢東湖鎮低保政策": "東湖鎮",
        "位於人民路的工地夜間施工": "人民路",
        "投訴陽光小區物業亂收費": "陽光小區",
        "建議東風路增設紅綠燈": "東風路",
        "懇請解決東湖鎮低保問題": "東湖鎮",
        "儘快查處東門菜市場違章": "東門菜市場",
        "關注新華街道路積水": "新華街道",
        "對陽光小區的違建": "陽光小區",
    }
    got = extract_places(pd.Series(list(phrases)))
    assert got.tolist() == list(phrases.values())
    # and the simplified forms still give the same places
    simplified = pd.Series(["关于东门菜市场占道经营", "处理幸福花园噪音问题", "建议东风路增设红绿灯"])
    assert extract_places(simplified).tolist() == ["东门菜市场", "幸福花园", "东风路"]
    # a common word that ends like a place names none, in either script
    assert extract_places(pd.Series(["關於農村道路問題", "关于农村道路问题"])).isna().all()


def test_a_name_only_its_writer_and_one_other_user_wrote_is_cut():
    # user B (named 王芳) writes her name into the subject; user A mentions 邻居王芳: one other
    # user is not enough for a label's wording
    b = make_board(300, seed=24, pii_share=0.0)
    raw = b.raw.copy()
    p = DEFAULT_PLANTED[0]
    rows = np.flatnonzero((b.truth["issue"] == p.key).to_numpy())
    col_s, col_d = raw.columns.get_loc("留言主题"), raw.columns.get_loc("留言详情")
    # every message has its own user and its writer's name in its subject; the first writer is
    # 王芳, and the second user also names her (邻居王芳家): her name is in two users' texts
    raw.iloc[rows, raw.columns.get_loc("留言用户")] = [f"B{i:09d}" for i in range(len(rows))]
    names = ["王芳"] + _unique_names(len(rows) + 40, 2)[40:40 + len(rows) - 1]
    raw.iloc[rows, col_s] = [n + s for n, s in zip(names, raw.iloc[rows, col_s])]
    raw.iloc[rows[1], col_d] = "邻居王芳家" + raw.iloc[rows[1], col_d]
    hi = pa.hot_issues(pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k").data)
    assert "王芳" not in "".join(hi.table["label"]), hi.table["label"].tolist()
    # and wherever 王芳's own message would be the label, her name is cut
    from petition_analysis.analysis.hot_issues import _shared_wording
    others = [raw.iloc[r, col_s] + raw.iloc[r, col_d] for r in rows[1:]]
    assert "王芳" not in _shared_wording(raw.iloc[rows[0], col_s], others)
    assert "王芳" in _shared_wording(raw.iloc[rows[0], col_s], others + [raw.iloc[rows[0], col_s]])
