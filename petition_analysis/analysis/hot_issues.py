"""Hot issues (热点问题): groups of messages about the same concrete problem at the same place.

A category table says that 城乡建设 rose; an office wants to know that 57 buyers at one estate
were made to buy car-park spaces. :func:`hot_issues` finds such groups in free text, in
the spirit of the published approaches to the 2020 "smart government" text-mining task:

1. **Text similarity.** Each message (subject and summary, as cleaned: personal data
   masked) becomes a TF-IDF vector of character 2- and 3-grams (leaving out those in more
   than a tenth of the messages); two messages are linked when their cosine similarity
   reaches ``similarity``.
2. **Place.** Place names found in the text (an estate, road, school, village, company … :
   a run of Chinese characters ending in 小区, 花园, 路, 村, 学校, 公司 …): two messages
   link only when they name the same place (which adds ``place_bonus`` to their
   similarity) or neither names one (then they need ``place_bonus`` more). A place never
   carries a person's name: the text is cut at names and the words around them first
   (:func:`extract_places`).
3. **Time.** Only messages within ``window_days`` of each other are linked.
4. **Groups** are the connected messages; a group with at least ``min_messages`` messages
   is a hot issue.

The **heat index** ranks them (documented in docs/classification.md)::

    heat = ln(1 + messages) + ln(1 + users) + 0.5 · ln(1 + likes + dislikes) + ln(1 + messages per week)

where users are distinct petitioners (messages without one count together as one user: they
could all be one person) and
messages per week are counted over the issue's span (first to last message, at least one
week). More messages, more people, more attention and more concentration in time all
make an issue hotter; each term grows with the logarithm so that no single one dominates.

The result is a :class:`HotIssues`: a tidy ``table`` (rank, label, place, category,
first and last date, messages, users, likes, dislikes, heat) and ``members`` (rank,
case_id). The label is the subject (or the start of the summary) of a message near the
issue's centre, masked again; no user name or handle is ever part of it. Label and place
keep only wording that at least two of the issue's users wrote (for the label, two besides
its writer; :func:`_shared_wording`): what one person alone wrote (their name, a
neighbour's) is cut out and marked "…".

>>> from petition_analysis.synth.board import make_board
>>> import petition_analysis as pa
>>> b = make_board(300, seed=2)
>>> df = pa.clean(b.raw, b.mapping_yaml, pseudonym_key="k").data
>>> hi = hot_issues(df)
>>> hi.table["place"].head(3).tolist()
['丽景华庭', '金域蓝湾', '梅溪湖西路']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = ["HotIssues", "hot_issues", "extract_places", "heat_index", "PLACE_SUFFIXES", "TABLE_COLUMNS"]

#: Endings of place names found in message text (estates, roads, schools, villages …), in
#: simplified and traditional characters.
PLACE_SUFFIXES = ("小区", "花园", "家园", "公寓", "大厦", "广场", "新城", "华庭", "华府", "名苑", "雅苑", "苑",
                  "湾", "村", "社区", "街道", "镇", "乡", "大道", "路", "街", "巷", "小学", "中学", "幼儿园",
                  "学校", "大学", "医院", "卫生院", "诊所", "市场", "公园", "工业园", "园区", "车站", "公交站",
                  "公司", "集团", "工厂", "厂", "超市", "商场", "酒店", "健身房", "美容院", "驾校",
                  "联社", "合作社", "信用社", "银行",
                  "小區", "花園", "家園", "大廈", "廣場", "華庭", "華府", "灣", "社區", "鎮", "鄉", "小學", "中學",
                  "幼兒園", "學校", "大學", "醫院", "衛生院", "診所", "公園", "工業園", "園區", "車站", "公交車站",
                  "集團", "工廠", "廠", "市場", "商場", "駕校", "聯社", "銀行")
# Words before a place that are not part of its name.
_PLACE_PREFIX = (r"(?:关于|請問|请问|投诉|反映|咨询|建议|要求|恳请|强烈|希望|尽快|解决|处理|整治|查处|治理|关注|我们|我是|本人|位于"
                  r"|住在|在|的|和|与|及|对"
                  # the same words in traditional characters
                  r"|關於|投訴|諮詢|咨詢|建議|懇請|強烈|儘快|盡快|解決|處理|查處|關注|我們|位於|與|對)")
#: Columns of :attr:`HotIssues.table`.
TABLE_COLUMNS = ["rank", "label", "place", "category", "first_date", "last_date", "messages", "users", "likes",
                 "dislikes", "heat"]


# Words for a person that a name follows in messages (业主王建国, 村民：李娜, 我叫陈明, 業主王建國).
_PERSON_WORDS = ("业主|業主|居民|村民|市民|网友|網友|住户|住戶|租户|租戶|家属|家屬|邻居|鄰居|员工|員工|职工|職工|工人|"
                 "老人|同事|学生|學生|家长|家長|患者|病人|司机|司機|商户|商戶|我叫|名叫|叫做|姓名|其妻|其夫|其子|其女|"
                 "妻子|丈夫|儿子|兒子|女儿|女兒|父亲|父親|母亲|母親")


def _not_era() -> str:
    """One character of a name that does not make 代 a word's end (时代, 现代, 年代 …, which end estates' names)."""
    from ..patterns import _NAME_CH

    return _NAME_CH[:-1] + "时時现現年世近古当當历歷朝]"


def _name_breaks() -> list[tuple[str, str]]:
    """(RE2 pattern, replacement) pairs that cut a text where a person's name could run into
    a place name (业主王建国在阳光花园 → 业主，在阳光花园): the name rules of the privacy
    masks, and the words around names and places in messages. The cut is a full-width comma,
    which no place name holds."""
    from ..patterns import _NAME_CH, _SP, _SURNAME, MASK_PATTERNS

    cut = "，"
    # the privacy masks' own name rules (联系人：…, …（代）, …代为…, ，王某某反映), with the cut for the name
    rules = [(pat, rep.replace("{name}", cut)) for pat, rep, group in MASK_PATTERNS if group == "name"]
    name = rf"{_SURNAME}(?:{_SP}?{_NAME_CH}){{1,2}}"
    # someone named after a word for a person
    rules.append((rf"(?:{_PERSON_WORDS}){_SP}*[：:]?{_SP}*{name}", cut))
    # a surname with a form of address: 王先生, 李女士, 张师傅, 王某某
    title = "先生|女士|小姐|师傅|師傅|阿姨|大爷|大爺|大妈|大媽|老师|老師|同志|同学|同學|经理|經理|主任|书记|書記|老板|老闆|某"
    rules.append((rf"{_SURNAME}{_NAME_CH}?(?:{title})+", cut))
    # a name acting for others: 张伟代阳光花园业主 (not 时代, 现代, 年代 …, which end estates' names)
    rules.append((rf"{_SURNAME}{_NAME_CH}?{_not_era()}代", cut))
    # verbs between a person and a place: 家住, 住在, 在, 位于, 投诉, 反映 …
    verbs = ("家住|住在|居住在|居住|住址|住|在|位于|位於|投诉|投訴|反映|举报|舉報|咨询|諮詢|来信|來信|来访|來訪|"
             "称|稱|说|說|表示|要求|请求|請求|代为|代為|代表")
    rules.append((rf"(?:{verbs})", cut))
    return rules


_BREAKS: list[tuple[str, str]] | None = None


def _cut_at_names(text: pd.Series) -> pd.Series:
    """``text`` cut (see :func:`_name_breaks`) wherever a name could start or end, so that
    no place found in it carries a person's name. Vectorized (pyarrow's RE2)."""
    import pyarrow.compute as pc

    from ..ingest.io import from_arrow, to_arrow

    global _BREAKS
    if _BREAKS is None:
        _BREAKS = _name_breaks()
    arr = to_arrow(text.fillna("").astype("str"))
    for pattern, replacement in _BREAKS:
        arr = pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)
    return from_arrow(arr, text.index, text.name)


def _mask_label_names(label: pd.Series, place: pd.Series) -> pd.Series:
    """Names in issue labels that the privacy masks leave (they need a phrase such as
    联系人： or …反映): a name after a word for a person (业主王建国 → 业主[姓名]), before 代,
    or a full name opening the label right before the issue's place (王建国阳光花园 →
    [姓名]阳光花园).

    >>> _mask_label_names(pd.Series(["王建国丽景华庭噪音", "关停丽景华庭搅拌站", "业主李娜反映", "业主和物业纠纷",
    ...                              "业主王建国丽景华庭"]), pd.Series(["丽景华庭", "丽景华庭", None, None, "丽景华庭"])).tolist()
    ['[姓名]丽景华庭噪音', '关停丽景华庭搅拌站', '业主[姓名]反映', '业主和物业纠纷', '业主[姓名]丽景华庭']
    """
    import pyarrow.compute as pc

    from ..ingest.io import from_arrow, to_arrow
    from ..ingest.privacy import MASK_TOKENS
    from ..patterns import _NAME_CH, _SP, _SURNAME

    token = MASK_TOKENS["name"]
    arr = to_arrow(label.astype("str"))
    name = rf"{_SURNAME}(?:{_SP}?{_NAME_CH}){{1,2}}"
    # a name after a word for a person, when a boundary or a verb follows it (业主王建国反映, not 业主和物业纠纷)
    after = r"([，。,、；;！!？?：:\s)）]|$|反映|投诉|投訴|举报|舉報|称|稱|说|說|在|住|家住|的|等|向|要求|表示)"
    arr = pc.replace_substring_regex(arr, pattern=rf"({_PERSON_WORDS})({_SP}*[：:]?{_SP}*){name}{after}",
                                     replacement=rf"\1\2{token}\3")
    arr = pc.replace_substring_regex(arr, pattern=rf"{_SURNAME}{_NAME_CH}?{_not_era()}代", replacement=f"{token}代")
    out = from_arrow(arr, label.index, label.name)
    # a full name (surname and two characters) opening the label or a clause right before the
    # place; not two characters, which are mostly verbs there (关停丽景华庭, 严查人民路)
    py_name = re.compile(_python_re(rf"{_SURNAME}{_NAME_CH}{{2}}$"))
    fixed = []
    for text, where in zip(out.tolist(), place.tolist()):
        if isinstance(text, str) and isinstance(where, str) and where in text:
            i = text.index(where)
            opens = i == 3 or (i > 3 and (not re.match(r"[\u4e00-\u9fff]", text[i - 4])
                                          or re.search(rf"(?:{_PERSON_WORDS})$", text[:i - 3]) is not None))
            if opens and py_name.match(text[i - 3:i]):
                text = text[:i - 3] + token + text[i:]
        fixed.append(text)
    return pd.Series(fixed, index=label.index, dtype="str")


#: How many of the most central messages of an issue are tried for its label.
_LABEL_CANDIDATES = 20
#: A place must have been written by at least this many of the issue's users, and a label's
#: wording by this many users other than the label message's writer.
SHARED_BY = 2


#: The user of the messages without a petitioner (one user together).
_NO_ID = "\x00no petitioner"


def _user_texts(group: np.ndarray, user: np.ndarray, text: np.ndarray) -> dict:
    """Each issue's text, one string per distinct user (their messages joined): {group: {user: text}}."""
    frame = pd.DataFrame({"group": group, "user": user.astype("str"), "text": pd.Series(text, dtype="str").fillna("")})
    joined = frame.groupby(["group", "user"], sort=True)["text"].agg("\n".join)
    out: dict = {}
    for (grp_id, u), t in joined.items():
        out.setdefault(grp_id, {})[u] = t
    return out


