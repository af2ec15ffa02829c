"""Pages generated when the documentation is built (mkdocs-gen-files).

- ``cli.md``: every command's ``--help``, from the parser itself, so the reference cannot
  drift from the program;
- ``example-report.md`` and ``examples/``: the annual report of the bundled data, run
  through papermill at build time exactly as ``make run`` does (offline);
- ``changelog.md``: the repository's CHANGELOG.md.

Nothing here reads the clock or the network; the same sources give the same pages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent
os.environ["COLUMNS"] = "80"  # argparse wraps help at the terminal width: fix it (the page's code width)


# -- command line ---------------------------------------------------------------------------

def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _walk(parser: argparse.ArgumentParser, path: list[str]):
    yield path, parser
    for name, sub in _subparsers(parser):
        yield from _walk(sub, path + [name])


def cli_page() -> str:
    from petition_analysis.cli import build_parser

    parser = build_parser()
    parser.prog = "petition-analysis"
    lines = [
        "# Command line",
        "",
        "`petition-analysis` (or `python -m petition_analysis`) is installed with the package. "
        "This page is generated from the program's own `--help` when the documentation is built.",
        "",
        "Exit codes: 0 success; 1 a failed report or an internal error (which says it is a bug "
        "and where its traceback was logged); 2 bad input, parameters, options or paths. Every "
        "error ends in one paragraph that names the problem and the fix; `--debug` (or "
        "`PETITION_DEBUG=1`) shows the traceback of an internal error.",
        "",
    ]
    for path, sub in _walk(parser, []):
        title = " ".join(["petition-analysis", *path])
        level = "#" * min(2 + max(len(path) - 1, 0), 4) if path else "##"
        lines += [f"{level} `{title}`", "", "```text", sub.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


# -- example report -------------------------------------------------------------------------

def example_report() -> str:
    """Run the annual report of the bundled data and copy its HTML and JSON into the site."""
    from petition_analysis.analysis.registry import VERDICTS
    from petition_analysis.publish.reports import run

    with tempfile.TemporaryDirectory() as tmp:
        res = run("annual", tmp, progress=False)
        for path in (res.html, res.json):
            with mkdocs_gen_files.open(f"examples/{path.name}", "wb") as fh:
                fh.write(Path(path).read_bytes())
        name, summary = res.html.name, res.summary
    period = summary["period"]
    figures = summary["figures"]
    items = figures["items"]
    return "\n".join([
        "# Example report",
        "",
        f"The annual report of the bundled synthetic data (the fictional XX City), "
        f"{period['en']}, in Chinese, as `petition-analysis report annual` writes it. It was "
        "generated when this site was built, from the data in the repository, offline.",
        "",
        f"- [Open the report]({'examples/' + name}){{: target=_blank }}: one HTML file "
        "without code, with its figures and the Chinese font embedded; it can be mailed as it is.",
        f"- [Its JSON summary]({'examples/' + res.json.name}): every figure of the report's figure "
        "registry, with counts, intervals, p-values and verdicts (keys in the README).",
        "",
        f"For instance all items: {items['current']:,} against {items['previous']:,} "
        f"(rate ratio {items['rate_ratio']:.3f}, {100 * items['ci_level']:.1f} % interval "
        f"{items['ci_low']:.3f}–{items['ci_high']:.3f}): **{VERDICTS[items['assessment']]['en']}**.",
        "",
        f'<iframe src="examples/{name}" title="Example annual report" '
        'style="width:100%;height:80vh;border:1px solid #ccc"></iframe>',
        "",
    ])


# -- the researchers' guide figure ------------------------------------------------------------

def guide_figure() -> bytes:
    """The figure the researchers' guide draws with ``ax=``, drawn by the same calls."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import petition_analysis as pa
    from petition_analysis import plots

    df = pa.load_reference()
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4), layout="constrained")
    plots.five_declines_chart(df, year=2023, region="庚县", lang="en", ax=left)
    plots.monthly_trend(df, "visits", region="庚县", lang="en", ax=right)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})  # no version or date in the file
    plt.close(fig)
    return buf.getvalue()


# -- pages ----------------------------------------------------------------------------------

with mkdocs_gen_files.open("cli.md", "w") as fh:
    fh.write(cli_page())

with mkdocs_gen_files.open("example-report.md", "w") as fh:
    fh.write(example_report())

with mkdocs_gen_files.open("guide/geng_county.png", "wb") as fh:
    fh.write(guide_figure())

with mkdocs_gen_files.open("changelog.md", "w") as fh:
    fh.write((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
