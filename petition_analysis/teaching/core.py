"""The self-check machinery of the course (练习自测): exercises, answers, mistakes, feedback.

An :class:`Exercise` knows its question (in Chinese and English), how to compute its answer
from the package's tested functions, how close an answer must be, and its **common mistakes**:
each :class:`Mistake` recognises one wrong method by the number it produces and carries a hint
that explains the misconception without giving the answer. :func:`check` reads what a student
typed (``28792``, ``"28,792"``, ``np.int64(28792)``, a one-value Series …), explains what
Python did with it when it is not what the student meant (``28,792`` without quotes is the
tuple ``(28, 792)``), and returns :class:`Feedback`.

>>> ex = Exercise("0.1", "number", {"zh": "一加一等于几？", "en": "What is one plus one?"},
...               expected=lambda: 2, tol=0,
...               explain={"zh": "1 + 1 = 2。", "en": "1 + 1 = 2."},
...               hint={"zh": "数一数。", "en": "Count."},
...               mistakes=[Mistake("concatenated", lambda: 11,
...                                 {"zh": "这是把两个 1 拼在一起。", "en": "that joins the two ones as text."})])
>>> print(ex.check(11, "en").message)
Not quite: that joins the two ones as text.
>>> ex.check("2", "en").correct, ex.check((1, 1), "en").mistake
(True, 'tuple')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

__all__ = ["Feedback", "Mistake", "Exercise", "parse_number", "parse_interval", "LANGS"]

LANGS = ("zh", "en")

_WORDS = {
    "correct": {"zh": "正确。", "en": "Correct."},
    "wrong": {"zh": "还不对。", "en": "Not quite:"},
    "wrong_generic": {"zh": "还不对。", "en": "Not quite."},
    "unanswered": {"zh": "尚未作答。", "en": "Not answered yet."},
    "hint": {"zh": "提示：", "en": "Hint: "},
    "exercise": {"zh": "练习", "en": "Exercise"},
}


@dataclass
class Feedback:
    """The result of one check.

    ``correct`` is True, False, or None (not answered yet); ``mistake`` names the common
    mistake recognised (``None`` when none was), so a teacher can tally them.
    """

    exercise: str
    correct: bool | None
    message: str
    mistake: str | None = None
    lang: str = "en"

    def __str__(self) -> str:
        mark = {True: "✓", False: "✗", None: "…"}[self.correct]
        return f"{mark} {_WORDS['exercise'][self.lang]} {self.exercise}: {self.message}"

    def _repr_markdown_(self) -> str:
        mark = {True: "✅", False: "❌", None: "✏️"}[self.correct]
        return f"{mark} **{_WORDS['exercise'][self.lang]} {self.exercise}** — {self.message}"


@dataclass
class Mistake:
    """One common mistake: ``value()`` is what the wrong method gives (a number, a pair, a
    bool or a string, as the exercise's kind), ``hint`` explains the misconception
    (``{"zh": …, "en": …}``) and must not state the answer. ``tol`` overrides the
    exercise's tolerance for recognising it; ``match`` replaces the comparison entirely
    (it gets the parsed answer)."""

    key: str
    value: Callable[[], Any] | None
    hint: dict[str, str]
    tol: float | None = None
    match: Callable[[Any], bool] | None = None


@dataclass
class Exercise:
    """One exercise. ``kind`` is ``number``, ``interval``, ``bool``, ``choice`` (one of
    ``choices``, synonyms allowed), ``set`` (several of ``choices``) or ``tuple``
    (answers compared after ``normalize``)."""

    id: str
    kind: str
    question: dict[str, str]
    expected: Callable[[], Any]
    explain: dict[str, str]
    hint: dict[str, str]
    mistakes: list[Mistake] = field(default_factory=list)
    tol: float = 0.0
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    normalize: Callable[[Any], Any] | None = None
    #: How the answer could be written in a lesson's text or output (for the leak test);
    #: default: derived from the expected value.
    leak_forms: Callable[[], list[str]] | None = None
    #: Extra checks of the answer's form, before comparing: (test, hint) pairs on the raw answer.
    form_checks: list = field(default_factory=list)

    # -- reading an answer --------------------------------------------------------------

    def parse(self, answer: Any, lang: str):
        """The answer as the exercise's kind, or a :class:`Feedback` explaining why not."""
        if self.kind == "number":
            return parse_number(answer, lang)
        if self.kind == "interval":
            return parse_interval(answer, lang)
        if self.kind == "bool":
            return _parse_bool(answer, lang)
        if self.kind == "choice":
            return _parse_choice(answer, self.choices, lang)
        if self.kind == "set":
            return _parse_set(answer, self.choices, lang)
        if self.kind == "tuple":
            return self.normalize(answer) if self.normalize else answer
        raise ValueError(f"unknown exercise kind {self.kind!r}")

    def _same(self, a, e, tol: float) -> bool:
        if self.kind == "number":
            return a is not None and e is not None and abs(a - float(e)) <= tol + 1e-12
        if self.kind == "interval":
            return all(abs(x - float(y)) <= tol + 1e-12 for x, y in zip(a, e))
        if self.kind == "set":
            return set(a) == set(e)
        return a == e

    def check(self, answer: Any, lang: str = "en") -> Feedback:
        """Compare ``answer`` with the expected value and explain a wrong one."""
        if lang not in LANGS:
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
        if answer is None or answer is Ellipsis:
            return Feedback(self.id, None, f"{_WORDS['unanswered'][lang]}{_SEP[lang]}{self.question[lang]}", None, lang)
        for test, hint in self.form_checks:
            if test(answer):
                return Feedback(self.id, False, f"{_WORDS['wrong'][lang]}{_SEP[lang]}{hint[lang]}", "form", lang)
        parsed = self.parse(answer, lang)
        if isinstance(parsed, Feedback):
            parsed.exercise = self.id
            return parsed
        if self._same(parsed, self.expected(), self.tol):
            return Feedback(self.id, True, f"{_WORDS['correct'][lang]}{_SEP[lang]}{self.explain[lang]}", None, lang)
        if self.kind == "interval" and self._same(parsed[::-1], self.expected(), self.tol):
            return Feedback(self.id, False, f"{_WORDS['wrong'][lang]}{_SEP[lang]}{_ORDER[lang]}", "order", lang)
        for m in self.mistakes:
            hit = m.match(parsed) if m.match is not None else self._same(
                parsed, _as_kind(self.kind, m.value()), self.tol if m.tol is None else m.tol)
            if hit:
                return Feedback(self.id, False, f"{_WORDS['wrong'][lang]}{_SEP[lang]}{m.hint[lang]}", m.key, lang)
        return Feedback(self.id, False, f"{_WORDS['wrong_generic'][lang]}{_SEP[lang]}{_WORDS['hint'][lang]}{self.hint[lang]}",
                        None, lang)

    def forms(self) -> list[str]:
        """Strings that would give this exercise's answer away if a lesson printed them."""
        if self.leak_forms is not None:
            return self.leak_forms()
        return number_forms(self.expected()) if self.kind in ("number", "interval") else []


_SEP = {"zh": "", "en": " "}

_ORDER = {
    "zh": "区间的两端写反了：请按 (下限, 上限) 的顺序填写，小的在前。",
    "en": "the two ends are the wrong way round: give (low, high), the smaller first.",
}


def _as_kind(kind: str, v):
    if kind == "number":
        return float(v)
    if kind == "interval":
        return tuple(float(x) for x in v)
    return v


# -- parsing ---------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$")

_MSG = {
    "tuple_thousands": {
        "zh": "Python 把不带引号的 {text} 读成了元组 {tup}：逗号在 Python 里分隔元素，而不是千位分隔符。"
              "请写成 {joined}，或者加上引号写成 \"{text}\"。",
        "en": "Python reads {text} without quotes as the tuple {tup}: in Python a comma separates items, "
              "it is not a thousands separator. Write {joined}, or \"{text}\" in quotes.",
    },
    "tuple": {
        "zh": "你传入的是一个元组 {tup}（几个值用逗号隔开），这道题只要一个数。如果这是 df.shape，行数是它的第一个值，"
              "也可以直接用 len(df)。",
        "en": "you passed a tuple {tup} (several values separated by commas); this exercise wants one number. If it is "
              "df.shape, the number of rows is its first value, or simply len(df).",
    },
    "not_number": {
        "zh": "请填一个数，例如 12345 或 -1.23（也可以写成字符串 \"12,345\"）。",
        "en": "answer with a number, e.g. 12345 or -1.23 (a string such as \"12,345\" works too).",
    },
    "bool_for_number": {
        "zh": "这道题要一个数，而不是 True/False。",
        "en": "this exercise wants a number, not True or False.",
    },
    "nan": {
        "zh": "你的答案是 NaN（不是数）：通常是筛选后没有剩下任何行，或者除以了 0。检查一下筛选条件。",
        "en": "your answer is NaN (not a number): usually a selection that kept no rows, or a division by 0. "
              "Check your filters.",
    },
    "series": {
        "zh": "你传入的是一个含 {n} 个值的 {what}，这道题只要一个数。取出你需要的那个值（例如用 .loc[...]），"
              "或先求和/计数。",
        "en": "you passed a {what} of {n} values; this exercise wants one number. Pick the value you need "
              "(e.g. with .loc[...]) or sum/count first.",
    },
    "interval": {
        "zh": "请用一对数 (下限, 上限) 作答，例如 (0.85, 1.12)。",
        "en": "answer with a pair (low, high), e.g. (0.85, 1.12).",
    },
    "interval_string": {
        "zh": "你写的是一个字符串 {text!r}；请写成两个数组成的元组，例如 (0.85, 1.12)。",
        "en": "you wrote the string {text!r}; write a tuple of two numbers instead, e.g. (0.85, 1.12).",
    },
    "interval_object": {
        "zh": "你传入的是整个检验结果；这道题要的是它的区间：(r.ci_low, r.ci_high)。",
        "en": "you passed the whole test result; this exercise wants its interval: (r.ci_low, r.ci_high).",
    },
    "bool": {
        "zh": "请用 True 或 False 作答（不加引号）。",
        "en": "answer True or False (without quotes).",
    },
    "bool_string": {
        "zh": "你写的是字符串 {text!r}。请直接写 True 或 False，不加引号。",
        "en": "you wrote the string {text!r}. Write True or False without quotes.",
    },
    "bool_number": {
        "zh": "请用 True 或 False 作答，而不是 {v}：这里问的是一个判断。",
        "en": "answer True or False, not {v}: the question asks for a yes-or-no judgement.",
    },
    "choice": {
        "zh": "请从以下选项中选一个（字符串）：{opts}。",
        "en": "answer with one of these (as a string): {opts}.",
    },
    "set": {
        "zh": "请用一个列表作答，元素取自：{opts}。例如 [\"{first}\"]；一个都没有就写 []。",
        "en": "answer with a list of names from: {opts}. For example [\"{first}\"]; [] if none.",
    },
    "set_unknown": {
        "zh": "{bad} 不在可选的名称里；可选的有：{opts}。",
        "en": "{bad} is not one of the names to choose from: {opts}.",
    },
}


def _wrong(key: str, lang: str, mistake: str | None = None, **kw) -> Feedback:
    return Feedback("", False, f"{_WORDS['wrong'][lang]}{_SEP[lang]}{_MSG[key][lang].format(**kw)}", mistake or key, lang)


def _scalar(answer):
    """numpy scalars and 0-d arrays → Python numbers; others unchanged."""
    if isinstance(answer, np.generic):
        return answer.item()
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        return answer.item()
    return answer


def parse_number(answer: Any, lang: str = "en") -> float | Feedback:
    """A number from what a student typed, or :class:`Feedback` saying what went wrong.

    >>> parse_number("28,792"), parse_number("−1.96 %"), parse_number(np.int64(7))
    (28792.0, -1.96, 7.0)
    >>> print(parse_number((28, 792)).message)
    Not quite: Python reads 28,792 without quotes as the tuple (28, 792): in Python a comma separates items, it is not a thousands separator. Write 28792, or "28,792" in quotes.
    """
    answer = _scalar(answer)
    if isinstance(answer, bool):
        return _wrong("bool_for_number", lang)
    if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list)):
        n = answer.size if hasattr(answer, "size") else len(answer)
        if n == 1:
            return parse_number(np.asarray(answer).ravel()[0], lang)
        name = type(answer).__name__ if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index)) else (
            "数组" if lang == "zh" else "sequence")
        return _wrong("series", lang, n=n, what=name)
    if isinstance(answer, tuple):
        if (len(answer) >= 2 and all(isinstance(_scalar(x), int) and not isinstance(x, bool) for x in answer)
                and all(0 <= _scalar(x) < 1000 for x in answer[1:]) and 0 <= _scalar(answer[0]) < 1000):
            parts = [str(_scalar(answer[0]))] + [f"{_scalar(x):03d}" for x in answer[1:]]
            return _wrong("tuple_thousands", lang, mistake="tuple", text=",".join(parts), tup=tuple(map(_scalar, answer)),
                          joined="".join(parts))
        return _wrong("tuple", lang, tup=answer)
    if isinstance(answer, str):
        text = (answer.strip().replace(",", "").replace("，", "").replace(" ", "").replace("\u2212", "-")
                .replace("％", "%").rstrip("%"))
        if _NUMBER_RE.match(text.lower()):
            return float(text)
        return _wrong("not_number", lang)
    if isinstance(answer, (int, float)):
        if isinstance(answer, float) and math.isnan(answer):
            return _wrong("nan", lang)
        return float(answer)
    return _wrong("not_number", lang)


