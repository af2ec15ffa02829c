"""The HTML edition of a report (报告网页版): one self-contained file that can be mailed.

:func:`export_html` turns an executed report notebook into a page of its own, not a
notebook export:

- the report's real title and ``lang`` (``zh-CN`` or ``en``), a table of contents, and a
  ``<section>`` per chapter;
- no code, prompts, warnings or usage notes (cells tagged ``remove-cell``);
- every figure inline as a PNG with its alt text (the figure's description and title, from
  the ``alt`` the report notebook attaches to each image), reduced to an indexed palette so
  that charts weigh a third of their size;
- the Chinese font embedded, cut to the characters the page uses, so that the file reads the
  same on a machine without CJK fonts;
- a compact stylesheet of its own (about 5 KB, with an A4 print stylesheet: margins, running
  table headers, no table or figure split across pages) instead of a notebook theme;
- no external request at all: no script, no CDN, no web font, no link to a local file.

The same input gives the same bytes: nothing depends on the date or on random ids.

>>> page = render_html({"cells": [], "metadata": {}}, title="XX市2023年信访工作分析报告", lang="zh")
>>> '<html lang="zh-CN">' in page and "<title>XX市2023年信访工作分析报告</title>" in page
True
>>> "http://" in page or "https://" in page or "<script" in page
False
"""

from __future__ import annotations

import base64
import html as _html
import io
import os
import re
from pathlib import Path

__all__ = ["export_html", "render_html", "STYLESHEET", "external_references"]

#: The report's own stylesheet: screen and A4 print.
STYLESHEET = """
:root{--ink:#1f2933;--muted:#5f6b7a;--rule:#d5dae1;--band:#f4f6f8;--accent:#1d4e89}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:15px/1.65 var(--font);font-variant-numeric:tabular-nums}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.7em;line-height:1.3;margin:.2em 0 .6em;color:var(--accent)}
h2{font-size:1.3em;margin:1.8em 0 .5em;padding-bottom:.2em;border-bottom:2px solid var(--accent)}
h3{font-size:1.08em;margin:1.3em 0 .4em}
p{margin:.55em 0}
a{color:var(--accent)}
nav.toc{background:var(--band);border-left:4px solid var(--accent);padding:.6em 1.2em;margin:0 0 1.6em}
nav.toc h2{border:0;margin:.2em 0;font-size:1.05em}
nav.toc ol{margin:.2em 0 .4em;padding-left:1.6em;columns:2;column-gap:2.5em}
nav.toc li{break-inside:avoid}
.table-wrap{overflow-x:auto;margin:.7em 0 1.1em}
table{border-collapse:collapse;font-size:.86em;line-height:1.4}
th,td{padding:.3em .65em;text-align:right;vertical-align:top;white-space:nowrap}
th{white-space:normal;vertical-align:bottom}
td:first-child,th:first-child{text-align:left;white-space:normal;min-width:11em}
thead th{border-bottom:1.5px solid var(--ink);font-weight:600;background:#fff}
tbody tr:nth-child(even){background:var(--band)}
tbody tr{border-bottom:1px solid var(--rule)}
caption{caption-side:top;text-align:left;padding:0 0 .45em;color:var(--ink)}
figure{margin:.8em 0 1.4em}
figure img{display:block;max-width:100%;height:auto}
.empty{color:var(--muted);font-style:italic}
pre{white-space:pre-wrap;font-size:.85em;background:var(--band);padding:.6em}
footer{margin-top:3em;color:var(--muted);font-size:.82em;border-top:1px solid var(--rule);padding-top:.6em}
@page{size:A4;margin:16mm 14mm 18mm}
@media print{
body{font-size:9.5pt;line-height:1.5}
main{max-width:none;padding:0}
h1{font-size:17pt}
h2{font-size:12.5pt;margin-top:1.2em}
h2,h3,h2+p,h3+p{break-after:avoid;page-break-after:avoid}
p{orphans:3;widows:3}
nav.toc{border-left-width:2px}
nav.toc ol{columns:2}
nav.toc a,a{color:inherit;text-decoration:none}
.table-wrap{overflow:visible}
table{font-size:7.6pt;width:100%}
th,td{padding:.2em .35em}
th{white-space:normal}
thead{display:table-header-group}
tr,figure,img,.table-wrap{break-inside:avoid;page-break-inside:avoid}
figure img{max-height:230mm;width:auto;max-width:100%}
tbody tr:nth-child(even){background:none}
section{break-inside:auto}
}
"""
_FONT_STACK = ("system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans SC','PingFang SC',"
               "'Microsoft YaHei',sans-serif")
