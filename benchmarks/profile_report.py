"""Profile of the annual report's compute cells: where the seconds of the report-compute
target go. Runs the notebook's code cells (after its parameters cell, as papermill would
with the defaults) in one IPython shell in one process, with the display formatters that
Jupyter uses (charts rendered to PNG, tables to HTML), and times each cell and the stages
inside them under cProfile.

    python benchmarks/profile_report.py

Not the same clock as ``bench_reports`` (no kernel, no messages, no papermill), so the
total is lower; the shares are what this is for.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import time
from pathlib import Path

from common import save, table

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "reports" / "annual_report.ipynb"

#: Stages inside the cells: (label, module path fragment, function name), measured as the
#: cumulative time of that function (outermost calls only, so that recursion counts once).
STAGES = [
    ("load and prepare (reports.prepare)", "publish/reports/params.py", "prepare"),
    ("figure registry (build_registry)", "analysis/registry.py", "build_registry"),
    ("  of it: year-on-year tests (_compare_one)", "analysis/registry.py", "_compare_one"),
    ("  of it: dispersion GLMs (within_year_dispersion)", "analysis/models.py", "within_year_dispersion"),
    ("charts: data and matplotlib artists (sections.plot)", "publish/reports/sections.py", "plot"),
    ("charts: drawing and PNG (sections._png)", "publish/reports/sections.py", "_png"),
    ("  of it: text layout (Text._get_layout)", "matplotlib/text.py", "_get_layout"),
    ("  of it: font lookup (findfont)", "matplotlib/font_manager.py", "findfont"),
    ("  of it: PNG encoding (imsave)", "matplotlib/image.py", "imsave"),
    ("tables: HTML (Styler._repr_html_)", "pandas/io/formats/style.py", "_repr_html_"),
]


def _cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    src = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in code]
    params = next(i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", []))
    return src[:params + 1], src[params + 1:]


def _cumulative(stats: pstats.Stats, path: str, name: str) -> float:
    total = 0.0
    for (file, _, func), (_, _, _, ct, _) in stats.stats.items():
        if func == name and file.replace("\\", "/").endswith(path):
            total += ct
    return total


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="runs; the fastest is kept")
    args = ap.parse_args(argv)
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Sink(DisplayPublisher):  # formats are computed by display(); only the sending is left out
        def publish(self, data, metadata=None, **kw):
            pass

    setup, body = _cells()
    best = None
    for _ in range(args.rounds):
        InteractiveShell.clear_instance()
        from petition_analysis.publish.reports import params

        params._load_sources_cached.cache_clear()  # each round loads the register, as a report's kernel does
        shell = InteractiveShell.instance()
        shell.display_pub = Sink()
        import matplotlib

        matplotlib.use("Agg")
        for src in setup:
            shell.run_cell(src, silent=True)
        # What the warm kernel has imported before the first compute cell (publish.reports.warm).
        shell.run_cell("import matplotlib.pyplot\nfrom petition_analysis.publish.reports import sections, summary",
                       silent=True)
        prof, cells = cProfile.Profile(), []
        t0, c0 = time.perf_counter(), time.process_time()
        for src in body[:-1]:  # not the last cell: it writes the summary file
            t = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # the displayhook prints the text form
                prof.enable()
                res = shell.run_cell(src, store_history=False)
                prof.disable()
            if res.error_in_exec is not None:
                raise RuntimeError(f"cell failed: {src[:60]!r}: {res.error_in_exec}")
            cells.append({"cell": src.strip().splitlines()[0][:70], "wall_s": time.perf_counter() - t})
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if best is None or wall < best[0]:
            best = (wall, cpu, cells, pstats.Stats(prof))
    wall, cpu, cells, stats = best
    rows = [{"what": "compute cells, one process (fastest round)", "wall_s": wall, "cpu_s": cpu, "share": 1.0}]
    for label, path, name in STAGES:
        s = _cumulative(stats, path, name)
        rows.append({"what": label, "wall_s": s, "share": s / wall})
    top = sorted(cells, key=lambda c: -c["wall_s"])[:12]
    print(table(rows, ["what", "wall_s", "share"]))
    print(table(top, ["cell", "wall_s"]))
    save("report_profile", rows + [{"what": f"cell: {c['cell']}", "wall_s": c["wall_s"]} for c in top], [],
         "the annual report's compute cells (bundled data, default parameters) in one IPython shell with Jupyter's "
         "display formatters (PNG charts, HTML tables), imports done first as the warm kernel does; stage times are "
         "cumulative cProfile times (profiling overhead included) and overlap where marked 'of it'; the fastest of "
         f"{args.rounds} rounds")
    return rows


if __name__ == "__main__":
    main()
