"""Report kernels never talk in plain text over TCP, and ipykernel does not warn about it."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import sys, nbformat, papermill as pm
    from petition_analysis.publish.reports.kernels import kernel_manager_class
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, sys.argv[1] + "/in.ipynb")
    kw = {"kernel_manager_class": kernel_manager_class()} if sys.argv[3] == "report" else {}
    out = pm.execute_notebook(sys.argv[1] + "/in.ipynb", sys.argv[1] + "/out.ipynb", kernel_name=sys.argv[2],
                              progress_bar=False, **kw)
    print("OUTPUT", out.cells[0].outputs[0]["text"].strip())
""")


def _kernelspec(root: Path, curve: bool) -> str:
    """A kernelspec for this interpreter, declaring curve support or not."""
    name = "pa-test-curve" if curve else "pa-test-plain"
    d = root / "kernels" / name
    d.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": name, "language": "python",
            "metadata": {"supported_encryption": ["curve"]} if curve else {}}
    (d / "kernel.json").write_text(json.dumps(spec))
    return name


def _run(tmp_path: Path, curve: bool, manager: str) -> subprocess.CompletedProcess:
    import os

    name = _kernelspec(tmp_path / "share", curve)
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share"))
    return subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), name, manager], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("curve", [True, False], ids=["curve-kernelspec", "plain-kernelspec"])
def test_report_kernel_is_quiet_and_not_plain_tcp(tmp_path, curve):
    r = _run(tmp_path, curve, "report")
    assert "OUTPUT 42" in r.stdout, r.stderr
    assert "without encryption" not in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_default_manager_does_warn(tmp_path):
    # The control: what papermill's default kernel manager prints, which reports avoid.
    r = _run(tmp_path, True, "default")
    assert "OUTPUT 42" in r.stdout, r.stderr
    assert "without encryption" in r.stderr


def test_manager_settings():
    import zmq

    cls = __import__("petition_analysis.publish.reports.kernels", fromlist=["x"]).kernel_manager_class()
    km = cls()
    if zmq.has("curve"):
        assert km.transport_encryption == "auto"
    assert km.transport in ("tcp", "ipc")
