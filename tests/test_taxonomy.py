"""The taxonomy is package data with a consistent crosswalk, and lookups tolerate the
way labels are really written."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis import taxonomy

OLD_17 = ["城乡建设", "国土资源", "劳动和社会保障", "农村农业", "卫生计生", "教育文体", "民政", "政法", "经济管理",
          "交通运输", "商贸旅游", "科技与信息产业", "环境保护", "党务政务", "组织人事", "纪检监察", "其他"]
NEW = ["自然资源", "生态环境", "卫生健康", "教育", "文体旅游", "市场监管", "民政与应急", "房产物业", "军队事务"]


def test_all_seventeen_old_categories_and_the_new_labels_are_present():
    t = taxonomy.load_taxonomy()
    level1 = set(t.loc[t["level"] == 1, "zh"])
    assert set(OLD_17) <= level1
    assert set(NEW) <= level1


def test_table_is_consistent():
    t = taxonomy.load_taxonomy()
    codes = set(t["code"])
    assert t["code"].is_unique
    assert set(t["crosswalk_to"]) <= codes
    # a renamed label stops being used; its target starts the year after
    renamed = t[t["code"] != t["crosswalk_to"]]
    assert renamed["year_to"].notna().all()
    for _, row in renamed.iterrows():
        target = t.set_index("code").loc[row["crosswalk_to"]]
        assert target["year_from"] == row["year_to"] + 1
        assert target["crosswalk_to"] == target.name  # crosswalk targets are final
    parents = {p for ps in t.loc[t["level"] == 2, "parent"] for p in ps.split("|")}
    assert parents <= set(t.loc[t["level"] == 1, "code"])
    # no synonym points at two codes of the same level
    for level in (1, 2):
        seen = {}
        for _, row in t[t["level"] == level].iterrows():
            for name in [row["zh"], row["en"], *row["synonyms"].split("|")]:
                key = taxonomy.normalize_label(name)
                assert seen.setdefault(key, row["code"]) == row["code"], f"{name!r} is ambiguous"


def test_the_seed_crosswalk_examples():
    assert taxonomy.crosswalk("land_resources") == "natural_resources"
    assert taxonomy.crosswalk("health_family_planning") == "health"
    assert taxonomy.label(taxonomy.crosswalk(taxonomy.lookup("国土资源")), "zh") == "自然资源"
    assert taxonomy.label(taxonomy.crosswalk(taxonomy.lookup("卫生计生")), "zh") == "卫生健康"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("国土资源", "land_resources"),
        ("国土", "land_resources"),
        ("  国土资源  ", "land_resources"),
        ("国土\u3000资源", "land_resources"),  # ideographic space
        ("城乡建设类", "urban_rural_construction"),
        ("劳动社保", "labour_social_security"),
        ("Labour and social security", "labour_social_security"),
        ("LAND_RESOURCES", "land_resources"),
        ("ｌａｎｄ", "land_resources"),  # full-width Latin
        ("环保", "environmental_protection"),
        ("其它", "other"),
        ("民政与应急", "civil_affairs_emergency"),
        ("退役军人事务", "military_affairs"),
    ],
)
def test_lookup_tolerates_synonyms_spaces_and_full_width(raw, code):
    assert taxonomy.lookup(raw) == code


def test_lookup_of_unknown_label_is_none():
    assert taxonomy.lookup("外星人入侵") is None
    assert taxonomy.lookup("") is None
    assert taxonomy.lookup(None) is None


def test_subcategory_lookup_is_separate_from_categories():
    assert taxonomy.lookup("欠薪", level=2) == "wage_arrears"
    assert taxonomy.lookup("欠薪") is None
    assert taxonomy.lookup("欠薪", level=None) == "wage_arrears"


def test_lookup_series_maps_each_value():
    s = pd.Series(["国土", "国土", None, "unknown", "政法"])
    out = taxonomy.lookup_series(s)
    assert out.iloc[0] == out.iloc[1] == "land_resources"
    assert pd.isna(out.iloc[2]) and pd.isna(out.iloc[3])
    assert out.iloc[4] == "politics_law"


def test_labels_in_both_languages():
    assert taxonomy.label("labour_social_security", "zh") == "劳动和社会保障"
    assert taxonomy.label("labour_social_security", "en") == "Labour and social security"
    assert len(taxonomy.labels("en", level=1)) == 26
    with pytest.raises(ValueError, match="lang"):
        taxonomy.label("other", "fr")
    with pytest.raises(taxonomy.UnknownCodeError, match="not a taxonomy code"):
        taxonomy.label("nope")


def test_code_in_use_follows_the_reform_year():
    assert taxonomy.code_in_use("land_resources", 2018) == "land_resources"
    assert taxonomy.code_in_use("land_resources", 2019) == "natural_resources"
    assert taxonomy.code_in_use("politics_law", 2030) == "politics_law"
    codes = pd.Series(["land_resources", "land_resources", "natural_resources", "other"], dtype="category")
    years = pd.Series([2017, 2020, 2020, 2020])
    out = taxonomy.codes_in_use_series(codes, years)
    assert out.tolist() == ["land_resources", "natural_resources", "natural_resources", "other"]


def test_crosswalk_series_keeps_categorical_dtype():
    dtype = pd.CategoricalDtype(taxonomy.category_codes())
    s = pd.Series(["land_resources", "politics_law"], dtype=dtype)
    out = taxonomy.crosswalk_series(s)
    assert out.dtype == dtype
    assert out.tolist() == ["natural_resources", "politics_law"]
