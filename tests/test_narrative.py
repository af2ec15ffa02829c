"""Narrative: figures come from the computed tables, significance is stated in words."""

import pandas as pd
import pytest

from petition_analysis.publish import narrative
from petition_analysis.analysis.registry import build_registry


@pytest.fixture(scope="module")
def texts(reference_df):
    return {lang: narrative.headline_text(reference_df, year=2019, as_of="2019-12-20", lang=lang)
            for lang in ("zh", "en")}


def test_zh_headline_2019(texts, reference_df):
    zh = texts["zh"]
    first = zh.split("\n\n")[0]
    # thousands separators as in the tables (28,792 in both languages)
    assert "28,792件次" in first and "下降1.96%" in first and "2019年1月1日至12月20日" in first
    assert "28792" not in zh
    row = build_registry(reference_df, year=2019, as_of="2019-12-20")["items"]
    # The words follow the registry's verdict, whichever way it comes out.
    if row["verdict"] == "none":
        assert "不具有统计学意义" in first and "尚不能认定为实质性下降" in first
    else:
        assert "降幅具有统计学意义" in first
    assert "进京访80批159人次" in zh and "46.67%" in zh and "36.14%" in zh
    assert "越级到市访491批2,549人次" in zh
    # one range dash, the tables' (0.40–0.72), in Chinese as in English
    reg = build_registry(reference_df, year=2019, as_of="2019-12-20")
    f = reg["visits_national_items"]
    assert f"置信区间{f['ci_low']:.2f}–{f['ci_high']:.2f}" in zh and "～" not in zh


def test_en_headline_2019(texts, reference_df):
    en = texts["en"]
    first, second = en.split("\n\n")[:2]
    assert "28,792 petition items" in first and "down 1.96%" in first
    reg = build_registry(reference_df, year=2019, as_of="2019-12-20")
    expect = {"none": "within ordinary variation and not statistically significant",
              "decline": "a statistically significant decline"}
    assert expect[reg["items"]["verdict"]] in first
    assert f"{100 * reg['items']['ci_level']:.1f}% CI {reg['items']['ci_low']:.2f}–{reg['items']['ci_high']:.2f}" in first
    assert "in batches, a statistically significant decline" in second  # national-level visits


def test_significant_decline_is_named():
    # A constructed register: visits at national level halve, everything else steady.
    days = pd.date_range("2016-01-01", "2019-12-31", freq="D")
    rows = []
    for d in days:
        rows.append({"received_date": d, "channel": "letter", "level": "county", "persons": 1})
    df = pd.DataFrame(rows)
    nat = pd.DataFrame({"received_date": pd.date_range("2016-01-01", "2019-12-31", freq="2D"),
                        "channel": "visit", "level": "national", "persons": 2})
    nat = nat[(nat.received_date.dt.year < 2019) | (nat.index % 2 == 0)]
    df = pd.concat([df, nat], ignore_index=True)
    for col in ("is_leapfrog", "is_repeat", "is_collective"):
        df[col] = False
    df["region"] = "R1"
    text = narrative.headline_text(df, year=2019, lang="zh")
    assert "进京访" in text and "降幅具有统计学意义" in text.split("\n\n")[1]
    with pytest.raises(ValueError):
        narrative.headline_text(df, year=2019, lang="fr")
