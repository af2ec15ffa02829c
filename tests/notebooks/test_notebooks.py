"""Every notebook runs (nbval, lax), and the few cells whose printed figures must not
change (``# NBVAL_CHECK_OUTPUT``) print the calibration figures.

Notebooks are committed without outputs, so nbval has nothing to compare with. This test
therefore runs nbval on prepared copies: report notebooks get the calibration parameters
(papermill's own parameterisation) and each checked cell gets its expected output from
``expected_outputs.yaml``."""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
EXPECTED = yaml.safe_load((Path(__file__).parent / "expected_outputs.yaml").read_text(encoding="utf-8"))
#: Parameters for the nbval runs of the report notebooks: the seed's calibration period.
PARAMETERS = {
    "notebooks/reports/annual_report.ipynb": {"year": 2019, "as_of": "2019-12-20", "lang": "zh"},
    "notebooks/reports/quarterly_report.ipynb": {"year": 2019, "quarter": 4, "lang": "en"},
    "notebooks/reports/hotspot_report.ipynb": {"start_year": 2014, "end_year": 2023, "lang": "en"},
}
CHECK = "# NBVAL_CHECK_OUTPUT"


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_there_are_report_teaching_and_exploratory_notebooks():
    rel = {_rel(p) for p in NOTEBOOKS}
    assert set(PARAMETERS) <= rel
    for lang in ("zh", "en"):  # the course: seven lessons or more, each with its worked solutions
        assert sum(r.startswith(f"notebooks/teaching/{lang}/lesson_") for r in rel) >= 7
        assert sum(r.startswith(f"notebooks/teaching/{lang}/solutions/lesson_") for r in rel) >= 7
    assert any(r.startswith("notebooks/exploratory/") for r in rel)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_committed_without_outputs_and_with_our_kernel(path):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{_rel(path)} has outputs"
    assert nb.metadata["kernelspec"]["name"] == "petition-analysis"


@pytest.mark.parametrize("rel", sorted(PARAMETERS))
def test_report_notebooks_have_a_parameters_cell_of_literals(rel):
    nb = nbformat.read(str(ROOT / rel), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    lines = [l for l in cells[0].source.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    names = set()
    for line in lines:  # one `name = literal` per line
        stmt = ast.parse(line).body[0]
        assert isinstance(stmt, ast.Assign) and len(stmt.targets) == 1, line
        ast.literal_eval(stmt.value)  # raises on anything but a literal
        names.add(stmt.targets[0].id)
    assert {"data", "region", "lang", "public", "mapping", "summary_path"} <= names
    checker = nb.cells[nb.cells.index(cells[0]) + 1]
    assert "reports.prepare(" in checker.source, "parameters are checked in the cell right after"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_every_checked_cell_has_an_expected_output(path):
    nb = nbformat.read(str(path), as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(CHECK)]
    assert len(checked) == len(EXPECTED.get(_rel(path), [])), f"update expected_outputs.yaml for {_rel(path)}"


def _prepare(path: Path, out_dir: Path) -> Path:
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(path))  # papermill's loader gives every cell a tags list
    rel = _rel(path)
    if rel in PARAMETERS:
        nb = parameterize_notebook(copy.deepcopy(nb), PARAMETERS[rel])
    expected = iter(EXPECTED.get(rel, []))
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(CHECK):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=next(expected))]
            cell.execution_count = 1  # nbval skips "unrun" cells that carry outputs
    target = out_dir / rel.replace("/", "__")
    nbformat.write(nb, str(target))
    return target


@pytest.mark.slow
def test_nbval_runs_every_notebook(nbval_folder):
    tmp_path = nbval_folder  # with a conftest that starts a kernel again when it dies starting
    for path in NOTEBOOKS:
        if not _rel(path).startswith("notebooks/teaching/"):  # the course runs in tests/teaching
            _prepare(path, tmp_path)
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "--nbval-cell-timeout=600", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=1500,
    )
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-2000:]


FIRST_KERNEL_DIES = '''
import sys

_started = []


class _FirstDies(_kernel.KernelManager):
    def start_kernel(self, **kw):
        _started.append(1)
        if len(_started) == 1:  # the first kernel exits at once, as one whose port was taken
            self.kernel_cmd_override = [sys.executable, "-c", "import sys; sys.exit(1)"]
        return super().start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        return getattr(self, "kernel_cmd_override", None) or super().format_kernel_cmd(extra_arguments)


_kernel.KernelManager = _FirstDies
'''


def test_nbval_starts_a_kernel_again_when_it_dies_starting(nbval_folder):
    # Without nbval_folder's retry this fails: "Kernel died before replying to kernel_info".
    conftest = nbval_folder / "conftest.py"
    conftest.write_text(conftest.read_text(encoding="utf-8") + FIRST_KERNEL_DIES, encoding="utf-8")
    # ... over Unix-domain sockets, with no TCP port for another worker's kernel to take.
    check = ("import json, os\nfrom ipykernel.connect import get_connection_info\n"
             "assert os.name != 'posix' or json.loads(get_connection_info())['transport'] == 'ipc'")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(check)])
    nbformat.write(nb, str(nbval_folder / "tiny.ipynb"))
    res = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                          "-q", str(nbval_folder)], cwd=nbval_folder, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-1000:]
    assert "1 passed" in res.stdout
