"""An openly licensed CJK font for zh plot labels (Noto Sans SC, SIL Open Font License).

Where the font comes from, in order:

1. ``PETITION_ANALYSIS_CJK_FONT``: a path to a font file;
2. a CJK family matplotlib already knows (Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC,
   WenQuanYi Zen Hei / Micro Hei — never SimHei, which is not openly licensed);
3. the PyPI package ``justmytype-intl-cjk`` (a project dependency), which ships Noto Sans SC
   as a *variable* font whose default instance is Thin. Matplotlib cannot choose a weight
   of a variable font, so a static Regular instance of the whole font is written once to the
   user cache directory (``~/.cache/petition-analysis/fonts``, about 10 MB; about 20 s the
   first time). ``make setup`` or ``python -m petition_analysis.publish.fonts`` builds it
   ahead of time.

A system family is used only when it covers GB 18030 (国家标准字符集): every CJK Unified
Ideograph of the basic block and of Extension A, which is where rare place names such as
鄠邑区, 浉河区, 埇桥区 or 甪直镇 live. Noto Sans SC has all of them (about 27,500 hanzi), so a
report never draws "□" for a place name; a font cut to GB 2312 (6,763 hanzi) would.

The HTML report embeds the same font, cut down to the characters the report uses
(:func:`embedded_font_css`).

Examples
--------
>>> family = cjk_family()            # doctest: +SKIP
>>> family                           # doctest: +SKIP
'Noto Sans SC'
>>> missing_characters("鄠邑区浉河区埇桥区甪直镇")      # doctest: +SKIP
''
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["cjk_family", "cjk_font_path", "build_static_font", "embedded_font_css", "font_face_css", "missing_characters",
           "covers_gb18030", "KNOWN_FAMILIES", "GB18030_SAMPLE"]

#: Openly licensed CJK families, preferred first.
KNOWN_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                  "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP")
# The whole font (GB 18030 and more). A new name, so that a cache cut to GB 2312 by an
# earlier version is never picked up again.
_STATIC_NAME = "NotoSansSC-Regular-full.ttf"
#: Place names whose characters are in GB 18030 but not in GB 2312 (鄠 埇 浉 甪), and the first
#: and last hanzi of Extension A: a test of a font's coverage.
GB18030_SAMPLE = "鄠邑区浉河区埇桥区甪直镇\u3400\u4db5"
# GB 18030's hanzi: the CJK Unified Ideographs of the basic block (to U+9FA5) and Extension A.
_GB18030_HANZI = ((0x4E00, 0x9FA5), (0x3400, 0x4DB5))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "petition-analysis" / "fonts"


def _variable_font() -> Path | None:
    try:
        from importlib import resources

        root = resources.files("justmytype_intl_cjk")
    except (ImportError, ModuleNotFoundError):
        return None
    path = Path(str(root)) / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    return path if path.exists() else None


def build_static_font(source: Path | None = None, target: Path | None = None, weight: int = 400) -> Path | None:
    """Write a static Regular instance of the packaged Noto Sans SC, every glyph kept, to the
    cache (once) and return its path; ``None`` without the package."""
    source = source or _variable_font()
    if source is None:
        return None
    target = target or (_cache_dir() / _STATIC_NAME)
    if target.exists():
        return target
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    # recalcTimestamp off: the font keeps the package's own date, so that every machine
    # builds the same bytes and a report's embedded font does not depend on the build day
    font = TTFont(str(source), recalcTimestamp=False)
    static = instancer.instantiateVariableFont(font, {"wght": weight})
    # Name it as a plain Regular so matplotlib lists it as "Noto Sans SC", weight 400.
    static["OS/2"].usWeightClass = weight
    name = static["name"]
    for rec in list(name.names):
        if rec.nameID in (2, 17):
            name.setName("Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (1, 16):
            name.setName("Noto Sans SC", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (4,):
            name.setName("Noto Sans SC Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            name.setName("NotoSansSC-Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")  # batch workers may build it at the same time
    static.recalcTimestamp = False
    static.save(str(tmp))
    os.replace(tmp, target)  # atomic: a concurrent reader never sees half a file
    return target


@functools.cache
def _cmap(path: str) -> frozenset[int]:
    """The code points a font file maps (read once per file)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or ())


def covers_gb18030(path: str | Path) -> bool:
    """Whether the font at ``path`` has a glyph for every hanzi of GB 18030 (the basic block
    of CJK Unified Ideographs and Extension A)."""
    try:
        cmap = _cmap(str(path))
    except Exception:  # an unreadable file covers nothing
        return False
    return all(c in cmap for lo, hi in _GB18030_HANZI for c in range(lo, hi + 1))


def missing_characters(text: str, path: str | Path | None = None) -> str:
    """The characters of ``text`` above Latin (CJK, full-width forms) that the font at
    ``path`` (default: :func:`cjk_font_path`) cannot draw, each once, in order; ``""`` when
    it draws them all. With no CJK font at all, every such character is missing.

    >>> missing_characters("Items 545")
    ''
    """
    wanted = "".join(dict.fromkeys(c for c in text if ord(c) > 0x2E7F and not c.isspace()))
    if not wanted:
        return ""
    path = path or cjk_font_path()
    if path is None:
        return wanted
    cmap = _cmap(str(path))
    return "".join(c for c in wanted if ord(c) not in cmap)


