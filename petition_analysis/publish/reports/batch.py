"""Run a grid of reports (years × quarters × regions × languages) in parallel.

A plan is a YAML file (or a dict) such as::

    out_dir: reports
    workers: 2
    timeout: 600            # seconds per report
    data: null              # default: the bundled reference data; or files, folders, globs (a list)
    mapping: null           # the mapping file of raw exports
    city: null              # the city's Chinese name (default: XX市 for the bundled data)
    office: null            # an office file: names, regions' English names, default language
    reports:
      - kind: annual
        years: [2022, 2023]
        regions: [null, 庚县]   # null = the whole city
        langs: [zh, en]
      - kind: quarterly
        years: [2023]
        quarters: [1, 2, 3, 4]
      - kind: hotspots
        start_year: 2014
        end_year: 2023

Each worker process keeps one Jupyter kernel alive and runs its reports in it one after
another, reset to a fresh kernel's state between them (:mod:`.warm`): imports and the data
load are paid once per worker, not once per report. A report that fails or times out
takes its kernel down; the worker's next report starts a new one.

One failure does not stop the others. :func:`run_batch` returns one row per report with its
status, seconds, output path and, for a failure, the failing cell's error and the executed
notebook to open.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from .params import REPORT_KINDS, ReportParameterError, check_keywords, did_you_mean
from .runner import DEFAULT_TIMEOUT, ReportFailed

__all__ = ["load_plan", "expand_plan", "run_batch", "format_batch", "write_index"]

_GRID_KEYS = {"years": "year", "quarters": "quarter", "regions": "region", "langs": "lang", "as_ofs": "as_of"}
_PLAN_KEYS = ("out_dir", "workers", "timeout", "disclosure_seconds", "data", "mapping", "city", "office", "reports")
#: Keys that the plan gives as defaults for every report (a report's own value wins).
_DEFAULT_KEYS = ("data", "mapping", "city", "office")
_SCALAR_KEYS = {"kind", "year", "quarter", "region", "lang", "as_of", "public", "start_year", "end_year", "mapping", "data",
                "city", "office", "suppression_k"}


def load_plan(path: str | Path) -> dict:
    """Read a YAML plan, failing with a clear message when it is not one."""
    import yaml

    from ...errors import MappingError
    from ...ingest.headers import read_mapping_text

    p = Path(path)
    if not p.exists():
        raise ReportParameterError(f"plan file {p} does not exist.")
    try:  # a bounded read: at most 1 MB, a regular text file
        plan = yaml.safe_load(read_mapping_text(p, "plan file"))
    except MappingError as err:
        raise ReportParameterError(str(err)) from None
    except (yaml.YAMLError, RecursionError) as err:
        raise ReportParameterError(f"plan file {p} is not valid YAML: {str(err).splitlines()[0] if str(err) else err}") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("reports"), list):
        raise ReportParameterError(f"plan file {p} needs a `reports:` list; see `petition-analysis batch --help`.")
    return plan


def expand_plan(plan: dict) -> list[dict]:
    """One parameter dict per report: each entry's lists (years, quarters, regions, langs,
    as_ofs) are crossed; the plan's ``data``, ``mapping``, ``city`` and ``office`` are the
    defaults (``data`` may be a list of files, folders and glob patterns: one input)."""
    check_keywords(plan, _PLAN_KEYS, "the plan")
    if not isinstance(plan.get("reports"), list) or not plan["reports"]:
        raise ReportParameterError("the plan needs a non-empty `reports:` list, e.g. `reports: [{kind: annual, "
                                   "years: [2023]}]`; see `petition-analysis batch --help`.")
    jobs = []
    for i, entry in enumerate(plan["reports"], 1):
        if not isinstance(entry, dict) or entry.get("kind") not in REPORT_KINDS:
            kind = entry.get("kind") if isinstance(entry, dict) else None
            raise ReportParameterError(f"report {i} of the plan needs `kind:` one of {', '.join(REPORT_KINDS)}"
                                       f"{', not ' + repr(kind) + did_you_mean(kind, REPORT_KINDS) if kind else ''}.")
        check_keywords(entry, [*_GRID_KEYS, *_SCALAR_KEYS], f"report {i} of the plan")
        base = {k: v for k, v in entry.items() if k in _SCALAR_KEYS}
        for key in _DEFAULT_KEYS:
            if key not in base and plan.get(key) is not None:
                base[key] = plan[key]
        if isinstance(base.get("data"), (list, tuple)):  # several files are one input, not a grid
            base["data"] = [str(d) for d in base["data"]]
        grids = [(single, entry[plural] if isinstance(entry[plural], list) else [entry[plural]])
                 for plural, single in _GRID_KEYS.items() if plural in entry]
        for combo in itertools.product(*[values for _, values in grids]):
            job = dict(base)
            job.update({single: value for (single, _), value in zip(grids, combo)})
            jobs.append(job)
    return jobs


#: Seconds the disclosure audit of a public series may take before the series is refused.
DEFAULT_DISCLOSURE_SECONDS = 900


def _count(name: str, value, default: int) -> int:
    """A whole number of at least 1 (workers, timeout seconds), or the default when absent."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() or int(value) < 1:
        raise ReportParameterError(f"{name} must be a whole number of at least 1, not {value!r} (default {default}).")
    return int(value)