def _written_by(fragment: str, texts: list[str], at_least: int) -> bool:
    n = 0
    for t in texts:
        if fragment in t:
            n += 1
            if n >= at_least:
                return True
    return False


def _shared_wording(label: str, texts: list[str], at_least: int = SHARED_BY) -> str:
    """``label`` cut to its characters that stand in a pair of characters written by at least
    ``at_least`` of the issue's users (``texts``: one per user); each cut-out run becomes
    "…". A name, a flat number or a masked token that one person wrote does not survive: a
    label says what several people complained about, never who.

    >>> _shared_wording("李娜阳光花园噪音扰民", ["阳光花园噪音扰民", "阳光花园夜间噪音扰民", "李娜"])
    '阳光花园噪音扰民'
    >>> _shared_wording("阳光花园[姓名]3栋噪音", ["阳光花园 噪音", "阳光花园噪音"])
    '阳光花园…噪音'
    >>> _shared_wording("王建国的诉求", ["王建国的诉求"])
    '…'
    """
    if not isinstance(label, str) or not label:
        return "…"
    keep = [False] * len(label)
    for i in range(len(label) - 1):
        pair = label[i:i + 2]
        if pair.strip() and pair == pair.replace("…", "") and _written_by(pair, texts, at_least):
            keep[i] = keep[i + 1] = True
    out: list[str] = []
    gap = False
    for ch, k in zip(label, keep):
        if k:
            if gap and out:
                out.append("…")
            out.append(ch)
            gap = False
        else:
            gap = True
    kept = re.sub(r"\s+", " ", "".join(out)).strip(" ，,、；;：:")
    return kept if kept else "…"


