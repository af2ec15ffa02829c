"""The project installs the way the README says: pyproject and environment.yml agree,
the console script answers --help and --version, and the kernel is named after us."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import petition_analysis

ROOT = Path(__file__).resolve().parent.parent
# pip name → conda-forge name, where they differ
CONDA_NAMES: dict[str, str] = {}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pip_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # Every extra (test, scale, bench) is in environment.yml too.
    reqs = list(meta["dependencies"]) + [r for extra in meta["optional-dependencies"].values() for r in extra]
    return dict(_split(r) for r in reqs)


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        # Packages that are only on PyPI sit in the pip: sub-list; they count too.
        deps = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for d in deps:
            if d.startswith("-"):
                continue  # "-e ." installs the project itself
            name, spec = _split(d)
            if name not in ("python", "pip"):
                out[name] = spec
    return out


def test_environment_yml_matches_pyproject():
    pip = {CONDA_NAMES.get(k, k): v for k, v in _pip_requirements().items()}
    conda = _conda_requirements()
    assert set(pip) == set(conda), (
        f"only in pyproject: {sorted(set(pip) - set(conda))}; only in environment.yml: {sorted(set(conda) - set(pip))}"
    )
    differing = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert not differing, f"lower bounds differ (pyproject, environment.yml): {differing}"


def test_environment_yml_uses_conda_forge_and_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and "-e ." in pip_section[0]["pip"]


def test_core_lower_bounds_are_the_tested_ones():
    reqs = _pip_requirements()
    assert reqs["pandas"] == ">=3.0"
    assert reqs["matplotlib"] == ">=3.11"
    assert reqs["papermill"] == ">=2.7"
    assert reqs["nbval"] == ">=0.11"


def _run(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "petition-analysis"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_console_script_version():
    res = _run("--version")
    assert res.returncode == 0
    assert res.stdout.strip() == f"petition-analysis {petition_analysis.__version__}"


def test_console_script_help_lists_commands():
    res = _run("--help")
    assert res.returncode == 0
    for word in ("headline", "synth", "examples:"):
        assert word in res.stdout


def test_kernel_is_registered_under_the_project_name():
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    assert "petition-analysis" in specs, f"registered kernels: {sorted(specs)}; run `make setup`"


def test_makefile_run_and_test_targets_exist():
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: ", text, re.M) and re.search(r"^test: ", text, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
