"""Report kernels never talk in plain text over TCP, ipykernel does not warn about it, and they
do not race other kernels for ports."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import os, socket, sys, nbformat, papermill as pm
    if sys.argv[4] == "ports-taken":
        # The race made certain: every port the manager picks is already in use by someone else.
        from jupyter_client.connect import LocalPortCache
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        held.listen()
        LocalPortCache.instance().find_available_port = lambda ip: held.getsockname()[1]
    from petition_analysis.publish.reports.kernels import kernel_manager_class
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)"), nbformat.v4.new_code_cell(
        "import json\\nfrom ipykernel.connect import get_connection_info\\ninfo = json.loads(get_connection_info())\\n"
        "print('TRANSPORT', info['transport'], 'CURVE', bool(info.get('curve_publickey')))")]
    nbformat.write(nb, sys.argv[1] + "/in.ipynb")
    kw = {"kernel_manager_class": kernel_manager_class()} if sys.argv[3] == "report" else {}
    os.makedirs(sys.argv[1] + "/notebooks")
    # The kernel runs in the notebook's folder, as a report's does, not in the caller's.
    out = pm.execute_notebook(sys.argv[1] + "/in.ipynb", sys.argv[1] + "/out.ipynb", kernel_name=sys.argv[2],
                              progress_bar=False, cwd=sys.argv[1] + "/notebooks", execution_timeout=60, **kw)
    print("OUTPUT", out.cells[0].outputs[0]["text"].strip())
    print(out.cells[1].outputs[0]["text"].strip())
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


def _run(tmp_path: Path, curve: bool, manager: str, ports: str = "free") -> subprocess.CompletedProcess:
    import os

    name = _kernelspec(tmp_path / "share", curve)
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share"), TMPDIR=str(tmp_path / "tmp"))
    return subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), name, manager, ports], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("curve", [True, False], ids=["curve-kernelspec", "plain-kernelspec"])
def test_report_kernel_is_quiet_and_not_plain_tcp(tmp_path, curve):
    r = _run(tmp_path, curve, "report")
    assert "OUTPUT 42" in r.stdout, r.stderr
    assert "without encryption" not in r.stderr
    assert "Traceback" not in r.stderr
    # Unix-domain sockets, encrypted where the kernelspec declares CurveZMQ (and pyzmq has it)
    import os

    import zmq

    transport = "ipc" if os.name == "posix" else "tcp"
    assert f"TRANSPORT {transport} CURVE {curve and zmq.has('curve')}" in r.stdout, r.stdout
    # No socket files left behind: not in the caller's folder, the notebook's or the temporary one.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.ipynb", "notebooks", "out.ipynb", "share", "tmp"]
    assert not any((tmp_path / "notebooks").iterdir()) and not any((tmp_path / "tmp").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("curve", [True, False], ids=["curve-kernelspec", "plain-kernelspec"])
def test_report_kernel_needs_no_free_port(tmp_path, curve):
    # CI once failed on "Address already in use": another kernel took a port between the
    # manager picking it and the kernel binding it. Report kernels use no ports at all.
    r = _run(tmp_path, curve, "report", ports="ports-taken")
    assert "OUTPUT 42" in r.stdout, r.stderr
    assert "Traceback" not in r.stderr and "Address already in use" not in r.stderr


@pytest.mark.slow
def test_default_manager_does_warn(tmp_path):
    # The control: what papermill's default kernel manager prints, which reports avoid. It
    # uses TCP ports, so a kernel of another test worker can take one first: try again then.
    for attempt in range(3):
        r = _run(tmp_path / str(attempt), True, "default")
        if "Address already in use" not in r.stderr:
            break
    assert "OUTPUT 42" in r.stdout, r.stderr
    assert "without encryption" in r.stderr


def test_manager_settings():
    import zmq

    cls = __import__("petition_analysis.publish.reports.kernels", fromlist=["x"]).kernel_manager_class()
    km = cls()
    if zmq.has("curve"):
        assert km.transport_encryption == "auto"
    assert km.transport in ("tcp", "ipc")


def test_socket_prefix_is_private_absolute_and_short(tmp_path, monkeypatch):
    import os
    import stat

    from petition_analysis.publish.reports import kernels

    monkeypatch.setattr(kernels.tempfile, "tempdir", str(tmp_path))
    prefix = kernels._private_socket_prefix()
    folder = os.path.dirname(prefix)
    assert os.path.isabs(prefix) and folder.startswith(str(tmp_path))
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    # A temporary folder too deep for a socket name: no IPC, and no folder left behind.
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    monkeypatch.setattr(kernels.tempfile, "tempdir", str(deep))
    assert kernels._private_socket_prefix() is None
    assert not any(deep.iterdir())
