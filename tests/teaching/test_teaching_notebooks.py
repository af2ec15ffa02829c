"""The course notebooks: built from their sources, in two editions with solutions, with
learning objectives, and no answer shown above its exercise, in the text or (executed) in the
outputs. The solutions run under nbval with their key figures pinned
(``tests/notebooks/expected_outputs.yaml``)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from petition_analysis.teaching import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "notebooks" / "teaching"
LANGS = ("zh", "en")
CHECK = "# NBVAL_CHECK_OUTPUT"
EXPECTED = yaml.safe_load((ROOT / "tests" / "notebooks" / "expected_outputs.yaml").read_text(encoding="utf-8"))
CHECK_CALL = re.compile(r'teaching\.check\("(\d+\.\d+)"')
CJK = re.compile(r"[\u4e00-\u9fff]")


def lessons(lang: str, solutions: bool = False) -> list[Path]:
    folder = TEACHING / lang / ("solutions" if solutions else "")
    return sorted(folder.glob("lesson_*.ipynb"))


EXERCISE_NOTEBOOKS = [p for lang in LANGS for p in lessons(lang)]
SOLUTION_NOTEBOOKS = [p for lang in LANGS for p in lessons(lang, True)]


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def _build_module():
    spec = importlib.util.spec_from_file_location("teaching_build", TEACHING / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seven_lessons_in_two_editions_each_with_solutions():
    for lang in LANGS:
        names = [p.name for p in lessons(lang)]
        assert len(names) >= 7
        assert [p.name for p in lessons(lang, True)] == [n.replace(".ipynb", "_solutions.ipynb") for n in names]
    assert [p.name for p in lessons("zh")] == [p.name for p in lessons("en")]


def test_notebooks_are_what_their_sources_build():
    build = _build_module()
    for lesson in build.load_lessons():
        for lang in LANGS:
            for solutions in (False, True):
                path = build.notebook_path(lesson, lang, solutions)
                assert path.read_text(encoding="utf-8") == build.render(build.build(lesson, lang, solutions)), (
                    f"{_rel(path)} differs from notebooks/teaching/src; run python notebooks/teaching/build.py")


def _checks(nb) -> list[tuple[int, str]]:
    return [(i, m.group(1)) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for m in [CHECK_CALL.search(c.source)] if m]


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS + SOLUTION_NOTEBOOKS, ids=_rel)
def test_every_exercise_is_in_its_lesson_with_objectives_in_the_right_language(path):
    nb = nbformat.read(str(path), as_version=4)
    lang = path.relative_to(TEACHING).parts[0]
    number = int(re.match(r"lesson_(\d+)_", path.name).group(1))
    ids = [ex for _, ex in _checks(nb)]
    assert ids == [e for e in EXERCISES if e.split(".")[0] == str(number)], "every exercise once, in order"
    intro = nb.cells[0].source
    assert ("学习目标" in intro and "预备知识" in intro) if lang == "zh" else ("Learning objectives" in intro and "Before you start" in intro)
    assert f'teaching.use_language("{lang}")' in nb.cells[1].source
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    han = len(CJK.findall(prose))
    # the Chinese edition is written in Chinese; the English one uses Chinese only for terms
    assert han > 400 if lang == "zh" else han < 0.05 * len(prose)


def _forms(ex: str) -> list[str]:
    return [f for f in EXERCISES[ex].forms() if len(f.lstrip("-−")) >= 3]


def _leaks(text: str, ex: str) -> list[str]:
    return [f for f in _forms(ex) if re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", text)]


def _outputs_text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if "text" in o:
            parts.append(o["text"])
        for key in ("text/plain", "text/markdown", "text/html"):
            if key in o.get("data", {}):
                parts.append(o["data"][key])
    return "\n".join(parts)


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=_rel)
def test_no_text_or_code_above_an_exercise_shows_its_answer(path):
    nb = nbformat.read(str(path), as_version=4)
    for i, ex in _checks(nb):
        assert "= None" in nb.cells[i].source, f"exercise {ex} must start unanswered"
        above = "\n".join(c.source for c in nb.cells[:i + 1])
        assert not _leaks(above, ex), f"{_rel(path)}: the answer to {ex} appears above it: {_leaks(above, ex)}"


def _kernel_manager():
    # The reports' manager: IPC sockets, so parallel test workers do not race for TCP ports.
    from petition_analysis.publish.reports.kernels import kernel_manager_class

    return kernel_manager_class()


def _execute(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="petition-analysis", resources={"metadata": {"path": str(path.parent)}},
                   kernel_manager_class=_kernel_manager()).execute()
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=_rel)
def test_executed_lessons_show_no_answer_above_its_exercise(path):
    """Run the lesson as a student opens it; nothing printed above an exercise (or by its own
    unanswered check) gives its answer away, and the unanswered checks say so."""
    nb = _execute(path)
    lang = path.relative_to(TEACHING).parts[0]
    for i, ex in _checks(nb):
        shown = "\n".join(c.source + "\n" + _outputs_text(c) for c in nb.cells[:i + 1])
        assert not _leaks(shown, ex), f"{_rel(path)}: the answer to {ex} is shown above it: {_leaks(shown, ex)}"
        own = _outputs_text(nb.cells[i])
        assert ("尚未作答" if lang == "zh" else "Not answered yet") in own
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])  # two halves, which pytest-xdist runs side by side
def test_solutions_run_under_nbval_with_their_key_figures(nbval_folder, lang):
    tmp_path = nbval_folder  # with a conftest that starts a kernel again when it dies starting
    paths = lessons(lang, True)
    assert paths
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        expected = iter(EXPECTED.get(_rel(path), []))
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith(CHECK):
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=next(expected))]
                cell.execution_count = 1  # nbval skips "unrun" cells that carry outputs
        nbformat.write(nb, str(tmp_path / _rel(path).replace("/", "__")))
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "--nbval-cell-timeout=600", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=1500,
    )
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-2000:]


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=_rel)
def test_each_solution_pins_its_key_figures(path):
    nb = nbformat.read(str(path), as_version=4)
    pinned = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(CHECK)]
    assert len(pinned) == 1 and "teaching.key_figures" in pinned[0].source
    text = EXPECTED[_rel(path)][0]
    number = re.match(r"lesson_(\d+)_", path.name).group(1)
    assert [line.split(":")[0] for line in text.splitlines()[:-1]] == [e for e in EXERCISES if e.split(".")[0] == number]
    assert text.splitlines()[-1] in (f"第 {number} 课：{text.count(chr(10)) - 1} 道练习答对 {text.count(chr(10)) - 1} 道。全部正确。",
                                     f"Lesson {number}: {text.count(chr(10)) - 1} of {text.count(chr(10)) - 1} exercises correct — all correct.")


def test_the_teachers_guide_covers_every_lesson_and_how_to_run_it():
    from petition_analysis.teaching import LESSONS

    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    for title in LESSONS.values():
        assert title["zh"] in guide, title["zh"]
    for words in ("make lab", "Python (petition-analysis)", "Objectives", "Discussion", "学习目标", "讨论题", "预备知识"):
        assert words in guide
    assert "seed" not in guide.lower() and "DESIGN" not in guide


#: A student's run of a lesson: for each exercise, the code typed in place of ``None`` and the
#: mistake it should be told about (None: a right answer; an exercise not listed stays unanswered).
STUDENT_RUNS = {
    "zh/lesson_8_cleaning_a_messy_register.ipynb": {
        "8.1": ('res = pa.clean(data_dir() / "raw" / "xx_city_2019_register_quarters.xlsx", pseudonym_key="mine")\n'
                "answer_8_1 = res.log.rows_read", "rows_read"),
        "8.2": ('answer_8_2 = int(res.rejects["reason"].isin(["total_row", "notes_row", "blank_row"]).sum())', None),
        "8.3": ('answer_8_3 = int(res.rejects["reason"].astype(str).str.startswith("duplicate").sum())', "both"),
        "8.4": ('answer_8_4 = int(((res.data["channel"] == "visit") & (res.data["persons"] > 5)).sum())', "strict"),
    },
    "en/lesson_6_interrupted_time_series.ipynb": {
        "6.1": ('answer_6_1 = round(pa.stats.interrupted_time_series(monthly_nat, "2019-01-01", slope=False)'
                ".level_change, 3)", "level_only"),
        "6.2": ('answer_6_2 = pa.stats.interrupted_time_series(monthly_nat, "2019-01-01").log_level_ci', "log_scale"),
        "6.3": ('its = pa.stats.interrupted_time_series(monthly_nat, "2019-01-01")\n'
                'answer_6_3 = round(float((its.observed["2019":] - its.counterfactual["2019":]).sum()))', "sign"),
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STUDENT_RUNS))
def test_a_student_run_with_wrong_answers_gets_each_mistakes_hint(name, tmp_path):
    """Run a lesson as a student does, answers typed as code in its cells (wrong ones by the
    usual wrong routes): each check prints that mistake's hint in the lesson's language and no
    answer, an unanswered one says so, and the progress line counts the right answers only."""
    from nbclient import NotebookClient

    path = TEACHING / name
    lang = name.split("/")[0]
    runs = STUDENT_RUNS[name]
    nb = nbformat.read(str(path), as_version=4)
    cells = dict(_checks(nb))
    for i, ex in cells.items():
        if ex in runs:
            line = nb.cells[i].source.splitlines()[0]
            assert line.startswith(f"answer_{ex.replace('.', '_')} = None")
            nb.cells[i].source = nb.cells[i].source.replace(line, runs[ex][0], 1)
    NotebookClient(nb, timeout=600, kernel_name="petition-analysis",
                   resources={"metadata": {"path": str(path.parent)}}, kernel_manager_class=_kernel_manager()).execute()
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    for i, ex in cells.items():
        shown = _outputs_text(nb.cells[i])
        mistake = runs.get(ex, (None, "unanswered"))[1]
        if mistake == "unanswered":
            assert ("尚未作答" if lang == "zh" else "Not answered yet") in shown, (ex, shown)
        elif mistake is None:
            assert "✅" in shown, (ex, shown)
        else:
            hint = next(m.hint[lang] for m in EXERCISES[ex].mistakes if m.key == mistake)
            assert "❌" in shown and hint in shown, (ex, mistake, shown)
            assert shown.count("还不对。" if lang == "zh" else "Not quite") >= 1
            assert not _leaks(shown, ex), (ex, _leaks(shown, ex))
    right = sum(m is None for _, m in runs.values())
    progress = next(_outputs_text(c) for c in nb.cells if c.cell_type == "code" and "teaching.progress" in c.source)
    assert (f"答对 {right} 道" if lang == "zh" else f"{right} of {len(cells)} exercises correct") in progress, progress