#: The worker's kernel, kept alive across its reports (see :mod:`.warm`).
_WARM = None


def _worker_init() -> None:
    """A worker's start: its own event loop (a forked worker must not share the parent's
    epoll with its sibling) and a warm kernel, shut down when the worker exits."""
    global _WARM
    import asyncio
    from multiprocessing import util

    from jupyter_core import utils as jupyter_utils

    from .warm import WarmKernel

    jupyter_utils._loop.set(None)
    asyncio.set_event_loop(None)
    _WARM = WarmKernel()
    util.Finalize(_WARM, _WARM.shutdown, exitpriority=10)


def _run_one(job: dict, out_dir: str, timeout: int) -> dict:
    """Worker: run one report (in the worker's warm kernel) and describe the outcome (never
    raises)."""
    import time

    from .runner import run

    t0 = time.perf_counter()
    row = {"kind": job["kind"], "parameters": job, "status": "ok", "seconds": 0.0, "output": None,
           "error": None, "notebook": None}
    params = {k: v for k, v in job.items() if k != "kind"}
    try:
        res = run(job["kind"], out_dir, timeout=timeout, kernel=_WARM, **params)
        row["output"] = str(res.html)
    except ReportParameterError as err:
        row.update(status="bad parameters", error=str(err))
    except ReportFailed as err:
        row.update(status="failed", error=f"{err.ename}: {err.evalue}", notebook=str(err.notebook) if err.notebook else None)
    except Exception as err:  # noqa: BLE001 - a batch reports every failure and goes on
        row.update(status="failed", error=f"{type(err).__name__}: {err}")
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def run_batch(plan: dict | str | Path, *, workers: int | None = None, timeout: int | None = None,
              out_dir: str | Path | None = None, progress: bool = True) -> pd.DataFrame:
    """Run every report of ``plan`` in worker processes; returns the outcome table."""
    from tqdm.auto import tqdm

    if not isinstance(plan, dict):
        plan = load_plan(plan)
    jobs = expand_plan(plan)
    workers = _count("workers", workers if workers is not None else plan.get("workers"), 2)
    timeout = _count("timeout", timeout if timeout is not None else plan.get("timeout"), DEFAULT_TIMEOUT)
    budget = _count("disclosure_seconds", plan.get("disclosure_seconds"), DEFAULT_DISCLOSURE_SECONDS)
    out = str(out_dir or plan.get("out_dir") or "reports")
    rows = []
    series, series_error = [], None
    if any(job.get("public") for job in jobs):
        from ..disclosure import AuditFailed
        from .series import protect_series

        try:
            series = protect_series(jobs, out, seconds=budget, progress=progress)
        except AuditFailed as err:  # no public report of the series is written
            series_error = str(err)
            rows += [{"kind": j["kind"], "parameters": j, "status": "failed", "seconds": 0.0, "output": None,
                      "error": f"series disclosure audit: {err}", "notebook": None} for j in jobs if j.get("public")]
            jobs = [j for j in jobs if not j.get("public")]
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        futures = {pool.submit(_run_one, job, out, timeout): job for job in jobs}
        with tqdm(total=len(futures), desc="reports", unit="report", disable=not progress) as bar:
            for fut in as_completed(futures):
                rows.append(fut.result())
                bar.update(1)
    table = pd.DataFrame(rows)
    table["label"] = table["parameters"].map(_label)
    table = table.sort_values("label", kind="stable").reset_index(drop=True)
    table.attrs["series"] = series
    table.attrs["series_error"] = series_error
    table.attrs["index"] = str(write_index(table, out))
    return table


