"""Lesson 2: is the decline real? (下降是真的吗？) Exact intervals, overdispersion, working
days, and the registry's verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import data
from .core import Exercise, Mistake


def _counts(figure: str = "visits_national_items") -> tuple[int, int]:
    f = data.registry()[figure]
    return int(f.current), int(f.previous)


def _exact(alpha: float = 0.05, flip: bool = False) -> tuple[float, float]:
    from ..analysis.stats import rate_ratio_test

    c1, c0 = _counts()
    r = rate_ratio_test(c0, c1, alpha=alpha) if flip else rate_ratio_test(c1, c0, alpha=alpha)
    return (r.ci_low, r.ci_high)


def _wald() -> tuple[float, float]:
    from ..analysis.stats import overdispersed_rate_ratio_test

    r = overdispersed_rate_ratio_test(*_counts(), dispersion=1.0)
    return (r.ci_low, r.ci_high)


def _phi(start: str = "2014-01", end: str = "2018-12") -> float:
    from ..analysis.stats import estimate_dispersion

    return estimate_dispersion(data.monthly_items(start, end))


def _phi_trend() -> float:
    from ..analysis.stats import seasonal_trend

    return seasonal_trend(data.monthly_items()).dispersion


def _naive_phi() -> float:
    s = data.monthly_items()
    return float(s.var() / s.mean())


def _working_days(end: str = "2019-12-20") -> int:
    from ..analysis.workdays import count_working_days

    return count_working_days("2019-01-01", end)


def _declines(verdict_col: str = "verdict", measure: str = "items") -> frozenset:
    from ..analysis.registry import FIVE_DECLINES

    reg = data.registry()
    return frozenset(s for s in FIVE_DECLINES if reg[f"{s}_{measure}"][verdict_col] == "decline")


_SERIES = {
    "visits": ("来访", "visits_items"),
    "letters": ("来信", "letters_items"),
    "leapfrog_visits": ("越级访", "leapfrog visits", "leapfrog_visits_items"),
    "repeat_visits": ("重复访", "repeat visits", "repeat_visits_items"),
    "collective_visits": ("集体访", "collective visits", "collective_visits_items"),
}

EXERCISES = [
    Exercise(
        "2.1", "interval",
        {"zh": "进京访批次 2019 年 ÷ 2018 年（同期）的率比，其精确（条件）95% 置信区间是多少？以 (下限, 上限) 作答，保留三位小数。",
         "en": "Give the exact (conditional) 95 % interval of the rate ratio 2019 ÷ 2018 (same period) for "
               "national-level visits, as (low, high) to three decimals."},
        expected=_exact, tol=0.0015,
        explain={"zh": "给定两年合计，本期数服从二项分布；把 Clopper–Pearson 区间换算到率比上就是精确区间。"
                       "计数小的时候，它比正态近似（Wald）区间更可靠。",
                 "en": "Given the total of both years, the current count is binomial; the Clopper–Pearson interval "
                       "mapped to the rate-ratio scale is the exact interval, more trustworthy than the normal "
                       "(Wald) approximation when counts are small."},
        hint={"zh": "用 pa.stats.rate_ratio_test(本期数, 上年同期数)，取它的 ci_low 和 ci_high。",
              "en": "Use pa.stats.rate_ratio_test(current, previous) and take its ci_low and ci_high."},
        mistakes=[
            Mistake("wald", _wald,
                    {"zh": "这是 Wald 区间（对数率比 ± 1.96 个标准误），离精确区间很近但不是它。题目要的是以二项分布为基础的精确区间。",
                     "en": "that is the Wald interval (log rate ratio ± 1.96 standard errors): close to the exact one, "
                           "but not it. The question asks for the exact interval, built on the binomial distribution."}),
            Mistake("inverted", lambda: _exact(flip=True),
                    {"zh": "你算的是 2018 ÷ 2019。率比是本期除以上年同期，下降时应小于 1。",
                     "en": "you computed 2018 ÷ 2019. The rate ratio is current ÷ previous, below 1 for a fall."}),
            Mistake("level_90", lambda: _exact(alpha=0.10),
                    {"zh": "这是 90% 区间。95% 区间应更宽一些：检查 alpha 参数。",
                     "en": "that is a 90 % interval; a 95 % interval is wider. Check the alpha argument."}),
            Mistake("registry_fcr", lambda: (data.registry()["visits_national_items"].ci_low,
                                             data.registry()["visits_national_items"].ci_high),
                    {"zh": "这是登记表里按整组指标校正后的区间（水平高于 95%，还考虑了年际波动）。题目要的是单独这一对计数的精确 95% 区间。",
                     "en": "that is the registry's interval, widened for the whole family of figures and for variation "
                           "between years. The question asks for the plain exact 95 % interval of these two counts."}),
            Mistake("percent", lambda: tuple(100 * x for x in _exact()), tol=0.15,
                    hint={"zh": "率比是一个比值，不是百分数：不要乘以 100。",
                     "en": "a rate ratio is a ratio, not a percentage: do not multiply by 100."}),
        ],
    ),
    Exercise(
        "2.2", "number",
        {"zh": "用 2014—2018 年的月度件次估计离散系数 φ（拟泊松：含年份和月份效应，Pearson χ² ÷ 残差自由度），保留四位小数。",
         "en": "Estimate the dispersion φ of the monthly item counts of 2014–2018 (quasi-Poisson with year and "
               "calendar-month effects; Pearson χ² ÷ residual df), to four decimals."},
        expected=_phi, tol=0.00015,
        explain={"zh": "φ > 1 说明月度波动大于纯泊松噪声。检验 2019 年时，要用 2019 年之前的历史来估计 φ。",
                 "en": "φ > 1: months vary more than Poisson noise. To test 2019, φ is estimated from the years "
                       "before it."},
        hint={"zh": "先用 pa.stats.monthly_counts 得到月度序列，截取 2014 年 1 月到 2018 年 12 月，再交给 pa.stats.estimate_dispersion。",
              "en": "Get the monthly series with pa.stats.monthly_counts, keep January 2014 to December 2018, and "
                    "pass it to pa.stats.estimate_dispersion."},
        mistakes=[
            Mistake("naive", _naive_phi, tol=0.5,
                    hint={"zh": "这是月度件次的方差 ÷ 均值。它把季节起伏和逐年变化都当成了噪声，所以大得离谱；"
                           "φ 要在扣除年份和月份效应之后再量。",
                     "en": "that is the variance ÷ mean of the monthly counts. It counts the seasons and the change "
                           "from year to year as noise, hence far too large; φ is measured after the year and month "
                           "effects."}),
            Mistake("all_years", lambda: _phi("2014-01", "2023-12"), tol=0.0006, hint=
                    {"zh": "你用了 2014—2023 年全部数据，包括要检验的 2019 年及以后。φ 应只用 2019 年之前的历史。",
                     "en": "you used 2014–2023, including 2019 itself and later years. φ for testing 2019 comes from "
                           "the history before it."}),
            Mistake("with_2019", lambda: _phi("2014-01", "2019-12"), tol=0.0006, hint=
                    {"zh": "你把 2019 年也算进去了。要检验的年份不应参与估计它的噪声水平。",
                     "en": "you included 2019. The year being tested should not help estimate its own noise."}),
            Mistake("later_years", lambda: _phi("2019-01", "2023-12"), tol=0.0006, hint=
                    {"zh": "这是 2019—2023 年的 φ。题目要 2014—2018 年的历史。",
                     "en": "that is φ for 2019–2023. The question asks for the 2014–2018 history."}),
            Mistake("trend_model", _phi_trend, tol=0.0015,
                    hint={"zh": "这是只含线性趋势和月份效应的模型（seasonal_trend）的 φ。题目要的是含年份效应的模型：年份效应吸收了整年的水平变化。",
                     "en": "that is φ of the trend-and-season model (seasonal_trend). The question asks for the model "
                           "with year effects, which absorb whole-year shifts in level."}),
            Mistake("poisson", lambda: 1.0, tol=0.05,
                    hint={"zh": "纯泊松模型假定 φ = 1，但这里要的是从数据中估计出来的 φ。",
                     "en": "a pure Poisson model assumes φ = 1; the question asks you to estimate φ from the data."}),
            Mistake("three_decimals", None,
                    {"zh": "已经很接近了，但请保留四位小数：只保留三位，区分不出用 2014—2018 年和用其他年份算出的 φ。",
                     "en": "close, but give four decimals: with three, φ from 2014–2018 cannot be told from φ computed on "
                           "other years."},
                    match=lambda a: abs(a - _phi()) <= 0.0006 and abs(a - round(a, 3)) < 1e-9),
            Mistake("shifted_window", lambda: _phi("2015-01", "2019-12"), tol=0.0002, hint=
                    {"zh": "你用的五年窗口包含了 2019 年（2015—2019）。要检验的年份不能参与估计它自己的噪声，请用 2014—2018 年。",
                     "en": "your five-year window (2015–2019) includes 2019. The year being tested must not help estimate "
                           "its own noise: use 2014–2018."}),
        ],
    ),
    Exercise(
        "2.3", "number",
        {"zh": "2019 年 1 月 1 日至 12 月 20 日有多少个工作日（按国务院放假和调休安排）？",
         "en": "How many working days (after the State Council's holidays and make-up working days, 调休) were "
               "there from 1 January to 20 December 2019?"},
        expected=_working_days,
        explain={"zh": "信访主要在工作日登记，所以比较两个时段要按工作日折算。",
                 "en": "Most items are registered on working days, so periods are compared per working day."},
        hint={"zh": "pa.analysis.workdays.count_working_days(开始, 结束) 会考虑节假日和调休，两端都包含。",
              "en": "petition_analysis.analysis.workdays.count_working_days(start, end) knows the holidays and make-up "
                    "days and includes both ends."},
        mistakes=[
            Mistake("calendar_days", lambda: (pd.Timestamp("2019-12-20") - pd.Timestamp("2019-01-01")).days + 1,
                    {"zh": "这是日历天数。周末和法定节假日登记量很少，要只数工作日。",
                     "en": "that counts calendar days. Few items arrive on weekends and public holidays: count "
                           "working days only."}),
            Mistake("weekdays", lambda: int(np.busday_count("2019-01-01", "2019-12-21")),
                    {"zh": "这是周一至周五的天数，没有扣掉春节、国庆等法定假日，也没有加上调休上班的周末。",
                     "en": "that counts Mondays to Fridays: it keeps the Spring Festival and National Day holidays "
                           "and misses the weekend make-up working days (调休)."}),
            Mistake("end_exclusive", lambda: _working_days("2019-12-19"),
                    {"zh": "少了 12 月 20 日：区间两端都要包含。",
                     "en": "20 December is missing: both ends are included."}),
        ],
    ),
    Exercise(
        "2.4", "bool",
        {"zh": "考虑过度离散、年际波动和多重比较之后，2019 年（截至 12 月 20 日）信访总量件次的下降是否显著？（True 或 False）",
         "en": "Allowing for overdispersion, variation between years and the number of figures tested together, "
               "is the fall in all items in 2019 (to 20 December) significant? (True or False)"},
        expected=lambda: bool(data.registry()["items"].significant),
        explain={"zh": "登记表中“信访总量 · 件次”的区间包含 1：这一下降在正常波动范围之内，不宜写成“显著下降”。",
                 "en": "The registry's interval for all items includes 1: the fall is within ordinary variation and "
                       "should not be reported as a significant decline."},
        hint={"zh": "看登记表里 items 这一行的区间 (ci_low, ci_high) 是否包含 1。",
              "en": "Look at whether the registry's interval (ci_low, ci_high) for items includes 1."},
        mistakes=[
            Mistake("poisson_only", lambda: True,
                    {"zh": "结论要考虑月内过度离散、年际波动和同组指标的多重比较，纯泊松检验这三样都没有考虑，不能用它下结论。"
                           "请看登记表中 items 行的区间是否包含 1。",
                     "en": "the verdict must allow for overdispersion, variation between years and the family of figures "
                           "tested together, and a plain Poisson test allows for none of them. Read the registry's "
                           "interval for items and see whether it includes 1."}),
        ],
        leak_forms=lambda: ["items: no significant", "信访总量 · 批次（件次） 无显著"],
    ),
    Exercise(
        "2.5", "set",
        {"zh": "“五下降”（来访、来信、越级访、重复访、集体访）中，哪几项的件次在 2019 年显著下降？用列表作答，"
               "名称取自 'visits', 'letters', 'leapfrog_visits', 'repeat_visits', 'collective_visits'。",
         "en": "Of the five declines (visits, letters, leapfrog visits, repeat visits, collective visits), which fell "
               "significantly in items in 2019? Answer with a list of names from 'visits', 'letters', "
               "'leapfrog_visits', 'repeat_visits', 'collective_visits'."},
        expected=_declines,
        choices=_SERIES,
        explain={"zh": "工作总结说“五下降”，五项的件次确实都比上年少，但只有区间整体低于 1 的几项才算显著下降。",
                 "en": "The summary claims five declines, and all five are lower than the year before, but only those "
                       "whose interval lies wholly below 1 fell significantly."},
        hint={"zh": "对每一项，看登记表中 <名称>_items 的 verdict 是否为 'decline'。",
              "en": "For each series, look at whether the registry's <name>_items verdict is 'decline'."},
        mistakes=[
            Mistake("all_five", None,
                    {"zh": "五项都比上年少，但“少了”不等于“显著下降”：有的下降幅度在正常波动之内。逐项看区间。",
                     "en": "all five are lower than the year before, but lower is not significantly lower: some falls "
                           "are within ordinary variation. Look at each interval."},
                    match=lambda a: len(a) == 5),
            Mistake("includes_none", None,
                    {"zh": "你选的项目里至少有一项的区间包含 1：它的下降在正常波动之内。",
                     "en": "at least one series you chose has an interval that includes 1: its fall is within "
                           "ordinary variation."},
                    match=lambda a: bool(a - _declines())),
            Mistake("missing", None,
                    {"zh": "你选的都对，但漏了至少一项区间整体低于 1 的。",
                     "en": "everything you chose is right, but you left out at least one series whose interval lies "
                           "wholly below 1."},
                    match=lambda a: a < _declines()),
        ],
        leak_forms=lambda: [],
    ),
]
