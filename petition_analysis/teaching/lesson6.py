"""Lesson 6: evaluating a policy with an interrupted time series (中断时间序列评估政策).

The special campaign (专项治理) against visits to Beijing began on 1 January 2019; the
series is the monthly number of national-level visits, 2014–2023.
"""

from __future__ import annotations

import functools
import math

from . import data
from .core import Exercise, Mistake

PLACEBO_START = "2017-01-01"


@functools.cache
def its(slope: bool = True):
    from ..analysis.stats import interrupted_time_series

    return interrupted_time_series(data.monthly_national_visits(), data.CAMPAIGN_START, slope=slope)


@functools.cache
def placebo():
    from ..analysis.stats import interrupted_time_series

    return interrupted_time_series(data.monthly_national_visits()[:"2018-12"], PLACEBO_START)


def _mean_ratio() -> float:
    s = data.monthly_national_visits()
    return float(s[data.CAMPAIGN_START:].mean() / s[:"2018-12"].mean())


def _averted(start: str = data.CAMPAIGN_START, end: str = "2023-12") -> float:
    r = its()
    return float((r.counterfactual[start:end] - r.observed[start:end]).sum())


def _naive_averted() -> float:
    s = data.monthly_national_visits()
    post = s[data.CAMPAIGN_START:]
    return float(s[:"2018-12"].mean() * len(post) - post.sum())