def parse_interval(answer: Any, lang: str = "en") -> tuple[float, float] | Feedback:
    """A pair (low, high) of numbers, or :class:`Feedback`.

    >>> parse_interval([0.4, "0.7"])
    (0.4, 0.7)
    >>> parse_interval("0.4-0.7").mistake
    'interval_string'
    """
    if isinstance(answer, str):
        return _wrong("interval_string", lang, text=answer)
    if hasattr(answer, "ci_low") and hasattr(answer, "ci_high"):
        return _wrong("interval_object", lang)
    if isinstance(answer, (pd.Series, np.ndarray)):
        answer = list(np.asarray(answer).ravel())
    try:
        lo, hi = answer
    except (TypeError, ValueError):
        return _wrong("interval", lang)
    out = []
    for x in (lo, hi):
        v = parse_number(x, lang)
        if isinstance(v, Feedback):
            return _wrong("interval", lang)
        out.append(v)
    return tuple(out)


def _parse_bool(answer: Any, lang: str) -> bool | Feedback:
    answer = _scalar(answer)
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str):
        return _wrong("bool_string", lang, text=answer)
    if isinstance(answer, (int, float)):
        return _wrong("bool_number", lang, v=answer)
    return _wrong("bool", lang)


def _norm_text(s: str) -> str:
    return re.sub(r"[\s_\-·]+", "", str(s).strip().lower())