def _shared_place(place, texts: list[str], at_least: int = SHARED_BY):
    """``place``, or its longest ending of at least three characters, that at least
    ``at_least`` of the issue's users wrote (``NA`` when none): a place that one person wrote
    with their name in front of it (张伟阳光路, when no one else wrote it so) is shortened to
    what others wrote, or left out.

    >>> _shared_place("张伟阳光路", ["张伟阳光路", "阳光路灯坏了", "阳光路"])
    '阳光路'
    >>> _shared_place("王芳超市", ["王芳超市", "超市"]) is pd.NA
    True
    """
    if not isinstance(place, str):
        return pd.NA
    for k in range(0, len(place) - 2):
        if _written_by(place[k:], texts, at_least):
            return place[k:]
    return pd.NA


def _python_re(pattern: str) -> str:
    """An RE2 pattern of :mod:`petition_analysis.patterns` for Python's ``re`` (``\\x{3000}`` → ``\\u3000``)."""
    return re.sub(r"\\x\{([0-9a-fA-F]{4})\}", r"\\u\1", pattern)


def _looks_like_name(candidates: pd.Series) -> pd.Series:
    """True where a place candidate still holds what a name rule finds (checked on the
    candidate alone: at its start, a name rule's clause begins)."""
    return _cut_at_names(candidates).ne(candidates)


