"""MkDocs hook: the site carries its own Chinese font, like the reports, and loads nothing
from outside itself.

After the build, the CJK characters of every page are collected and the project's open CJK
font (Noto Sans SC, the one the plots use) is cut down to them and written into
``assets/cjk.css`` as a data URI. Pages then show Chinese on machines without CJK fonts,
and the site still makes no request outside itself. Latin text falls through to the
system fonts, since the face holds only CJK glyphs.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

CSS = "assets/cjk.css"
#: What a page would fetch from elsewhere when opened: scripts, stylesheets, images, frames, fonts.
_EXTERNAL = re.compile(r"<(?:script|img|iframe|source)\b[^>]*\bsrc=[\"']?(?:https?:)?//|"
                       r"<link\b[^>]*\brel=[\"']?(?:stylesheet|preload|icon)[^>]*\bhref=[\"']?(?:https?:)?//|"
                       r"url\([\"']?(?:https?:)?//", re.I)


def on_post_build(config, **kwargs) -> None:
    from petition_analysis.publish.fonts import font_face_css

    site = Path(config["site_dir"])
    for page in sorted(site.rglob("*.html")):
        m = _EXTERNAL.search(page.read_text(encoding="utf-8"))
        if m:
            raise PluginError(f"{page.relative_to(site)} would load {m.group(0)!r}… from outside the site; the "
                              "documentation must open offline. Bundle the resource or remove it.")
    # the example report embeds its own font; the search index repeats the pages
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html")) if "examples" not in p.parts)
    face = font_face_css(text, "Docs CJK") or ""
    rules = (":root { --md-text-font: 'Docs CJK'; --md-code-font: 'Docs CJK'; }\n"
             "body, input { font-family: 'Docs CJK', -apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif; }\n"
             "code, kbd, pre { font-family: 'Docs CJK', SFMono-Regular, Consolas, Menlo, monospace; }\n")
    out = site / CSS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(face + "\n" + rules, encoding="utf-8")
