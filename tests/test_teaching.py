"""teaching.check: each exercise accepts its answer and names the common mistakes."""

from __future__ import annotations

import pytest

from petition_analysis import teaching
from petition_analysis.teaching import EXERCISES, check


@pytest.fixture(autouse=True)
def fresh():
    teaching.reset()
    yield
    teaching.reset()


def expected(ex: str):
    return EXERCISES[ex].expected()


def test_the_expected_answers_are_the_calibration_figures():
    assert expected("1.1") == 28792
    assert expected("1.2") == 159
    assert expected("1.3") == pytest.approx(-1.96, abs=0.005)
    assert expected("1.4") == 5
    assert expected("2.3") is False and expected("2.4") is True
    assert expected("3.1") == pytest.approx(11.05)


@pytest.mark.parametrize("ex", list(EXERCISES))
def test_every_exercise_accepts_its_answer_and_rejects_another(ex):
    right = check(ex, expected(ex))
    assert right.correct is True and right.message.startswith("correct.")
    wrong = {"2.1": (0.1, 0.2), "2.3": not expected("2.3"), "2.4": not expected("2.4"),
             "3.3": ("无此区", "other", "1999Q1")}.get(ex, -1e6)
    miss = check(ex, wrong)
    assert miss.correct is False and miss.message.startswith("not quite.")


def test_not_answered_yet_and_unknown_exercise():
    assert check("1.1", None).correct is None and "not answered yet" in check("1.1", ...).message
    with pytest.raises(KeyError, match="no exercise '9.9'"):
        check("9.9", 1)


@pytest.mark.parametrize("ex, answer, words", [
    ("1.1", "many", "Answer with a number"),
    ("1.1", lambda: len(teaching._reference()[teaching._reference()["received_date"].dt.year == 2019]), "whole of 2019"),
    ("1.1", lambda: teaching._ytd(2019)["persons"].sum(), "person-times"),
    ("1.2", lambda: teaching._headline().loc["visits_national_items", "current"], "counts the visits"),
    ("1.3", lambda: round((28792 - 29368) / 28792 * 100, 4), "divided by the *current* year"),
    ("1.3", 1.96, "Check the sign"),
    ("1.3", -0.0196, "in percent"),
    ("1.4", 79, "extra persons the Beijing visits bring"),
    ("2.1", (1.5, 2.5), "2019 ÷ 2018 (80 ÷ 150 ≈ 0.53)"),
    ("2.1", "0.4-0.6", "pair (low, high)"),
    ("2.2", 1.0, "pure Poisson noise"),
    ("2.3", 0, "Answer True or False"),
    ("3.1", 0.05, "error rate per test"),
    ("3.2", lambda: int((teaching.lesson3_pvalues() < 0.05).sum()), "without any correction"),
    ("3.2", lambda: int((teaching.lesson3_pvalues() < 0.05 / 210).sum()), "Bonferroni"),
    ("3.3", "庚县", "Answer with a tuple"),
    ("3.3", lambda: (expected("3.3")[0], "国土资源", expected("3.3")[2]), "crosswalked category code"),
])
def test_common_mistakes_are_named(ex, answer, words):
    fb = check(ex, answer() if callable(answer) else answer)
    assert fb.correct is False
    assert words in fb.message


def test_one_and_zero_are_not_true_and_false():
    assert check("2.4", 1).correct is False  # was accepted: 1 == True


def test_progress_counts_correct_answers_and_reset_forgets_them():
    assert teaching.progress(1) == "Lesson 1: 0 of 4 exercises correct — keep going."
    for ex in ("1.1", "1.2", "1.3", "1.4"):
        check(ex, expected(ex))
    assert teaching.progress(1) == "Lesson 1: 4 of 4 exercises correct — all correct."
    check("1.1", 0)
    assert teaching.progress(1).startswith("Lesson 1: 3 of 4")
    teaching.reset()
    assert teaching.progress(1).startswith("Lesson 1: 0 of 4")


def test_exercises_lists_a_lesson():
    assert teaching.exercises(3)["exercise"].tolist() == ["3.1", "3.2", "3.3"]
    assert len(teaching.exercises()) == len(EXERCISES)


def test_lesson3_pvalues_cannot_be_changed_by_students():
    p = teaching.lesson3_pvalues()
    p[:] = 0
    assert (teaching.lesson3_pvalues() > 0).all()
