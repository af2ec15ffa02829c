"""Headline paragraphs in the register of an official work summary (工作总结), in zh or en,
written from the computed figures — never typed by hand.

Each figure states its change and, in words, whether the change is statistically meaningful
by the overdispersion-aware test (see :mod:`petition_analysis.compare`): a report must not call
a fall within ordinary month-to-month variation a decline.

Examples
--------
>>> from petition_analysis.reference import load_reference    # doctest: +SKIP
>>> print(headline_text(load_reference(), year=2019, as_of="2019-12-20", lang="zh"))  # doctest: +SKIP
2019年1月1日至12月20日，全市共登记群众信访事项28792件次、38886人次，同比分别下降1.96%和5.35%……
"""

from __future__ import annotations

import pandas as pd

from . import compare

__all__ = ["headline_text", "describe_change"]


def _pct(v: float) -> str:
    return f"{abs(v):.2f}%"


def _n(v, lang) -> str:
    return f"{int(v)}" if lang == "zh" else f"{int(v):,}"


def describe_change(row: pd.Series, lang: str = "zh") -> str:
    """Words for one comparison row: direction, size and whether it is statistically meaningful.

    >>> row = pd.Series({"current": 80, "previous": 150, "pct_change": -46.67, "assessment": "decline",
    ...                  "rate_ratio": 0.533, "od_ci_low": 0.41, "od_ci_high": 0.70})
    >>> describe_change(row, "zh")
    '同比下降46.67%，降幅具有统计学意义（率比0.53，95%置信区间0.41～0.70）'
    >>> describe_change(row.replace("decline", "none"), "en")
    'down 46.67% year on year, within ordinary variation and not statistically significant (rate ratio 0.53, 95% CI 0.41–0.70)'
    """
    pct, a = row["pct_change"], row["assessment"]
    ci = (row["rate_ratio"], row["od_ci_low"], row["od_ci_high"])
    if lang == "zh":
        if pd.isna(pct):
            move = "上年同期为零，无法计算同比"
        elif pct == 0:
            move = "与上年同期持平"
        else:
            move = f"同比{'下降' if pct < 0 else '上升'}{_pct(pct)}"
        if a == "decline":
            verdict = "降幅具有统计学意义"
        elif a == "increase":
            verdict = "增幅具有统计学意义"
        else:
            verdict = "变化在正常波动范围内，不具有统计学意义"
        return f"{move}，{verdict}（率比{ci[0]:.2f}，95%置信区间{ci[1]:.2f}～{ci[2]:.2f}）"
    if pd.isna(pct):
        move = "not comparable (none in the same period last year)"
    elif pct == 0:
        move = "unchanged year on year"
    else:
        move = f"{'down' if pct < 0 else 'up'} {_pct(pct)} year on year"
    if a == "decline":
        verdict = "a statistically significant decline"
    elif a == "increase":
        verdict = "a statistically significant increase"
    else:
        verdict = "within ordinary variation and not statistically significant"
    return f"{move}, {verdict} (rate ratio {ci[0]:.2f}, 95% CI {ci[1]:.2f}–{ci[2]:.2f})"