def extract_places(text: pd.Series) -> pd.Series:
    """The most frequent place name in each text (``NA`` when there is none).

    A place never carries a person's name: the text is first cut at the names that the
    privacy masks find and at the words around names (业主, 先生, 女士, 家住, 在, 投诉,
    反映, 代 …), and a candidate that still looks like a name is dropped.

    >>> extract_places(pd.Series(["丽景华庭旁搅拌站噪音，丽景华庭业主很苦恼", "没有地名", "业主王建国在阳光花园"])).tolist()
    ['丽景华庭', nan, '阳光花园']
    """
    from ..patterns import _NAME_CH, _SURNAME

    suffix = "|".join(sorted(PLACE_SUFFIXES, key=len, reverse=True))
    # Han characters, and letters and digits inside a name (A市A5区, 3号院: exports often code places so)
    pattern = rf"([\u4e00-\u9fffA-Za-z0-9]{{2,10}}?(?:{suffix}))"
    found = _cut_at_names(text).str.extractall(pattern)[0]
    if found.empty:
        return pd.Series(np.nan, index=text.index, dtype="object")
    # a date or a number before the name (2019年5月, 3) and words such as 关于 are not part of it
    found = found.str.replace(rf"^(?:[0-9]+[年月日号]?|{_PLACE_PREFIX})+", "", regex=True)
    found = found[found.str.contains(r"[\u4e00-\u9fff]", regex=True) & ~found.str.fullmatch(r"[0-9]*[\u4e00-\u9fff]?")
                  # common words that end like a place but name none (农村, 道路, 线路, 本小区 …)
                  & ~found.str.contains(r"(?:农村|乡村|城乡|城市|城区|本小区|该小区|我们小区|小区的|道路|马路|线路|网路|思路|出路|门路"
                                         r"|農村|鄉村|城鄉|城區|本小區|該小區|我們小區|小區的|馬路|線路|網路|門路)$", regex=True)]
    found = found[found.str.len() >= 3]
    if found.empty:
        return pd.Series(np.nan, index=text.index, dtype="object")
    # A regex cannot tell where a name starts (距离丽景华庭, 恢复梅溪湖西路): a candidate whose
    # ending is itself a name at least twice as frequent becomes that name (its longest such ending). Over distinct
    # candidates only.
    freq = found.value_counts()
    counts = freq.to_dict()
    # a person's name written right before a complete place name (王建国阳光花园, 李娜阳光花园): a
    # name-shaped start (a surname and one or two characters) before at least four characters
    # that end like a place is dropped, whether or not the rest is seen alone (so a single
    # message is safe too). A place that only starts like a name loses its start (万科城市花园 →
    # 城市花园): a shorter place, never a name.
    name_start = re.compile(_python_re(rf"^{_SURNAME}{_NAME_CH}{{1,2}}$"))
    place_end = re.compile(rf"^[\u4e00-\u9fffA-Za-z0-9]{{2,}}(?:{suffix})$")
    canonical = {}
    for cand, n in counts.items():
        best = cand
        # only a much more frequent ending is the name (华盛碧厂 and 金盛碧厂 stay two places)
        for k in range(1, len(cand) - 2):
            if counts.get(cand[k:], 0) >= max(2, 2 * n):
                best = cand[k:]
                break
        for k in (3, 2):
            if len(best) - k >= 4 and name_start.match(best[:k]) and place_end.match(best[k:]):
                best = best[k:]
                break
        canonical[cand] = best
    found = found.map(canonical)
    # what still looks like a name (by the privacy masks' rules) is no place
    distinct = pd.Series(found.unique(), dtype="str")
    named = set(distinct[_looks_like_name(distinct).to_numpy()])
    if named:
        found = found[~found.isin(named)]
        if found.empty:
            return pd.Series(np.nan, index=text.index, dtype="object")
    pairs = pd.DataFrame({"row": found.index.get_level_values(0), "place": found.to_numpy()})
    counts = pairs.groupby(["row", "place"], sort=True).size().reset_index(name="n")
    # most frequent per text; ties go to the longer name, then the first in sort order
    counts["len"] = counts["place"].str.len()
    first = (counts.sort_values(["row", "n", "len", "place"], ascending=[True, False, False, True], kind="stable")
             .drop_duplicates("row").set_index("row")["place"])
    return first.reindex(text.index).astype("object")


