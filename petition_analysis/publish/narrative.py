"""Headline paragraphs in the register of an official work summary (工作总结), in zh or en,
read from a report's figure registry — never typed by hand, never recomputed.

Each figure states its change and, in words, the verdict of its family's test
(:mod:`petition_analysis.analysis.registry`): a report must not call a fall within ordinary
variation a decline. A change that rounds to zero reads 持平 / unchanged; a figure with no
count in the comparison period says so instead of printing "nan%" or "inf".

Examples
--------
>>> from petition_analysis.reference import load_reference
>>> text = headline_text(load_reference(), year=2019, as_of="2019-12-20", lang="zh")
>>> text.split("，")[0]
'2019年1月1日至12月20日'
>>> "nan" in text or "inf" in text or "0.00%" in text
False
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["headline_text", "registry_text", "describe_change", "describe_move"]

_BURN_IN = {"zh": "上年同期处于数据的第一年，重复访无从识别，不作比较",
            "en": "not compared: the same period last year falls in the register's first year, "
                  "when repeat visits cannot be recognised"}


def _pct(v: float) -> str:
    return f"{abs(v):.2f}%"


def _n(v, lang) -> str:
    """A count as the report's tables print it, with thousands separators in both languages.

    >>> _n(28792, "zh"), _n(28792, "en"), _n(80, "zh")
    ('28,792', '28,792', '80')
    """
    return f"{int(v):,}"


def _flat(pct) -> bool:
    return pct is not None and not pd.isna(pct) and round(abs(pct), 2) == 0


def describe_move(row: pd.Series, lang: str = "zh", *, yoy: bool = True) -> str:
    """Direction and size of one figure's change: 同比下降1.96% / 持平 / 上年同期为零.

    >>> describe_move(pd.Series({"current": 5, "previous": 5, "change_pct": 0.0}))
    '与上年同期持平'
    >>> describe_move(pd.Series({"current": 3, "previous": 0, "change_pct": float("nan")}), "en")
    'none in the same period last year'
    """
    pct = row["change_pct"]
    if lang == "zh":
        if row["previous"] == 0:
            return "上年同期为零" if row["current"] > 0 else "本期与上年同期均为零"
        if _flat(pct):
            return "与上年同期持平"
        return f"同比{'下降' if pct < 0 else '上升'}{_pct(pct)}"
    if row["previous"] == 0:
        return "none in the same period last year" if row["current"] > 0 else "none in either period"
    if _flat(pct):
        return "unchanged year on year"
    return f"{'down' if pct < 0 else 'up'} {_pct(pct)} year on year"


def describe_change(row: pd.Series, lang: str = "zh") -> str:
    """Words for one registry row: direction, size, verdict and the interval behind it.

    >>> row = pd.Series({"current": 80, "previous": 150, "change_pct": -46.67, "verdict": "decline",
    ...                  "rate_ratio": 0.533, "ci_low": 0.40, "ci_high": 0.72, "ci_level": 0.97, "flags": ""})
    >>> describe_change(row, "zh")
    '同比下降46.67%，降幅具有统计学意义（率比0.53，97.0%置信区间0.40–0.72）'
    >>> describe_change(row.replace("decline", "none"), "en")
    'down 46.67% year on year, within ordinary variation and not statistically significant (rate ratio 0.53, 97.0% CI 0.40–0.72)'
    """
    flags = str(row.get("flags") or "").split(",")
    if "burn_in" in flags:
        return _BURN_IN[lang]
    move = describe_move(row, lang)
    a = row["verdict"]
    rr, lo, hi = row["rate_ratio"], row["ci_low"], row["ci_high"]
    level = f"{100 * row['ci_level']:.1f}%"
    finite = all(isinstance(v, (int, float)) and math.isfinite(v) for v in (rr, lo, hi))
    if lang == "zh":
        verdict = {"decline": "降幅具有统计学意义", "increase": "增幅具有统计学意义"}.get(
            a, "变化在正常波动范围内，不具有统计学意义")
        # the range dash of the tables (0.40–0.72), in both languages
        ci = f"（率比{rr:.2f}，{level}置信区间{lo:.2f}–{hi:.2f}）" if finite else ""
        return f"{move}，{verdict}{ci}"
    verdict = {"decline": "a statistically significant decline", "increase": "a statistically significant increase"}.get(
        a, "within ordinary variation and not statistically significant")
    ci = f" (rate ratio {rr:.2f}, {level} CI {lo:.2f}–{hi:.2f})" if finite else ""
    return f"{move}, {verdict}{ci}"


def _pair_zh(i: pd.Series, q: pd.Series) -> str:
    """'同比分别下降1.96%和5.35%', with 持平 and zero previous counts worded."""
    mi, mq = describe_move(i, "zh"), describe_move(q, "zh")
    if mi.startswith("同比") and mq.startswith("同比") and mi[2:4] == mq[2:4]:
        return f"同比分别{mi[2:]}和{_pct(q['change_pct'])}"
    return f"件次{mi}，人次{mq}"


def _pair_en(i: pd.Series, q: pd.Series) -> str:
    mi, mq = describe_move(i, "en"), describe_move(q, "en")
    if mi.endswith("year on year") and mq.endswith("year on year"):
        a, b = mi.removesuffix(" year on year"), mq.removesuffix(" year on year")
        if a.split()[0] == b.split()[0] and a.split()[0] in ("down", "up"):
            return f"{a} and {_pct(q['change_pct'])} year on year"
        return f"{a} and {b} year on year"
    return f"items {mi}, person-times {mq}"


def _history_note(reg, lang: str) -> str:
    h = reg.history
    flagged = reg.figures["flags"].fillna("").str.contains("short_history")
    if not flagged.any():
        return ""
    years = len(h.get("years_for_sigma", []))
    if lang == "zh":
        return (f"（数据中本期之前只有{years}个完整年度，不足以估计年度之间的波动（至少需要4年），"
                "检验按保守的假定值计算。）")
    return (f"(The register has {years} whole year(s) before this period, too few to estimate the variation "
            "between years (4 are needed); the tests use a conservative assumed value.)")


def registry_text(reg, lang: str = "zh", place: str | None = None, suppress_below: int | None = None,
                  hidden=None) -> str:
    """Headline paragraphs from a :class:`~petition_analysis.analysis.registry.FigureRegistry`:
    all items and person-times, visits at national level, leapfrog visits received at city
    level, and the five declines (五下降). ``suppress_below=k`` (public mode) leaves out a
    paragraph that would state a count from 1 to k−1, and says so; ``hidden`` (figure ids)
    leaves out a paragraph that uses a figure disclosure control hid."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    from ..analysis.registry import FIVE_DECLINES as five
    from ..analysis.registry import figure_id
    from ..analysis.compare import SERIES_LABELS

    f = reg.figures
    p = reg.period
    it, pt = f.loc["items"], f.loc["person_times"]
    nat_i, nat_p = f.loc["visits_national_items"], f.loc["visits_national_person_times"]
    lf_i, lf_p = f.loc["leapfrog_city_items"], f.loc["leapfrog_city_person_times"]
    fi = f.loc[[figure_id(s, "items") for s in five]].set_axis(list(five))
    tested = fi[fi["verdict"] != "not_tested"]
    down = [SERIES_LABELS[s][lang] for s in tested.index if tested.loc[s, "verdict"] == "decline"]
    up = [SERIES_LABELS[s][lang] for s in tested.index if tested.loc[s, "verdict"] == "increase"]
    fell = [s for s in fi.index if fi.loc[s, "current"] < fi.loc[s, "previous"]]

    if lang == "zh":
        where = place or "全市"
        s1 = (f"{p.label('zh')}，{where}共登记群众信访事项{_n(it['current'], lang)}件次、{_n(pt['current'], lang)}人次，"
              f"{_pair_zh(it, pt)}（上年同期{_n(it['previous'], lang)}件次、{_n(pt['previous'], lang)}人次）。"
              f"经考虑工作日、月度与年度波动的统计检验，信访总量{describe_change(it, 'zh').split('，', 1)[1]}"
              + ("，尚不能认定为实质性下降。" if it["verdict"] == "none" and it["current"] < it["previous"] else "。"))
        s2 = (f"进京访{_n(nat_i['current'], lang)}批{_n(nat_p['current'], lang)}人次，{_pair_zh(nat_i, nat_p)}；"
              f"其中批次{describe_change(nat_i, 'zh').split('，', 1)[-1]}。"
              f"越级到市访{_n(lf_i['current'], lang)}批{_n(lf_p['current'], lang)}人次，{_pair_zh(lf_i, lf_p)}；"
              f"其中批次{describe_change(lf_i, 'zh').split('，', 1)[-1]}。")
        s3 = (f"“五下降”方面，来访、来信、越级访、重复访、集体访五项中，{len(fell)}项批次同比减少，"
              + (f"其中{len(down)}项降幅具有统计学意义（{'、'.join(down)}）" if down else "降幅均不具有统计学意义")
              + (f"，{'、'.join(up)}显著上升" if up else "") + "。")
        if len(tested) < len(fi):
            s3 += "重复访不作比较：上年同期处于数据的第一年，无从识别重复访。"
        hidden_note = (f"（按公开发布规则，“<{suppress_below}”表示1至{suppress_below - 1}，“x”表示为防止推算其他数字而隐去的数字；"
                       "涉及隐去数字的增减与判断不予列示。）" if suppress_below else "")
    else:
        where = place or "the city"
        s1 = (f"In {p.label('en')}, {where} registered {_n(it['current'], lang)} petition items involving "
              f"{_n(pt['current'], lang)} person-times, {_pair_en(it, pt)} (same period last year: "
              f"{_n(it['previous'], lang)} items, {_n(pt['previous'], lang)} person-times). Allowing for working "
              f"days and for variation between months and years, the number of items was "
              f"{describe_change(it, 'en').split(', ', 1)[1]}.")
        s2 = (f"Visits at national level numbered {_n(nat_i['current'], lang)} batches of {_n(nat_p['current'], lang)} "
              f"person-times, {_pair_en(nat_i, nat_p)}; in batches, {describe_change(nat_i, 'en').split(', ', 1)[-1]}. "
              f"Leapfrog visits received at city level numbered {_n(lf_i['current'], lang)} batches of "
              f"{_n(lf_p['current'], lang)} person-times, {_pair_en(lf_i, lf_p)}; in batches, "
              f"{describe_change(lf_i, 'en').split(', ', 1)[-1]}.")
        s3 = (f"Of the five declines (visits, letters, leapfrog, repeat and collective visits), {len(fell)} fell in "
              f"items and {len(down)} fell significantly ({', '.join(down) if down else 'none'})"
              + (f"; {', '.join(up)} rose significantly" if up else "") + ".")
        if len(tested) < len(fi):
            s3 += " Repeat visits were " + _BURN_IN["en"] + "."
        hidden_note = (f"(Under the publication rule, \"<{suppress_below}\" stands for 1 to {suppress_below - 1} and \"x\" "
                       "for a number hidden so that others cannot be worked out; changes and verdicts that would use "
                       "a hidden number are not shown.)" if suppress_below else "")
    paragraphs = [(s1, ("items", "person_times")),
                  (s2, ("visits_national_items", "visits_national_person_times", "leapfrog_city_items",
                        "leapfrog_city_person_times")),
                  (s3, tuple(figure_id(s, "items") for s in five))]
    keep = []
    for text, uses in paragraphs:
        counts = f.loc[list(uses), ["current", "previous"]].to_numpy(float).ravel()
        if suppress_below and ((counts > 0) & (counts < suppress_below)).any():
            continue
        if hidden is not None and any(u in hidden for u in uses):
            continue
        keep.append(text)
    if len(keep) < len(paragraphs) or hidden:
        keep.append(hidden_note)
    note = _history_note(reg, lang)
    if note:
        keep.append(note)
    return "\n\n".join(keep)


def headline_text(df: pd.DataFrame, year=None, as_of=None, *, period=None, lang: str = "zh",
                  region: str | None = None, alpha: float = 0.05) -> str:
    """Headline paragraphs for ``year`` (or the year to ``as_of``), for the whole city or one
    ``region``: the same words an annual report prints (it builds the same registry)."""
    from ..analysis.registry import build_registry
    from ..synth.city import region_label

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}.")
    if region is not None:
        known = set(df["region"].astype("str").unique())
        if str(region) not in known:
            raise ValueError(f"unknown region {region!r}; the data has: {', '.join(sorted(known))}")
    if period is not None:
        from .. import periods

        p = periods.parse(period)
        year, as_of = p.start.year, (p.end if p.partial else None)
    reg = build_registry(df, year=year, as_of=as_of, region=region, alpha=alpha)
    return registry_text(reg, lang=lang, place=region_label(region, lang) if region else None)
