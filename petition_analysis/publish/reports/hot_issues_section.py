"""The message-board section of the hotspots and quarterly reports: categories predicted
from text with intervals that include classification uncertainty, hot issues (热点问题)
with their heat, and the response time (days to reply) when the board has reply dates.
Every number is looked up in the report's figure registry
(:attr:`~petition_analysis.analysis.registry.FigureRegistry.board`, computed by
:func:`petition_analysis.analysis.board.board_figures`), never computed here.

A register without message-board columns (no ``category_source``, ``likes`` or
``replied_date``) gets nothing from this module, so its reports are unchanged.

Public reports: the table of corrected category counts is left out (its estimates could
narrow a count that disclosure control hides); a hot issue is shown only when at least
``suppression_k`` distinct users raised it in at least as many messages. Every count the
section prints in a public report is a cell of the report's disclosure table
(:func:`board_cells`: the period's messages, predicted rows, replies and replies within
:data:`REPLY_DAYS` days, and each listed hot issue's messages and users) and is printed as
disclosure control decided (a count, ``<k`` or ``x``); a hot issue with a hidden count is
not listed, and the response-time share and median are left out when a count behind them is
hidden. Likes, dislikes and heat are not counts of people or messages and are printed as
they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import periods as _periods
from ... import taxonomy
from ...analysis.board import REPLY_DAYS, is_board
from .params import ReportContext

__all__ = ["applies", "has_replies", "period", "period_data", "classification_table", "classification_note",
           "hot_issue_table", "hot_issue_note", "response_time", "summary_block", "show_section",
           "show_response_time", "REPLY_DAYS", "board_cells", "TOP_ISSUES"]

#: Hot issues listed in the table (and, in a public report, in the JSON summary).
TOP_ISSUES = 10
#: Reports that show the whole section (an annual report shows the response time only).
SECTION_KINDS = ("quarterly", "hotspots")


def applies(ctx: ReportContext) -> bool:
    """Whether the data are a message board: predicted categories or board fields."""
    return is_board(ctx.data)


def has_replies(ctx: ReportContext) -> bool:
    return "replied_date" in ctx.data


def period(ctx: ReportContext) -> _periods.Period:
    """The period this section describes: the quarter of a quarterly report, the last year
    of a hotspots report, the year (or year to date) of an annual one. It is the registry's
    own period, the one its board figures count, so a label never names another period than
    the numbers beside it (and reads as the other sections' labels do)."""
    from .sections import registry

    return registry(ctx).period


def period_data(ctx: ReportContext) -> pd.DataFrame:
    p = period(ctx)
    d = ctx.data
    if ctx.region is not None:
        d = d[d["region"].astype("str") == ctx.region]
    return d[(d["received_date"] >= p.start) & (d["received_date"] <= p.end)]


def _figures(ctx: ReportContext):
    """The registry's board figures of the report period (:class:`~petition_analysis.analysis.board.BoardFigures`)."""
    from .sections import registry

    return registry(ctx).board


def _memo(ctx, key, compute):
    if key not in ctx.cache:
        ctx.cache[key] = compute()
    return ctx.cache[key]


def _prot(ctx: ReportContext):
    from .sections import disclosure

    return disclosure(ctx)


def _n(ctx: ReportContext, n: int, key: str) -> str:
    """A count as printed: in a public report, as disclosure control decided its cell ``key``
    (``<k`` or ``x`` when hidden; a count without a cell is not printed: ``x``)."""
    prot = _prot(ctx)
    if prot is None or (not n and key not in prot.status):  # a zero is never hidden
        return f"{n:,}"
    return prot.display(key) if key in prot.status else "x"


def _json(ctx: ReportContext, n: int, key: str):
    """A count for the JSON summary, as :func:`_n` prints it."""
    prot = _prot(ctx)
    if prot is None or (not n and key not in prot.status):
        return int(n)
    return prot.json_value(key) if key in prot.status else "x"


def _hidden(ctx: ReportContext, *keys: str) -> bool:
    prot = _prot(ctx)
    return prot is not None and any(k not in prot.status or prot.hidden(k) for k in keys)


def board_cells(ctx: ReportContext, u: pd.DataFrame, table, region: np.ndarray) -> None:
    """Add the counts this section prints to a public report's disclosure ``table`` (see
    :mod:`petition_analysis.publish.reports.cells`), as rows of the universe ``u``:
    ``board:messages``, ``board:predicted``, ``board:replied``, ``board:replied_within``
    and, per listed hot issue, ``board:hot:<rank>:messages`` (its member rows) and
    ``board:hot:<rank>:users`` (distinct users, linked to no row sum). Nothing for a
    register without board columns; an annual report, which shows only the response time,
    gets only the message and reply cells."""
    if not applies(ctx):
        return
    f = _figures(ctx)  # the registry's period, as the figures count it
    d = u["received_date"]
    m = region & ((d >= f.start) & (d <= f.end)).to_numpy()
    table.add("board:messages", m)
    section = ctx.kind in SECTION_KINDS
    if section and "category_source" in u:
        table.add("board:predicted", m & u["category_source"].astype("str").isin(["predicted", "unclassified"]).to_numpy())
    if "replied_date" in u:
        table.add("board:replied", m & u["replied_date"].notna().to_numpy())
        days = (u["replied_date"] - d).dt.days
        table.add("board:replied_within", m & (days <= REPLY_DAYS).fillna(False).to_numpy(bool))
    hi = _hot(ctx) if section else None
    if hi is not None:
        ids = u["case_id"].astype("str")
        for r in hi.table.head(TOP_ISSUES).itertuples():
            members = hi.members.loc[hi.members["rank"] == r.rank, "case_id"].astype("str")
            table.add(f"board:hot:{r.rank}:messages", m & ids.isin(members).to_numpy())
            table.add_count(f"board:hot:{r.rank}:users", int(r.users))


def _listed(ctx: ReportContext, t: pd.DataFrame) -> pd.DataFrame:
    """The hot issues a report lists: the hottest :data:`TOP_ISSUES`; in a public report,
    without those whose messages or users disclosure control hides."""
    t = t.head(TOP_ISSUES)
    if _prot(ctx) is None:
        return t
    keep = [not _hidden(ctx, f"board:hot:{r}:messages", f"board:hot:{r}:users") for r in t["rank"]]
    return t[np.array(keep, dtype=bool)]


def classification_note(ctx: ReportContext) -> str:
    """One paragraph: how many categories were predicted, by which model, and what the intervals mean."""
    f = _figures(ctx)
    n_pred, n = f.predicted, f.messages
    zh = ctx.lang == "zh"
    label = period(ctx).label(ctx.lang)
    if not n_pred:
        return (f"{label}的{_n(ctx, n, 'board:messages')}条留言都带有问题分类，没有预测。" if zh else
                f"All {_n(ctx, n, 'board:messages')} messages of {label} carried a category; none was predicted.")
    t = f.categories
    acc = t.attrs.get("model_accuracy")
    acc_txt = f"{acc:.0%}" if isinstance(acc, (int, float)) else "?"
    if zh:
        text = (f"{label}共{_n(ctx, n, 'board:messages')}条留言，其中{_n(ctx, n_pred, 'board:predicted')}条没有问题分类，由分类模型根据留言文字预测"
                f"（置信度低于阈值的记为“其他”），模型的准确率按{acc_txt}计。上文各类件数中的预测部分因此可能有误，"
                "上文的占比变化检验和各类件数的同比检验都已计入分类误差（比较的是按分类误差校正的件数）。")
        text += ("公开版不列出按分类误差校正的件数及其区间。" if ctx.public else
                 f"下表的区间（{t.attrs['level']:.0%}）把分类误差计入各类件数和占比。")
    else:
        text = (f"Of the {_n(ctx, n, 'board:messages')} messages of {label}, {_n(ctx, n_pred, 'board:predicted')} had no category: it was predicted "
                f"from the message text (below the confidence threshold it stays 'other'), by a model whose "
                f"accuracy is taken as {acc_txt}. The predicted part of the category counts above may therefore "
                "be wrong; the share-change tests and each category's year-on-year count test above carry the "
                "classification errors (the count tests compare the corrected counts).")
        text += (" The public edition leaves out the corrected counts and their intervals." if ctx.public else
                 f" The intervals below ({t.attrs['level']:.0%}) carry classification errors into each "
                 "category's count and share.")
    return text


def classification_table(ctx: ReportContext) -> pd.DataFrame:
    """Categories of the period: count, of which predicted, the estimated true count and
    share with their intervals. Empty in a public report, or when nothing was predicted."""
    f = _figures(ctx)
    n_pred = f.predicted
    zh = ctx.lang == "zh"
    cols = (["问题分类", "件数", "其中预测", "估计件数", "区间", "占比", "占比区间"] if zh else
            ["category", "messages", "predicted", "estimate", "interval", "share", "share interval"])
    if ctx.public or not n_pred:
        return pd.DataFrame({c: [] for c in cols})
    t = f.categories
    t = t[t["count"] > 0]
    return pd.DataFrame({
        cols[0]: [taxonomy.label(c, ctx.lang) for c in t.index],
        cols[1]: [f"{v:,}" for v in t["count"]],
        cols[2]: [f"{v:,}" for v in t["predicted"]],
        cols[3]: [f"{v:,.0f}" for v in t["estimate"]],
        cols[4]: [f"{a:,}–{b:,}" for a, b in zip(t["ci_low"], t["ci_high"])],
        cols[5]: [f"{100 * s:.1f}%" for s in t["share"]],
        cols[6]: [f"{100 * a:.1f}%–{100 * b:.1f}%" for a, b in zip(t["share_ci_low"], t["share_ci_high"])],
    })


def _hot(ctx: ReportContext):
    def compute():
        hi = _figures(ctx).hot
        if hi is None:
            return None
        return hi.public(ctx.suppression_k) if ctx.public else hi
    return _memo(ctx, ("board", "hot"), compute)


def hot_issue_note(ctx: ReportContext) -> str:
    zh = ctx.lang == "zh"
    text = ("热点问题：同一地点、同一具体问题、在一段时间内被多次反映的留言归为一组（文字相似度、文中地名、时间窗），"
            "按热度指数排序：热度 = ln(1+留言数) + ln(1+留言人数) + 0.5·ln(1+点赞数+反对数) + ln(1+每周留言数)。"
            if zh else
            "Hot issues: messages about the same concrete problem at the same place within a time window "
            "(text similarity, place names in the text, time), ranked by the heat index: heat = ln(1 + messages) "
            "+ ln(1 + users) + 0.5·ln(1 + likes + dislikes) + ln(1 + messages per week).")
    if ctx.public:
        text += (f"公开版只列出至少{ctx.suppression_k}位留言人反映的问题；每个件数都经披露控制，"
                 "件数被隐去的问题不列出。" if zh else
                 f" The public edition lists only issues raised by at least {ctx.suppression_k} users; every count "
                 "it prints passed disclosure control, and an issue whose count is hidden is not listed.")
    return text


def hot_issue_table(ctx: ReportContext) -> pd.DataFrame:
    """The hottest issues of the period (:data:`TOP_ISSUES`): rank, issue, place, category,
    dates, messages, users, likes and heat; in a public report, counts as disclosure
    control decided them, and no issue with a hidden count."""
    zh = ctx.lang == "zh"
    cols = (["排名", "热点问题", "地点", "问题分类", "时间", "留言数", "留言人数", "点赞数", "热度"] if zh else
            ["rank", "issue", "place", "category", "dates", "messages", "users", "likes", "heat"])
    hi = _hot(ctx)
    if hi is None or hi.table.empty:
        out = pd.DataFrame({c: [] for c in cols})
        out.attrs["empty"] = "本期没有发现热点问题。" if zh else "No hot issue was found in this period."
        return out
    t = _listed(ctx, hi.table)
    return pd.DataFrame({
        cols[0]: t["rank"].astype(str),
        cols[1]: t["label"],
        cols[2]: t["place"].fillna(""),
        cols[3]: [taxonomy.label(c, ctx.lang) if c in set(taxonomy.load_taxonomy()["code"]) else "" for c in t["category"]],
        cols[4]: [f"{a:%m-%d}–{b:%m-%d}" for a, b in zip(t["first_date"], t["last_date"])],
        cols[5]: [_n(ctx, v, f"board:hot:{r}:messages") for r, v in zip(t["rank"], t["messages"])],
        cols[6]: [_n(ctx, v, f"board:hot:{r}:users") for r, v in zip(t["rank"], t["users"])],
        cols[7]: [f"{v:,}" for v in t["likes"]],
        cols[8]: [f"{v:.2f}" for v in t["heat"]],
    })


def response_time(ctx: ReportContext) -> pd.DataFrame:
    """Days to reply (答复时间 − 留言时间) of the period's messages: replied, median days
    (with the interval of the median from order statistics), and the share replied within
    :data:`REPLY_DAYS` days with its Wilson interval (the registry's board figures)."""
    zh = ctx.lang == "zh"
    f = _figures(ctx)
    cols = ["指标", "数值", "95%区间"] if zh else ["measure", "value", "95% interval"]
    if f is None or f.replied is None or not f.messages:
        return pd.DataFrame({c: [] for c in cols})
    n, replied = f.messages, f.replied
    rows = [("留言数" if zh else "messages", _n(ctx, n, "board:messages"), ""),
            ("已答复" if zh else "replied", _n(ctx, replied, "board:replied"), "")]
    # the share within REPLY_DAYS days gives its count away, and the median a reply's days
    if replied and not _hidden(ctx, "board:replied", "board:replied_within"):
        lo, hi = f.median_interval
        rows.append(("答复天数中位数" if zh else "median days to reply", f"{f.median_days:.1f}", f"{lo:.0f}–{hi:.0f}"))
        lo, hi = f.within_interval
        rows.append((f"{REPLY_DAYS}天内答复" if zh else f"replied within {REPLY_DAYS} days", f"{100 * f.within_share:.1f}%",
                     f"{100 * lo:.1f}%–{100 * hi:.1f}%"))
    return pd.DataFrame(rows, columns=cols)


def summary_block(ctx: ReportContext) -> dict:
    """The section's figures for the report's JSON summary (key ``message_board``): the
    period, predicted rows, the model, the categories with their intervals (not in a public
    report), the hot issues (in a public report only those of at least k users) with the heat
    index's formula, and the response time when the board has reply dates."""
    f = _figures(ctx)
    p = period(ctx)
    n_pred, n = f.predicted, f.messages

    out: dict = {"period": {"start": p.start.date().isoformat(), "end": p.end.date().isoformat()},
                 "messages": _json(ctx, n, "board:messages"),
                 "predicted": _json(ctx, n_pred, "board:predicted")}
    if n_pred:
        t = f.categories
        out["model"] = {"kind": t.attrs["model_kind"], "accuracy": t.attrs["model_accuracy"], "level": t.attrs["level"]}
        if not ctx.public:
            t = t[t["count"] > 0]
            out["categories"] = [
                {"category": c, "count": int(r["count"]), "predicted": int(r["predicted"]), "estimate": float(r["estimate"]),
                 "ci_low": int(r["ci_low"]), "ci_high": int(r["ci_high"]), "share": float(r["share"]),
                 "share_ci_low": float(r["share_ci_low"]), "share_ci_high": float(r["share_ci_high"])}
                for c, r in t.iterrows()]
    hi = _hot(ctx)
    if hi is not None:
        out["heat_index"] = "ln(1+messages) + ln(1+users) + 0.5*ln(1+likes+dislikes) + ln(1+messages per week)"
        out["hot_issues"] = [
            {"rank": int(r.rank), "label": r.label, "place": None if pd.isna(r.place) else r.place, "category": r.category,
             "first_date": r.first_date.date().isoformat(), "last_date": r.last_date.date().isoformat(),
             "messages": _json(ctx, r.messages, f"board:hot:{r.rank}:messages"),
             "users": _json(ctx, r.users, f"board:hot:{r.rank}:users"), "likes": int(r.likes),
             "dislikes": int(r.dislikes), "heat": float(r.heat)}
            for r in (_listed(ctx, hi.table) if ctx.public else hi.table).itertuples(index=False)]
    if has_replies(ctx):
        rt = response_time(ctx)
        out["response_time"] = dict(zip(rt.iloc[:, 0], zip(rt.iloc[:, 1], rt.iloc[:, 2])))
    return out


def show_section(ctx: ReportContext, summary: dict | None = None) -> None:
    """Display the whole section in a notebook (nothing for a register without board
    columns); with the report's ``summary``, also add :func:`summary_block` to it."""
    if not applies(ctx):
        return
    if summary is not None:
        summary["message_board"] = summary_block(ctx)
    from IPython.display import Markdown, display

    from .sections import show

    zh = ctx.lang == "zh"
    display(Markdown("## 留言板：预测分类与热点问题" if zh else "## Message board: predicted categories and hot issues"))
    display(Markdown(classification_note(ctx)))
    table = classification_table(ctx)
    if len(table):
        display(show(table))
    display(Markdown(hot_issue_note(ctx)))
    display(show(hot_issue_table(ctx)))


def show_response_time(ctx: ReportContext) -> None:
    """Display the response-time table (rates section) when the board has reply dates."""
    if not has_replies(ctx):
        return
    from IPython.display import Markdown, display

    from .sections import show

    zh = ctx.lang == "zh"
    display(Markdown("**答复时间（留言板）**" if zh else "**Response time (message board)**"))
    display(show(response_time(ctx)))