def _parse_choice(answer: Any, choices: dict[str, tuple[str, ...]], lang: str) -> str | Feedback:
    opts = ", ".join(repr(c) for c in choices)
    if not isinstance(answer, str):
        return _wrong("choice", lang, opts=opts)
    a = _norm_text(answer)
    for name, synonyms in choices.items():
        if a in {_norm_text(name), *map(_norm_text, synonyms)}:
            return name
    return _wrong("choice", lang, opts=opts)


def _parse_set(answer: Any, choices: dict[str, tuple[str, ...]], lang: str) -> frozenset | Feedback:
    opts = ", ".join(repr(c) for c in choices)
    first = next(iter(choices))
    if isinstance(answer, str):
        answer = [answer]
    if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
        answer = list(answer)
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return _wrong("set", lang, opts=opts, first=first)
    out = set()
    for x in answer:
        got = _parse_choice(x, choices, lang) if isinstance(x, str) else None
        if not isinstance(got, str):
            return _wrong("set_unknown", lang, bad=repr(x), opts=opts)
        out.add(got)
    return frozenset(out)


def number_forms(value) -> list[str]:
    """How a number (or pair) might be printed: ``28792``, ``28,792``; ``-1.96``, ``1.96``;
    ``0.401`` and ``0.40``.

    >>> number_forms(28792)
    ['28792', '28,792']
    >>> number_forms(-1.9613)
    ['-1.96', '1.96', '−1.96']
    """
    if isinstance(value, (tuple, list)):
        return [f for v in value for f in number_forms(v)]
    v = float(value)
    if v == int(v) and abs(v) >= 1:
        i = int(v)
        return list(dict.fromkeys([str(i), f"{i:,}"]))
    digits = 2 if abs(v) >= 1 else 3
    s = f"{v:.{digits}f}"
    out = [s]
    if s.startswith("-"):
        out += [s[1:], "\u2212" + s[1:]]
    return out