#: The index page's words, by language.
_INDEX_TEXT = {
    "zh": {"title": "报告索引", "report": "报告", "period": "期间", "region": "地区", "lang": "语言",
           "items": "信访总量 · 批次（件次）", "persons": "信访总量 · 人次", "files": "文件", "status": "状态",
           "ok": "完成", "failed": "失败", "bad parameters": "参数错误", "public": "公开版", "internal": "内部版",
           "langs": {"zh": "中文", "en": "英文"}, "kinds": {"annual": "年度报告", "quarterly": "季度报告",
                                                        "hotspots": "热点问题分析"},
           "count": "本批次共{n}份报告：{ok}份完成，{failed}份失败。",
           "how": "每个指标为本期数与同比变化，括号内为率比及其置信区间（区间水平随同组指标的多重检验校正而调整），并附统计判断。",
           "top": "首位类别", "notebook": "执行后的笔记本", "rr": "率比",
           "series": ("公开版系列共{n}份报告一并作披露控制审查：在{distinct}个不同计数中，隐藏小计数{small}个、"
                      "保护性计数{comp}个；每个隐藏的计数在报告所印的全部数字下仍至少有{keep}个可能取值（{result}）。"),
           "passed": "审查通过", "FAILED": "审查未通过", "series_failed": "公开版系列未写出：{error}",
           "audit": "审查记录", "footer": "由 petition-analysis {version} 生成。"},
    "en": {"title": "Reports", "report": "report", "period": "period", "region": "region", "lang": "language",
           "items": "all items", "persons": "all person-times", "files": "files", "status": "status",
           "ok": "done", "failed": "failed", "bad parameters": "bad parameters", "public": "public",
           "internal": "internal", "langs": {"zh": "Chinese", "en": "English"},
           "kinds": {"annual": "Annual reports", "quarterly": "Quarterly reports", "hotspots": "Hotspot analyses"},
           "count": "{n} report(s) in this batch: {ok} done, {failed} failed.",
           "how": ("Each figure is the period's count and its change year on year, with the rate ratio and its "
                   "interval (at the level its family's multiple-testing correction sets) and the verdict."),
           "top": "top category", "notebook": "executed notebook", "rr": "rate ratio",
           "series": ("The public series of {n} report(s) was audited together: of {distinct} distinct counts, "
                      "{small} small counts and {comp} protecting counts are hidden, and every hidden count keeps "
                      "at least {keep} possible values given everything the reports print ({result})."),
           "passed": "audit passed", "FAILED": "audit FAILED", "series_failed": "public series not written: {error}",
           "audit": "audit record", "footer": "Made with petition-analysis {version}."},
}
# Parameters that name files: a public report names none, and no entry shows a folder.
_FILE_KEYS = ("data", "mapping", "office", "disclosure_plan")


def _relative(path, out: Path) -> str | None:
    if not path:
        return None
    p = Path(path).resolve()
    try:
        return p.relative_to(out.resolve()).as_posix()
    except ValueError:
        return p.name


def _published_job(job: dict) -> dict:
    """A job's parameters as the manifest records them: file names without folders, and
    none at all for a public report."""
    import os

    out = {}
    for key, value in job.items():
        if key in _FILE_KEYS:
            if job.get("public") or key == "disclosure_plan" or value is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            value = [os.path.basename(str(v).rstrip("/\\")) for v in values]
            value = value[0] if len(value) == 1 and not isinstance(job[key], (list, tuple)) else value
        out[key] = value
    return out


