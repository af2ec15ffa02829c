"""The HTML report can be mailed: its own title, language, table of contents and stylesheet,
alt text on every figure, no external request, the same bytes for the same notebook."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.figure
import nbformat
import pandas as pd
import pytest
from IPython.display import Markdown

from petition_analysis.publish.reports import sections
from petition_analysis.publish.reports.html import STYLESHEET, external_references, render_html


def _output(obj) -> dict:
    """The display_data output Jupyter would record for ``obj``."""
    if hasattr(obj, "_repr_mimebundle_"):
        data, meta = obj._repr_mimebundle_()
    elif isinstance(obj, Markdown):
        data, meta = {"text/markdown": obj.data, "text/plain": repr(obj)}, {}
    else:  # a Styler
        data, meta = {"text/html": obj.to_html(), "text/plain": "<pandas.io.formats.style.Styler at 0x7f00>"}, {}
    return nbformat.v4.new_output("display_data", data=data, metadata=meta)


def _notebook(*objects, lang="zh") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"lang": lang}}
    nb.cells.append(nbformat.v4.new_markdown_cell("# Usage notes for notebook readers", metadata={"tags": ["remove-cell"]}))
    for obj in objects:
        cell = nbformat.v4.new_code_cell("reports.prepare(...)  # code never reaches the page")
        cell.outputs = [_output(obj)]
        cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="UserWarning: something\n"))
        nb.cells.append(cell)
    return nb


def _chart():
    from petition_analysis.publish import plots

    with plots._style("zh"):  # the report's CJK font
        fig = matplotlib.figure.Figure(figsize=(4, 2))
        ax = fig.subplots()
        ax.barh(["鄠邑区", "浉河区"], [3, 5])
        ax.set(title="2023年各区县件次", xlabel="件次")
    return sections.ReportFigure(fig, sections.alt_text(fig, "headline", "zh"))


@pytest.fixture(scope="module")
def page() -> str:
    table = pd.DataFrame({"区县": ["鄠邑区", "埇桥区"], "本期": ["1,234", "<5"], "判断": ["无显著变化", ""],
                          "占比判断": ["", ""]})
    nb = _notebook(Markdown("# XX市2023年信访工作分析报告"), Markdown("## 总体情况\n\n率比按工作日折算。"),
                   sections.show(table), _chart(), Markdown("## 附录：数据来源与参数"),
                   sections.show(table.iloc[:0]))
    return render_html(nb)


def test_title_lang_and_table_of_contents(page):
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert "<title>XX市2023年信访工作分析报告</title>" in page and "Notebook" not in page
    assert page.count("<h1>") == 1
    nav = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', page, flags=re.S).group(1)
    assert re.findall(r'<a href="#(s\d)">([^<]+)</a>', nav) == [("s1", "总体情况"), ("s2", "附录：数据来源与参数")]
    assert '<h2 id="s1">总体情况</h2>' in page and '<section aria-labelledby="s2">' in page


def test_no_code_prompts_streams_or_usage_notes(page):
    assert "reports.prepare" not in page and "UserWarning" not in page and "Usage notes" not in page
    assert "Styler at 0x" not in page and "jp-" not in page


def test_figures_have_alt_text_from_the_chart(page):
    imgs = re.findall(r"<img [^>]*>", page)
    assert len(imgs) == 1
    alt = re.search(r'alt="([^"]*)"', imgs[0]).group(1)
    assert alt == "条形图：主要指标的同比变化及置信区间。2023年各区县件次。件次。鄠邑区、浉河区。"
    assert re.search(r'width="\d+" height="\d+"', imgs[0])


def test_charts_are_palette_pngs(page):
    from PIL import Image

    data = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    with Image.open(io.BytesIO(base64.b64decode(data))) as img:
        assert img.mode == "P"


def test_tables_lose_always_empty_columns_and_empty_tables_become_a_sentence(page):
    assert "占比判断" not in page and "判断" in page
    assert "<p>本期没有符合条件的记录。</p>" in page
    assert page.count("<table") == 1


def test_no_external_request(page):
    assert external_references(page) == []
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"https?://", page)


def test_own_compact_stylesheet_with_print_rules(page):
    assert len(STYLESHEET.encode()) < 6000
    assert "@page{size:A4" in page and "@media print" in page and "thead{display:table-header-group}" in page
    # the table's own rules moved into the head, no inline <style> in the body
    body = page[page.index("<body>"):]
    assert "<style" not in body


def test_embedded_font_covers_the_page(page):
    from fontTools.ttLib import TTFont

    data = re.search(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", page).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    text = re.sub(r"<[^>]+>", "", page[page.index("<body>"):])
    assert {ord(c) for c in text if ord(c) > 0x2E7F} <= set(cmap)
    assert {ord(c) for c in "鄠埇"} <= set(cmap)


def test_same_notebook_same_bytes():
    def build():
        table = pd.DataFrame({"label": ["a", "b"], "value": ["1", "2"]})
        return render_html(_notebook(Markdown("# Report"), Markdown("## One"), sections.show(table), _chart(),
                                     Markdown("## Two"), lang="en"))

    first, second = build(), build()
    assert first == second
    assert '<html lang="en">' in first and "<title>Report</title>" in first and ">Contents<" in first


def test_external_references_finds_what_a_browser_would_fetch():
    page = ('<script src="https://cdn.jsdelivr.net/npm/mermaid.min.js"></script><link href="//x.org/a.css">'
            '<style>@import "theme.css"; body{background:url(file:///tmp/a.png)}</style>'
            '<img src="data:image/png;base64,AA"><a href="#s1">x</a><img src="/home/user/plot.png">')
    assert external_references(page) == ["https://cdn.jsdelivr.net/npm/mermaid.min.js", "//x.org/a.css",
                                         "/home/user/plot.png", "file:///tmp/a.png", "theme.css"]


def test_language_from_the_title_when_the_notebook_has_none():
    """An office file can set the language, leaving the notebook's lang parameter empty."""
    fig = matplotlib.figure.Figure(figsize=(2, 1))
    fig.subplots().plot([1, 2])
    bare = nbformat.v4.new_output("display_data", data=sections.ReportFigure(fig, "x")._repr_mimebundle_()[0])
    nb = _notebook(Markdown("# Huyi District: annual petition report, 2023"), lang=None)
    nb.cells[-1].outputs.append(bare)  # a chart displayed without alt text
    page = render_html(nb)
    assert '<html lang="en">' in page and 'alt="Figure 1"' in page
    zh = render_html(_notebook(Markdown("# 鄠邑区2023年信访工作分析报告"), lang=None))
    assert '<html lang="zh-CN">' in zh


