"""Self-check functions for the teaching notebooks (教学练习).

Each exercise has an id such as ``"1.2"``. :func:`check` compares a student's answer with
the value the package's tested functions compute from the reference data (only numbers that
the question itself states, such as the seed's 28,792 items, are written here), and
gives feedback that explains a wrong answer rather than just rejecting it: common mistakes
(dividing by the wrong year, counting person-times instead of items, the sign of a change,
forgetting the year-to-date cut) are recognised and named.

>>> fb = check("1.3", -1.96)
>>> fb.correct
True
>>> print(check("1.3", -2.0).message)
not quite. -2.0 is the change divided by the *current* year. Year-on-year change divides by the previous year: (2019 − 2018) ÷ 2018.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

__all__ = ["Feedback", "check", "exercises", "progress", "reset", "lesson3_pvalues"]

AS_OF = "12-20"


@dataclass
class Feedback:
    """The result of one check: correct or not, and a message for the student."""

    exercise: str
    correct: bool | None  # None: not answered yet
    message: str

    def __str__(self) -> str:
        mark = {True: "✓", False: "✗", None: "…"}[self.correct]
        return f"{mark} Exercise {self.exercise}: {self.message}"

    def _repr_markdown_(self) -> str:
        mark = {True: "✅", False: "❌", None: "✏️"}[self.correct]
        return f"{mark} **Exercise {self.exercise}** — {self.message}"


@dataclass
class _Exercise:
    id: str
    question: str
    expected: Callable[[], Any]
    compare: Callable[[Any, Any], bool]
    mistakes: Callable[[Any, Any], str | None]
    explain: str


_RESULTS: dict[str, bool] = {}


# --- shared computations (all from the package's tested functions) ----------------------

@functools.cache
def _reference() -> pd.DataFrame:
    from .reference import load_reference

    return load_reference()


def _ytd(year: int) -> pd.DataFrame:
    from .periods import year as calendar_year

    return calendar_year(year, as_of=f"{year}-{AS_OF}").select(_reference())


@functools.cache
def _headline() -> pd.DataFrame:
    from .analysis.compare import headline

    return headline(_reference(), year=2019, as_of=f"2019-{AS_OF}").set_index("figure")


def _national(d: pd.DataFrame) -> pd.DataFrame:
    from .analysis.compare import series_mask

    return d[series_mask(d, "visits_national")]


@functools.cache
def _monthly_items_2014_2018() -> pd.Series:
    from .analysis.stats import monthly_counts

    d = _reference()["received_date"]
    return monthly_counts(d[d < "2019-01-01"])


@functools.cache
def _lesson3_pvalues(seed: int) -> np.ndarray:
    from scipy import stats

    rng = np.random.default_rng(seed)
    expected = np.full(210, 40.0)
    observed = rng.poisson(np.r_[expected[:200], expected[200:] * 1.8])
    return stats.poisson.sf(observed - 1, expected)


def lesson3_pvalues(seed: int = 3) -> np.ndarray:
    """p-values for lesson 3: 200 cells with no effect and 10 with a real excess (Poisson)."""
    return _lesson3_pvalues(seed).copy()  # a copy: students may change it


# --- comparisons and common mistakes ------------------------------------------------------

def _num(answer) -> float | None:
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def _close(tol: float) -> Callable[[Any, Any], bool]:
    def cmp(a, e):
        v = _num(a)
        return v is not None and abs(v - float(e)) <= tol
    return cmp


def _close_rel(frac: float) -> Callable[[Any, Any], bool]:
    def cmp(a, e):
        v = _num(a)
        return v is not None and abs(v - e) <= frac * e
    return cmp


def _pair(answer) -> tuple[float, float] | None:
    try:
        lo, hi = (float(x) for x in answer)
    except (TypeError, ValueError):
        return None
    return lo, hi


def _interval_close(tol: float) -> Callable[[Any, Any], bool]:
    def cmp(a, e):
        p = _pair(a)
        return p is not None and abs(p[0] - e[0]) <= tol and abs(p[1] - e[1]) <= tol
    return cmp


def _same(a, e) -> bool:
    return a == e


def _same_bool(a, e) -> bool:
    return isinstance(a, (bool, np.bool_)) and bool(a) == bool(e)


def _numeric(prompt: str):
    """A mistakes rule for a numeric answer: a non-number gets ``prompt``; a number goes
    to the rule as ``(value, expected)``."""
    def wrap(rule: Callable[[float, Any], str | None]) -> Callable[[Any, Any], str | None]:
        @functools.wraps(rule)
        def mistakes(a, e):
            v = _num(a)
            return prompt if v is None else rule(v, e)
        return mistakes
    return wrap


@_numeric("Answer with a number, e.g. len(df_2019).")
def _mistakes_items(v, e):
    if v == len(_reference()[_reference()["received_date"].dt.year == 2019]):
        return "That is the whole of 2019. The seed reports year to date: keep 1 January to 20 December only."
    if v == _ytd(2019)["persons"].sum():
        return "That is the number of person-times (人次). Items (件次/批次) are rows: count them with len()."
    return None


@_numeric("Answer with a number: the sum of the persons column.")
def _mistakes_person_times(v, e):
    if v == len(_national(_ytd(2019))):
        return "That counts the visits (批次). Person-times add up the persons column over those visits."
    return None


@_numeric("Answer with a number in percent, e.g. -12.34.")
def _mistakes_pct(v, e):
    cur, prev = len(_ytd(2019)), len(_ytd(2018))
    if abs(v - (cur - prev) / cur * 100) < 0.01:
        return (f"{v} is the change divided by the *current* year. Year-on-year change divides by the "
                "previous year: (2019 − 2018) ÷ 2018.")
    if abs(v + float(e)) < 0.01:
        return "Check the sign: the number of items fell, so the change is negative."
    if abs(v - float(e) / 100) < 0.001:
        return "Give the answer in percent (multiply the proportion by 100)."
    return None


def _national_extra_persons() -> int:
    """Persons beyond one per visit among the 2019 national-level visits (person-times − visits)."""
    h = _headline()
    return int(h.loc["visits_national_person_times", "current"] - h.loc["visits_national_items", "current"])


@_numeric("Answer with a whole number of persons.")
def _mistakes_room(v, e):
    extra = _national_extra_persons()
    if v == extra:
        return (f"{extra} is how many extra persons the Beijing visits bring. The question asks how many the "
                "total allows.")
    return None


def _national_visits() -> tuple[int, int]:
    """National-level visits, 2019 and 2018 to 20 December (the counts of lesson 2)."""
    row = _headline().loc["visits_national_items"]
    return int(row["current"]), int(row["previous"])


def _mistakes_ci(a, e):
    p = _pair(a)
    if p is None:
        return "Answer with a pair (low, high)."
    if p[0] > 1 or p[1] < 0.3:
        cur, prev = _national_visits()
        return f"The interval is for 2019 ÷ 2018 ({cur} ÷ {prev} ≈ {cur / prev:.2f}); check which count is on top."
    return None


def _mistakes_bool(a, e):
    if not isinstance(a, (bool, np.bool_)):
        return "Answer True or False."
    return None


@_numeric("Answer with a number: Pearson χ² divided by the residual degrees of freedom.")
def _mistakes_phi(v, e):
    if v < 1.2:
        return ("That is about what pure Poisson noise gives. Did you fit year and calendar-month effects to the "
                "monthly counts of 2014–2018 and use Pearson χ²/df? (pa.stats.estimate_dispersion does it.)")
    return None


@_numeric("Answer with a number of cells.")
def _mistakes_false_positives(v, e):
    if abs(v - 0.05) < 1e-9:
        return "That is the error rate per test; multiply by the number of tests."
    return None


@_numeric("Answer with a whole number of rejections.")
def _mistakes_bh(v, e):
    raw = int((lesson3_pvalues() < 0.05).sum())
    if v == raw:
        return f"{raw} is what p < 0.05 gives without any correction. Apply Benjamini–Hochberg at 5 %."
    if v == int((lesson3_pvalues() < 0.05 / 210).sum()):
        return "That is the Bonferroni count. Benjamini–Hochberg controls the false-discovery rate and finds more."
    return None


def _mistakes_hotspot(a, e):
    if not (isinstance(a, tuple) and len(a) == 3):
        return "Answer with a tuple (region, category code, quarter), e.g. ('甲区', 'politics_law', '2020Q1')."
    if a[0] == e[0] and a[2] == e[2] and a[1] != e[1]:
        return "Right place and time. Use the crosswalked category code (e.g. natural_resources, not 国土资源)."
    return None


# --- the exercises -----------------------------------------------------------------------

def _fp_expected() -> float:
    return 13 * 17 * 0.05


def _bh_expected() -> int:
    from statsmodels.stats.multitest import multipletests

    return int(multipletests(lesson3_pvalues(), alpha=0.05, method="fdr_bh")[0].sum())


def _hotspot_expected() -> tuple:
    from .analysis.hotspots import emerging_hotspots

    flags = emerging_hotspots(_reference())
    top = flags[flags["flag"]].iloc[0]
    return (top["region"], top["category"], top["period"])


def _rr_ci_expected() -> tuple:
    from .analysis.stats import rate_ratio_test

    r = rate_ratio_test(*_national_visits())
    return (r.ci_low, r.ci_high)


def _phi_expected() -> float:
    from .analysis.stats import estimate_dispersion

    return estimate_dispersion(_monthly_items_2014_2018())


def _od_significant(figure: str) -> bool:
    return bool(_headline().loc[figure, "assessment"] != "none")


EXERCISES: dict[str, _Exercise] = {e.id: e for e in [
    _Exercise("1.1", "How many items (件次) did XX City register from 1 January to 20 December 2019?",
              lambda: len(_ytd(2019)), _close(0), _mistakes_items,
              "Items are rows; the seed counts year to date, so the period ends on 20 December."),
    _Exercise("1.2", "How many person-times (人次) did national-level visits (进京访) bring in that period?",
              lambda: int(_national(_ytd(2019))["persons"].sum()), _close(0), _mistakes_person_times,
              "Select channel == 'visit' and level == 'national', then sum persons."),
    _Exercise("1.3", "What is the year-on-year change in items, in percent, to two decimals?",
              lambda: round((len(_ytd(2019)) - len(_ytd(2018))) / len(_ytd(2018)) * 100, 2), _close(0.006),
              _mistakes_pct, "(current − previous) ÷ previous × 100."),
    _Exercise("1.4", "The seed reports 28,792 items and 28,797 person-times. How many persons beyond one per "
                     "item does that allow?",
              lambda: 28797 - 28792, _close(0), _mistakes_room,
              "Every item has at least one person, so person-times − items is the room for extra persons."),
    _Exercise("2.1", "Give the exact 95 % interval (low, high) of the rate ratio 2019 ÷ 2018 for national-level "
                     "visits (80 vs 150), to two decimals.",
              _rr_ci_expected, _interval_close(0.011), _mistakes_ci,
              "Conditional on the total, 80 is binomial(230, p); map the Clopper–Pearson interval of p to p/(1−p)."),
    _Exercise("2.2", "Estimate the dispersion φ of the monthly item counts of 2014–2018 (quasi-Poisson).",
              _phi_expected, _close_rel(0.05), _mistakes_phi,
              "Fit a Poisson GLM with year and month effects; φ = Pearson χ² ÷ residual df."),
    _Exercise("2.3", "Allowing for overdispersion, is the 1.96 % fall in items statistically significant?",
              lambda: _od_significant("items"), _same_bool, _mistakes_bool,
              "The interval of the rate ratio includes 1: the fall is within ordinary variation."),
    _Exercise("2.4", "And the 46.67 % fall in national-level visits?",
              lambda: _od_significant("visits_national_items"), _same_bool, _mistakes_bool,
              "Its interval lies well below 1 even after allowing for overdispersion."),
    _Exercise("3.1", "13 regions × 17 categories are tested at α = 0.05 with no real effect anywhere. How many "
                     "cells do you expect to be flagged by chance?",
              _fp_expected, _close(0.06), _mistakes_false_positives, "Number of tests × α."),
    _Exercise("3.2", "How many of lesson3_pvalues() does Benjamini–Hochberg reject at a 5 % false-discovery rate?",
              _bh_expected, _close(0), _mistakes_bh,
              "statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='fdr_bh')."),
    _Exercise("3.3", "Which region × category × quarter is the strongest emerging hotspot in the reference data? "
                     "Answer (region, category code, 'YYYYQn').",
              _hotspot_expected, _same, _mistakes_hotspot,
              "pa.hotspots.emerging_hotspots(df) tests every cell against its own history, with FDR control."),
]}


def exercises(lesson: int | None = None) -> pd.DataFrame:
    """The exercises (id and question), optionally of one lesson."""
    rows = [(e.id, e.question) for e in EXERCISES.values() if lesson is None or e.id.startswith(f"{lesson}.")]
    return pd.DataFrame(rows, columns=["exercise", "question"])


def check(exercise: str, answer: Any) -> Feedback:
    """Check an answer and explain what is wrong with it. ``None`` means not answered yet."""
    if exercise not in EXERCISES:
        raise KeyError(f"no exercise {exercise!r}; exercises are {', '.join(EXERCISES)}.")
    ex = EXERCISES[exercise]
    if answer is None or answer is Ellipsis:
        return Feedback(exercise, None, f"not answered yet. {ex.question}")
    expected = ex.expected()
    if ex.compare(answer, expected):
        _RESULTS[exercise] = True
        return Feedback(exercise, True, f"correct. {ex.explain}")
    _RESULTS[exercise] = False
    hint = ex.mistakes(answer, expected)
    return Feedback(exercise, False, ("not quite. " + hint) if hint else f"not quite. Hint: {ex.explain}")


def progress(lesson: int) -> str:
    """One line on how many of a lesson's exercises were answered correctly so far."""
    ids = [i for i in EXERCISES if i.startswith(f"{lesson}.")]
    done = sum(_RESULTS.get(i) is True for i in ids)
    tail = "all correct." if done == len(ids) else "keep going."
    return f"Lesson {lesson}: {done} of {len(ids)} exercises correct — {tail}"


def reset() -> None:
    """Forget earlier answers (a fresh start for :func:`progress`)."""
    _RESULTS.clear()
