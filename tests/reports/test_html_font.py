"""The HTML report carries its own CJK font, cut to the characters it uses, so Chinese
shows on a machine without CJK fonts."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from petition_analysis.publish import fonts
from petition_analysis.publish.fonts import embedded_font_css

TEXT = "<h1>庚县2022年第三季度信访工作分析报告</h1><p>同比（上年同一季度） Items 545 vs 508</p>"


@pytest.fixture(autouse=True)
def _cache(font_cache):
    """The font comes from the session's temporary cache (built there once), not ~/.cache."""
    if fonts.cjk_font_path() is None:
        pytest.skip("no CJK font: justmytype-intl-cjk is not installed and no system font covers GB 18030")
    return font_cache


def _font(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_embedded_font_covers_every_cjk_character_and_nothing_more():
    css = embedded_font_css(TEXT)
    assert css.startswith("<style>@font-face") and "data:font/woff;base64," in css
    cmap = _font(css).getBestCmap()
    cjk = {ord(c) for c in TEXT if ord(c) > 0x2E7F}
    assert cjk <= set(cmap)
    assert len(cmap) < len(cjk) + 10  # a subset, not the whole font
    assert ord("I") not in cmap  # Latin text keeps the system's fonts


def test_no_font_for_latin_only_text():
    assert embedded_font_css("<p>Items 545 vs 508</p>") is None


def test_the_embedded_face_comes_first_for_cjk():
    css = embedded_font_css(TEXT)
    assert re.search(r"body, body \* \{font-family: 'Report CJK',", css)


def test_a_preloaded_font_gives_the_same_subset_once():
    """The report runner loads and parses the font while the kernel starts (preload_font);
    the subset cut from it is byte-identical, and the next subset loads the font again."""
    alone = fonts.font_face_css(TEXT)
    fonts.preload_font()
    assert len(fonts._PRELOADED) == 1
    assert fonts.font_face_css(TEXT) == alone
    assert fonts._PRELOADED == {}  # used once: the subsetter cut that copy down
    assert fonts.font_face_css(TEXT + "另一份") != alone
