"""Pseudonyms are keyed, stable and not reversible by guessing; free text is masked."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.ingest import privacy


def test_pseudonyms_are_stable_per_key_and_differ_between_keys():
    ids = pd.Series(["11010519491231002X", "11010519491231002X", "110105194912310021", None])
    a = privacy.pseudonymize(ids, key="k1")
    assert a.iloc[0] == a.iloc[1] != a.iloc[2]
    assert pd.isna(a.iloc[3])
    b = privacy.pseudonymize(ids, key="k2")
    assert (a.iloc[:3] != b.iloc[:3]).all()
    assert a.iloc[:3].str.fullmatch(r"[a-z2-7]{16}").all()


def test_pseudonym_is_not_a_plain_hash_of_the_id():
    import hashlib

    pid = privacy.pseudonymize(pd.Series(["11010519491231002X"]), key="k").iloc[0]
    plain = hashlib.sha256(b"11010519491231002X").hexdigest()
    assert pid not in plain


def test_identity_prefers_id_number_then_name_and_phone():
    out = privacy.identity_key(
        pd.Series(["11010519491231002x", None, None]),
        pd.Series(["张三", "李四", "王五"]),
        pd.Series(["13800138000", "138-0013-8000", None]),
    )
    assert out.tolist()[:2] == ["id:11010519491231002X", "np:李四|13800138000"]
    assert pd.isna(out.iloc[2])  # a name alone does not identify anyone


def test_resolve_key_sources(monkeypatch):
    monkeypatch.delenv(privacy.KEY_ENV_VAR, raising=False)
    assert privacy.resolve_key("abc") == (b"abc", "option")
    k1, src = privacy.resolve_key(None)
    assert src == "random" and len(k1) == 32 and privacy.resolve_key(None)[0] != k1
    monkeypatch.setenv(privacy.KEY_ENV_VAR, "from-env")
    assert privacy.resolve_key(None) == (b"from-env", "environment")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("身份证号11010519491231002X。", "身份证号[证件号]。"),
        ("旧证110105491231002", "旧证[证件号]"),
        ("手机13800138000", "手机[电话]"),
        ("座机0731-2345678转", "座机[电话]转"),
        ("邮箱zhang.san@example.com联系", "邮箱[邮箱]联系"),
        ("13800138000,13900139000", "[电话],[电话]"),
        ("金额12345元", "金额12345元"),  # ordinary numbers stay
        ("编号XF2019000123", "编号XF2019000123"),
        # As people write them: grouped, hyphenated, full-width.
        ("电话130 0012 8486。", "电话[电话]。"),
        ("电话130-0038-9813", "电话[电话]"),
        ("电话１３０００３８９８１３", "电话[电话]"),
        ("身份证990000 19940926 108X", "身份证[证件号]"),
        ("身份证９９０００１１９９４０９２６１０８Ｘ号", "身份证[证件号]号"),
        ("座机0731 2345678", "座机[电话]"),
        ("2019-03-05 14:30来访，人数12人", "2019-03-05 14:30来访，人数12人"),  # dates and counts stay
    ],
)
def test_mask_text(text, expected):
    assert privacy.mask_text(pd.Series([text])).iloc[0] == expected


def test_mask_own_name_only_where_given():
    text = pd.Series(["张三反映工资问题", "来信反映张三的问题", None])
    names = pd.Series(["张三", None, "王五"])
    out = privacy.mask_text(text, names=names)
    assert out.iloc[0] == "[姓名]反映工资问题"
    assert out.iloc[1] == "来信反映张三的问题"  # a name in no phrase that introduces one
    assert pd.isna(out.iloc[2])