def _key_figure(fig: dict | None) -> dict | None:
    if not fig:
        return None
    keys = ("label_zh", "label_en", "current", "previous", "change", "change_pct", "rate_ratio", "ci_low", "ci_high",
            "ci_level", "significant", "assessment")
    return {k: fig.get(k) for k in keys}


def _entry(row, out: Path) -> dict:
    """One report of the manifest: what it is, where its files are, its key figures."""
    import html as _html
    import json
    import re

    job = row["parameters"]
    entry = {"label": row["label"], "kind": row["kind"], "status": row["status"], "parameters": _published_job(job)}
    if row["status"] == "ok" and row["output"]:
        html = Path(row["output"])
        entry["files"] = {"html": _relative(html, out), "json": _relative(html.with_suffix(".json"), out),
                          "ipynb": _relative(html.with_suffix(".ipynb"), out)}
        try:
            summary = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        try:
            found = re.search(r"<title>(.*?)</title>", html.read_text(encoding="utf-8"), flags=re.S)
        except OSError:
            found = None
        entry["title"] = _html.unescape(found.group(1)) if found else row["label"]
        entry["lang"] = (summary.get("parameters") or {}).get("lang") or job.get("lang")
        entry["public"] = bool(summary.get("public", job.get("public", False)))
        entry["region"] = summary.get("region")
        entry["period"] = summary.get("period")
        figures = summary.get("figures") or {}
        entry["figures"] = {name: _key_figure(figures.get(name)) for name in ("items", "person_times")
                            if figures.get(name)}
        if row["kind"] == "hotspots":
            cats = {k: v for k, v in figures.items() if k.startswith("category_") and isinstance(v.get("current"), int)}
            if cats:
                top = max(sorted(cats), key=lambda k: cats[k]["current"])
                entry["figures"]["top_category"] = _key_figure(cats[top])
    else:
        error = str(row["error"] or "")
        for folder in {str(out.resolve()), str(out)}:
            error = error.replace(folder + "/", "")
        entry["error"] = error
        entry["notebook"] = _relative(row["notebook"], out)
    return entry


def _fmt_count(v) -> str:
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else ("" if v is None else str(v))


def _figure_cell(fig: dict | None, lang: str) -> str:
    """A key figure for the index: the count, its change and its uncertainty, the verdict."""
    import html

    from ...analysis.registry import VERDICTS

    if not fig:
        return ""
    text = _INDEX_TEXT[lang]
    bits = [_fmt_count(fig.get("current"))]
    pct = fig.get("change_pct")
    if pct is not None:
        bits.append(("−" if pct < 0 else "+") + f"{abs(pct):.2f}%" if round(pct, 2) else "0.00%")
    rr, lo, hi = fig.get("rate_ratio"), fig.get("ci_low"), fig.get("ci_high")
    if rr is not None and lo is not None and hi is not None:
        level = f"{100 * fig['ci_level']:.1f}%" if fig.get("ci_level") else ""
        ci = f"{level}置信区间 {lo:.2f}–{hi:.2f}" if lang == "zh" else f"{level} CI {lo:.2f}–{hi:.2f}"
        bits.append(f"{text['rr']} {rr:.2f}（{ci}）" if lang == "zh" else f"{text['rr']} {rr:.2f} ({ci})")
    verdict = fig.get("assessment")
    if verdict in VERDICTS and fig.get("current") is not None and pct is not None:
        bits.append(VERDICTS[verdict][lang])
    first = html.escape(bits[0])
    rest = " · ".join(html.escape(b) for b in bits[1:])
    return f"<strong>{first}</strong>" + (f"<br><small>{rest}</small>" if rest else "")


