"""A warm kernel (one kernel kept alive across a batch worker's reports): the same report
gives byte-identical JSON and HTML run alone and as the 3rd report of a warm kernel, even
after the kernel's state was disturbed; a failing or timed-out report takes its kernel down
and the next report starts a fresh one; a batch leaves no kernel running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from petition_analysis.publish import reports
from petition_analysis.publish.reports import ReportFailed, ReportParameterError
from petition_analysis.publish.reports.warm import WarmKernel

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ALONE = dict(year=2023, lang="zh")


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """The report run on its own, in its own kernel."""
    return reports.run("annual", tmp_path_factory.mktemp("alone"), **ALONE)


def _notebook_with(tmp_path: Path, source: str) -> Path:
    nb = nbformat.read(str(ROOT / "notebooks/reports/annual_report.ipynb"), as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell(source))
    folder = tmp_path / "nb"
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, str(folder / "annual_report.ipynb"))
    return folder


def test_the_third_report_of_a_warm_kernel_equals_the_report_alone(alone, tmp_path):
    # two other reports first (a county's in English, a quarter's), then a disturbed state
    out = tmp_path / "warm"
    with WarmKernel() as kernel:
        reports.run("annual", out, kernel=kernel, year=2022, region="庚县", lang="en")
        km = kernel.km
        reports.run("quarterly", out, kernel=kernel, year=2023, quarter=3, lang="en")
        # what a report (or a user's notebook) could leave behind
        kernel._run_in_kernel(
            "import os, warnings, pandas as pd, matplotlib as mpl\n"
            "from petition_analysis import office\nfrom petition_analysis.publish import plots\n"
            "pd.set_option('display.precision', 1); pd.set_option('display.max_rows', 3)\n"
            "warnings.simplefilter('ignore'); mpl.rcParams['font.size'] = 30; mpl.rcParams['figure.dpi'] = 40\n"
            "os.chdir('/'); plots._warned = True; office.use(office.make_office(city='西安市'))\n"
            "sections = reports = pa = None; ctx = 'stale'")
        third = reports.run("annual", out, kernel=kernel, **ALONE)
        assert kernel.km is km and kernel.reports == 3  # one kernel for all three
    assert not kernel.alive
    assert third.json.read_bytes() == alone.json.read_bytes()
    assert third.html.read_bytes() == alone.html.read_bytes()
    counts = [c.execution_count for c in nbformat.read(str(third.ipynb), as_version=4).cells if c.cell_type == "code"]
    assert counts[0] == 1 and counts == sorted(counts)  # a fresh session's numbering


def test_a_failing_report_takes_its_kernel_down(alone, tmp_path, monkeypatch):
    from papermill.engines import NotebookExecutionManager

    from petition_analysis.publish.reports import html

    saves, handed = [], []
    save, prefetch = NotebookExecutionManager.save, html.prefetch
    monkeypatch.setattr(NotebookExecutionManager, "save", lambda self, **kw: (saves.append(1), save(self, **kw))[1])
    monkeypatch.setattr(html, "prefetch", lambda cell: (handed.append(cell.source), prefetch(cell))[1])
    with WarmKernel() as kernel:
        monkeypatch.setenv("PETITION_NOTEBOOK_DIR", str(_notebook_with(tmp_path, "raise RuntimeError('deliberate')")))
        with pytest.raises(ReportFailed, match="RuntimeError: deliberate") as info:
            reports.run("annual", tmp_path / "failed", kernel=kernel, **ALONE)
        assert not kernel.alive
        # no export follows: its head start (the preloaded font, reduced charts) is let go
        from petition_analysis.publish import fonts

        assert fonts._PRELOADED == {} and html._PNG_AHEAD == {}
        # the failed notebook is saved whole, up to the failing cell and its error
        failed = nbformat.read(str(info.value.notebook), as_version=4)
        errors = [c for c in failed.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
        assert [c.source for c in errors] == ["raise RuntimeError('deliberate')"]
        assert failed.metadata.papermill.exception is True
        monkeypatch.delenv("PETITION_NOTEBOOK_DIR")
        saves.clear()
        handed.clear()
        after = reports.run("annual", tmp_path / "after", kernel=kernel, **ALONE)
        assert kernel.alive and kernel.reports == 1  # a new kernel
    assert after.json.read_bytes() == alone.json.read_bytes()
    # not twice per cell (papermill's default: 80 writes of the whole notebook), but at the
    # start, every SAVE_EVERY_S seconds while cells run (10 s) and at the end
    code = [c for c in nbformat.read(str(after.ipynb), as_version=4).cells if c.cell_type == "code"]
    assert 2 <= len(saves) <= len(code) // 4
    assert all(c.metadata.papermill.status == "completed" for c in code)
    # each executed cell went to the HTML export's chart reduction as it completed
    sources = [c.source for c in code]
    assert [s for s in handed if s in sources] == sources and html._PNG_AHEAD == {}


def test_a_kernel_that_dies_mid_report_says_why(tmp_path, monkeypatch, capfd):
    # The kernel's stderr goes to a file (a failed start prints no traceback); what a kernel
    # says as it dies (a fatal error, memory) reaches the report's error instead.
    cell = "import os; os.write(2, b'fatal: the kernel ran out of memory\\n'); os._exit(1)"
    monkeypatch.setenv("PETITION_NOTEBOOK_DIR", str(_notebook_with(tmp_path, cell)))
    with pytest.raises(ReportFailed, match="kernel's last message: 'fatal: the kernel ran out of memory'") as info:
        reports.run("annual", tmp_path / "out", **ALONE)
    assert "Traceback" not in str(info.value)
    assert "out of memory" not in capfd.readouterr().err


def test_the_timeout_holds_in_a_warm_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("PETITION_NOTEBOOK_DIR", str(_notebook_with(tmp_path, "import time; time.sleep(120)")))
    with WarmKernel() as kernel:
        with pytest.raises(ReportFailed, match="longer than the 8 s timeout"):
            reports.run("annual", tmp_path / "out", kernel=kernel, timeout=8, **ALONE)
        assert not kernel.alive


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads processes' environments in /proc")
def test_a_batch_leaves_no_kernel_running(tmp_path, monkeypatch):
    mark = f"warm-test-{os.getpid()}-{tmp_path.name}"
    monkeypatch.setenv("PETITION_WARM_TEST_MARK", mark)  # inherited by the workers and their kernels

    def marked() -> list[str]:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and proc.name != str(os.getpid()) and mark.encode() in (proc / "environ").read_bytes():
                    found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
        return found

    plan = {"reports": [{"kind": "annual", "years": [2023], "langs": ["zh", "en"]}], "workers": 2}
    table = reports.run_batch(plan, out_dir=tmp_path / "out", progress=False)
    assert list(table["status"]) == ["ok", "ok"]
    for _ in range(50):  # a kernel told to stop may take a moment to go
        left = marked()
        if not left:
            break
        time.sleep(0.1)
    assert left == []


def test_a_missing_kernel_is_one_paragraph_after_the_parameters(tmp_path):
    with pytest.raises(ReportParameterError, match="lang must be"):  # the parameters still come first
        reports.run("annual", tmp_path, kernel_name="no-such-kernel-spec", year=2023, lang="de")
    with pytest.raises(ReportFailed, match="could not be run .*NoSuchKernel.*make kernel") as info:
        reports.run("annual", tmp_path, kernel_name="no-such-kernel-spec", **ALONE)
    assert "Traceback" not in str(info.value)


def test_a_bad_parameter_stops_a_launched_kernel(tmp_path):
    kernel = WarmKernel()
    with pytest.raises(ReportParameterError, match="year 1990 is not in the data"):
        reports.run("annual", tmp_path, kernel=kernel, year=1990)
    assert kernel.alive  # a batch worker's kernel stays up for its next report
    kernel.shutdown()
    assert not kernel.alive and not any(tmp_path.iterdir())


def test_a_report_stopped_right_after_its_kernel_started_leaves_no_thread_error(tmp_path, monkeypatch):
    # The kernel is launched while the parameters are checked; a bad input stops it at once.
    # jupyter_client's heartbeat thread, stopped before it ran, spun making sockets until zmq
    # had none ("Too many open files" in a thread traceback, about every other run).
    import threading

    from petition_analysis.cli import main

    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda a: errors.append(repr(a.exc_value)))
    (tmp_path / "empty").mkdir()
    for _ in range(6):
        code = main(["report", "annual", "--data", str(tmp_path / "empty"), "--no-progress", "--out", str(tmp_path / "out")])
        assert code == 2
    time.sleep(0.5)  # a spinning thread would die within this
    assert errors == []


def test_a_kernel_whose_port_was_taken_is_launched_again(tmp_path, monkeypatch):
    # jupyter_client picks free ports and the kernel binds them a moment later; a kernel
    # started meanwhile by a batch's other worker can take one ("Address already in use",
    # seen once in CI). Here another socket takes the first kernel's shell port. On POSIX
    # report kernels use IPC and no ports; the TCP fallback (Windows, or a temporary
    # folder too deep for socket names) still relaunches.
    import socket

    from petition_analysis.publish.reports import kernels
    from petition_analysis.publish.reports.kernels import kernel_manager_class

    monkeypatch.setattr(kernels, "_private_socket_prefix", lambda: None)

    base = kernel_manager_class()
    taken, transports = [], []

    class PortThief(base):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            transports.append(self.transport)
            if not taken and self.transport == "tcp":
                sock = socket.socket()
                sock.bind((self.ip, self.shell_port))
                sock.listen()
                taken.append(sock)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    kernel = WarmKernel()
    try:
        kernel.launch(reports.runner._kernel_name(), str(tmp_path), PortThief)
        kernel._ready()
        assert transports[0] == "tcp"
        assert kernel.alive and taken and len(transports) == 2, "the first kernel should have lost its port"
        kernel._run_in_kernel("assert 1 + 1 == 2")
    finally:
        kernel.shutdown()
        for sock in taken:
            sock.close()


def test_a_kernel_that_never_starts_is_one_line_not_a_traceback(tmp_path, capfd):
    from petition_analysis.publish.reports.kernels import kernel_manager_class

    class Broken(kernel_manager_class()):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            return await super()._async_launch_kernel([*kernel_cmd[:1], "-c", "import sys; sys.exit('no luck')"], **kw)

    kernel = WarmKernel()
    kernel.launch(reports.runner._kernel_name(), str(tmp_path), Broken)
    with pytest.raises(RuntimeError, match=r"died while starting \(3 attempts; the last said 'no luck'\)"):
        kernel._ready()
    kernel.shutdown()
    assert "no luck" not in capfd.readouterr().err
