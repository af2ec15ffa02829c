"""teaching.check: every exercise accepts its answer in the forms students write it, explains
answers Python reads differently from what was meant, and lists common mistakes whose
bilingual hints never give the answer away."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from petition_analysis import teaching
from petition_analysis.teaching import EXERCISES, check
from petition_analysis.teaching.core import number_forms

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fresh():
    teaching.reset()
    teaching.use_language("en")
    yield
    teaching.reset()
    teaching.use_language("en")


def expected(ex: str):
    return EXERCISES[ex].expected()


def test_the_course_has_seven_lessons_and_an_optional_eighth():
    lessons = {e.split(".")[0] for e in EXERCISES}
    assert lessons == {str(i) for i in range(1, 9)} and set(teaching.LESSONS) == set(range(1, 9))
    assert all(len(teaching.exercises(i)) >= 3 for i in range(1, 9))


def test_calibration_figures_of_the_work_summary():
    """The 2019 answers are the work summary's own figures, from the registry."""
    assert expected("1.1") == 28792
    assert expected("1.2") == 159
    assert expected("1.3") == pytest.approx(-1.96, abs=0.005)
    assert expected("1.4") == 5
    assert expected("1.5") is False  # the summary's total person-times cannot be right
    assert expected("2.4") is False
    assert expected("3.1") == pytest.approx(11.05)
    assert expected("3.3") == ("庚县", "natural_resources", "2022Q3")  # the planted hotspot
    assert expected("5.1") == 20  # the planted accumulated cases