_CJK_FAMILY = "Report CJK"
_TEXT = {"zh": {"toc": "目录", "figure": "图", "footer": "由 petition-analysis {version} 生成。"},
         "en": {"toc": "Contents", "figure": "Figure", "footer": "Made with petition-analysis {version}."}}
_UNNAMED_FIGURE = "\x00figure\x00"
# IPython's repr of an object without a rich display (a Styler, a Figure, a Markdown object)
_BARE_REPR = re.compile(r"^<[\w.]+(?: object at 0x[0-9a-f]+| size [^>]*)>$|^<IPython\.core\.display\.\w+ object>$")


def _markdown(text: str) -> str:
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(text)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


#: Charts already being reduced for the page while the notebook runs (:func:`prefetch`), by
#: their base64 data: read by the export, until :func:`discard_prefetched`.
_PNG_AHEAD: dict = {}


def prefetch(cell) -> None:
    """Start reducing the charts of an executed cell for the page (:func:`_png`) in a
    background thread, while the notebook's later cells run: the report runner calls it
    as each cell completes, and the export then finds them done (about 0.05 s a chart
    instead of after the notebook). Pillow works outside the GIL."""
    import concurrent.futures

    global _PNG_POOL
    for output in cell.get("outputs", []):
        data = output.get("data", {}).get("image/png") if isinstance(output.get("data"), dict) else None
        if data is not None:
            data = _join(data)
            if data not in _PNG_AHEAD:
                if _PNG_POOL is None:
                    _PNG_POOL = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="report-png")
                _PNG_AHEAD[data] = _PNG_POOL.submit(_reduced_png, data)


_PNG_POOL = None


def _forget_in_child() -> None:
    # A forked process (a batch worker) has the parent's pool object but not its thread:
    # work handed to it would never run. The child starts its own pool when it needs one.
    global _PNG_POOL
    _PNG_POOL = None
    _PNG_AHEAD.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_in_child)


def discard_prefetched() -> None:
    """Forget the charts :func:`prefetch` reduced: the runner calls it once a report's page
    is written, and before the next report (one that failed left its charts)."""
    _PNG_AHEAD.clear()


def _png(data: str) -> tuple[str, int, int]:
    """:func:`_reduced_png`, taken from :func:`prefetch` when it started on this chart."""
    ahead = _PNG_AHEAD.get(data)
    return ahead.result() if ahead is not None else _reduced_png(data)


def _reduced_png(data: str) -> tuple[str, int, int]:
    """A PNG chart reduced to an indexed palette of 128 colours (a third of the bytes; flat
    chart colours survive, anti-aliased edges barely change), as base64, with its size."""
    from PIL import Image

    raw = base64.b64decode(data)
    with Image.open(io.BytesIO(raw)) as img:
        width, height = img.size
        rgba = img.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:  # transparent pixels: flatten onto the white page
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = rgba.convert("RGB")
        small = flat.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        small.save(buf, format="PNG", optimize=True)
    out = buf.getvalue() if len(buf.getvalue()) < len(raw) else raw
    return base64.b64encode(out).decode("ascii"), width, height


