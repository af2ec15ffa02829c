"""Building blocks of the lesson sources: each lesson is written once, with its Chinese and
English text side by side, and ``build.py`` writes four notebooks from it (zh and en, the
exercises and the worked solutions)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Md:
    zh: str
    en: str


@dataclass
class Code:
    """A code cell. ``en`` defaults to ``zh`` (use it when only comments differ)."""

    zh: str
    en: str | None = None
    solutions_only: bool = False


@dataclass
class Ex:
    """An exercise: its question comes from the package (``teaching.EXERCISES``), the
    solution is the code that computes ``answer_<id>``; ``scaffold`` is code the student
    starts from (optional)."""

    id: str
    solution: str
    scaffold: str = ""
    note: Md | None = None


@dataclass
class Lesson:
    number: int
    slug: str
    title: Md
    minutes: str
    objectives: Md
    prerequisites: Md
    cells: list = field(default_factory=list)
    takeaways: Md | None = None
    discussion: Md | None = None


def md(zh: str, en: str) -> Md:
    return Md(zh.strip("\n"), en.strip("\n"))


def code(zh: str, en: str | None = None, *, solutions_only: bool = False) -> Code:
    return Code(zh.strip("\n"), None if en is None else en.strip("\n"), solutions_only)


def ex(id: str, solution: str, scaffold: str = "", note: Md | None = None) -> Ex:
    return Ex(id, solution.strip("\n"), scaffold.strip("\n"), note)