def _series_sentences(table: pd.DataFrame, lang: str) -> list[str]:
    text = _INDEX_TEXT[lang]
    out = []
    for s in table.attrs.get("series") or []:
        out.append(text["series"].format(n=len(s["reports"]), distinct=s.get("distinct_counts") or s.get("cells"),
                                         small=s["hidden_small"], comp=s["hidden_complementary"], keep=s["k"] - 1,
                                         result=text["passed" if s["audit_passed"] else "FAILED"]))
    if table.attrs.get("series_error"):
        out.append(text["series_failed"].format(error=table.attrs["series_error"]))
    return out


def _index_page(entries: list[dict], table: pd.DataFrame, out: Path, lang: str) -> str:
    import html

    from ..._version import __version__
    from ..fonts import font_face_css
    from .html import STYLESHEET, _FONT_STACK

    text = _INDEX_TEXT[lang]
    esc = html.escape
    n_ok = sum(e["status"] == "ok" for e in entries)
    parts = [f"<h1>{text['title']}</h1>",
             f"<p>{esc(text['count'].format(n=len(entries), ok=n_ok, failed=len(entries) - n_ok))}</p>",
             f"<p>{esc(text['how'])}</p>"]
    series = _series_sentences(table, lang)
    if series:
        from .series import series_text

        link = (out / "disclosure" / "series.json")
        record = f' <a href="disclosure/series.json">{text["audit"]}</a>' if link.exists() else ""
        parts += [f'<p class="series"><strong>{esc(s)}</strong>{record}</p>' for s in series]
        if lang == "zh" and table.attrs.get("series"):  # the sentence the batch summary prints, as printed
            parts.append(f'<p class="series" lang="en"><small>{esc(series_text(table.attrs["series"]))}</small></p>')
    for kind in REPORT_KINDS:
        group = [e for e in entries if e["kind"] == kind]
        if not group:
            continue
        is_hot = kind == "hotspots"
        heads = [text["report"], text["period"], text["region"], text["lang"],
                 *( [text["top"]] if is_hot else [text["items"], text["persons"]]), text["files"]]
        rows = []
        for e in group:
            if e["status"] != "ok":
                status = text.get(e["status"], e["status"])
                note = esc(e.get("error") or "")
                if e.get("notebook"):
                    note += f' (<a href="{esc(e["notebook"])}">{text["notebook"]}</a>)'
                rows.append(f'<tr class="failed"><td>{esc(e["label"])}</td><td colspan="{len(heads) - 1}">'
                            f"<strong>{esc(status)}</strong>: {note}</td></tr>")
                continue
            period = (e.get("period") or {}).get(lang, "")
            region = e.get("region") or {}
            region = region.get(f"label_{lang}") or region.get("label") or ""
            edition = text["public"] if e.get("public") else text["internal"]
            language = text["langs"].get(e.get("lang"), e.get("lang") or "")
            figs = e.get("figures") or {}
            cells = ([_figure_cell(figs.get("top_category"), lang)] if is_hot
                     else [_figure_cell(figs.get("items"), lang), _figure_cell(figs.get("person_times"), lang)])
            if is_hot and figs.get("top_category"):
                cells[0] = esc(figs["top_category"].get(f"label_{lang}") or "") + "<br>" + cells[0]
            files = " · ".join(f'<a href="{esc(e["files"][k])}">{k.upper() if k != "ipynb" else "ipynb"}</a>'
                               for k in ("json", "ipynb"))
            rows.append(f'<tr><td><a href="{esc(e["files"]["html"])}">{esc(e["title"])}</a></td>'
                        f"<td>{esc(period)}</td><td>{esc(region)}</td><td>{esc(language)} · {esc(edition)}</td>"
                        + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{files}</td></tr>")
        head = "".join(f"<th>{esc(h)}</th>" for h in heads)
        sid = f"k-{kind}"
        parts.append(f'<section aria-labelledby="{sid}"><h2 id="{sid}">{esc(text["kinds"][kind])}</h2>'
                     f'<div class="table-wrap"><table class="index"><thead><tr>{head}</tr></thead>'
                     f"<tbody>{''.join(rows)}</tbody></table></div></section>")
    parts.append(f"<footer>{esc(text['footer'].format(version=__version__))}</footer>")
    main = "<main>\n" + "\n".join(parts) + "\n</main>"
    face = font_face_css(main, "Report CJK")
    font = f":root{{--font:{(chr(39) + 'Report CJK' + chr(39) + ',') if face else ''}{_FONT_STACK}}}"
    extra = ("table.index th,table.index td{white-space:normal;text-align:left}table.index td small{color:var(--muted)}"
             "table.index td:nth-child(n+2):nth-child(-n+4){white-space:nowrap}"
             "tr.failed td{color:#9b2226}p.series{background:var(--band);padding:.5em .8em}")
    css = (face + "\n" if face else "") + font + STYLESHEET + extra
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{text["title"]}</title>\n'
            f"<style>\n{css}\n</style>\n</head>\n<body>\n{main}\n</body>\n</html>\n")


