"""Rare place names (GB 18030 characters outside GB 2312: 鄠 浉 埇 甪) draw in plots and in
the HTML report's embedded font, never as "□"."""

from __future__ import annotations

import base64
import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont

from petition_analysis.publish import fonts, plots

NAMES = ["鄠邑区", "浉河区", "埇桥区", "甪直镇"]
RARE = "鄠浉埇甪"



@pytest.fixture(autouse=True)
def _font(font_cache):
    """Every test reads the font from the session's temporary cache (built there once)."""
    if fonts.cjk_font_path() is None:
        pytest.skip("no CJK font: justmytype-intl-cjk is not installed and no system font covers GB 18030")
    return font_cache


def _not_in_gb2312(c: str) -> bool:
    try:
        c.encode("gb2312")
        return False
    except UnicodeEncodeError:
        return True


def test_the_names_are_gb18030_characters_outside_gb2312():
    assert all(_not_in_gb2312(c) for c in RARE)
    assert all(c.encode("gb18030") for c in RARE)


def test_the_font_covers_gb18030():
    path = fonts.cjk_font_path()
    assert fonts.covers_gb18030(path)
    assert fonts.missing_characters("".join(NAMES) + fonts.GB18030_SAMPLE) == ""


def test_a_font_cut_to_gb2312_is_found_out(tmp_path):
    from fontTools import subset

    options = subset.Options()
    font = subset.load_font(str(fonts.cjk_font_path()), options)
    sub = subset.Subsetter(options)
    sub.populate(text="邑区河桥直镇")  # the common half of the names only
    sub.subset(font)
    cut = tmp_path / "cut.ttf"
    subset.save_font(font, cut, options)
    assert not fonts.covers_gb18030(cut)
    assert fonts.missing_characters("".join(NAMES), cut) == RARE
    assert fonts.missing_characters("Items 545 vs 508", cut) == ""


def test_embedded_html_font_has_real_glyphs_for_the_names():
    css = fonts.embedded_font_css("<td>" + "</td><td>".join(NAMES) + "</td>")
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    glyf = font["glyf"]
    for c in set("".join(NAMES)):
        assert ord(c) in cmap, c
        glyph = glyf[cmap[ord(c)]]
        assert glyph.numberOfContours != 0, f"{c} has an empty outline"


def _table(labels):
    n = len(labels)
    return pd.DataFrame({"measure": "items", "label_zh": labels, "current": np.arange(100, 100 + n),
                         "previous": np.full(n, 100), "rate_ratio": np.linspace(0.9, 1.1, n),
                         "ci_low": np.linspace(0.8, 1.0, n), "ci_high": np.linspace(1.0, 1.2, n),
                         "verdict": ["decline", "none", "increase", "none"][:n], "ci_level": 0.95})


def test_plots_draw_the_names_without_missing_glyph_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.yoy_bars(_table(NAMES), label_column="label_zh", lang="zh", title="、".join(NAMES))
        fig.savefig(io.BytesIO(), format="png")
    glyph_warnings = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert glyph_warnings == []
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == NAMES
    used = {t.get_fontname() for t in fig.axes[0].get_yticklabels()}
    assert used == {fonts.cjk_family()}


def test_the_font_is_built_in_the_cache_it_is_pointed_at(font_cache):
    path = fonts.cjk_font_path()
    if fonts._variable_font() is None or path.name != fonts._STATIC_NAME:
        pytest.skip("a system font is used, nothing is built")
    assert path == font_cache / fonts._STATIC_NAME and path.stat().st_size > 1_000_000
    assert fonts.build_static_font() == path  # built once: the next call finds it
    assert fonts.cjk_family() == "Noto Sans SC"


def test_the_built_font_keeps_the_package_date():
    """Every machine builds the same font bytes, so the same report gives the same HTML:
    the build keeps the packaged font's date instead of stamping the build day."""
    path = fonts.cjk_font_path()
    source = fonts._variable_font()
    if source is None or path.name != fonts._STATIC_NAME:
        pytest.skip("the CJK font is not the one built from the package")
    built = TTFont(str(path), lazy=True)["head"].modified
    assert built == TTFont(str(source), lazy=True)["head"].modified
