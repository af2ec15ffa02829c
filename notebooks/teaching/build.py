"""Write the course notebooks from their sources in ``src/`` (run from anywhere):

    python notebooks/teaching/build.py          # writes zh/ and en/, exercises and solutions
    python notebooks/teaching/build.py --check  # exit 1 when a notebook differs from its source

Each lesson is one source file with the Chinese and English text side by side; the exercise
questions come from the package (``petition_analysis.teaching``), so the notebook and the
self-check always ask the same thing. Notebooks are written without outputs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
CHECK = "# NBVAL_CHECK_OUTPUT"

_TEXT = {
    "objectives": {"zh": "学习目标", "en": "Learning objectives"},
    "time": {"zh": "用时约 {m} 分钟。", "en": "About {m} minutes."},
    "prereq": {"zh": "预备知识", "en": "Before you start"},
    "how": {"zh": "每道练习的答案写在 `answer_…` 里，运行单元格即可检查。答错时，提示会指出常见的错误思路，但不会直接给出答案。"
                  "参考解答在 `solutions/` 文件夹中，请先自己做。",
            "en": "Write each answer into its `answer_…` variable and run the cell to check it. A wrong answer gets a "
                  "hint that names the common mistake behind it without giving the answer away. Worked solutions "
                  "are in `solutions/`; try first."},
    "solutions": {"zh": "参考解答", "en": "solutions"},
    "solutions_note": {"zh": "这是参考解答：每道练习给出一种求解方法。请先独立完成练习版。",
                       "en": "Worked solutions: one way to answer each exercise. Try the exercise edition first."},
    "exercise": {"zh": "练习", "en": "Exercise"},
    "replace": {"zh": "# 把 None 换成你的答案", "en": "# replace None with your answer"},
    "takeaways": {"zh": "小结", "en": "What to take away"},
    "discussion": {"zh": "讨论", "en": "Discussion"},
    "progress": {"zh": "## 进度", "en": "## Progress"},
}


def load_lessons() -> list:
    sys.path.insert(0, str(SRC))
    try:
        out = []
        for path in sorted(SRC.glob("lesson_*.py")):
            spec = importlib.util.spec_from_file_location(path.stem, path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            out.append(mod.LESSON)
        return out
    finally:
        sys.path.remove(str(SRC))


def notebook_name(lesson, solutions: bool) -> str:
    return f"lesson_{lesson.number}_{lesson.slug}{'_solutions' if solutions else ''}.ipynb"


def notebook_path(lesson, lang: str, solutions: bool) -> Path:
    return HERE / lang / ("solutions" if solutions else "") / notebook_name(lesson, solutions)


def _setup(lesson, lang: str) -> str:
    comment = {"zh": "# XX市 2014—2023 年的合成信访台账（虚构城市，没有真实信访人）",
               "en": "# the synthetic register of XX City, 2014–2023 (a fictional city; no real petitioner)"}[lang]
    return "\n".join([
        "import numpy as np",
        "import pandas as pd",
        "",
        "import petition_analysis as pa",
        "from petition_analysis import teaching",
        "",
        f'teaching.use_language("{lang}")',
        "teaching.reset()",
        f"df = pa.load_reference()  {comment}",
    ])


def build(lesson, lang: str, solutions: bool) -> nbformat.NotebookNode:
    from petition_analysis import teaching
    from cells import Code, Ex, Md  # noqa: E402  (src/ is on sys.path while building)

    T = lambda key, **kw: _TEXT[key][lang].format(**kw)  # noqa: E731
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python (petition-analysis)", "language": "python", "name": "petition-analysis"},
        "language_info": {"name": "python"},
    }
    title = getattr(lesson.title, lang)
    sep = "：" if lang == "zh" else ": "
    head = f"# {'第 %d 课' % lesson.number if lang == 'zh' else 'Lesson %d' % lesson.number}{sep}{title}"
    if solutions:
        head += f"（{T('solutions')}）" if lang == "zh" else f" — {T('solutions')}"
    intro = [head, "", T("time", m=lesson.minutes), "",
             f"**{T('objectives')}**", "", getattr(lesson.objectives, lang), "",
             f"**{T('prereq')}**", "", getattr(lesson.prerequisites, lang), "",
             T("solutions_note") if solutions else T("how")]
    cells = [nbformat.v4.new_markdown_cell("\n".join(intro)), nbformat.v4.new_code_cell(_setup(lesson, lang))]
    answered = []
    for c in lesson.cells:
        if isinstance(c, Md):
            cells.append(nbformat.v4.new_markdown_cell(getattr(c, lang)))
        elif isinstance(c, Code):
            if c.solutions_only and not solutions:
                continue
            cells.append(nbformat.v4.new_code_cell(c.zh if lang == "zh" or c.en is None else c.en))
        elif isinstance(c, Ex):
            e = teaching.EXERCISES[c.id]
            var = f"answer_{c.id.replace('.', '_')}"
            text = f"**{T('exercise')} {c.id}.** {e.question[lang]}"
            if c.note is not None:
                text += "\n\n" + getattr(c.note, lang)
            cells.append(nbformat.v4.new_markdown_cell(text))
            if solutions:
                body = f"{c.solution}\n\nteaching.check(\"{c.id}\", {var})"
            else:
                pre = f"{c.scaffold}\n" if c.scaffold else ""
                body = f"{pre}{var} = None  {T('replace')}\n\nteaching.check(\"{c.id}\", {var})"
            cells.append(nbformat.v4.new_code_cell(body))
            answered.append((c.id, var))
        else:
            raise TypeError(f"unknown cell {c!r}")
    if lesson.takeaways is not None:
        cells.append(nbformat.v4.new_markdown_cell(f"## {T('takeaways')}\n\n{getattr(lesson.takeaways, lang)}"))
    if lesson.discussion is not None:
        cells.append(nbformat.v4.new_markdown_cell(f"## {T('discussion')}\n\n{getattr(lesson.discussion, lang)}"))
    cells.append(nbformat.v4.new_markdown_cell(T("progress")))
    if solutions:
        pairs = ", ".join(f'"{i}": {v}' for i, v in answered)
        cells.append(nbformat.v4.new_code_cell(
            f"{CHECK}\nprint(teaching.key_figures({{{pairs}}}))\nprint(teaching.progress({lesson.number}))"))
    else:
        cells.append(nbformat.v4.new_code_cell(f"print(teaching.progress({lesson.number}))"))
    for i, cell in enumerate(cells):  # stable ids: same source, same bytes
        cell["id"] = f"l{lesson.number}-{lang}-{'s' if solutions else 'e'}-{i:02d}"
    nb.cells = cells
    return nb


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    sys.path.insert(0, str(SRC))
    stale = []
    for lesson in load_lessons():
        for lang in ("zh", "en"):
            for solutions in (False, True):
                path = notebook_path(lesson, lang, solutions)
                text = render(build(lesson, lang, solutions))
                if check:
                    if not path.exists() or path.read_text(encoding="utf-8") != text:
                        stale.append(path.relative_to(HERE).as_posix())
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    if check and stale:
        print("These notebooks differ from their sources; run python notebooks/teaching/build.py:\n  "
              + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
