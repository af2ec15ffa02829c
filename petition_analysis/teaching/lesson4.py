"""Lesson 4: the three rates (三率), and why censoring biases them (删失)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from . import data
from .core import Exercise, Mistake

QUARTER = "2023Q4"


def _q4(fig: str):
    return data.registry(2023, None, 4)[fig]


def _year(fig: str):
    return data.registry(2023, None)[fig]


@functools.cache
def _items() -> pd.DataFrame:
    from .. import periods

    return periods.parse(QUARTER).select(data.reference())


def _as_of() -> pd.Timestamp:
    return pd.Timestamp(data.EXTRACTION)


def _naive_timely() -> float:
    """Accepted within 15 days ÷ every item of the quarter: waiting items count as late."""
    d = _items()
    lag = (d["accepted_date"] - d["received_date"]).dt.days
    ok = (lag <= 15) & (d["accepted_date"] <= _as_of())
    return 100 * ok.sum() / len(d)


def _optimistic_timely() -> float:
    """Drops the waiting items but keeps the young ones already accepted: biased up."""
    d = _items()
    lag = (d["accepted_date"] - d["received_date"]).dt.days
    accepted = d["accepted_date"].notna() & (d["accepted_date"] <= _as_of())
    closed = d["received_date"] + pd.Timedelta(days=15) <= _as_of()
    ok = (lag <= 15) & accepted
    return 100 * ok.sum() / (closed | accepted).sum()


def _received_after(day: str) -> int:
    return int((_items()["received_date"] > day).sum())


def _not_accepted() -> int:
    d = _items()
    return int((d["accepted_date"].isna() | (d["accepted_date"] > _as_of())).sum())


def _wald(k: int, n: int) -> tuple[float, float]:
    p = k / n
    h = 1.959964 * math.sqrt(p * (1 - p) / n)
    return (p - h, p + h)


def _clopper(k: int, n: int) -> tuple[float, float]:
    from scipy import stats

    ci = stats.binomtest(k, n).proportion_ci(method="exact")
    return (ci.low, ci.high)


def _on_time():
    f = _q4("rate_on_time_conclusion")
    return int(f.numerator), int(f.denominator)


def _naive_on_time() -> float:
    """Concluded within the limit ÷ every accepted item of the quarter, open ones as late."""
    d = _items()
    acc = d[d["status"].astype("str").isin(["accepted", "concluded"]) & (d["accepted_date"] <= _as_of())]
    took = (acc["concluded_date"] - acc["accepted_date"]).dt.days
    limit = np.where(acc["extended"].to_numpy(dtype=bool), 90, 60)
    done = (acc["status"].astype("str") == "concluded") & (acc["concluded_date"] <= _as_of()) & (took <= limit)
    return 100 * done.sum() / len(acc)


EXERCISES = [
    Exercise(
        "4.1", "number",
        {"zh": "按 2023 年 12 月 31 日提取的台账，2023 年第四季度登记事项的及时受理率是多少？用百分数作答，保留一位小数。",
         "en": "With the register as extracted on 31 December 2023, what is the timely-acceptance rate of the items "
               "received in 2023 Q4? In percent, to one decimal."},
        expected=lambda: round(100 * float(_q4("rate_timely_acceptance").rate), 1), tol=0.051,
        explain={"zh": "分母只包括 15 天受理期限已经届满的事项；还在期限内的事项，不论是否已受理，都从分子分母中一起剔除。",
                 "en": "The denominator holds only items whose 15-day window has closed; items still inside it leave "
                       "both numerator and denominator, accepted or not."},
        hint={"zh": "pa.three_rates(df, '2023Q4', as_of='2023-12-31') 会处理删失；或者看季度报告登记表里的 rate_timely_acceptance。",
              "en": "pa.three_rates(df, '2023Q4', as_of='2023-12-31') handles the censoring; or look up "
                    "rate_timely_acceptance in the quarterly registry."},
        mistakes=[
            Mistake("waiting_as_late", _naive_timely, tol=0.051,
                    hint={"zh": "你把 12 月下旬登记、15 天期限还没到的事项都算成了“未及时受理”。它们还有时间，既不能算及时也不能算超期，"
                           "应从分子分母中剔除（删失）。",
                     "en": "you counted the items received in late December, whose 15 days had not run out, as not "
                           "accepted in time. They still had time: they are neither timely nor late and leave both "
                           "numerator and denominator (censoring)."}),
            Mistake("keep_quick_ones", _optimistic_timely, tol=0.051,
                    hint={"zh": "你剔除了期限内尚未受理的事项，却保留了期限内已经受理的。这样只留下了“快的”，结果偏高。"
                           "期限未满的事项要整体剔除，不管是否已受理。",
                     "en": "you dropped the young items still waiting but kept the young ones already accepted: only the "
                           "quick ones stay, so the rate is too high. Items whose window is open leave as a whole, "
                           "accepted or not."}),
            Mistake("proportion", lambda: float(_q4("rate_timely_acceptance").rate), tol=0.0006,
                    hint={"zh": "这是比例，题目要百分数：乘以 100。",
                     "en": "that is a proportion; the question asks for percent: multiply by 100."}),
            Mistake("whole_year", lambda: 100 * float(_year("rate_timely_acceptance").rate), tol=0.051,
                    hint={"zh": "这是 2023 年全年的受理率。题目只问第四季度登记的事项。",
                     "en": "that is the rate for the whole of 2023. The question asks about items received in Q4."}),
        ],
    ),
    Exercise(
        "4.2", "number",
        {"zh": "在第 4.1 题中，有多少件第四季度的事项因受理期限未满而被剔除（删失）？",
         "en": "In exercise 4.1, how many Q4 items left the rate because their acceptance window had not closed "
               "(censored)?"},
        expected=lambda: int(_q4("rate_timely_acceptance").censored),
        explain={"zh": "登记日期加 15 天晚于提取日的事项都被删失：这些事项还不能判断是否及时。",
                 "en": "Every item whose received date + 15 days falls after the extraction date is censored: it "
                       "cannot yet be judged timely or late."},
        hint={"zh": "条件是 登记日期 + 15 天 > 2023-12-31。",
              "en": "The condition is received_date + 15 days > 2023-12-31."},
        mistakes=[
            Mistake("not_accepted", _not_accepted,
                    {"zh": "这是截至提取日尚未受理的事项数，其中有些早已超期（算作不及时），而期限内已受理的也要剔除。"
                           "删失看的是期限是否届满，不是是否已受理。",
                     "en": "that counts items not accepted by the extraction date: some of those are long overdue (they "
                           "count as late), and young items already accepted leave too. Censoring depends on whether "
                           "the window has closed, not on whether the item was accepted."}),
            Mistake("one_day_early", lambda: _received_after("2023-12-15"),
                    {"zh": "差了一天：12 月 16 日登记的事项，期限到 12 月 31 日正好届满，不删失。",
                     "en": "one day off: an item received on 16 December has its 15 days end exactly on 31 December, "
                           "so it is not censored."}),
            Mistake("one_day_late", lambda: _received_after("2023-12-17"),
                    {"zh": "差了一天：12 月 17 日登记的事项，到 12 月 31 日只过了 14 天，期限未满，应删失。",
                     "en": "one day off: an item received on 17 December has had only 14 days by 31 December, so it is "
                           "censored."}),
            Mistake("december", lambda: _received_after("2023-11-30"),
                    {"zh": "这是 12 月登记的全部事项。12 月上半月登记的事项期限已满，不删失。",
                     "en": "that is every item received in December. Those received in the first half of the month "
                           "have closed windows and stay."}),
        ],
    ),
    Exercise(
        "4.3", "interval",
        {"zh": "2023 年第四季度的按期办结率，分子分母都很小。它的 95% Wilson 区间是多少？以 (下限, 上限) 的比例作答，保留三位小数。",
         "en": "The on-time conclusion rate of 2023 Q4 rests on very few items. Give its 95 % Wilson interval as "
               "proportions (low, high), to three decimals."},
        expected=lambda: (float(_q4("rate_on_time_conclusion").ci_low), float(_q4("rate_on_time_conclusion").ci_high)),
        tol=0.0015,
        explain={"zh": "办结期限长达 90 天，季度末只有极少数事项能判断是否按期：样本这么小，区间非常宽，这个比率不宜单独发布。",
                 "en": "With a 90-day window, only a handful of Q4 items can be judged by the end of the year: the "
                       "interval is very wide and the rate should not be published on its own."},
        hint={"zh": "pa.stats.wilson_interval(分子, 分母)，或看登记表 rate_on_time_conclusion 的 ci_low、ci_high。",
              "en": "pa.stats.wilson_interval(numerator, denominator), or the registry's ci_low and ci_high of "
                    "rate_on_time_conclusion."},
        mistakes=[
            Mistake("wald", lambda: _wald(*_on_time()), tol=0.0015,
                    hint={"zh": "这是 Wald 区间（p ± 1.96·√(p(1−p)/n)）。n 很小、p 接近 1 时它会越过 1，而且覆盖率不足。题目要 Wilson 区间。",
                     "en": "that is the Wald interval (p ± 1.96·√(p(1−p)/n)). With small n and p near 1 it runs past 1 "
                           "and covers too rarely. The question asks for the Wilson interval."}),
            Mistake("clopper_pearson", lambda: _clopper(*_on_time()), tol=0.0015,
                    hint={"zh": "这是 Clopper–Pearson（精确）区间，比 Wilson 更保守。题目要 Wilson 区间。",
                     "en": "that is the Clopper–Pearson (exact) interval, more conservative than Wilson. The question "
                           "asks for Wilson."}),
            Mistake("percent", lambda: tuple(100 * float(_q4("rate_on_time_conclusion")[c]) for c in ("ci_low", "ci_high")),
                    {"zh": "题目要比例（0 到 1 之间），不是百分数。",
                     "en": "the question asks for proportions between 0 and 1, not percent."}, tol=0.15),
        ],
    ),
    Exercise(
        "4.4", "number",
        {"zh": "如果不做删失处理，把第四季度所有已受理、截至 12 月 31 日未按期办结的事项都算作超期，按期办结率是百分之多少？保留一位小数。",
         "en": "Without censoring, counting every accepted Q4 item not concluded on time by 31 December as late, what "
               "on-time conclusion rate do you get? In percent, to one decimal."},
        expected=lambda: round(_naive_on_time(), 1), tol=0.051,
        explain={"zh": "把还在期限内的事项都算作超期，最近一个季度的按期办结率就被严重低估：这不是工作变差了，而是时间还没到。",
                 "en": "Counting items still inside their window as late makes the latest quarter look far worse: not "
                       "because the work got worse, but because time has not run out yet."},
        hint={"zh": "分母：第四季度已受理的全部事项；分子：其中截至 12 月 31 日已在期限内办结的（期限 60 天，延期的 90 天）。",
              "en": "Denominator: every accepted Q4 item; numerator: those concluded within their limit by 31 December "
                    "(60 days, 90 if extended)."},
        mistakes=[
            Mistake("censored_rate", lambda: 100 * float(_q4("rate_on_time_conclusion").rate), tol=0.051,
                    hint={"zh": "这是做了删失处理之后的比率。题目问的是不做删失、把未办结的都算超期时的结果。",
                     "en": "that is the rate with censoring. The question asks what the plain count gives, with "
                           "unfinished items counted as late."}),
            Mistake("proportion", lambda: _naive_on_time() / 100, tol=0.0006,
                    hint={"zh": "这是比例，题目要百分数：乘以 100。",
                     "en": "that is a proportion; the question asks for percent: multiply by 100."}),
            Mistake("whole_year", lambda: 100 * float(_year("rate_on_time_conclusion").rate), tol=0.051,
                    hint={"zh": "这是 2023 年全年（做了删失处理）的按期办结率。题目只问第四季度，而且不做删失。",
                     "en": "that is the censored rate for the whole of 2023. The question is about Q4 alone, without "
                           "censoring."}),
        ],
    ),
]
