"""The hostile-input corpus (tests/hostile/make_corpus.py) as a regression test (issue 11).

Every case runs the command line in-process (``cli.main``, SystemExit caught) and must end
with its expected exit code and one paragraph, never a traceback. A ``clean`` that
succeeds must lose no row (rows in = clean + rejected) and let no invisible character,
placeholder or formula reach a label, and no cell of its rejects CSV may run as a formula.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from petition_analysis import cli

_spec = importlib.util.spec_from_file_location("hostile_make_corpus", Path(__file__).with_name("make_corpus.py"))
make = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = make
_spec.loader.exec_module(make)

with tempfile.TemporaryDirectory() as _d:  # the case names, for parametrization
    NAMES = [c.name for c in make.make_corpus(Path(_d))]

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_PLACEHOLDER = re.compile(r"^(?i:nan|none|null|n/?a|#n/?a)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    return d, {c.name: c for c in make.make_corpus(d)}


def run_case(case, d: Path, monkeypatch) -> tuple[int, str, float, float]:
    """The exit code, what the CLI printed, and its CPU and wall seconds."""
    monkeypatch.setenv("PETITION_PSEUDONYM_KEY", "hostile-corpus-key")
    monkeypatch.setenv(cli.ERROR_LOG_ENV_VAR, str(d / "errors.log"))
    monkeypatch.delenv(cli.DEBUG_ENV_VAR, raising=False)
    err, out = io.StringIO(), io.StringIO()
    t0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(case.resolved(d))
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, err.getvalue() + out.getvalue(), time.process_time() - c0, time.perf_counter() - t0


def test_the_corpus_is_big_enough():
    assert len(NAMES) >= 150, len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_hostile_case(name, corpus, monkeypatch):
    d, cases = corpus
    case = cases[name]
    code, text, cpu, wall = run_case(case, d, monkeypatch)
    assert "Traceback" not in text, text
    assert code == case.expect, f"{name}: exit {code}, expected {case.expect}\n{text}"
    # CPU time catches runaway work (a mapping read from /dev/zero) without failing on a
    # loaded machine; the generous wall limit catches a hang
    assert cpu < 30 and wall < 120, f"{name} took {cpu:.1f} s of CPU, {wall:.1f} s"
    for word in case.words:
        assert word.lower() in text.lower(), f"{name}: {word!r} not in\n{text}"
    if case.expect != 0:
        assert "This is a bug" not in text, text
        return
    if case.rows is None:
        return
    out = Path(case.output.replace("{d}", str(d)))
    data = pd.read_parquet(out)
    rejects = pd.read_csv(out.with_name(out.stem + ".rejects.csv"), dtype=str, keep_default_na=False)
    assert len(data) + len(rejects) == case.rows, f"{name}: {len(data)} clean + {len(rejects)} rejected != {case.rows}"
    for col in ("region", "case_id", "channel", "level", "category"):
        values = data[col].astype(str)
        assert not values.str.contains(_INVISIBLE).any(), (col, values.tolist())
        assert not values.str.match(_PLACEHOLDER).any(), (col, values.tolist())
        assert not values.str.startswith(_FORMULA_START).any(), (col, values.tolist())
    assert data["persons"].between(1, 10_000).all()
    for col in rejects.columns:
        assert not rejects[col].str.startswith(_FORMULA_START).any(), (col, rejects[col].tolist())


def test_region_values(corpus, monkeypatch):
    """Each hostile region is kept as its visible label or rejected, as the corpus says."""
    d, cases = corpus
    for name, (value, outcome) in make.HOSTILE_REGIONS.items():
        case = cases[f"clean:region_{name}"]
        code, text, *_ = run_case(case, d, monkeypatch)
        assert code == 0, text
        out = Path(case.output.replace("{d}", str(d)))
        rejects = pd.read_csv(out.with_name(out.stem + ".rejects.csv"), dtype=str, keep_default_na=False)
        rejected = set(rejects.loc[rejects["case_id"] == "X1", "reason"])
        if outcome == "reject":
            assert rejected & {"missing_region", "invalid_region"}, (name, rejected)
        else:
            assert not rejected, (name, rejected)


def test_merged_region_cells_are_filled_down_with_a_warning(corpus, monkeypatch):
    d, cases = corpus
    case = cases["clean:xlsx_merged_region"]
    code, text, *_ = run_case(case, d, monkeypatch)
    assert code == 0 and "filled down from the merged cell" in text, text
    data = pd.read_parquet(case.output.replace("{d}", str(d)))
    assert data["region"].astype(str).tolist() == ["甲区"] * 3 + ["乙区"] * 3


def test_extra_cells_give_a_counted_warning(corpus, monkeypatch):
    d, cases = corpus
    code, text, *_ = run_case(cases["clean:extra_cells"], d, monkeypatch)
    assert code == 0 and "1 row(s) have cells in columns without a header (column 8, 9, 10)" in text, text


def test_an_internal_error_is_one_paragraph_naming_the_log(tmp_path, monkeypatch, capsys):
    def boom(args):
        raise KeyError("surprise")

    monkeypatch.setattr(cli, "_cmd_clean", boom)
    monkeypatch.setenv(cli.ERROR_LOG_ENV_VAR, str(tmp_path / "errors.log"))
    monkeypatch.delenv(cli.DEBUG_ENV_VAR, raising=False)
    assert cli.main(["clean", "x.csv", "-o", str(tmp_path / "x.parquet")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "This is a bug" in err and str(tmp_path / "errors.log") in err
    assert "KeyError: 'surprise'" in (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert (tmp_path / "errors.log").stat().st_mode & 0o077 == 0  # readable by its owner only
    monkeypatch.setenv(cli.DEBUG_ENV_VAR, "1")
    with pytest.raises(KeyError):
        cli.main(["clean", "x.csv", "-o", str(tmp_path / "x.parquet")])


def test_permission_denied_is_exit_2(tmp_path, monkeypatch, capsys):
    """(Root reads any file, so the corpus cannot always make this case: simulate it.)"""
    src = tmp_path / "r.csv"
    src.write_text(make._csv(make._body(2)), encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self == src:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert cli.main(["clean", str(src), "-o", str(tmp_path / "x.parquet"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "Permission denied" in err and str(src) in err and "Traceback" not in err


@pytest.mark.parametrize("call, words", [
    (lambda r: r.run("annual", "out", yeer=2019), "did you mean 'year'"),
    (lambda r: r.run("annual", "out", timout=5), "did you mean 'timeout'"),
    (lambda r: r.run("annual", "out", timeout=0), "timeout must be a number of seconds above 0"),
    (lambda r: r.prepare("annual", regoin="甲区"), "did you mean 'region'"),
    (lambda r: r.prepare("annual", region="  "), "region is blank"),
    (lambda r: r.prepare("annual", 2019), "prepare()"),
    (lambda r: r.run_batch({"reports": []}), "non-empty `reports:` list"),
    (lambda r: r.run_batch({"reports": [{"kind": "annual"}], "workers": "two"}), "workers must be a whole number"),
    (lambda r: r.run_batch({"reports": [{"kind": "annual"}]}, workers=0), "workers must be a whole number"),
    (lambda r: r.run_batch({"reports": [{"kind": "annual", "public": True}], "disclosure_seconds": 0}),
     "disclosure_seconds must be a whole number"),
    (lambda r: r.run_batch({"reports": [{"kind": "annual", "yaers": [2019]}]}), "did you mean 'years'"),
    (lambda r: r.run_batch({"reprots": [], "reports": [{"kind": "annual"}]}), "did you mean 'reports'"),
])
def test_report_api_errors_are_report_parameter_errors(call, words):
    from petition_analysis.publish import reports

    with pytest.raises(reports.ReportParameterError) as info:
        call(reports)
    assert words in str(info.value)