@pytest.mark.parametrize("ex", list(EXERCISES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_exercise_accepts_its_answer_in_both_languages(ex, lang):
    fb = check(ex, expected(ex), lang=lang)
    assert fb.correct is True
    assert fb.message.startswith("正确。" if lang == "zh" else "Correct.")
    if lang == "zh":
        assert CJK.search(fb.message[3:])


@pytest.mark.parametrize("ex", list(EXERCISES))
def test_every_exercise_has_specific_mistakes_with_both_hints(ex):
    e = EXERCISES[ex]
    assert len(e.mistakes) >= (1 if e.kind == "bool" else 2), f"{ex} lists too few common mistakes"
    for m in e.mistakes:
        assert m.hint["zh"] and m.hint["en"] and CJK.search(m.hint["zh"])
        assert m.hint["zh"] != m.hint["en"]
    assert CJK.search(e.question["zh"]) and CJK.search(e.hint["zh"])


@pytest.mark.parametrize("ex", [e for e in EXERCISES if EXERCISES[e].kind in ("number", "interval")])
def test_no_hint_states_the_answer(ex):
    e = EXERCISES[ex]
    forms = [f for f in e.forms() if len(f.lstrip("-−")) >= 3]  # "5" or "2" would match any text
    texts = [e.hint["zh"], e.hint["en"], e.question["zh"], e.question["en"]]
    texts += [m.hint[lang] for m in e.mistakes for lang in ("zh", "en")]
    for text in texts:
        for f in forms:
            assert not re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text), f"{ex}: {f!r} in {text!r}"


@pytest.mark.parametrize("ex", [e for e in EXERCISES if EXERCISES[e].kind == "bool"])
def test_a_wrong_true_false_gets_a_hint_that_does_not_give_the_answer(ex):
    right = expected(ex)
    for lang in ("zh", "en"):
        fb = check(ex, not right, lang=lang)
        assert fb.correct is False and fb.mistake is not None, f"{ex}: no specific hint for the wrong verdict"
        for word in ("True", "False", "answer is", "答案是", "应选"):
            assert word not in fb.message, f"{ex} ({lang}): {word!r} in {fb.message!r}"


@pytest.mark.parametrize("answer", ["28,792", "28792", " 28 792 ", np.int64(28792), 28792.0, np.float32(28792),
                                    pd.Series([28792]), np.array(28792), "２８，７９２"])
def test_numbers_are_read_as_students_write_them(answer):
    assert check("1.1", answer).correct is True


def test_a_thousands_separator_without_quotes_is_explained():
    fb = check("1.1", (28, 792))
    assert fb.correct is False and fb.mistake == "tuple"
    assert "tuple (28, 792)" in fb.message and '"28,792"' in fb.message
    zh = check("1.1", (28, 792), lang="zh")
    assert "元组" in zh.message and "千位分隔符" in zh.message
    other = check("1.1", (1, 2, 3.5))
    assert other.mistake == "tuple" and "one number" in other.message


def test_other_forms_are_explained():
    assert check("1.1", "many").mistake == "not_number"
    assert check("1.1", True).mistake == "bool_for_number"
    assert check("1.1", float("nan")).mistake == "nan"
    assert check("1.1", pd.Series([1, 2])).mistake == "series"
    assert "percent" not in check("1.3", "-1.96%").message and check("1.3", "-1.96%").correct is True
    assert check("2.1", "0.4-0.7").mistake == "interval_string"
    assert check("2.1", pa_test_result()).mistake == "interval_object"
    assert check("2.1", 0.5).mistake == "interval"
    assert check("2.4", 0).mistake == "bool_number"  # 0 is not False here
    assert check("2.4", 1).correct is False          # nor 1 True
    assert check("2.4", "False").mistake == "bool_string"
    assert check("2.5", "everything").mistake == "set_unknown"
    assert check("3.3", "庚县").mistake == "form"


def pa_test_result():
    from petition_analysis.analysis.stats import rate_ratio_test

    return rate_ratio_test(80, 150)


def test_an_interval_the_wrong_way_round_is_named():
    lo, hi = expected("2.1")
    fb = check("2.1", (hi, lo))
    assert fb.mistake == "order" and "(low, high)" in fb.message
    assert check("2.1", [lo, hi]).correct is True and check("2.1", np.array([lo, hi])).correct is True


def test_equivalent_spellings_of_the_hotspot_are_accepted():
    region, code, quarter = expected("3.3")
    for answer in [(region, code, quarter), ("Geng County", code, "2022 Q3"), ("geng-xian", "自然资源", "2022q3"),
                   [region, "natural resources", "2022年第3季度"]]:
        assert check("3.3", answer).correct is True, answer


def test_sets_accept_lists_tuples_labels_and_figure_ids():
    right = sorted(expected("2.5"))
    assert check("2.5", right).correct is True
    assert check("2.5", tuple(f"{s}_items" for s in right)).correct is True
    zh = {"letters": "来信", "leapfrog_visits": "越级访", "collective_visits": "集体访"}
    assert check("2.5", [zh[s] for s in right]).correct is True


def test_not_answered_yet_and_unknown_exercise():
    fb = check("1.1", None)
    assert fb.correct is None and fb.message.startswith("Not answered yet.") and "20 December" in fb.message
    assert check("1.1", ..., lang="zh").message.startswith("尚未作答。")
    with pytest.raises(KeyError, match="no exercise '9.9'"):
        check("9.9", 1)


def test_language_switch():
    teaching.use_language("zh")
    assert check("1.3", 1.96).message.startswith("还不对。")
    assert teaching.exercises(1)["question"].str.contains("件").any()
    with pytest.raises(ValueError, match="'zh' or 'en'"):
        teaching.use_language("fr")


def test_progress_counts_correct_answers_and_reset_forgets_them():
    assert teaching.progress(1) == "Lesson 1: 0 of 5 exercises correct — keep going."
    for ex in ("1.1", "1.2", "1.3", "1.4", "1.5"):
        check(ex, expected(ex))
    assert teaching.progress(1) == "Lesson 1: 5 of 5 exercises correct — all correct."
    assert teaching.progress(1, lang="zh") == "第 1 课：5 道练习答对 5 道。全部正确。"
    check("1.1", 0)
    assert teaching.progress(1).startswith("Lesson 1: 4 of 5")
    check("1.2", None)  # not answering does not undo an answer
    teaching.reset()
    assert teaching.progress(1).startswith("Lesson 1: 0 of 5")


def test_lesson3_pvalues_cannot_be_changed_by_students():
    p = teaching.lesson3_pvalues()
    p[:] = 0
    assert (teaching.lesson3_pvalues() > 0).all()


def test_key_figures_are_stable_text():
    text = teaching.key_figures({"a": np.float64(0.123456), "b": (1.0, 2.5), "c": frozenset({"y", "x"}), "d": np.True_})
    assert text == "a: 0.123\nb: (1, 2.5)\nc: [x, y]\nd: True"


def test_number_forms():
    assert number_forms(-1.9613) == ["-1.96", "1.96", "−1.96"]
    assert number_forms((0.40139, 0.70419)) == ["0.401", "0.704"]


def test_hints_of_the_hotspot_and_the_declines_name_no_part_of_the_answer():
    region, code, quarter = expected("3.3")
    for m in EXERCISES["3.3"].mistakes + [EXERCISES["3.3"]]:
        text = (m.hint["zh"] + m.hint["en"]) if hasattr(m, "key") else (m.hint["zh"] + m.hint["en"] + m.question["zh"])
        assert region not in text and "Geng" not in text and code not in text and quarter not in text
    for m in EXERCISES["2.5"].mistakes:
        for name in expected("2.5"):
            assert name not in m.hint["en"] and name.replace("_", " ") not in m.hint["en"]
