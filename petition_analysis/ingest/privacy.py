"""Privacy: keyed pseudonyms for petitioners (信访人) and masking of free text.

Names, ID numbers (身份证号), phone numbers and addresses never reach a clean table.
A petitioner is tracked by an HMAC-SHA256 pseudonym of their identity under a secret key,
so that the same person gets the same pseudonym within (and, with the same key, across)
runs, while nobody without the key can link a pseudonym back to a person.

Examples
--------
>>> import pandas as pd
>>> pseudonymize(pd.Series(["11010519491231002X", None]), key="k").tolist()
['63vmrtb2drsyljem', nan]
>>> mask_text(pd.Series(["张三，电话13800138000"]), names=pd.Series(["张三"])).tolist()
['[姓名]，电话[电话]']
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .io import byte_ranges, from_arrow, rows_with_bytes, to_arrow

__all__ = [
    "KEY_ENV_VAR",
    "MASK_TOKENS",
    "resolve_key",
    "identity_key",
    "pseudonymize",
    "mask_text",
    "PII_PATTERNS",
]

#: Environment variable read for the pseudonym key when none is passed.
KEY_ENV_VAR = "PETITION_PSEUDONYM_KEY"

#: What masked personal data is replaced with in free text.
MASK_TOKENS = {
    "name": "[姓名]",
    "id_number": "[证件号]",
    "phone": "[电话]",
    "email": "[邮箱]",
    "address": "[地址]",
}

# The patterns live below the schema, which checks clean tables with them (no import circle).
from ..patterns import (  # noqa: E402,F401
    _D, _MAYBE_NUMBER, _SEP, GROUP_PREFILTERS, LOCAL_PHONE, MASK_PATTERNS, PII_PATTERNS, PREFILTER)

# Traditional → simplified forms of the characters common in names and addresses (one
# character each, so a converted text keeps its positions): the row's own name is found
# whether the name column or the free text is written in traditional characters.
_T2S_FROM = (
    "劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒龍賀顧龔錢嚴湯聶魯嶽歐關藍蘭紀畢單駱鮑饒車項連蘆婁竇費衛鄔閔邊師欒鄺鞏儲蔣許羅張樂國華偉強軍傑濤東興鳳麗紅艷豔靜輝剛義愛寶貴慶貞漢順"
    "進鵬飛發財榮銀鐵鋼鳴嬌蓮雲憶從濱滬寧樹亞樺銘錦鈞釗啟達賢緒維紹綺納紋潔瑩麥陽雙開勝來長門問學書會區縣鎮鄉號樓層戶詩嵐蘊穎韻軒瑋璽瓊瑤環寬廣應懷憲聰穩頻顏楨樑權歡氣滿濟澤潤淺溫灣煒煥"
    "爾牽獻現琿畫盡碩禮禎稱競筆節綠線練縱繼續羨習聯職聲肅臺舉蔭薩藝裝覺觀訓訪詠誠誼語諾謙護讓豐貝負賓賽贊躍軼輕農遠遙郵鄰醫釋鈴鋒錚鍵鎖鏡鐘閃閣闊陣隊際隨險雖難靈韌頂頌領頤題額風颯飄養餘"
    "館馳駿騰驍體髮鬥魚鳥鴻鵑鶴鷹鹽黨齊齡壽夢奪奮媽婦嬋實寵將專尋對導島崗嶺巖幣幫廟廳彈後徑徵態憐戰擁據擇數斕斷於時晉曉曆曠極構標橋機檢櫻歲歷歸殘毆漁潛澀濃灑熾燈燦爐犧猶獎瑪璣產畝疊眾礦"
    "禪稅穌窮築簡籃糧紗純紙細終經結絲綱網緣縫總織繩罷聖聞腦臉莊葦蓋薦蘋處蝦螢蠻術衝補製襪見規視親覽計記設證評詞詳認說課調談請論諸謀識議讀變貓貨買貿資賞質購贏趕跡蹤軟載輔輪轉辦辭醬釣鉅銳"
    "鋪錄鍋鏈閉閒間閩陝陰雞離電霧頁預頓頭顯飯飲駐驗鬧點齒龜淩瀋僑優價儀們個倫偵傳傷備億儉兒兩凱創劍勞勵勛匯協卻參叢員喬喚嘯囑圍園圓圖團堅報場塊塵壇壯壺夠奧娛嫻寫審屬岡峽崢嶸帥帳帶幹廠廬"
    "彌彥徹戀撫擔擴攜暉暢暫曄棟業槍樣檔欽殺決沖淚淨滄滅漲潑澗濕瀏煙熱爭獅瑣瓏甌異療皚盞監睜矯碼確磚祿禿種穀窩筍範篤簾籌約級紛組緊緩編緯縮繞罰翹聽脅舊艱蔥薑蘿虛蟲蠶褲襲訂訊託詐該誤誰諮謠"
    "譯豈豬貸賠賬賴贈趨軌較輛輸轟辯遲遷選遺醞釐鈔鉛銅銷鋁錯鍛鎢鏟鑑鑒閱闖隱雜雛靂韜頒頰頸顆颱颶饑餅驅驚骯鬆鮮鴨鵝鶯麼黴齋龐蕓燁煇緻綸紘瑯璉鈺鎧鍇銓錫鐸鑾闓閏靚頎頡顥騏驊鯤鸞"
)
_T2S_TO = (
    "刘陈杨黄赵吴孙马郑谢韩冯邓萧叶苏吕卢钟谭陆贾韦邹龙贺顾龚钱严汤聂鲁岳欧关蓝兰纪毕单骆鲍饶车项连芦娄窦费卫邬闵边师栾邝巩储蒋许罗张乐国华伟强军杰涛东兴凤丽红艳艳静辉刚义爱宝贵庆贞汉顺"
    "进鹏飞发财荣银铁钢鸣娇莲云忆从滨沪宁树亚桦铭锦钧钊启达贤绪维绍绮纳纹洁莹麦阳双开胜来长门问学书会区县镇乡号楼层户诗岚蕴颖韵轩玮玺琼瑶环宽广应怀宪聪稳频颜桢梁权欢气满济泽润浅温湾炜焕"
    "尔牵献现珲画尽硕礼祯称竞笔节绿线练纵继续羡习联职声肃台举荫萨艺装觉观训访咏诚谊语诺谦护让丰贝负宾赛赞跃轶轻农远遥邮邻医释铃锋铮键锁镜钟闪阁阔阵队际随险虽难灵韧顶颂领颐题额风飒飘养余"
    "馆驰骏腾骁体发斗鱼鸟鸿鹃鹤鹰盐党齐龄寿梦夺奋妈妇婵实宠将专寻对导岛岗岭岩币帮庙厅弹后径征态怜战拥据择数斓断于时晋晓历旷极构标桥机检樱岁历归残殴渔潜涩浓洒炽灯灿炉牺犹奖玛玑产亩叠众矿"
    "禅税稣穷筑简篮粮纱纯纸细终经结丝纲网缘缝总织绳罢圣闻脑脸庄苇盖荐苹处虾萤蛮术冲补制袜见规视亲览计记设证评词详认说课调谈请论诸谋识议读变猫货买贸资赏质购赢赶迹踪软载辅轮转办辞酱钓巨锐"
    "铺录锅链闭闲间闽陕阴鸡离电雾页预顿头显饭饮驻验闹点齿龟凌沈侨优价仪们个伦侦传伤备亿俭儿两凯创剑劳励勋汇协却参丛员乔唤啸嘱围园圆图团坚报场块尘坛壮壶够奥娱娴写审属冈峡峥嵘帅帐带干厂庐"
    "弥彦彻恋抚担扩携晖畅暂晔栋业枪样档钦杀决冲泪净沧灭涨泼涧湿浏烟热争狮琐珑瓯异疗皑盏监睁矫码确砖禄秃种谷窝笋范笃帘筹约级纷组紧缓编纬缩绕罚翘听胁旧艰葱姜萝虚虫蚕裤袭订讯托诈该误谁咨谣"
    "译岂猪贷赔账赖赠趋轨较辆输轰辩迟迁选遗酝厘钞铅铜销铝错锻钨铲鉴鉴阅闯隐杂雏雳韬颁颊颈颗台飓饥饼驱惊肮松鲜鸭鹅莺么霉斋庞芸烨辉致纶纮琅琏钰铠锴铨锡铎銮闿闰靓颀颉颢骐骅鲲鸾"
)
_T2S = str.maketrans(_T2S_FROM, _T2S_TO)
#: Each character's forms in both scripts (for the first character of a name).
_BOTH_FORMS: dict[str, str] = {}
for _t, _s in zip(_T2S_FROM, _T2S_TO):
    _BOTH_FORMS[_s] = _BOTH_FORMS.get(_s, _s) + _t
    _BOTH_FORMS[_t] = _BOTH_FORMS.get(_s, _s)
for _t, _s in zip(_T2S_FROM, _T2S_TO):
    _BOTH_FORMS[_t] = _BOTH_FORMS[_s]

_PEPPER = b"petition-analysis/pseudonym/v1"


def resolve_key(key: str | bytes | None = None) -> tuple[bytes, str]:
    """The pseudonym key and where it came from: ``"option"``, ``"environment"`` or
    ``"random"`` (a fresh per-run key: pseudonyms then link rows within this run only).
    """
    if key is not None:
        return (key.encode("utf-8") if isinstance(key, str) else bytes(key)), "option"
    env = os.environ.get(KEY_ENV_VAR)
    if env:
        return env.encode("utf-8"), "environment"
    return secrets.token_bytes(32), "random"


def identity_key(
    id_number: pd.Series | None = None,
    name: pd.Series | None = None,
    phone: pd.Series | None = None,
) -> pd.Series:
    """The string each petitioner is pseudonymized from: the ID number when there is one,
    else name + phone (both needed). Spaces and full-width forms are folded first.

    >>> identity_key(pd.Series(["１１０１０５１９４９１２３１００２ｘ", None]),
    ...              pd.Series(["张三", "李四"]), pd.Series(["", "138 0013 8000"])).tolist()
    ['id:11010519491231002X', 'np:李四|13800138000']
    """
    series = [s for s in (id_number, name, phone) if s is not None]
    if not series:
        raise ValueError("identity_key needs an ID-number column, or name and phone columns.")
    index = series[0].index

    def fold(s: pd.Series | None) -> pa.Array:
        if s is None:
            return pa.nulls(len(index), pa.large_string())
        # NFKC and whitespace removal in pyarrow (vectorized; pandas would fall back to
        # Python for the \s pattern). The regex runs only on the values that hold a space
        # or a dash byte (RE2's \s is ASCII: tab, line feed, form feed, return, space).
        arr = pc.utf8_normalize(to_arrow(s), form="NFKC")
        cand = rows_with_bytes(arr, _SPACE_DASH)
        if cand.any():
            fixed = pc.replace_substring_regex(arr.filter(cand), pattern=r"[\s\-]+", replacement="")
            arr = pc.replace_with_mask(arr, pa.array(cand), fixed)
        return pc.if_else(pc.greater(pc.binary_length(arr), 0), arr, pa.scalar(None, arr.type))

    ids = pc.utf8_upper(fold(id_number))
    names = fold(name)
    phones = fold(phone)
    text = functools.partial(pa.scalar, type=pa.large_string())
    by_id = pc.binary_join_element_wise(text("id:"), ids, text(""))  # null where a part is null
    by_name_phone = pc.binary_join_element_wise(text("np:"), names, text("|"), phones, text(""))
    return from_arrow(pc.if_else(pc.is_valid(ids), by_id, by_name_phone), index)


#: Bytes of the characters RE2's [\s\-] matches (tab, line feed, form feed, return, space, dash).
_SPACE_DASH = byte_ranges((0x09, 0x0a), (0x0c, 0x0d), 0x20, 0x2d)

_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def _encode(digest: bytes) -> str:
    # base32 of the first 80 bits: 16 characters, mostly letters, so that a pseudonym can
    # never be mistaken for (or scanned as) an ID or phone number.
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def _encode_many(digests: list[bytes]) -> pa.Array:
    """:func:`_encode` of many digests at once (numpy bit arithmetic, no per-row base64)."""
    n = len(digests)
    # The digests joined whole (no slice per digest), their first 10 bytes cut in numpy.
    head = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(n, 32)[:, :10]  # SHA-256: 32 bytes
    groups = np.unpackbits(head, axis=1).reshape(n, 16, 5) @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)
    chars = _B32[groups].tobytes()
    offsets = pa.py_buffer(np.arange(0, 16 * n + 1, 16, dtype=np.int64).tobytes())
    return pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(chars)])


def _hmac_sha256_many(key: bytes, messages: list[bytes]) -> list[bytes]:
    """``hmac.digest(key, m, "sha256")`` of each message (RFC 2104), about 2 × faster: the
    inner and outer SHA-256 states of the padded key are computed once and copied per
    message, where the one-shot ``hmac.digest`` sets up the key again for every value.

    >>> _hmac_sha256_many(b"k", [b"a"]) == [hmac.digest(b"k", b"a", "sha256")]
    True
    """
    if len(key) > 64:  # SHA-256's block size
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    out = []
    append = out.append
    for m in messages:
        inner = inner_copy()
        inner.update(m)
        outer = outer_copy()
        outer.update(inner.digest())
        append(outer.digest())
    return out


def pseudonymize(identity: pd.Series, key: str | bytes) -> pd.Series:
    """HMAC-SHA256 pseudonyms (16 base32 characters) of ``identity``; nulls stay null.

    Each distinct identity is hashed once, so the cost grows with the number of
    petitioners, not of rows.
    """
    k = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    k = hmac.new(_PEPPER, k, hashlib.sha256).digest()
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    messages = to_arrow(pd.Series(uniques, dtype="str")).cast(pa.large_binary()).to_pylist()
    digests = _encode_many(_hmac_sha256_many(k, messages))
    out = digests.take(pa.array(codes, mask=codes < 0))
    return from_arrow(out, identity.index, identity.name)


def _replace_matched(arr: pa.Array, pattern: str, replacement: str) -> tuple[pa.Array, np.ndarray]:
    """``replace_substring_regex`` run on the values that match only, and which those are.

    A value without a match is left as it is either way, so the result is the same; but
    finding a match is a fast DFA scan, while the replace's search for the groups (``\\1``)
    costs several microseconds a value, match or not."""
    hit = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    n = pc.sum(hit).as_py() or 0
    if n == 0:
        return arr, np.zeros(len(arr), dtype=bool)
    if n == len(arr):
        return pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement), np.ones(len(arr), dtype=bool)
    fixed = pc.replace_substring_regex(arr.filter(hit), pattern=pattern, replacement=replacement)
    return pc.replace_with_mask(arr, hit, fixed), hit.to_numpy(zero_copy_only=False)


def _regex_replace(arr: pa.Array, pattern: str, replacement: str) -> pa.Array:
    return _replace_matched(arr, pattern, replacement)[0]


def _mask_numbers(sub: pa.Array) -> pa.Array:
    """ID and phone numbers masked, in two passes: adjacent matches share a boundary
    character, so one pass can miss the second. The second pass looks at the values the
    first one changed only (an unchanged value has no match the second time either)."""
    id_repl = r"\1" + MASK_TOKENS["id_number"] + r"\3"
    phone_repl = r"\1" + MASK_TOKENS["phone"] + r"\3"
    sub, hit_id = _replace_matched(sub, PII_PATTERNS["id_number"], id_repl)
    sub, hit_phone = _replace_matched(sub, PII_PATTERNS["phone"], phone_repl)
    again = hit_id | hit_phone
    if again.any():
        # Every ID and phone pattern holds 7 digits in a row (single separators allowed,
        # _MAYBE_NUMBER): a value without such a run left has nothing for a second pass.
        idx = np.flatnonzero(again)
        left = pc.fill_null(pc.match_substring_regex(sub.take(pa.array(idx)), _MAYBE_NUMBER), False)
        again[idx] = left.to_numpy(zero_copy_only=False)
    if again.any():
        mask = pa.array(again)
        part = _regex_replace(sub.filter(mask), PII_PATTERNS["id_number"], id_repl)
        part = _regex_replace(part, PII_PATTERNS["phone"], phone_repl)
        sub = pc.replace_with_mask(sub, mask, part)
    return sub


def mask_text(text: pd.Series, names: pd.Series | None = None) -> pd.Series:
    """Mask personal data in free text: e-mail addresses (also ``(at)``, full-width and
    internationalized forms), ID numbers (18 and 15 digits, grouped any way), phone numbers
    (mobile, landline, +86 / 0086, local numbers after a phone word, Chinese numerals),
    postal addresses, other people's names in the phrases that introduce them (联系人：…,
    …（代）, …代为…, 某某反映) and, when ``names`` is given, each row's own name (with spaces
    inside or in traditional characters). Vectorized with pyarrow's RE2 engine.

    >>> mask_text(pd.Series(["身份证110105194912310021，邮箱a.b@example.com"])).tolist()
    ['身份证[证件号]，邮箱[邮箱]']
    >>> mask_text(pd.Series(["住XX市甲区人民路500号3栋201室，联系人：王建国，电话(010) 6512 0012"])).tolist()
    ['住[地址]，联系人：[姓名]，电话[电话]']
    """
    if names is not None:
        text = _mask_own_names(text, names)
    arr = to_arrow(text)
    return from_arrow(_mask_patterns(arr), text.index, text.name)


def _mask_patterns(arr: pa.Array) -> pa.Array:
    """The pattern passes of :func:`mask_text` (everything but the row's own name)."""
    # Every pattern needs an "@", 7 digits, a house number or a phrase that introduces a
    # name (patterns.PREFILTER): the regex passes run on those rows only (usually a small
    # share of free text), which are then put back.
    maybe = pc.fill_null(pc.match_substring_regex(arr, PREFILTER), False)
    sub = arr.filter(maybe)
    if len(sub):
        sub = _regex_replace(sub, PII_PATTERNS["email"], MASK_TOKENS["email"])
        # Names, addresses and Chinese numerals are rare: each group's passes run on the
        # rows that hold what the group needs.
        for group, prefilter in GROUP_PREFILTERS.items():
            hit = pc.fill_null(pc.match_substring_regex(sub, prefilter), False)
            if not pc.any(hit).as_py():
                continue
            part = sub.filter(hit)
            for pattern, replacement, g in MASK_PATTERNS:
                if g == group:
                    part = _regex_replace(part, pattern, replacement.format(**MASK_TOKENS))
            sub = pc.replace_with_mask(sub, hit, part)
        sub = _mask_numbers(sub)
        sub = _regex_replace(sub, LOCAL_PHONE, r"\1\2" + MASK_TOKENS["phone"] + r"\4")
        arr = pc.replace_with_mask(arr, maybe, sub)
    return arr


def _clean_names(names: pd.Series) -> pd.Series:
    """Names as the text would hold them: stripped, no spaces inside (王 建国), no
    annotation in brackets (赵丽华（代）). Only the few names that need it are rewritten."""
    names = names.astype("str").str.strip()
    arr = to_arrow(names)
    odd = pc.fill_null(pc.match_substring_regex(arr, r"[\s\x{3000}\x{a0}（(［\[【]"), False)
    if pc.any(odd).as_py():
        fixed = names[odd.to_numpy(zero_copy_only=False)].str.replace(r"[（(［\[【].*?(?:[)）］\]】]|$)", "", regex=True) \
            .str.replace(r"[\s\u3000\xa0]+", "", regex=True)
        names = names.copy()
        names[fixed.index] = fixed
    return names


def _own_name_variants(text: str, name: str, token: str) -> str:
    """``text`` with ``name`` replaced also where it is written with spaces inside or in
    the other script (traditional / simplified): found on a converted copy of the text
    (the conversion keeps positions), replaced in the original."""
    folded, own = text.translate(_T2S), name.translate(_T2S)
    if not own:
        return text
    out, last = [], 0
    if not any(c in folded for c in _NAME_SPACES):
        # No space to skip: the converted name itself, found as a plain substring (what the
        # pattern below matches then, without compiling a pattern per distinct name).
        at = folded.find(own)
        while at >= 0:
            out += [text[last:at], token]
            last = at + len(own)
            at = folded.find(own, last)
    else:
        import re

        for m in re.finditer(f"[{_NAME_SPACES}]*".join(map(re.escape, own)), folded):
            out += [text[last:m.start()], token]
            last = m.end()
    return "".join(out) + text[last:] if out else text


#: The spaces a name may be written with inside it (王 建国).
_NAME_SPACES = " \u3000\xa0\t"


#: Rows masked for their own names at a time (see _mask_own_names).
_OWN_NAME_ROWS = 200_000


def _mask_own_names(text: pd.Series, names: pd.Series) -> pd.Series:
    """Replace each row's own name by the name token, also where the text writes it with
    spaces inside (王 建国) or in traditional characters when the name column has the
    simplified form (or the other way round). Names shorter than 2 characters are left
    alone (they would mask ordinary words).

    The plain replacement runs in DuckDB, row by row in C++ (``replace(text, name, token)``,
    the semantics of ``str.replace``), over Arrow data. Only a text that still holds the
    name's first character (in either script) after that takes the slower search for
    spaced and converted forms, in Python (a few per cent of the rows)."""
    if len(text) > _OWN_NAME_ROWS:  # in slices: bounds the memory of DuckDB's intermediate columns
        parts = [_mask_own_names(text.iloc[i:i + _OWN_NAME_ROWS], names.iloc[i:i + _OWN_NAME_ROWS])
                 for i in range(0, len(text), _OWN_NAME_ROWS)]
        return pd.concat(parts)
    names = _clean_names(names)
    usable = (names.notna() & (names.str.len() >= 2) & text.notna()).to_numpy()
    # A text shorter than the name holds neither it nor a spaced or converted form of it
    # (those are as long or longer): such texts (empty fields, short labels) are left out.
    long_enough = pc.greater_equal(pc.utf8_length(to_arrow(text)), pc.utf8_length(to_arrow(names)))
    usable = usable & pc.fill_null(long_enough, False).to_numpy(zero_copy_only=False)
    if not usable.any():
        return text
    texts, owns = to_arrow(text[usable]), to_arrow(names[usable])
    token = MASK_TOKENS["name"]
    # The first character's forms in both scripts, mapped once per distinct character.
    first = pc.dictionary_encode(pc.utf8_slice_codeunits(owns, 0, 1))
    forms_of = [_BOTH_FORMS.get(c) or c for c in first.dictionary.to_pylist()]
    forms = pa.array(forms_of, pa.string()).take(first.indices)
    width = max(map(len, forms_of))
    any_form = " OR ".join(f"(length(f) >= {i} AND contains(new, substring(f, {i}, 1)))" for i in range(1, width + 1))
    from .cleaning import _duckdb

    cur = _duckdb().cursor()  # a cursor per call: safe from several threads
    try:
        cur.register("_names", pa.table({"t": texts, "n": owns, "f": forms}))
        quoted = "'" + token.replace("'", "''") + "'"
        res = cur.sql(
            f"SELECT new, new <> t AS changed, ({any_form}) AS variant FROM ("
            f"SELECT CASE WHEN contains(t, n) THEN replace(t, n, {quoted}) ELSE t END AS new, t, f FROM _names)"
        ).to_arrow_table()
    finally:
        cur.close()
    new, changed = res.column("new").combine_chunks(), res.column("changed").to_numpy(zero_copy_only=False)
    variant = np.flatnonzero(res.column("variant").to_numpy(zero_copy_only=False))
    if len(variant):
        olds = new.take(pa.array(variant)).to_pylist()
        own = owns.take(pa.array(variant)).to_pylist()
        fixed = [_own_name_variants(t, n, token) for t, n in zip(olds, own)]
        moved = np.array([f is not t for f, t in zip(fixed, olds)], dtype=bool)
        if moved.any():
            mask = np.zeros(len(new), dtype=bool)
            mask[variant[moved]] = True
            new = pc.replace_with_mask(new, pa.array(mask),
                                       pa.array([f for f, m in zip(fixed, moved) if m], new.type))
            changed = changed | mask
    if not changed.any():
        return text
    mask = np.zeros(len(text), dtype=bool)
    mask[np.flatnonzero(usable)[changed]] = True
    arr = pc.replace_with_mask(to_arrow(text), pa.array(mask), new.filter(pa.array(changed)).cast(to_arrow(text).type))
    return from_arrow(arr, text.index, text.name)