def _styler_html(text: str, styles: list[str]) -> str:
    """A pandas Styler table: its ``<style>`` goes to the page's head, whitespace between
    tags goes, and the table gets a scrolling wrapper for narrow screens."""
    for block in re.findall(r"<style[^>]*>(.*?)</style>", text, flags=re.S):
        styles.append(re.sub(r"\s*\n\s*", "", block))
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r">\s+<", "><", text.strip())
    text = re.sub(r'\s+>', ">", text)
    return f'<div class="table-wrap">{text}</div>'


def _output_html(output: dict, styles: list[str], figures: list[int]) -> str:
    kind = output.get("output_type")
    if kind not in ("display_data", "execute_result"):
        return ""  # streams (progress, warnings) and errors are for the notebook, not the reader
    data = output.get("data", {})
    meta = output.get("metadata", {})
    if "text/html" in data:
        text = _join(data["text/html"])
        return _styler_html(text, styles) if "<table" in text else text
    if "image/png" in data:
        figures.append(len(figures) + 1)
        b64, width, height = _png(_join(data["image/png"]))
        img_meta = meta.get("image/png", {}) if isinstance(meta.get("image/png"), dict) else {}
        alt = img_meta.get("alt") or f"{_UNNAMED_FIGURE} {len(figures)}"  # the language is known later
        width = int(img_meta.get("width") or width)
        height = int(img_meta.get("height") or height)
        return (f'<figure><img src="data:image/png;base64,{b64}" width="{width}" height="{height}" '
                f'alt="{_html.escape(alt, quote=True)}"></figure>')
    if "text/markdown" in data:
        return _markdown(_join(data["text/markdown"]))
    if "text/plain" in data:
        text = _join(data["text/plain"]).strip()
        if text and not _BARE_REPR.match(text):
            return f"<pre>{_html.escape(text)}</pre>"
    return ""


def _strip_tags(text: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _notebook_lang(nb, body: str) -> str:
    """The notebook's ``lang`` parameter, else the language of its title (an office file
    can set the language, and then the parameter is empty)."""
    params = (nb.get("metadata", {}).get("papermill") or {}).get("parameters") or {}
    lang = params.get("lang")
    if lang in ("zh", "en"):
        return lang
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.S)
    text = h1.group(1) if h1 else body
    return "zh" if re.search(r"[\u3400-\u9fff]", text) else "en"


def render_html(nb, *, title: str | None = None, lang: str | None = None) -> str:
    """The report page of an executed notebook (a dict or ``nbformat`` node).

    ``title`` defaults to the first level-1 heading the notebook displays, ``lang`` to the
    notebook's ``lang`` parameter (papermill records it). Code, prompts, streams and cells
    tagged ``remove-cell`` are left out; each level-2 heading opens a section listed in the
    table of contents."""
    from ..._version import __version__
    from ..fonts import font_face_css

    styles: list[str] = []
    figures: list[int] = []
    parts = []
    for cell in nb.get("cells", []):
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.get("cell_type") == "markdown":
            parts.append(_markdown(_join(cell.get("source", ""))))
        elif cell.get("cell_type") == "code":
            parts.extend(_output_html(o, styles, figures) for o in cell.get("outputs", []))
    body = "\n".join(p.strip() for p in parts if p and p.strip())
    lang = lang if lang in ("zh", "en") else _notebook_lang(nb, body)
    body = body.replace(_UNNAMED_FIGURE, _TEXT[lang]["figure"])

    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.S)
    if h1:
        title = title or _strip_tags(h1.group(1))
        body = body[:h1.start()] + body[h1.end():]
    title = title or ("信访分析报告" if lang == "zh" else "Petition report")

    # One section per level-2 heading, each with a stable id for the table of contents.
    chunks = re.split(r"(?=<h2[ >])", body)
    toc, sections = [], []
    for chunk in chunks:
        head = re.match(r"<h2[^>]*>(.*?)</h2>", chunk, flags=re.S)
        if not head:
            if chunk.strip():
                sections.append(f"<section>\n{chunk.strip()}\n</section>")
            continue
        sid = f"s{len(toc) + 1}"
        toc.append((sid, _strip_tags(head.group(1))))
        chunk = f'<h2 id="{sid}">{head.group(1)}</h2>' + chunk[head.end():]
        sections.append(f'<section aria-labelledby="{sid}">\n{chunk.strip()}\n</section>')
    text = _TEXT[lang]
    nav = ""
    if len(toc) > 1:
        items = "".join(f'<li><a href="#{sid}">{_html.escape(name)}</a></li>' for sid, name in toc)
        nav = f'<nav class="toc" aria-label="{text["toc"]}"><h2>{text["toc"]}</h2><ol>{items}</ol></nav>'
    main = (f"<main>\n<h1>{_html.escape(title)}</h1>\n{nav}\n" + "\n".join(sections)
            + f"\n<footer>{_html.escape(text['footer'].format(version=__version__))}</footer>\n</main>")

    font = f"--font:{_FONT_STACK}"
    face = font_face_css(title + main, _CJK_FAMILY)
    css = STYLESHEET
    if face:
        # The embedded face first: it holds only this page's CJK characters, so Latin text
        # falls through to the system fonts and a partial system CJK font is never used.
        font = f"--font:'{_CJK_FAMILY}',{_FONT_STACK}"
        css = face + "\n" + css
    css = f":root{{{font}}}" + css + "".join(dict.fromkeys(styles))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_html.escape(title)}</title>\n"
            f'<meta name="generator" content="petition-analysis {_html.escape(__version__)}">\n'
            f"<style>\n{css}\n</style>\n</head>\n<body>\n{main}\n</body>\n</html>\n")


