"""An openly licensed CJK font for zh plot labels (Noto Sans SC, SIL Open Font License).

Where the font comes from, in order:

1. ``PETITION_ANALYSIS_CJK_FONT``: a path to a font file;
2. a CJK family matplotlib already knows (Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC,
   WenQuanYi Zen Hei / Micro Hei — never SimHei, which is not openly licensed);
3. the PyPI package ``justmytype-intl-cjk`` (a project dependency), which ships Noto Sans SC
   as a *variable* font whose default instance is Thin. Matplotlib cannot choose a weight
   of a variable font, so a static Regular instance, cut down to the characters of GB 2312
   plus Latin and punctuation, is written once to the user cache directory
   (``~/.cache/petition-analysis/fonts``; about 20 s the first time). ``make setup`` or
   ``python -m petition_analysis.publish.fonts`` builds it ahead of time.

Examples
--------
>>> family = cjk_family()            # doctest: +SKIP
>>> family                           # doctest: +SKIP
'Noto Sans SC'
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["cjk_family", "cjk_font_path", "build_static_font", "embedded_font_css", "KNOWN_FAMILIES"]

#: Openly licensed CJK families, preferred first.
KNOWN_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                  "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP")
_STATIC_NAME = "NotoSansSC-Regular-GB2312.ttf"


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


def _charset() -> str:
    """Latin-1, general punctuation, CJK punctuation, full-width forms and GB 2312 hanzi."""
    chars = [chr(c) for c in range(0x20, 0x250)]
    chars += [chr(c) for c in range(0x2000, 0x2070)] + [chr(c) for c in range(0x2190, 0x2300)]
    chars += [chr(c) for c in range(0x3000, 0x3040)] + [chr(c) for c in range(0xFF00, 0xFFF0)]
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for hi in range(0xA1, 0xAA):  # GB 2312 symbols
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(dict.fromkeys(chars))


def build_static_font(source: Path | None = None, target: Path | None = None, weight: int = 400) -> Path | None:
    """Write the static, subset Noto Sans SC Regular to the cache (once) and return its path."""
    source = source or _variable_font()
    if source is None:
        return None
    target = target or (_cache_dir() / _STATIC_NAME)
    if target.exists():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source))
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text=_charset())
    sub.subset(font)
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
    tmp = target.with_suffix(".tmp")
    static.save(str(tmp))
    os.replace(tmp, target)  # atomic: a concurrent reader never sees half a file
    return target


def cjk_font_path() -> Path | None:
    """The font file used for zh labels, or ``None`` (see the module docstring for the order)."""
    env = os.environ.get("PETITION_ANALYSIS_CJK_FONT")
    if env and Path(env).exists():
        return Path(env)
    from matplotlib import font_manager

    for fam in KNOWN_FAMILIES:
        for f in font_manager.fontManager.ttflist:
            if f.name == fam:
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


def embedded_font_css(text: str, family: str = "Report CJK") -> str | None:
    """A ``<style>`` block with the CJK font embedded as a data URI, cut down to the
    characters of ``text`` (a report's HTML), so that a single mailed file shows Chinese on
    any machine, with or without CJK fonts. ``None`` when there is no CJK text or no font.

    The subset holds only the glyphs used, typically 50–150 KB for a report.
    """
    import base64
    import io

    chars = {c for c in text if ord(c) > 0x2E7F}  # CJK and full-width forms, not Latin
    path = cjk_font_path()
    if not chars or path is None:
        return None
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib only; woff2 would need brotli
    options.hinting = False  # browsers do not need it, and it is smaller
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    # The embedded face first: it holds only the report's CJK characters, so Latin text falls
    # through to the system fonts, and a stale or partial system CJK font is never picked.
    stack = f"'{family}', system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
    # !important: JupyterLab's theme sets fonts on headings and tables with more specific rules.
    return (f"<style>@font-face {{font-family: '{family}'; font-weight: 100 900; "
            f"src: url(data:font/woff;base64,{data}) format('woff');}}\n"
            f"body, body * {{font-family: {stack} !important;}}\n"
            f"pre, code, pre *, code * {{font-family: monospace, '{family}' !important;}}</style>")


if __name__ == "__main__":  # pragma: no cover - setup helper
    p = cjk_font_path()
    print(p if p else "no CJK font found; zh plots will fall back to en labels")
