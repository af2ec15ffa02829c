"""``petition_analysis.publish.reports`` imports its modules on first use (PEP 562): the
process that runs a report (the command line, a batch worker) checks the parameters and starts
the kernel without the figure registry, ``scipy.stats``, matplotlib, seaborn or statsmodels,
which only the kernel needs; every public name is still the object its module defines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from petition_analysis.publish import reports

#: what the report's kernel imports, not the process that starts it
KERNEL_ONLY = ("matplotlib", "seaborn", "statsmodels", "scipy.stats", "petition_analysis.analysis.registry",
               "petition_analysis.publish.reports.sections", "petition_analysis.publish.reports.summary")

PARENT = r"""
import contextlib, io, json, sys
KERNEL_ONLY = %r
loaded = lambda: [m for m in KERNEL_ONLY if m in sys.modules]
out = {}
import petition_analysis.publish.reports
out["package"] = loaded()
from petition_analysis import cli
with contextlib.redirect_stdout(io.StringIO()):  # argparse prints the help and exits
    try:
        cli.build_parser().parse_args(["report", "annual", "--help"])
    except SystemExit:
        pass
# what the `report` and `batch` commands import before they run anything
from petition_analysis.publish.reports import ReportFailed, ReportParameterError, run
from petition_analysis.publish.reports import format_batch, load_plan, run_batch
out["commands"] = loaded()
print(json.dumps(out))
""" % (KERNEL_ONLY,)


def _last_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_runner_side_imports_nothing_of_the_kernel():
    got = _last_json("-c", PARENT)
    assert got == {"package": [], "commands": []}


def test_every_public_name_is_its_modules_object():
    from petition_analysis.publish.reports import batch, params, runner, summary

    homes = (batch, params, runner, summary)
    for name in reports.__all__:
        value = getattr(reports, name)
        assert any(getattr(home, name, None) is value for home in homes), name
        assert name in dir(reports)
    assert reports.run is runner.run and reports.ReportParameterError is params.ReportParameterError
    assert reports.write_summary is summary.write_summary and reports.run_batch is batch.run_batch
    assert reports.runner is runner  # the submodules the eager import bound stay attributes
    with pytest.raises(AttributeError, match="no_such_name"):
        reports.no_such_name  # noqa: B018


def test_star_import_gives_all():
    names: dict = {}
    exec("from petition_analysis.publish.reports import *", names)
    assert sorted(k for k in names if k != "__builtins__") == sorted(reports.__all__)


SNAPSHOT = r"""
import json, sys
import matplotlib
matplotlib.use("Agg")
from petition_analysis.publish.reports import warm
before = [m for m in ("petition_analysis.analysis.registry", "petition_analysis.publish.reports.sections") if m in sys.modules]
warm.snapshot()
after = [m for m in ("petition_analysis.analysis.registry", "petition_analysis.publish.reports.sections",
                     "petition_analysis.publish.reports.summary") if m in sys.modules]
print(json.dumps({"before": before, "after": after}))
"""


def test_the_kernel_imports_the_report_modules_before_the_first_cell():
    """The kernel's snapshot (run while the parent checks the parameters) imports what the
    notebook's imports cell would, now that the package's import does not."""
    got = _last_json("-c", SNAPSHOT)
    assert got["before"] == []
    assert got["after"] == ["petition_analysis.analysis.registry", "petition_analysis.publish.reports.sections",
                            "petition_analysis.publish.reports.summary"]


RUN = r"""
import json, sys
from petition_analysis import cli
from petition_analysis.publish.reports import warm
KERNEL_ONLY = %r
at_launch = []
launch = warm.WarmKernel.launch
def recorded(self, *args, **kwargs):
    at_launch.extend(m for m in ("pandas", "petition_analysis.publish.reports.params") if m in sys.modules)
    return launch(self, *args, **kwargs)
warm.WarmKernel.launch = recorded
rc = cli.main(["report", "annual", "--year", "2019", "--as-of", "2019-12-20", "--out", sys.argv[1], "--no-progress"])
import jsonschema  # still works: only its two IRI formats go unchecked
jsonschema.validate({"a": 1}, {"type": "object"}, format_checker=jsonschema.FormatChecker())
print(json.dumps({"rc": rc, "loaded": [m for m in KERNEL_ONLY if m in sys.modules], "at_launch": at_launch,
                  "rfc3987_syntax": repr(sys.modules.get("rfc3987_syntax", "absent"))}))
""" % (KERNEL_ONLY,)


@pytest.mark.slow
def test_a_report_run_leaves_the_kernels_work_to_the_kernel(tmp_path):
    """A whole `report annual` in the parent: the figures, sections and their libraries stay
    in the kernel. matplotlib is imported by the parent for another reason (the HTML export
    looks the CJK font up through matplotlib's font list). The command line does without
    rfc3987_syntax, which jsonschema would import for nbformat (1.4 s of grammar building)."""
    got = _last_json("-c", RUN, str(tmp_path))
    assert got["rc"] == 0
    # the kernel is launched before the parameter checks load pandas: its start is what a
    # report waits for, and the checks run meanwhile
    assert got["at_launch"] == []
    assert [m for m in got["loaded"] if m != "matplotlib"] == []
    assert got["rfc3987_syntax"] == "None"
    assert (tmp_path / "annual/2019/annual_2019-to-1220_xx-city_zh.json").exists()


PARSER = r"""
import json, sys
from petition_analysis import cli
cli.build_parser()
print(json.dumps([m for m in ("pandas", "numpy", "petition_analysis.classify") if m in sys.modules]))
"""


def test_the_command_line_starts_without_pandas():
    """Every command (and ``--help``) builds the whole parser first: it imports neither
    pandas nor the classify package (the message-board commands live in ``cli_boards``)."""
    done = subprocess.run([sys.executable, "-c", PARSER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
