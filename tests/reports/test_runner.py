"""End to end: papermill runs of each report kind write ipynb, HTML (no code, images
embedded) and JSON; public mode shows no small counts; no personal data reaches any output;
failures name the cell and the notebook; a batch survives one failing report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from petition_analysis.publish import reports
from petition_analysis.publish.reports import ReportFailed, ReportParameterError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def annual_2019(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return reports.run("annual", out, year=2019, as_of="2019-12-20", lang="zh")


def test_annual_outputs_and_names(annual_2019):
    res = annual_2019
    assert res.name == "annual/2019/annual_2019-to-1220_xx-city_zh"
    for path in (res.ipynb, res.html, res.json):
        assert path.exists() and path.stat().st_size > 0
    assert res.html.name == "annual_2019-to-1220_xx-city_zh.html"


def test_annual_json_matches_the_calibration_table(annual_2019):
    f = json.loads(annual_2019.json.read_text(encoding="utf-8"))["figures"]
    want = {"items": (28792, 29368, -1.96), "visits_national_items": (80, 150, -46.67),
            "visits_national_person_times": (159, 249, -36.14), "leapfrog_city_items": (491, 536, -8.4),
            "leapfrog_city_person_times": (2549, 3367, -24.29)}
    for name, (cur, prev, pct) in want.items():
        assert (f[name]["current"], f[name]["previous"], f[name]["change_pct"]) == (cur, prev, pct)
        assert isinstance(f[name]["significant"], bool) and 0 <= f[name]["p_value"] <= 1
    assert f["items"]["significant"] is False and f["visits_national_items"]["significant"] is True
    assert "person_times" in f


def test_html_has_no_code_and_reads_as_a_report(annual_2019):
    html = annual_2019.html.read_text(encoding="utf-8")
    assert "reports.prepare(" not in html and "import petition_analysis" not in html
    assert "jp-InputArea" not in html or 'class="jp-InputArea' not in html
    assert "XX市2019年（截至12月20日）信访工作分析报告" in html
    assert "28,792件次" in html  # the narrative
    assert "Annual petition report · 信访年度分析报告" not in html  # the usage notes are removed


def test_executed_notebook_keeps_the_parameters_tag(annual_2019):
    nb = nbformat.read(str(annual_2019.ipynb), as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert any("parameters" in t for t in tags) and any("injected-parameters" in t for t in tags)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def test_public_county_report_in_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative out_dir, as `make run` uses
    res = reports.run("annual", "reports", year=2021, region="寅市", lang="en", public=True)
    assert res.json == tmp_path / "reports/annual/2021/annual_2021_yin-shi_en_public.json"
    assert res.name == "annual/2021/annual_2021_yin-shi_en_public"
    summary = json.loads(res.json.read_text(encoding="utf-8"))
    for name, fig in summary["figures"].items():
        for key in ("current", "previous", "numerator", "denominator", "censored"):
            v = fig.get(key)
            assert not (isinstance(v, int) and 0 < v < 5), f"{name}.{key} = {v} in public JSON"
        if "<5" in (fig.get("current"), fig.get("previous")):
            assert fig["significant"] is None and fig["p_value"] is None and fig["ci_low"] is None
    assert any(fig.get("current") == "<5" or fig.get("previous") == "<5" for fig in summary["figures"].values())
    html = res.html.read_text(encoding="utf-8")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells and not [c for c in cells if re.fullmatch(r"\s*[1-4]\s*", c)]
    assert "&lt;5" in html
    assert "Yin City" in html


def test_quarterly_and_hotspot_reports(tmp_path):
    q = reports.run("quarterly", tmp_path, year=2022, quarter=3, lang="en")
    figs = q.summary["figures"]
    assert {"items", "qoq_items"} <= set(figs)
    html = q.html.read_text(encoding="utf-8")
    assert "Geng County" in html and "2022Q3" in html  # the planted hotspot is flagged
    h = reports.run("hotspots", tmp_path, lang="zh", start_year=2016, end_year=2023)
    assert h.name == "hotspots/hotspots_2016-2023_xx-city_zh"
    assert "category_natural_resources" in h.summary["figures"]
    assert "劳动和社会保障" in h.html.read_text(encoding="utf-8")


def test_no_personal_data_reaches_any_output(tmp_path, reference_df):
    from petition_analysis.synth import messy

    rows = reference_df[reference_df["received_date"].dt.year.isin([2018, 2019])].iloc[::40]
    mx = messy.make_messy_export(rows, seed=5)
    raw = tmp_path / "register.xlsx"
    mx.write_xlsx(raw)
    res = reports.run("annual", tmp_path / "out", data=str(raw), year=2019, lang="zh")
    planted = [v for kind in ("names", "id_numbers", "phones", "emails", "addresses") for v in mx.pii.get(kind, []) if v]
    assert len(planted) > 50
    for path in (res.ipynb, res.html, res.json):
        text = path.read_text(encoding="utf-8")
        leaked = [v for v in planted if v in text]
        assert not leaked, f"{path.name} leaks {leaked[:3]}"
    assert res.summary["quality"]["rows_rejected"] > 0  # the appendix reports the rejects


def test_plain_papermill_command_runs_the_notebook(tmp_path):
    exe = Path(sys.executable).parent / "papermill"
    out = tmp_path / "out.ipynb"
    res = subprocess.run([str(exe), str(ROOT / "notebooks/reports/annual_report.ipynb"), str(out),
                          "-p", "year", "2019", "--cwd", str(ROOT / "notebooks/reports")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    nb = nbformat.read(str(out), as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "items: " in text


def test_bad_parameter_inside_papermill_fails_in_the_check_cell(tmp_path):
    exe = Path(sys.executable).parent / "papermill"
    res = subprocess.run([str(exe), str(ROOT / "notebooks/reports/quarterly_report.ipynb"), str(tmp_path / "q.ipynb"),
                          "-p", "year", "2019", "-p", "quarter", "5"], capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    assert "quarter must be 1, 2, 3 or 4, not 5." in res.stderr


def test_runner_checks_parameters_before_starting_a_kernel(tmp_path):
    with pytest.raises(ReportParameterError, match="lang must be 'zh' or 'en'"):
        reports.run("annual", tmp_path, year=2019, lang="de")
    assert not any(tmp_path.iterdir())


def test_a_failing_cell_names_the_cell_and_the_notebook(tmp_path, monkeypatch):
    nb = nbformat.read(str(ROOT / "notebooks/reports/annual_report.ipynb"), as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    broken = tmp_path / "nb"
    broken.mkdir()
    nbformat.write(nb, str(broken / "annual_report.ipynb"))
    monkeypatch.setenv("PETITION_NOTEBOOK_DIR", str(broken))
    with pytest.raises(ReportFailed) as info:
        reports.run("annual", tmp_path / "out", year=2019)
    msg = str(info.value)
    assert "RuntimeError: deliberate failure" in msg and "annual_2019_xx-city_zh.ipynb" in msg
    assert info.value.notebook.exists()


def test_batch_finishes_the_others_and_reports_the_failure(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "out_dir: {out}\nworkers: 2\ntimeout: 300\nreports:\n"
        "  - kind: annual\n    years: [2023]\n    langs: [zh]\n"
        "  - kind: quarterly\n    years: [2023]\n    quarters: [4, 5]\n".format(out=tmp_path / "out"),
        encoding="utf-8",
    )
    exe = Path(sys.executable).parent / "petition-analysis"
    res = subprocess.run([str(exe), "batch", str(plan), "--no-progress"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 1, res.stderr[-2000:]
    assert "3 report(s): 2 ok, 1 failed" in res.stdout
    assert "FAILED quarterly year=2023 quarter=5" in res.stdout
    assert "quarter must be 1, 2, 3 or 4, not 5." in res.stdout
    assert (tmp_path / "out/annual/2023/annual_2023_xx-city_zh.html").exists()
    assert (tmp_path / "out/quarterly/2023/quarterly_2023q4_xx-city_zh.json").exists()


def test_zh_html_embeds_its_font(annual_2019):
    html = annual_2019.html.read_text(encoding="utf-8")
    assert html.count("@font-face {font-family: 'Report CJK'") == 1