def cjk_font_path() -> Path | None:
    """The font file used for zh labels and embedded in HTML reports, or ``None`` (see the
    module docstring for the order). A system family that lacks part of GB 18030 is passed
    over, so that rare place names are never drawn as "□"."""
    env = os.environ.get("PETITION_ANALYSIS_CJK_FONT")
    if env and Path(env).exists():
        return Path(env)
    from matplotlib import font_manager

    for fam in KNOWN_FAMILIES:
        for f in font_manager.fontManager.ttflist:
            # a font this package built and registered earlier (perhaps from another cache
            # folder) is not a system font: the current cache's own copy is used below
            if f.name == fam and Path(f.fname).name != _STATIC_NAME and covers_gb18030(f.fname):
                return Path(f.fname)
    try:
        return build_static_font()
    except Exception:  # a broken or partial package must not break plotting in en
        return None


@functools.cache
def cjk_family() -> str | None:
    """Register the CJK font with matplotlib and return its family name (``None`` if none)."""
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _subset_options():
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib only; woff2 would need brotli
    options.hinting = False  # browsers do not need it, and it is smaller
    options.notdef_outline = True
    options.name_IDs = [1, 2]  # the family and style names are enough for a data URI
    options.layout_features = []  # no ligatures or vertical forms in a report
    return options


#: The CJK font loaded and parsed ahead of time by :func:`preload_font`, by path: taken by
#: the next :func:`font_face_css` (the subsetter cuts a font down in place, so once).
_PRELOADED: dict = {}


def preload_font() -> None:
    """Load and parse the CJK font for the next :func:`font_face_css` now (about 0.25 s of
    its 0.3 s; about 35 MB held until then): the process that runs a report does it while
    the kernel starts, instead of after the notebook has run. The subset is the same."""
    path = cjk_font_path()
    if path is None:
        return
    from fontTools import subset

    font = subset.load_font(str(path), _subset_options())
    font.getGlyphOrder()
    for tag in font.keys():
        font[tag]  # parsed now, not when the subsetter first reads the table
    discard_preloaded()  # one not used (its report failed before the export)
    _PRELOADED[str(path)] = font


def discard_preloaded() -> None:
    """Close and forget the font :func:`preload_font` loaded, if no export took it (a report
    that failed before its export): about 35 MB otherwise held until the next report."""
    for font in _PRELOADED.values():
        font.close()
    _PRELOADED.clear()


def font_face_css(text: str, family: str = "Report CJK") -> str | None:
    """An ``@font-face`` rule for ``family`` with the CJK font embedded as a WOFF data URI,
    cut down to the CJK characters of ``text`` (a report's HTML): typically 50–150 KB.
    ``None`` when ``text`` has no CJK character or there is no CJK font."""
    import base64
    import io

    chars = {c for c in text if ord(c) > 0x2E7F}  # CJK and full-width forms, not Latin
    path = cjk_font_path()
    if not chars or path is None:
        return None
    from fontTools import subset

    options = _subset_options()
    font = _PRELOADED.pop(str(path), None)
    if font is None:
        font = subset.load_font(str(path), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    font.close()  # its file stays open otherwise, until the garbage collector finds it
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    # One weight (Regular): the browser then draws bold CJK headings by emboldening it, as
    # it does the Latin text beside them, instead of mixing bold Latin with regular hanzi.
    return (f"@font-face {{font-family: '{family}'; font-weight: 400; "
            f"src: url(data:font/woff;base64,{data}) format('woff');}}")


def embedded_font_css(text: str, family: str = "Report CJK") -> str | None:
    """A ``<style>`` block with the CJK font embedded as a data URI, cut down to the
    characters of ``text`` (a report's HTML), so that a single mailed file shows Chinese on
    any machine, with or without CJK fonts, and used before every other font. ``None`` when
    there is no CJK text or no font.

    The subset holds only the glyphs used, typically 50–150 KB for a report.
    """
    face = font_face_css(text, family)
    if face is None:
        return None
    # The embedded face first: it holds only the report's CJK characters, so Latin text falls
    # through to the system fonts, and a stale or partial system CJK font is never picked.
    stack = f"'{family}', system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
    # !important: a notebook theme sets fonts on headings and tables with more specific rules.
    return (f"<style>{face}\n"
            f"body, body * {{font-family: {stack} !important;}}\n"
            f"pre, code, pre *, code * {{font-family: monospace, '{family}' !important;}}</style>")


if __name__ == "__main__":  # pragma: no cover - setup helper
    p = cjk_font_path()
    if p is None:
        print("no CJK font found; zh plots will fall back to en labels")
    else:
        print(p, "(covers GB 18030)" if covers_gb18030(p) else "(does not cover all of GB 18030)")