def heat_index(messages, users, likes, dislikes, span_days) -> np.ndarray:
    """The heat index (see the module docstring) of issues given as arrays.

    >>> heat_index([66], [50], [2000], [60], [40]).round(2).tolist()
    [14.46]
    """
    m = np.asarray(messages, dtype=float)
    weeks = np.maximum(np.asarray(span_days, dtype=float) + 1, 7) / 7
    return (np.log1p(m) + np.log1p(np.asarray(users, dtype=float))
            + 0.5 * np.log1p(np.asarray(likes, dtype=float) + np.asarray(dislikes, dtype=float))
            + np.log1p(m / weeks))


@dataclass
class HotIssues:
    """Hot issues: ``table`` (:data:`TABLE_COLUMNS`, hottest first) and ``members`` (rank, case_id)."""

    table: pd.DataFrame
    members: pd.DataFrame
    parameters: dict

    def __repr__(self) -> str:
        return f"HotIssues({len(self.table)} issues over {len(self.members)} messages)"

    def public(self, k: int = 5) -> HotIssues:
        """Only the issues raised by at least ``k`` distinct users and ``k`` messages: a
        smaller issue could point at a few people (disclosure control for public reports)."""
        keep = self.table[(self.table["users"] >= k) & (self.table["messages"] >= k)]
        return HotIssues(keep.reset_index(drop=True), self.members[self.members["rank"].isin(keep["rank"])]
                         .reset_index(drop=True), {**self.parameters, "public_k": k})

    def to_csv(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write ``hot_issues.csv`` and ``hot_issue_members.csv`` (UTF-8) into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        a, b = out / "hot_issues.csv", out / "hot_issue_members.csv"
        t = self.table.copy()
        for c in ("first_date", "last_date"):
            t[c] = pd.to_datetime(t[c]).dt.strftime("%Y-%m-%d")
        t.to_csv(a, index=False, encoding="utf-8", lineterminator="\n")
        self.members.to_csv(b, index=False, encoding="utf-8", lineterminator="\n")
        return a, b


def _text(df: pd.DataFrame) -> pd.Series:
    from ..classify import message_text  # the same text the classifier reads

    if not {"subject", "summary"} & set(df.columns):
        raise ValueError("hot_issues needs message text: a 'summary' or 'subject' column (留言详情, 留言主题).")
    # masked tokens ([电话], [姓名] …) say nothing about the problem
    return message_text(df).str.replace(r"\[[^\]]{1,4}\]", " ", regex=True).str.strip()


def _links(X: sparse.csr_matrix, days: np.ndarray, place_codes: np.ndarray, *, similarity: float, window_days: int,
           place_bonus: float, block: int = 1000) -> sparse.csr_matrix:
    """The graph of linked message pairs, computed block by block: a block of messages
    (sorted by date) is compared only with the later messages within the window, so
    memory and time grow with the messages per window, not with the square of all."""
    n = X.shape[0]
    rows, cols = [], []
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        last = int(np.searchsorted(days, days[hi - 1] + window_days, side="right"))
        S = (X[lo:hi] @ X[lo:last].T).tocoo()
        i, j, v = S.row + lo, S.col + lo, S.data
        keep = (j > i) & (v >= similarity - place_bonus)
        i, j, v = i[keep], j[keep], v[keep]
        pi, pj = place_codes[i], place_codes[j]
        both = (pi >= 0) & (pj >= 0)
        # the same place makes a link easier; two messages without a place need more; a message
        # with a place never links to another place, nor to one without a place (which could
        # otherwise bridge issues at different places into one)
        neither = (pi < 0) & (pj < 0)
        v = v + np.where(both & (pi == pj), place_bonus, -place_bonus)
        keep = (v >= similarity) & ((both & (pi == pj)) | neither) & (np.abs(days[i] - days[j]) <= window_days)
        rows.append(i[keep])
        cols.append(j[keep])
    r = np.concatenate(rows) if rows else np.empty(0, dtype=int)
    c = np.concatenate(cols) if cols else np.empty(0, dtype=int)
    return sparse.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n)).tocsr()


