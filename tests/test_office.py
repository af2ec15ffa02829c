"""The office's identity: pinyin slugs and English names of real place names, slug
collisions, the office file and its checks (one paragraph, did-you-mean), --city."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from petition_analysis import cli, office
from petition_analysis.office import Office, OfficeFileError, english_name, load_office, make_office, slugify, unique_slugs

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")


@pytest.mark.parametrize("name, slug, en", [
    ("鄠邑区", "huyi-qu", "Huyi District"),
    ("海淀区", "haidian-qu", "Haidian District"),
    ("长安区", "changan-qu", "Chang'an District"),       # 长 read cháng in a place name
    ("浉河区", "shihe-qu", "Shihe District"),            # characters outside GB2312
    ("埇桥区", "yongqiao-qu", "Yongqiao District"),
    ("甪直镇", "luzhi-zhen", "Luzhi Town"),
    ("蓝田县", "lantian-xian", "Lantian County"),
    ("韩城市", "hancheng-shi", "Hancheng City"),
    ("西安市", "xian-shi", "Xi'an City"),
    ("重庆市", "chongqing-shi", "Chongqing City"),
    ("阿拉善左旗", "alashanzuo-qi", "Alashanzuo Banner"),
    ("峨边彝族自治县", "ebianyizu-zizhixian", "Ebianyizu Autonomous County"),
    ("North District", "north-district", "North District"),
])
def test_real_place_names_get_pinyin_slugs_and_english_names(name, slug, en):
    assert slugify(name) == slug
    assert english_name(name) == en
    assert not HAN.search(english_name(name))


def test_xx_city_keeps_its_own_names():
    ref = make_office()
    assert (ref.label("zh"), ref.label("en"), ref.slug) == ("XX市", "XX City", "xx-city")
    assert ref.region_label("寅市", "en") == "Yin City (county-level)"
    assert ref.region_slug("庚县") == "geng-xian"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_every_name_gives_a_file_name_safe_slug_and_an_english_name_without_han(name):
    slug = slugify(name)
    assert SLUG.fullmatch(slug) and len(slug) <= 60
    assert slugify(name) == slug  # the same name, the same slug
    assert not HAN.search(english_name(name)) or not english_name(name).strip()


def test_colliding_slugs_are_told_apart_the_same_way_whatever_the_order():
    a = unique_slugs(["成区", "城区", "海淀区"])
    b = unique_slugs(["海淀区", "城区", "成区"])
    assert a == b == {"城区": "cheng-qu", "成区": "cheng-qu-2", "海淀区": "haidian-qu"}
    # The city's slug is reserved: a region never takes the whole city's file name.
    assert unique_slugs(["西安市"], reserved={"xian-shi"}) == {"西安市": "xian-shi-2"}


def test_region_slug_is_unique_among_the_regions_of_the_data():
    o = make_office(city="某市")
    assert o.region_slug("成区", among=["城区", "成区"]) == "cheng-qu-2"
    assert o.region_slug("城区", among=["城区", "成区"]) == "cheng-qu"


def _write(tmp_path, text, name="office.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_full_office_file(tmp_path):
    p = _write(tmp_path, """