def write_index(table: pd.DataFrame, out_dir: str | Path, lang: str | None = None) -> Path:
    """Write ``<out>/index.html`` and ``<out>/manifest.json`` for a batch (批次报告索引).

    ``index.html`` lists every report, by kind, with its title linked to the HTML, its period,
    region, language and edition, its key figures (all items and all person-times: the count,
    the change year on year with the rate ratio, its interval and the verdict; a hotspot
    analysis its top category) and links to its JSON and notebook; a failed report says why.
    A public series says that it was audited together, and links the audit record. The page
    is in the language most of the reports use (``lang`` to choose), carries its own font and
    stylesheet and makes no external request.

    ``manifest.json`` holds the same, machine-readable: per report its label, kind, status,
    parameters (file names without folders; none for a public report), files (relative to
    ``out``), title, region, period and key figures; the batch's counts and public series.
    Neither file holds a time or a duration, so the same batch gives the same bytes.
    Returns the path of ``index.html``.
    """
    import json
    from collections import Counter

    from ..._version import __version__

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = [_entry(row, out) for _, row in table.iterrows()]
    if lang not in ("zh", "en"):
        langs = Counter(e.get("lang") or e["parameters"].get("lang") or "zh" for e in entries)
        lang = "en" if langs.get("en", 0) > langs.get("zh", 0) else "zh"
    manifest = {
        "generator": f"petition-analysis {__version__}",
        "reports": entries,
        "counts": {"reports": len(entries), "ok": sum(e["status"] == "ok" for e in entries),
                   "failed": sum(e["status"] != "ok" for e in entries)},
        "series": [{**s, "sentence_zh": z, "sentence_en": e} for s, z, e in
                   zip(table.attrs.get("series") or [], _series_sentences(table, "zh"), _series_sentences(table, "en"))],
        "series_error": table.attrs.get("series_error"),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                                       encoding="utf-8")
    path = out / "index.html"
    path.write_text(_index_page(entries, table, out, lang), encoding="utf-8")
    return path


def _label(job: dict) -> str:
    bits = [job["kind"]]
    for key in ("year", "quarter", "start_year", "end_year", "as_of", "region", "lang"):
        if job.get(key) is not None:
            bits.append(f"{key}={job[key]}")
    if job.get("public"):
        bits.append("public")
    return " ".join(bits)


def format_batch(table: pd.DataFrame) -> str:
    """The summary printed at the end of a batch, failures with their error and notebook."""
    from .series import series_text

    lines = [f"{len(table)} report(s): {int((table['status'] == 'ok').sum())} ok, "
             f"{int((table['status'] != 'ok').sum())} failed"]
    if table.attrs.get("series"):
        lines.append(series_text(table.attrs["series"]))
    shown = table[["label", "status", "seconds"]].to_string(index=False)
    lines.append(shown)
    for _, row in table[table["status"] != "ok"].iterrows():
        lines.append(f"\nFAILED {row['label']}\n  {row['error']}")
        if row["notebook"]:
            lines.append(f"  executed notebook: {row['notebook']}")
    if table.attrs.get("index"):
        lines.append(f"\nindex of the reports: {table.attrs['index']} (and manifest.json beside it)")
    return "\n".join(lines)
