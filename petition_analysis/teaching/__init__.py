"""The course in petition policy analysis (信访政策分析课程): self-checks for its lessons.

The lessons live in ``notebooks/teaching/zh/`` and ``notebooks/teaching/en/``; each exercise
ends with ``teaching.check("1.1", answer)``. :func:`check` compares the answer with what the
package's tested functions and the figure registry compute from the bundled synthetic data,
and explains a wrong one: every exercise lists its common mistakes, and each has a hint that
names the misconception without giving the answer away.

>>> from petition_analysis import teaching
>>> teaching.use_language("en")
>>> print(teaching.check("1.3", 1.96).message)
Not quite: the sign is wrong. Did the items rise or fall? A fall is negative (current − previous).
>>> teaching.check("1.1", "28,792").correct
True
>>> print(teaching.check("1.1", (28, 792)).message)
Not quite: Python reads 28,792 without quotes as the tuple (28, 792): in Python a comma separates items, it is not a thousands separator. Write 28792, or "28,792" in quotes.
>>> teaching.use_language("zh"); print(teaching.check("3.1", 0.05).message)
还不对。这是每一次检验的误报率。题目问的是所有格子加起来预计误报多少格。
>>> teaching.use_language("en")

Lessons: 1 items and person-times; 2 is the decline real?; 3 hotspots and multiple testing;
4 the three rates and censoring; 5 repeat petitioners and accumulated cases (积案);
6 evaluating a policy with an interrupted time series; 7 publishing safely; 8 (optional)
cleaning a messy register.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8
from .core import LANGS, Exercise, Feedback, Mistake
from .data import lesson3_pvalues

__all__ = ["Feedback", "check", "exercises", "progress", "reset", "use_language", "language",
           "lesson3_pvalues", "key_figures", "EXERCISES", "LESSONS"]

#: Lesson number → title.
LESSONS = {
    1: {"zh": "件次与人次，年初至今的同比", "en": "Items and person-times, year to date"},
    2: {"zh": "下降是真的吗？", "en": "Is the decline real?"},
    3: {"zh": "热点与多重检验", "en": "Hotspots and multiple testing"},
    4: {"zh": "三率与删失", "en": "The three rates, and why censoring biases them"},
    5: {"zh": "重复信访与积案", "en": "Repeat petitioners and accumulated cases"},
    6: {"zh": "用中断时间序列评估政策", "en": "Evaluating a policy with an interrupted time series"},
    7: {"zh": "安全发布：抑制、差分攻击与补充抑制", "en": "Publishing safely: suppression, differencing and complementary suppression"},
    8: {"zh": "清洗原始台账", "en": "Cleaning a messy register"},
}

EXERCISES: dict[str, Exercise] = {
    e.id: e for m in (lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8)
    for e in m.EXERCISES
}

_STATE: dict[str, Any] = {"lang": "en", "results": {}}


def use_language(lang: str) -> None:
    """Give questions and feedback in ``"zh"`` or ``"en"`` from now on."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    _STATE["lang"] = lang


def language() -> str:
    return _STATE["lang"]


def check(exercise: str, answer: Any, lang: str | None = None) -> Feedback:
    """Check an answer and explain what is wrong with it. ``None`` means not answered yet."""
    lang = lang or _STATE["lang"]
    if exercise not in EXERCISES:
        raise KeyError(f"no exercise {exercise!r}; exercises are {', '.join(EXERCISES)}.")
    fb = EXERCISES[exercise].check(answer, lang)
    if fb.correct is not None:
        _STATE["results"][exercise] = fb.correct
    return fb


def exercises(lesson: int | None = None, lang: str | None = None) -> pd.DataFrame:
    """The exercises (id and question), optionally of one lesson."""
    lang = lang or _STATE["lang"]
    rows = [(e.id, e.question[lang]) for e in EXERCISES.values()
            if lesson is None or e.id.split(".")[0] == str(lesson)]
    return pd.DataFrame(rows, columns=["exercise", "question"])


def progress(lesson: int, lang: str | None = None) -> str:
    """One line on how many of a lesson's exercises were answered correctly so far."""
    lang = lang or _STATE["lang"]
    ids = [i for i in EXERCISES if i.split(".")[0] == str(lesson)]
    done = sum(_STATE["results"].get(i) is True for i in ids)
    if lang == "zh":
        tail = "全部正确。" if done == len(ids) else "继续加油。"
        return f"第 {lesson} 课：{len(ids)} 道练习答对 {done} 道。{tail}"
    tail = "all correct." if done == len(ids) else "keep going."
    return f"Lesson {lesson}: {done} of {len(ids)} exercises correct — {tail}"


def reset() -> None:
    """Forget earlier answers (a fresh start for :func:`progress`)."""
    _STATE["results"].clear()


def _show(v) -> str:
    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (set, frozenset)):
        return "[" + ", ".join(sorted(map(str, v))) + "]"
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_show(x) for x in v) + ")"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if f == int(f):
            return str(int(f))
        return f"{f:.3f}".rstrip("0")
    return str(v)


def key_figures(answers: dict) -> str:
    """The answers of a lesson, one per line in a stable format (solutions pin them).

    >>> print(key_figures({"1.1": 28792.0, "2.1": (0.40139, 0.70419), "2.5": {"b", "a"}, "2.4": False}))
    1.1: 28792
    2.1: (0.401, 0.704)
    2.5: [a, b]
    2.4: False
    """
    return "\n".join(f"{k}: {_show(v)}" for k, v in answers.items())