def headline_text(df: pd.DataFrame, year=None, as_of=None, *, period=None, lang: str = "zh",
                  region: str | None = None, alpha: float = 0.05) -> str:
    """Headline paragraphs: total items and person-times, visits at national level, leapfrog
    visits received at city level, and the five declines (五下降), each with its change and a
    plain statement of statistical significance (overdispersion-aware test, α = ``alpha``)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    if region is not None:
        df = df.loc[df["region"].astype("str") == str(region)]
    h = compare.headline(df, period, year=year, as_of=as_of, alpha=alpha).set_index("figure")
    five = compare.five_declines(df, period=compare._resolve_period(period, year, as_of), alpha=alpha)
    p = h.attrs["period"]
    where_zh = region or "全市"
    where_en = region or "the city"
    it, pt = h.loc["items"], h.loc["person_times"]
    nat_i, nat_p = h.loc["visits_national_items"], h.loc["visits_national_person_times"]
    lf_i, lf_p = h.loc["leapfrog_city_items"], h.loc["leapfrog_city_person_times"]
    fi = five[five["measure"] == "items"].set_index("series")
    down = [compare.SERIES_LABELS[s][lang] for s in fi.index if fi.loc[s, "assessment"] == "decline"]
    fell = [compare.SERIES_LABELS[s][lang] for s in fi.index if fi.loc[s, "pct_change"] < 0]
    up = [compare.SERIES_LABELS[s][lang] for s in fi.index if fi.loc[s, "assessment"] == "increase"]

    if lang == "zh":
        def pair(i, q):
            v1 = "下降" if i["pct_change"] < 0 else "上升"
            v2 = "下降" if q["pct_change"] < 0 else "上升"
            return f"同比分别{v1}{_pct(i['pct_change'])}和{'' if v1 == v2 else v2}{_pct(q['pct_change'])}"

        s1 = (f"{p.label('zh')}，{where_zh}共登记群众信访事项{_n(it['current'], lang)}件次、{_n(pt['current'], lang)}人次，"
              f"{pair(it, pt)}（上年同期{_n(it['previous'], lang)}件次、{_n(pt['previous'], lang)}人次）。"
              f"经考虑月度波动的统计检验，信访总量{describe_change(it, 'zh')}"
              + ("，尚不能认定为实质性下降。" if it["assessment"] == "none" and it["pct_change"] < 0 else "。"))
        s2 = (f"进京访{_n(nat_i['current'], lang)}批{_n(nat_p['current'], lang)}人次，{pair(nat_i, nat_p)}；"
              f"其中批次{describe_change(nat_i, 'zh')}。"
              f"越级到市访{_n(lf_i['current'], lang)}批{_n(lf_p['current'], lang)}人次，{pair(lf_i, lf_p)}；"
              f"其中批次{describe_change(lf_i, 'zh')}。")
        s3 = (f"“五下降”方面，来访、来信、越级访、重复访、集体访五项中，{len(fell)}项批次同比减少，"
              + (f"其中{len(down)}项降幅具有统计学意义（{'、'.join(down)}）" if down else "降幅均不具有统计学意义")
              + (f"，{'、'.join(up)}显著上升" if up else "") + "。")
        return "\n\n".join([s1, s2, s3])

    def pair_en(i, q):
        v1 = "down" if i["pct_change"] < 0 else "up"
        v2 = "down" if q["pct_change"] < 0 else "up"
        return f"{v1} {_pct(i['pct_change'])} and {'' if v1 == v2 else v2 + ' '}{_pct(q['pct_change'])} year on year"

    s1 = (f"In {p.label('en')}, {where_en} registered {_n(it['current'], lang)} petition items involving "
          f"{_n(pt['current'], lang)} person-times, {pair_en(it, pt)} (same period last year: "
          f"{_n(it['previous'], lang)} items, {_n(pt['previous'], lang)} person-times). Allowing for "
          f"month-to-month variation, the number of items was {describe_change(it, 'en')}.")
    s2 = (f"Visits at national level numbered {_n(nat_i['current'], lang)} batches of {_n(nat_p['current'], lang)} "
          f"person-times, {pair_en(nat_i, nat_p)}; batches were {describe_change(nat_i, 'en')}. "
          f"Leapfrog visits received at city level numbered {_n(lf_i['current'], lang)} batches of "
          f"{_n(lf_p['current'], lang)} person-times, {pair_en(lf_i, lf_p)}; batches were {describe_change(lf_i, 'en')}.")
    s3 = (f"Of the five declines (visits, letters, leapfrog, repeat and collective visits), {len(fell)} fell in "
          f"items and {len(down)} fell significantly ({', '.join(down) if down else 'none'})"
          + (f"; {', '.join(up)} rose significantly" if up else "") + ".")
    return "\n\n".join([s1, s2, s3])