def prepare_export() -> None:
    """Import what :func:`export_html` needs and find, load and parse the CJK font, ahead
    of time: the process that runs a report does it while the kernel starts, instead of
    after the notebook has run. Optional: export_html works without it."""
    import mistune  # noqa: F401
    import nbformat  # noqa: F401
    from PIL import Image, PngImagePlugin  # noqa: F401

    from ..fonts import preload_font

    preload_font()


def export_html(ipynb: str | Path, html: str | Path, title: str | None = None, lang: str | None = None) -> Path:
    """Write the report page of the executed notebook ``ipynb`` to ``html`` (see
    :func:`render_html`) and return its path."""
    import nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    html = Path(html)
    html.write_text(render_html(nb, title=title, lang=lang), encoding="utf-8")
    return html


def external_references(page: str, links: bool = True) -> list[str]:
    """Every reference in ``page`` to something outside the file: what a browser fetches by
    itself (``src``, ``srcset``, ``poster``, ``data``, ``action``, a ``<link>``'s ``href``,
    CSS ``url()`` and ``@import``) and, with ``links``, where an ``<a>`` leads, unless it is
    a ``data:`` URI or a ``#`` anchor. A report that can be mailed has none; a batch index
    links its reports by relative paths (``links=False`` checks only what it loads).

    >>> external_references('<img src="data:image/png;base64,AA"><a href="#s1">x</a>')
    []
    >>> external_references('<script src="https://cdn.example/require.js"></script>')
    ['https://cdn.example/require.js']
    >>> external_references('<a href="annual/2023/a.html">a</a>', links=False)
    []
    """
    found = []
    for tag, attrs in re.findall(r"<([a-zA-Z][\w-]*)\b([^>]*)>", page):
        for name, value in re.findall(r"""\b(src|href|srcset|poster|data|action)\s*=\s*["']?([^"'\s>]+)""", attrs,
                                      flags=re.I):
            if name.lower() == "href" and tag.lower() == "a" and not links:
                continue
            found.append(value)
    found += re.findall(r"""url\(\s*["']?([^"')\s]+)""", page, flags=re.I)
    found += re.findall(r"""@import\s+["']([^"']+)""", page, flags=re.I)
    return [ref for ref in found if not ref.lower().startswith(("data:", "#"))]