def hot_issues(df: pd.DataFrame, *, window_days: int = 60, similarity: float = 0.3, place_bonus: float = 0.15,
               min_messages: int = 5, top: int | None = None, start=None, end=None) -> HotIssues:
    """Hot issues of a clean message table (see the module docstring).

    ``df`` needs ``case_id``, ``received_date`` and ``summary`` or ``subject``; it uses
    ``petitioner_id``, ``likes``, ``dislikes`` and ``category`` when present. ``start``
    and ``end`` (dates) restrict the messages; ``top`` keeps the hottest issues only. The
    same frame and parameters give the same table.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ..ingest.privacy import mask_text

    if window_days < 0 or not 0 < similarity <= 1 or min_messages < 2:
        raise ValueError("window_days must be >= 0, similarity in (0, 1] and min_messages >= 2.")
    data = df
    if start is not None:
        data = data[data["received_date"] >= pd.Timestamp(start)]
    if end is not None:
        data = data[data["received_date"] <= pd.Timestamp(end)]
    data = data.sort_values(["received_date", "case_id"], kind="stable").reset_index(drop=True)
    params = {"window_days": window_days, "similarity": similarity, "place_bonus": place_bonus,
              "min_messages": min_messages, "messages_considered": int(len(data))}
    empty = HotIssues(pd.DataFrame({c: pd.Series([], dtype="object") for c in TABLE_COLUMNS}),
                      pd.DataFrame({"rank": pd.Series([], dtype="int64"), "case_id": pd.Series([], dtype="str")}), params)
    if len(data) < min_messages:
        return empty
    text = _text(data)
    has_text = text.str.len().ge(4).to_numpy()
    # n-grams in more than a tenth of the messages (问题, 反映, 小区 …) say nothing about which
    # problem it is, and would make every pair of messages similar a little
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2,
                          max_df=0.1 if len(data) >= 200 else 1.0, dtype=np.float64)
    try:
        X = vec.fit_transform(text.where(has_text, "").to_numpy(dtype=object))
    except ValueError:  # no n-gram occurs twice
        return empty
    places = extract_places(text)
    place_codes, place_names = pd.factorize(places, use_na_sentinel=True)
    days = ((data["received_date"] - pd.Timestamp("1970-01-01")).dt.days).to_numpy()
    G = _links(X.tocsr(), days, place_codes, similarity=similarity, window_days=window_days, place_bonus=place_bonus)
    _, label = connected_components(G, directed=False)
    label = np.where(has_text, label, -1)
    sizes = pd.Series(label[label >= 0]).value_counts()
    big = sizes[sizes >= min_messages].index.to_numpy()
    if not len(big):
        return empty
    member = np.isin(label, big)
    g = pd.DataFrame({"group": label[member], "row": np.flatnonzero(member)})
    sub = data.iloc[g["row"].to_numpy()]
    users = sub["petitioner_id"].astype("object") if "petitioner_id" in sub else pd.Series(np.nan, index=sub.index)
    # messages without a petitioner count as one user together: they could all be one person
    # (who would otherwise pass the k users of a public report, and the shared-wording rule, alone)
    users = users.astype("str").where(users.notna() & users.astype("str").str.strip().ne(""), _NO_ID)
    agg = pd.DataFrame({
        "group": g["group"].to_numpy(),
        "user": users.to_numpy(),
        "likes": (sub["likes"] if "likes" in sub else pd.Series(0, index=sub.index)).to_numpy(dtype=np.int64),
        "dislikes": (sub["dislikes"] if "dislikes" in sub else pd.Series(0, index=sub.index)).to_numpy(dtype=np.int64),
        "date": sub["received_date"].to_numpy(),
        "place": places.iloc[g["row"].to_numpy()].to_numpy(),
        "category": (sub["category"].astype("str") if "category" in sub else pd.Series("other", index=sub.index)).to_numpy(),
    })
    grp = agg.groupby("group", sort=True)
    table = pd.DataFrame({
        "messages": grp.size(),
        "users": grp["user"].nunique(),
        "likes": grp["likes"].sum(),
        "dislikes": grp["dislikes"].sum(),
        "first_date": grp["date"].min(),
        "last_date": grp["date"].max(),
        "place": grp["place"].agg(lambda s: s.dropna().mode().sort_values().iloc[0] if s.notna().any() else pd.NA),
        "category": grp["category"].agg(lambda s: s.mode().sort_values().iloc[0]),
    })
    span = (table["last_date"] - table["first_date"]).dt.days
    table["heat"] = heat_index(table["messages"], table["users"], table["likes"], table["dislikes"], span).round(2)
    # Words written by one person only (their name, a neighbour's name, their flat) never reach a
    # label or a place: both keep only what at least two of the issue's users wrote.
    user_texts = _user_texts(agg["group"].to_numpy(), agg["user"].to_numpy(), text.iloc[g["row"].to_numpy()].to_numpy())
    table["place"] = [_shared_place(p, list(user_texts.get(i, {}).values())) for i, p in zip(table.index, table["place"])]
    # The label: a subject (else the start of the details) of a message near its group's
    # centroid, masked, cut to the wording that two users other than its writer also wrote;
    # the most central whose wording is mostly shared (else the one that keeps most).
    rows = g["row"].to_numpy()
    Xg = X[rows]
    subject = data["subject"] if "subject" in data else pd.Series("", index=data.index)
    summary = data["summary"] if "summary" in data else pd.Series("", index=data.index)
    cand_group, cand_text, cand_user = [], [], []
    user_of = pd.Series(agg["user"].to_numpy(), index=g["row"].to_numpy())
    for grp_id, idx in pd.Series(np.arange(len(rows))).groupby(g["group"].to_numpy()):
        sel = idx.to_numpy()
        centroid = np.asarray(Xg[sel].mean(axis=0)).ravel()
        order = sel[np.argsort(-(Xg[sel] @ centroid), kind="stable")][:_LABEL_CANDIDATES]
        for best in rows[order]:
            s_ = subject.iloc[best]
            cand_group.append(grp_id)
            cand_user.append(user_of.loc[best])
            cand_text.append(str(s_) if isinstance(s_, str) and s_.strip() else str(summary.iloc[best])[:30])
    cand_group = np.asarray(cand_group)
    masked = _mask_label_names(mask_text(pd.Series(cand_text, dtype="str")),
                               pd.Series(table["place"].reindex(cand_group).to_numpy(), dtype="object"))
    labels = {}
    for grp_id, author, label_text in zip(cand_group, cand_user, masked.tolist()):
        others = [t for u, t in user_texts.get(grp_id, {}).items() if u != author]
        kept = _shared_wording(label_text, others)
        score = len(kept.replace("…", "")) / max(1, len(label_text))
        prev = labels.get(grp_id)
        if prev is None or (prev[1] < 0.8 and score > prev[1]):
            labels[grp_id] = (kept, score)
    table["label"] = [labels[i][0] for i in table.index]
    table = table.sort_values(["heat", "messages", "first_date"], ascending=[False, False, True], kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    rank_of = dict(zip(table.index, table["rank"]))
    members = pd.DataFrame({"rank": g["group"].map(rank_of).to_numpy(),
                            "case_id": data["case_id"].iloc[rows].astype("str").to_numpy()})
    members = members.sort_values(["rank", "case_id"], kind="stable").reset_index(drop=True)
    table = table[TABLE_COLUMNS].reset_index(drop=True)
    if top is not None:
        table = table.head(top)
        members = members[members["rank"] <= top].reset_index(drop=True)
    for c in ("messages", "users", "likes", "dislikes", "rank"):
        table[c] = table[c].astype("int64")
    return HotIssues(table, members, params)