EXERCISES = [
    Exercise(
        "6.1", "number",
        {"zh": "用中断时间序列（含趋势、月份季节性，允许斜率变化）估计专项治理开始时进京访的水平变化（率比），保留三位小数。",
         "en": "With an interrupted time series (trend, monthly seasonality, a change in slope allowed), estimate the "
               "level change in national-level visits when the campaign began, as a rate ratio to three decimals."},
        expected=lambda: round(its().level_change, 3), tol=0.0015,
        explain={"zh": "水平变化是政策开始那一刻，实际水平与“延续原趋势”的反事实之比。",
                 "en": "The level change is the ratio of the level right after the start to the counterfactual that "
                       "continues the earlier trend."},
        hint={"zh": "pa.stats.interrupted_time_series(月度序列, '2019-01-01') 的 level_change。",
              "en": "level_change of pa.stats.interrupted_time_series(monthly, '2019-01-01')."},
        mistakes=[
            Mistake("yoy", lambda: float(data.registry()["visits_national_items"].rate_ratio), tol=0.0015,
                    hint={"zh": "这是 2019 年对 2018 年的同比率比。同比只比两年，没有考虑之前的趋势，也说不清变化是否恰好发生在政策开始时。",
                     "en": "that is the 2019 ÷ 2018 rate ratio. It compares two years only: it ignores the earlier "
                           "trend and cannot say whether the change came when the policy began."}),
            Mistake("before_after_means", _mean_ratio, tol=0.0015,
                    hint={"zh": "这是前后两段的月均值之比。它忽略了原有趋势：如果本来就在下降，这个比值会把趋势也算成政策效果。",
                     "en": "that is the ratio of the mean months after and before. It ignores the earlier trend: if "
                           "visits were already falling, the trend is counted as the policy's effect."}),
            Mistake("level_only", lambda: its(slope=False).level_change, tol=0.0015,
                    hint={"zh": "这是只允许水平变化、不允许斜率变化的模型。题目要求允许斜率变化（slope=True）。",
                     "en": "that model allows a level change only. The question asks for the model that also allows "
                           "a change in slope (slope=True)."}),
            Mistake("log_scale", lambda: its().log_level_change, tol=0.0015,
                    hint={"zh": "这是对数尺度上的系数。率比要取指数：exp(系数)。",
                     "en": "that is the coefficient on the log scale. The rate ratio is exp(coefficient)."}),
            Mistake("percent_change", lambda: 100 * (its().level_change - 1), tol=0.15,
                    hint={"zh": "这是百分比变化。题目要率比（例如 0.8 表示下降 20%）。",
                     "en": "that is a percentage change. The question asks for the rate ratio (0.8 means a 20 % fall)."}),
        ],
    ),
    Exercise(
        "6.2", "interval",
        {"zh": "这一水平变化的 95% 置信区间是多少？以 (下限, 上限) 的率比作答，保留三位小数。",
         "en": "Give the 95 % interval of that level change, as rate ratios (low, high) to three decimals."},
        expected=lambda: its().level_ci, tol=0.0015,
        explain={"zh": "区间远离 1：进京访在治理开始时确实出现了断崖式下降，并且模型已考虑了过度离散。",
                 "en": "The interval lies far from 1: visits to Beijing did drop when the campaign began, with "
                       "overdispersion allowed for."},
        hint={"zh": "拟合结果的 level_ci 就是水平变化的区间，已经换算到率比尺度。",
              "en": "The fit's level_ci holds the interval of the level change, already on the rate-ratio scale."},
        mistakes=[
            Mistake("log_scale", lambda: its().log_level_ci, tol=0.0015,
                    hint={"zh": "这是对数尺度上的区间。两端都取指数才是率比的区间。",
                     "en": "that interval is on the log scale. Exponentiate both ends for the rate ratio."}),
            Mistake("level_only", lambda: its(slope=False).level_ci, tol=0.0015,
                    hint={"zh": "这是只允许水平变化的模型的区间。请用允许斜率变化的模型。",
                     "en": "that is the interval of the level-only model. Use the model that allows a slope change."}),
            Mistake("slope_ci", lambda: tuple(math.exp(x) for x in its().slope_ci), tol=0.0015,
                    hint={"zh": "这是斜率变化（每年）的区间，不是水平变化的。",
                     "en": "that is the interval of the change in slope (per year), not of the level change."}),
        ],
    ),
    Exercise(
        "6.3", "number",
        {"zh": "按模型的反事实（延续原趋势和季节性），2019—2023 年共少了多少批进京访？四舍五入到整数。",
         "en": "Against the model's counterfactual (the earlier trend and seasonality continued), how many national-"
               "level visits were averted in 2019–2023 in all? Round to a whole number."},
        expected=lambda: round(_averted()), tol=0.51,
        explain={"zh": "政策效果 = 反事实 − 实际。它依赖于“原趋势会延续”这一假设，报告时要说明。",
                 "en": "The effect = counterfactual − observed. It rests on the assumption that the earlier trend "
                       "would have continued; say so when you report it."},
        hint={"zh": "把 counterfactual 与 observed 在 2019-01 至 2023-12 的差加总。",
              "en": "Add up counterfactual − observed from 2019-01 to 2023-12."},
        mistakes=[
            Mistake("first_year_only", lambda: _averted(end="2019-12"), tol=0.51,
                    hint={"zh": "这只是 2019 年一年。题目问 2019—2023 五年合计。",
                     "en": "that is 2019 alone. The question asks for 2019–2023 together."}),
            Mistake("sign", lambda: -_averted(), tol=0.51,
                    hint={"zh": "符号反了：少了多少 = 反事实 − 实际。",
                     "en": "the sign is reversed: averted = counterfactual − observed."}),
            Mistake("flat_counterfactual", _naive_averted, tol=0.51,
                    hint={"zh": "你把治理前的月均值当成了反事实，也就是假设原来的趋势和季节性都不存在。请用模型的 counterfactual。",
                     "en": "you used the mean month before the campaign as the counterfactual, as if there were no "
                           "trend and no seasons. Use the model's counterfactual."}),
        ],
    ),
    Exercise(
        "6.4", "bool",
        {"zh": "安慰剂检验：只用 2014—2018 年的数据，假设政策在 2017 年 1 月 1 日开始（实际上那时什么也没发生）。"
               "这个假的水平变化在 5% 水平上显著吗？（True 或 False）",
         "en": "Placebo test: with 2014–2018 only, pretend the policy began on 1 January 2017 (nothing happened "
               "then). Is this fake level change significant at the 5 % level? (True or False)"},
        expected=lambda: bool(placebo().level_p < 0.05),
        explain={"zh": "安慰剂检验的结果要如实对待：在什么也没发生的日期上也会偶尔出现“显著”（约 20 个日期中就有 1 个），"
                       "一个安慰剂显著提醒我们，ITS 的 p 值可能偏乐观，结论要结合多个安慰剂日期和对照序列来看。",
                 "en": "Take a placebo at face value: a date where nothing happened can come out significant (about "
                       "one date in twenty), and one that does warns that the model's p-values may be optimistic. "
                       "Look at several placebo dates and at a control series before concluding."},
        hint={"zh": "对 2018 年 12 月以前的序列拟合 interrupted_time_series(序列, '2017-01-01')，看 level_p 是否小于 0.05。",
              "en": "Fit interrupted_time_series(series up to December 2018, '2017-01-01') and see whether level_p "
                    "is below 0.05."},
        mistakes=[
            Mistake("assumed", lambda: not bool(placebo().level_p < 0.05),
                    {"zh": "答案要来自拟合结果，而不是来自你对那个日期的了解：用 2014—2018 年的序列和假的开始日期拟合模型，看 level_p。",
                     "en": "answer from the fitted model, not from what you know about the date: fit the 2014–2018 "
                           "series with the fake start and read level_p."}),
        ],
        leak_forms=lambda: [],
    ),
]
