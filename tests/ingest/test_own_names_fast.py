"""Own-name masking runs its plain replacement in DuckDB (issue 14): it must give exactly
what a per-row ``str.replace`` plus the variant search gives, on texts that are hard for it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from petition_analysis.ingest import privacy
from petition_analysis.ingest.privacy import MASK_TOKENS, _BOTH_FORMS, _clean_names, _mask_own_names, _own_name_variants


def _reference(text: pd.Series, names: pd.Series) -> pd.Series:
    """The row-by-row definition: replace the name, then search spaced and converted forms
    when the name's first character (either script) is still there."""
    names = _clean_names(names)
    out = text.copy()
    token = MASK_TOKENS["name"]
    for i in range(len(text)):
        t, n = text.iloc[i], names.iloc[i]
        if not isinstance(t, str) or not isinstance(n, str) or len(n) < 2:
            continue
        new = t.replace(n, token) if n in t else t
        if any(c in new for c in (_BOTH_FORMS.get(n[0]) or n[0])):
            new = _own_name_variants(new, n, token)
        out.iloc[i] = new
    return out


CASES = [
    ("王 建国反映问题，王建国说", "王建国"),
    ("劉德華來訪，刘德华说", "刘德华"),
    ("刘德华的信", "劉德華"),
    ("张三张三张三", "张三"),
    ("张三丰说张三", "张三"),
    ("无名氏反映", ""),
    (None, "张三"),
    ("李四来信", None),
    ("趙麗華（代）反映，赵丽华", "赵丽华（代）"),
    ("abc王建國def", "王建国"),
    ("O'Brien said O'Brien", "O'Brien"),
    ("a.*b 与 a.*b", "a.*b"),
    ("欧阳 娜娜", "欧阳娜娜"),
    ("王", "王"),
    ("", "王五"),
    ("王五王五王", "王五王"),
    ("名字里有百分号%_和下划线", "%_"),
]


def test_same_as_row_by_row_on_hard_cases():
    text = pd.Series([t for t, _ in CASES], dtype="str")
    names = pd.Series([n for _, n in CASES], dtype="str")
    pd.testing.assert_series_equal(_mask_own_names(text, names), _reference(text, names))


def test_same_as_row_by_row_on_random_texts():
    rng = np.random.default_rng(14)
    surnames = list("王李张刘陈杨黃黄趙赵吳吴") + ["欧阳", "司马"]
    given = list("建国丽华德伟芳娜军杰")
    filler = list("反映问题请求协调解决，。的了在县区") + [" ", "\u3000"]
    names, texts = [], []
    for _ in range(3000):
        n = rng.choice(surnames) + "".join(rng.choice(given, rng.integers(1, 3)))
        parts = []
        for _ in range(rng.integers(1, 6)):
            r = rng.random()
            parts.append(n if r < 0.3 else " ".join(n) if r < 0.4 else n.translate(str.maketrans("刘赵黄吴", "劉趙黃吳"))
                         if r < 0.5 else "".join(rng.choice(filler, rng.integers(1, 8))))
        names.append(n if rng.random() > 0.05 else None)
        texts.append("".join(parts) if rng.random() > 0.02 else None)
    text, names = pd.Series(texts, dtype="str"), pd.Series(names, dtype="str")
    got = _mask_own_names(text, names)
    pd.testing.assert_series_equal(got, _reference(text, names))
    assert got.str.contains(MASK_TOKENS["name"], regex=False).mean() > 0.5


def test_index_and_name_are_kept():
    text = pd.Series(["王建国来访", "无"], index=[10, 7], name="summary", dtype="str")
    out = privacy._mask_own_names(text, pd.Series(["王建国", "李四"], index=[10, 7], dtype="str"))
    assert out.tolist() == ["[姓名]来访", "无"] and list(out.index) == [10, 7] and out.name == "summary"


def test_long_inputs_are_masked_in_slices_with_the_same_result(monkeypatch):
    text = pd.Series([t for t, _ in CASES] * 7, dtype="str", index=range(100, 100 + 7 * len(CASES)), name="x")
    names = pd.Series([n for _, n in CASES] * 7, dtype="str", index=text.index)
    whole = _mask_own_names(text, names)
    monkeypatch.setattr(privacy, "_OWN_NAME_ROWS", 10)
    sliced = _mask_own_names(text, names)
    pd.testing.assert_series_equal(sliced, whole)
    pd.testing.assert_series_equal(sliced, _reference(text, names).rename("x"))


def _variants_by_pattern(text: str, name: str, token: str) -> str:
    """The spaced and converted forms found by one pattern per name (the definition)."""
    import re

    folded = text.translate(privacy._T2S)
    pattern = re.compile("[ \u3000\xa0\t]*".join(map(re.escape, name.translate(privacy._T2S))))
    out, last = [], 0
    for m in pattern.finditer(folded):
        out += [text[last:m.start()], token]
        last = m.end()
    return "".join(out) + text[last:] if out else text


def test_variant_search_without_spaces_equals_the_pattern():
    # A text without spaces skips compiling a pattern per name: the plain search must find
    # exactly what the pattern finds (overlaps, converted forms, repeats, look-alikes).
    rng = np.random.default_rng(7)
    names = ["王建国", "刘德华", "劉德華", "张三", "赵丽华", "欧阳娜娜", "a.b"]
    pieces = ["王", "建", "国", "國", "刘", "劉", "德", "华", "華", "张", "張", "三", "赵", "趙", "丽", "麗",
              "欧", "歐", "阳", "陽", "娜", "反映", "，", "a", ".", "b", "x", " ", "\u3000"]
    token = MASK_TOKENS["name"]
    checked = 0
    for _ in range(3_000):
        text = "".join(rng.choice(pieces, size=int(rng.integers(1, 14))))
        if rng.random() < 0.6:  # a form of a name inside: plain, converted or spaced
            form = str(rng.choice(names)).translate(privacy._T2S) if rng.random() < 0.5 else str(rng.choice(names))
            form = " ".join(form) if rng.random() < 0.3 else form
            at = int(rng.integers(0, len(text) + 1))
            text = text[:at] + form + text[at:]
        if rng.random() < 0.5:
            text = text.replace(" ", "").replace("\u3000", "")
        for name in names:
            got = _own_name_variants(text, name, token)
            want = _variants_by_pattern(text, name, token)
            assert got == want, (text, name)
            assert (got is text) == (want is text)  # unchanged texts come back as the same object
            checked += got != text
    assert checked > 300  # many texts did hold a form of the name
