"""A battery of wrong answers, as students type them, for every exercise of the course: each
must fail, be recognised as the mistake behind it, and get that mistake's hint in Chinese and
English, without the answer. Wrong methods that land near the right number fail too."""

from __future__ import annotations

import re

import pytest

from petition_analysis import teaching
from petition_analysis.teaching import EXERCISES, check

#: (exercise, what a student typed, the mistake it should be recognised as)
BATTERY = [
    # lesson 1
    ("1.1", 29881, "full_year"),
    ("1.1", "29,881", "full_year"),
    ("1.1", 28680, "end_exclusive"),
    ("1.1", 28851, "one_day_late"),
    ("1.1", 38886, "person_times"),
    ("1.1", 29368, "previous_year"),
    ("1.1", (28, 680), "tuple"),
    ("1.2", 80, "items"),
    ("1.2", 249, "previous_year"),
    ("1.2", 18785, "all_visits"),
    ("1.2", 129, "leapfrog_only"),
    ("1.2", 79, "extra_persons"),
    ("1.3", -2.0, "over_current"),
    ("1.3", -2.00, "over_current"),
    ("1.3", 1.96, "sign"),
    ("1.3", -0.0196, "proportion"),
    ("1.3", -1.71, "full_year"),
    ("1.3", -5.35, "person_times"),
    ("1.3", -576, "count_change"),
    ("1.3", 98.04, "ratio"),
    ("1.4", 79, "national_extra"),
    ("1.4", 10094, "register_extra"),
    ("1.4", -5, "negative"),
    ("1.5", True, "trust_print"),
    ("1.5", "False", "bool_string"),
    # lesson 2
    ("2.1", (0.407, 0.700), "wald"),            # Wald: within 0.006 of the exact interval, still wrong
    ("2.1", (0.4066, 0.6996), "wald"),
    ("2.1", (1.420, 2.491), "inverted"),
    ("2.1", (0.420, 0.675), "level_90"),
    ("2.1", (0.397, 0.717), "registry_fcr"),
    ("2.1", (40.1, 70.4), "percent"),
    ("2.1", (0.704, 0.401), "order"),
    ("2.1", "0.4-0.7", "interval_string"),
    ("2.2", 72.79, "naive"),
    ("2.2", 1.995, "all_years"),
    ("2.2", 2.424, "with_2019"),
    ("2.2", 1.953, "later_years"),
    ("2.2", 2.360, "trend_model"),              # 0.004 from the answer: another model, still wrong
    ("2.2", 1, "poisson"),
    ("2.2", 2.364, "three_decimals"),           # the right method, too few decimals to tell the window
    ("2.2", 2.36398, "shifted_window"),         # 2015–2019: 0.0003 from the answer, still the wrong years
    ("2.3", 354, "calendar_days"),
    ("2.3", 254, "weekdays"),
    ("2.3", 242, "end_exclusive"),
    ("2.4", True, "poisson_only"),
    ("2.4", 0, "bool_number"),
    ("2.5", ["visits", "letters", "leapfrog_visits", "repeat_visits", "collective_visits"], "all_five"),
    ("2.5", ["letters", "leapfrog_visits", "collective_visits", "repeat_visits"], "includes_none"),
    ("2.5", ["letters", "collective_visits"], "missing"),
    ("2.5", ["visits"], "includes_none"),
    ("2.5", "letters, visits", "set_unknown"),
    # lesson 3
    ("3.1", 0.05, "alpha_only"),
    ("3.1", 221, "tests_only"),
    ("3.1", 1.5, "added"),
    ("3.1", 0, "zero"),
    ("3.2", 21, "uncorrected"),
    ("3.2", 6, "bonferroni"),
    ("3.2", 10, "true_effects"),
    ("3.2", 210, "all_tests"),
    ("3.3", ("庚县", "land_resources", "2022Q3"), "old_code"),
    ("3.3", ("庚县", "国土资源", "2022Q3"), "old_code"),
    ("3.3", ("Geng County", "natural_resources", "2022Q2"), "wrong_quarter"),
    ("3.3", ("庚县", "politics_law", "2022 Q3"), "wrong_category"),
    ("3.3", ("甲区", "natural_resources", "2022Q3"), "wrong_region"),
    ("3.3", ("甲区", "urban_rural_construction", "2017Q4"), "largest_count"),
    ("3.3", ("庚县", "2022Q3"), "form"),
    ("3.4", 1, "flagged"),
    ("3.4", 6188, "tests"),
    ("3.4", 309.4, "expected_share"),
    # lesson 4
    ("4.1", 84.9, "waiting_as_late"),
    ("4.1", 89.4, "keep_quick_ones"),
    ("4.1", 0.876, "proportion"),
    ("4.1", 87.8, "whole_year"),
    ("4.2", 787, "not_accepted"),
    ("4.2", 1394, "one_day_early"),
    ("4.2", 1307, "one_day_late"),
    ("4.2", 2876, "december"),
    ("4.3", (0.646, 1.104), "wald"),
    ("4.3", (0.473, 0.997), "clopper_pearson"),
    ("4.3", (52.9, 97.8), "percent"),
    ("4.3", (0.978, 0.529), "order"),
    ("4.4", 87.5, "censored_rate"),
    ("4.4", 0.568, "proportion"),
    ("4.4", 93.3, "whole_year"),
    # lesson 5
    ("5.1", 25, "at_least_three"),
    ("5.1", 15, "one_year"),
    ("5.1", 22, "no_window"),
    ("5.1", 102, "visits"),
    ("5.2", 7, "first_visit"),
    ("5.2", 8, "by_then"),
    ("5.3", 0.068, "proportion"),
    ("5.3", 25.5, "top_ten"),
    ("5.3", 10.2, "all_years"),
    ("5.3", 6.0, "anonymous"),
    ("5.4", 0.373, "all_years"),
    ("5.4", 0.770, "complement"),
    ("5.4", 0.362, "repeat_share"),
    # lesson 6
    ("6.1", 0.533, "yoy"),
    ("6.1", 0.520, "before_after_means"),
    ("6.1", 0.514, "level_only"),
    ("6.1", -0.682, "log_scale"),
    ("6.1", -49.4, "percent_change"),
    ("6.2", (-0.912, -0.452), "log_scale"),
    ("6.2", (0.413, 0.640), "level_only"),
    ("6.2", (0.945, 1.104), "slope_ci"),
    ("6.2", (0.636, 0.402), "order"),
    ("6.3", 79, "first_year_only"),
    ("6.3", -367, "sign"),
    ("6.3", 386, "flat_counterfactual"),
    ("6.4", False, "assumed"),
    # lesson 7
    ("7.1", 14, "all_hidden"),
    ("7.1", 0, "none"),
    ("7.1", 17, "hidden_margins"),
    ("7.2", (1, 4), "promise"),
    ("7.2", (0, 4), "with_zero"),
    ("7.2", (4, 2), "order"),
    ("7.3", 15, "primary"),
    ("7.3", 25, "all_hidden"),
    ("7.4", True, "guess"),
    # lesson 8 (optional)
    ("8.1", 420, "rows_read"),
    ("8.1", 390, "duplicates_kept"),
    ("8.1", 40, "rejected"),
    ("8.2", 4, "totals_only"),
    ("8.2", 8, "no_blank"),
    ("8.2", 40, "all_rejected"),
    ("8.3", 2, "case_id"),
    ("8.3", 10, "both"),
    ("8.4", 9, "all_channels"),
    ("8.4", 7, "strict"),
]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_battery_is_large_and_covers_every_exercise_and_every_listed_mistake():
    assert len(BATTERY) >= 80
    assert {ex for ex, _, _ in BATTERY} == set(EXERCISES)
    listed = {(ex, m.key) for ex, e in EXERCISES.items() for m in e.mistakes}
    assert listed <= {(ex, key) for ex, _, key in BATTERY}, listed - {(ex, key) for ex, _, key in BATTERY}


def _answer_forms(ex: str) -> list[str]:
    return [f for f in EXERCISES[ex].forms() if len(f.lstrip("-−")) >= 3]


@pytest.mark.parametrize("ex, answer, mistake", BATTERY, ids=[f"{e}-{m}-{i}" for i, (e, _, m) in enumerate(BATTERY)])
def test_a_wrong_answer_gets_the_hint_for_its_mistake(ex, answer, mistake):
    for lang in ("zh", "en"):
        fb = check(ex, answer, lang=lang)
        assert fb.correct is False, f"{ex} accepted {answer!r}"
        assert fb.mistake == mistake, f"{ex} {answer!r} ({lang}): {fb.mistake} — {fb.message}"
        assert fb.message.startswith("还不对。" if lang == "zh" else ("Not quite:", "Not quite."))
        if lang == "zh":
            assert CJK.search(fb.message[4:])
        for form in _answer_forms(ex):
            assert not re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", fb.message), (ex, form, fb.message)
    teaching.reset()