name: {zh: 西安市, en: Xi'an}
slug: xian
lang: en
regions:
  鄠邑区: Huyi District (Hu County until 2016)
  长安区: {en: Chang'an District, slug: changan}
  周至县: {slug: zhouzhi}
""")
    o = load_office(p)
    assert (o.label("zh"), o.label("en"), o.slug, o.lang) == ("西安市", "Xi'an", "xian", "en")
    assert o.region_label("鄠邑区", "en") == "Huyi District (Hu County until 2016)"
    assert o.region_label("长安区", "en") == "Chang'an District" and o.region_slug("长安区") == "changan"
    assert o.region_label("周至县", "en") == "Zhouzhi County" and o.region_slug("周至县") == "zhouzhi"
    assert o.region_label("雁塔区", "en") == "Yanta District" and o.region_slug("雁塔区") == "yanta-qu"
    assert o.region_label("鄠邑区", "zh") == "鄠邑区"


def test_an_empty_office_file_changes_nothing(tmp_path):
    o = load_office(_write(tmp_path, "# nothing yet\n"))
    assert not o.named and o.lang is None and not o.regions


@pytest.mark.parametrize("text, words", [
    ("nmae: 西安市\n", "unknown key 'nmae' (did you mean 'name'?)"),
    ("name: {zh: 西安市, eng: Xi'an}\n", "unknown key 'eng' (did you mean 'en'?)"),
    ("regions:\n  鄠邑区: {en: Huyi District, slgu: huyi}\n", "unknown key 'slgu' (did you mean 'slug'?)"),
    ("lang: fr\n", "lang must be zh or en, not 'fr'"),
    ("lang: eng\n", "(did you mean 'en'?)"),
    ("name: {en: Xi'an}\n", "no Chinese one"),
    ("name: 西安市\nregions:\n  鄠邑区: 鄠邑区\n", "has Chinese characters; give the English name"),
    ("name: 西安市\nslug: Xi An\n", "lower-case letters, digits and single hyphens"),
    ("name: 西安市\nregions:\n  甲区: {slug: a}\n  乙区: {slug: a}\n", "the slug 'a' is given twice"),
    ("name: 西安市\nslug: a\nregions:\n  甲区: {slug: a}\n", "the slug 'a' is given twice"),
    ("regions: [鄠邑区]\n", "regions must map each Chinese region name"),
    ("- 西安市\n", "must be a set of keys"),
    ("name: {zh: [1, 2]}\n", "name.zh must be a name"),
    ("name: 'a\tb'\n", "on one line"),
    ("name: {zh: 西安市\n", "is not valid YAML"),
])
def test_office_file_problems_are_one_clear_paragraph(tmp_path, text, words):
    with pytest.raises(OfficeFileError) as info:
        load_office(_write(tmp_path, text))
    message = str(info.value)
    assert words in message, message
    assert "\n" not in message and "Traceback" not in message


def test_an_office_file_that_is_not_a_text_file(tmp_path):
    (tmp_path / "office.yaml").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(OfficeFileError):
        load_office(tmp_path / "office.yaml")
    with pytest.raises(OfficeFileError, match="folder"):
        load_office(tmp_path)


def test_city_names_the_city_and_overrides_the_office_file(tmp_path):
    p = _write(tmp_path, "name: {zh: 西安市, en: Xi'an}\nslug: xian\nregions: {鄠邑区: Huyi}\n")
    same = make_office(city="西安市", office=p)
    assert (same.label("en"), same.slug) == ("Xi'an", "xian")  # the file's own names for its own city
    other = make_office(city="咸阳市", office=p)
    assert (other.label("zh"), other.label("en"), other.slug) == ("咸阳市", "Xianyang City", "xianyang-shi")
    assert other.region_label("鄠邑区", "en") == "Huyi"  # the regions' names stay
    with pytest.raises(OfficeFileError, match="--city"):
        make_office(city="\n")


def test_data_without_a_name_are_an_unnamed_city():
    import pandas as pd

    df = pd.DataFrame({"region": pd.Series(["鄠邑区", "长安区"], dtype="category")})
    o = make_office(data=df)
    assert not o.named and (o.label("zh"), o.label("en"), o.slug) == ("全市", "the city", "city")


def test_region_name_follows_the_office_in_force():
    o = Office(zh="西安市", regions=office.MappingProxyType({"鄠邑区": ("Huyi (office)", None)}))
    before = office.use(o)
    try:
        from petition_analysis.synth.city import region_label

        assert region_label("鄠邑区", "en") == "Huyi (office)"     # what tables, plots and the registry call
        assert region_label("长安区", "en") == "Chang'an District"
    finally:
        office.use(before)
    assert office.region_name("鄠邑区", "en") == "Huyi District"


def _cli(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_bad_office_file_exits_2_with_a_suggestion(tmp_path, capsys):
    p = _write(tmp_path, "nmae: 西安市\n")
    code, _, err = _cli(capsys, "report", "annual", "--office", str(p), "--no-progress", "--out", str(tmp_path))
    assert code == 2
    assert "did you mean 'name'?" in err and "Traceback" not in err and err.count("\n") == 1
    code, _, err = _cli(capsys, "report", "annual", "--office", str(tmp_path / "missing.yaml"), "--out", str(tmp_path))
    assert code == 2 and "office file" in err and "does not exist" in err


def test_cli_blank_city_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["report", "annual", "--city", "  "])
    assert info.value.code == 2
    assert "--city 西安市" in capsys.readouterr().err


def test_reference_regions_read_from_the_categories_or_the_strings_alike():
    """make_office asks whether the data holds only the bundled city's regions: a category
    column answers from its labels in use, with the same verdict as its strings."""
    import pandas as pd

    base = pd.DataFrame({"region": ["甲区", "乙区", "其他区域"]})
    cases = {"reference": base, "a foreign region": pd.DataFrame({"region": ["甲区", "鄠邑区"]}),
             "a missing region": pd.DataFrame({"region": ["甲区", None]}),
             "an unused foreign category": base.assign(region=pd.Categorical(base["region"],
                                                                            categories=["甲区", "乙区", "其他区域", "鄠邑区"]))}
    verdicts = {}
    for name, df in cases.items():
        as_str = office._all_reference_regions(df.assign(region=df["region"].astype("str")))
        assert office._all_reference_regions(df.assign(region=df["region"].astype("category"))) == as_str, name
        if name == "an unused foreign category":
            assert office._all_reference_regions(df) is True  # only the labels in use count
        verdicts[name] = as_str
    assert verdicts == {"reference": True, "a foreign region": False, "a missing region": False,
                        "an unused foreign category": True}
