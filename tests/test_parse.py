"""Value parsers."""

from __future__ import annotations

import pandas as pd

from petition_analysis.ingest import parse


def test_dates_in_every_form():
    raw = pd.Series(["2019-03-05", "2019/3/5", "2019年3月5日", "2019-03-05 14:23:07", "2019/3/5 9:05", "43529",
                     "2019.03.05", "20190305", "２０１９年３月５日", "2019年3月5日 14时02分", "2019-03-05T08:00"])
    assert parse.parse_dates(raw).eq(pd.Timestamp("2019-03-05")).all()


def test_date_problems_and_bounds():
    raw = pd.Series(["", "不详", "2019-02-30", "1989-12-31", "2030-01-01", "2019-01-01"])
    got = parse.date_problems(raw, parse.parse_dates(raw), today=pd.Timestamp("2025-01-01"))
    assert got.tolist()[:5] == ["missing_date", "invalid_date", "invalid_date", "date_out_of_range", "date_out_of_range"]
    assert pd.isna(got.iloc[5])


def test_choices_cover_zh_and_en_synonyms():
    assert parse.parse_choice(pd.Series(["到县", "市级", "赴省", "进京", "National", "乡镇"]), parse.LEVEL_WORDS).tolist()[:5] == \
        ["county", "city", "province", "national", "national"]
    assert parse.parse_choice(pd.Series(["已办结", "办理中", "不予受理", "待受理"]), parse.STATUS_WORDS).tolist() == \
        ["concluded", "accepted", "not_accepted", "registered"]
    assert parse.parse_choice(pd.Series(["满意", "基本满意", "不满意", ""]), parse.SATISFACTION_WORDS).tolist() == \
        ["satisfied", "basically_satisfied", "dissatisfied", "not_evaluated"]
    assert parse.parse_choice(pd.Series(["市长热线"]), parse.CHANNEL_WORDS, {"市长热线": "phone"}).tolist() == ["phone"]


def test_persons_and_flags():
    p, bad = parse.parse_persons(pd.Series(["2", "3.0", "-1", "1.5", "若干", "１２"]))
    assert p.tolist()[:2] == [2, 3] and bad.tolist() == [False, False, True, True, True, False] and p.iloc[5] == 12
    flag, unknown = parse.parse_flag(pd.Series(["重", "初", ""]), parse.REPEAT_WORDS, parse.FIRST_WORDS)
    assert flag.tolist() == [True, False, False] and not unknown.any()


def test_category_crosswalk_and_subcategory():
    cat, unknown = parse.parse_category(pd.Series(["卫生计生", "卫生计生", "环保类", ""]), pd.Series([2018, 2019, 2020, 2019]))
    assert cat.tolist() == ["health_family_planning", "health", "ecology_environment", "other"]
    assert unknown.tolist() == [False, False, False, True]
    sub, sub_unknown = parse.parse_subcategory(pd.Series(["欠薪", "", "未知细类"]))
    assert sub.iloc[0] == "wage_arrears" and pd.isna(sub.iloc[1]) and sub_unknown.tolist() == [False, False, True]