def test_charts_reduced_while_the_notebook_runs_give_the_same_page(monkeypatch):
    """The runner hands each executed cell to html.prefetch, which reduces its charts in a
    background thread; the page rendered afterwards takes them and is byte-identical."""
    from petition_analysis.publish.reports import html

    nb = _notebook(Markdown("# XX市2023年信访工作分析报告"), _chart(), Markdown("## 总体情况"), _chart())
    alone = render_html(nb)
    html.discard_prefetched()
    for cell in nb.cells:
        html.prefetch(cell)
    assert len(html._PNG_AHEAD) == 1  # the two charts are the same image: reduced once
    calls = []
    monkeypatch.setattr(html, "_reduced_png", lambda data: calls.append(data))  # not called again
    assert render_html(nb) == alone
    assert calls == []
    html.discard_prefetched()  # after the export, and before the next report
    assert html._PNG_AHEAD == {}


def _reduce_in_child(nb, queue):
    from petition_analysis.publish.reports import html

    for cell in nb.cells:
        html.prefetch(cell)
    queue.put(render_html(nb))


@pytest.mark.skipif(not hasattr(__import__("os"), "register_at_fork"), reason="no fork on this platform")
def test_a_forked_batch_worker_reduces_its_own_charts():
    """A batch worker forked from a process that already reduced charts has that pool's
    object but not its thread: it must start its own, not wait forever."""
    import multiprocessing

    from petition_analysis.publish.reports import html

    nb = _notebook(Markdown("# XX市2023年信访工作分析报告"), _chart())
    for cell in nb.cells:
        html.prefetch(cell)  # the parent's pool and thread exist now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_reduce_in_child, args=(nb, queue))
    child.start()
    try:  # read before joining: a child joins only once its page has left the queue
        page = queue.get(timeout=60)
    except Exception:  # noqa: BLE001 - queue.Empty: the child never finished
        child.kill()
        pytest.fail("the forked process waited for the parent's chart thread")
    child.join(timeout=30)
    assert child.exitcode == 0 and page == render_html(nb)
    html.discard_prefetched()
