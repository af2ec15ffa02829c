"""Patterns of personal data in free text: e-mail addresses, ID numbers (身份证号), phone
numbers (电话), postal addresses (地址) and other people's names in the phrases that
introduce them (联系人：…, …（代）, …代为…, …反映). Used by
:mod:`~petition_analysis.ingest.privacy` to mask free text and by
:mod:`~petition_analysis.schema` to check that a clean table holds none; it imports nothing
from the package, so the schema sits below the cleaning steps.

All patterns are RE2 syntax (pyarrow's engine): no look-behind, so boundaries are captured
and put back (``\\1`` before and the last group after the match, where a pattern has them).

>>> import pyarrow as pa, pyarrow.compute as pc
>>> pc.match_substring_regex(pa.array(["call 138 0013 8000 now", "call +86 10 6512-0012", "2019-03-05"]),
...                          PII_PATTERNS["phone"]).to_pylist()
[True, True, False]
"""

from __future__ import annotations

__all__ = ["PII_PATTERNS", "MASK_PATTERNS", "GROUP_PREFILTERS", "PREFILTER", "LOCAL_PHONE"]

# Digits may be full-width (free text is not NFKC-folded) and grouped the way people write
# them: 138 0013 8000, 138-0013-8000, 138.0013.8000, 138　0013　8000 (ideographic space),
# 138–0013–8000 (en/em dashes), 110105 19491231 002X, 110105-194912-31002X.
_D = "[0-9０-９]"
_SP = r"[ \x{3000}\x{a0}\t]"
_DASH = r"[\-－‐‑‒–—―−~～_]"
_DOT = r"[.．·・]"
#: At most one separator between two digits: a dash or a dot (spaces around it allowed) or 1–2 spaces.
_SEP = rf"(?:{_SP}{{0,2}}(?:{_DASH}|{_DOT}){_SP}{{0,2}}|{_SP}{{1,2}})?"
#: The same, with a bracket allowed too: (010) 6512 0012, +86(10)6512-0012.
_SEPP = rf"(?:{_SP}{{0,2}}(?:{_DASH}|{_DOT}|[()（）]){{1,2}}{_SP}{{0,2}}|{_SP}{{1,2}})?"
_NOT_D = "[^0-9０-９]"
_NOT_DX = "[^0-9０-９XxＸｘ]"
# Chinese numerals as people read a number out: 一三九一二三四五六七八 / 幺三八…
_CN = "[〇零一二三四五六七八九幺两]"
_NOT_CN = "[^〇零一二三四五六七八九幺两十百千万]"

_ID18 = rf"{_D}(?:{_SEP}{_D}){{16}}{_SEP}[0-9０-９XxＸｘ]"
_ID15 = rf"{_D}(?:{_SEP}{_D}){{14}}"
_MOBILE = rf"[1１]{_SEP}[3-9３-９](?:{_SEP}{_D}){{9}}"
_LOCAL = rf"[1-9１-９](?:{_SEP}{_D}){{6,7}}"  # 7 or 8 digits
_AREA = rf"(?:[(（]{_SP}?[0０]{_D}{{1,3}}{_SP}?[)）]|[0０]{_D}{{2,3}})"
_INTL = rf"(?:[(（]{_SP}?)?(?:[+＋]{_SP}?|[0０][0０])[8８][6６](?:{_SP}?[)）])?"

PII_PATTERNS: dict[str, str] = {
    "email": (
        # local part, "@" or (at) / [at] / " at " (spaces around allowed), a domain whose labels
        # may be internationalized (Han, accented letters, full-width), and a top-level domain.
        r"[A-Za-z0-9._%+\-Ａ-Ｚａ-ｚ０-９．＿－]+"
        rf"{_SP}*(?:[@＠]|[(（\[［{{]{_SP}*(?i:at){_SP}*[)）\]］}}]|{_SP}+(?i:at){_SP}+){_SP}*"
        r"[A-Za-z0-9\-Ａ-Ｚａ-ｚ０-９－\x{00c0}-\x{024f}\x{4e00}-\x{9fff}]+"
        rf"(?:{_SP}*(?:[.．。]|[(（\[［]{_SP}*(?i:dot){_SP}*[)）\]］]|{_SP}+(?i:dot){_SP}+){_SP}*"
        r"(?:[A-Za-zＡ-Ｚａ-ｚ]{2,}|中国|中國|公司|网络|網絡|在线|中文网|政务|公益|集团|商城|企业|信息|移动|[A-Za-z0-9\-\x{4e00}-\x{9fff}]+(?:[.．]|$)))+"
    ),
    "id_number": rf"(^|{_NOT_D})({_ID18}|{_ID15})({_NOT_DX}|$)",
    "phone": (
        rf"(^|{_NOT_D})("
        rf"(?:{_INTL}{_SEPP})?{_MOBILE}"                                   # mobile, +86 / 0086 allowed
        rf"|{_INTL}{_SEPP}[(（]?[0０]?[1-9１-９]{_D}{{0,2}}[)）]?{_SEPP}{_LOCAL}"  # +86 landline
        rf"|{_AREA}{_SEPP}{_LOCAL}"                                          # area code + local number
        rf")({_NOT_D}|$)"
    ),
}

# The name of someone other than the row's own petitioner, found by the phrase around it.
_STOP = "反映称说表示要求请因的等和与及电话手机号码联系地址住家为于在是了对向从到代理人等某"
#: One character of a Chinese name: a CJK ideograph that is not a function word of the phrase.
_NAME_CH = rf"[^\x00-\x{{2e7f}}\x{{3000}}-\x{{303f}}\x{{ff00}}-\x{{ffef}}{_STOP}]"
_NAME = rf"{_NAME_CH}(?:{_SP}?{_NAME_CH}){{1,3}}"
# Common surnames (simplified and traditional forms); 来, 信, 居, 原, 上, 本 are left out as
# they begin the usual role words (来访人, 信访人, 居民 …).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝郜阚权强帅屠豆朴盖练廉禹井"
    "祖漆巴丰支卿狄计索宣晋相扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危"
    "玉银亢嵇哈湛宾戎勾茅利於揭干但尉冶斯元束檀衣展阴昝智幸奉植衡富尧闭由"
    "劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒龍陶賀顧龔錢嚴湯聶魯嶽殷詹歐關藍蘭紀畢單"
    "駱鮑蒲饒車項連蘆婁竇岑費衛鄔閔邊師欒隋鄺鞏譚儲鄢蔣許廖魏羅張楊樂"
)
_SURNAME = f"[{_SURNAMES}]"
_ROLE = "联系人|聯繫人|聯系人|联络人|代理人|委托人|委託人|监护人|監護人|经办人|經辦人|收件人|代表人"
_ROLE_COLON = "申请人|申請人|投诉人|投訴人|举报人|舉報人|当事人|當事人|信访人|信訪人|来访人|來訪人|来信人|姓名"
_KIN = "其妻|其夫|其子|其女|其父|其母|其兄|其弟|其姐|其妹|妻子|丈夫|儿子|女儿|之妻|之子|之女|亲属|家属|邻居|同事|村民|居民|业主|职工|员工|工人|群众"
_CLAUSE = rf"(^|[，,。；;：:、!！?？\s（(]|和|与|及|{_KIN})"

# Postal addresses: a chain of places (省 市 区 县 镇 乡 村 小区 …) and a road, then a number
# with 号 / 栋 / 单元 / 室 …; a place character is anything but a function word.
_PLACE_STOP = "反映的在于是了和与及对向从到住址为称等请求要问题诉投举报访信代联系电话手机号码某，。"
_PLACE_CH = rf"(?:[A-Za-zＡ-Ｚａ-ｚ]|[^\x00-\x{{2e7f}}\x{{3000}}-\x{{303f}}\x{{ff00}}-\x{{ffef}}{_PLACE_STOP}])"
_ADMIN = rf"{_PLACE_CH}{{1,8}}?(?:省|自治区|市|区|區|县|縣|旗|镇|鎮|乡|鄉|街道|村|屯|社区|社區|小区|小區|新村|花园|花園|大厦|大廈|公寓|苑|园|園)"
_STREET = rf"{_PLACE_CH}{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同|道|里)"
_NUM = rf"[0-9０-９A-Za-zＡ-Ｚａ-ｚ一二三四五六七八九十百零〇\-－]{{1,6}}"
_UNIT = "(?:号楼|號樓|号院|號院|号|號|栋|棟|幢|座|单元|單元|层|層|楼|樓|室|户|戶|组|組)"
_ADDRESS = (
    rf"(?:{_ADMIN})*{_STREET}{_SP}?{_NUM}{_SP}?(?:号|號|弄)(?:院)?(?:{_SP}?{_NUM}{_SP}?{_UNIT})*(?:{_PLACE_CH}{{1,3}}家)?"
    rf"|(?:{_ADMIN})+{_SP}?{_NUM}{_SP}?{_UNIT}(?:{_SP}?{_NUM}{_SP}?{_UNIT})*(?:{_PLACE_CH}{{1,3}}家)?"
)

#: (pattern, replacement) for :func:`~petition_analysis.ingest.privacy.mask_text`, in order,
#: after own names and before the number patterns; ``{token}`` is the mask token's key.
MASK_PATTERNS: list[tuple[str, str, str]] = [
    # (regex, replacement template with {token} keys, group of GROUP_PREFILTERS)
    (rf"({_ROLE})({_SP}*[：:]?{_SP}*(?:是|为|為)?{_SP}*){_NAME}", r"\1\2{name}", "name"),
    (rf"({_ROLE_COLON})({_SP}*[：:]{_SP}*){_NAME}", r"\1\2{name}", "name"),
    (rf"{_NAME}({_SP}?[（(［\[]{_SP}?代[写寫理签簽笔筆]?{_SP}?[）)］\]])", r"{name}\1", "name"),
    (rf"{_NAME}(代为|代為|代写|代寫|代签|代簽|代理|代替)", r"{name}\1", "name"),
    (rf"{_CLAUSE}{_SURNAME}(?:{_SP}?{_NAME_CH}){{1,2}}(等人|等)?(反映|称|稱|诉称|訴稱|投诉|投訴|举报|舉報|来访|來訪|来信|來信)",
     r"\1{name}\2\3", "name"),
    (_ADDRESS, "{address}", "address"),
    # Chinese numerals read out digit by digit: 11 from 一/幺 is a mobile, 15 or 18 an ID,
    # 7 or 8 after a phone word a local number.
    (rf"(^|{_NOT_CN})({_CN}(?:{_SEP}{_CN}){{14}}(?:(?:{_SEP}{_CN}){{2}}{_SEP}[{_CN[1:-1]}Xx])?)({_NOT_CN}|$)",
     r"\1{id_number}\3", "numeral"),
    (rf"(^|{_NOT_CN})([一幺]{_SEP}[三四五六七八九](?:{_SEP}{_CN}){{9}})({_NOT_CN}|$)", r"\1{phone}\3", "numeral"),
]
#: Local numbers without an area code, after a phone word (电话 6512 0012, 座机：6512-0012, 打65120012).
_PHONE_WORD = r"(电话|電話|座机|座機|固话|固話|手机|手機|热线|熱線|号码|號碼|联系方式|聯繫方式|(?i:tel)|致电|致電|拨打|撥打)"
LOCAL_PHONE = (rf"{_PHONE_WORD}((?:{_SP}*[：:]|{_SP}*(?:是|为|為))?{_SP}*)"
               rf"((?:{_D}|{_CN})(?:{_SEP}(?:{_D}|{_CN})){{6,7}})({_NOT_D}|$)")

#: Per kind of pattern (the last element of each :data:`MASK_PATTERNS` entry), the text it
#: needs: names a role word before a colon, a 代 phrase or a name phrase; addresses a house
#: number; Chinese numerals 7 of them in a row.
GROUP_PREFILTERS: dict[str, str] = {
    "name": "|".join([
        rf"{_ROLE}|(?:{_ROLE_COLON}){_SP}*[：:]|代[为為写寫签簽理替）)\]］]|[（(［\[]代",
        rf"{_CLAUSE}{_SURNAME}(?:{_SP}?{_NAME_CH}){{1,2}}(?:等人|等)?(?:反映|称|稱|诉称|訴稱|投诉|投訴|举报|舉報|来访|來訪|来信|來信)",
    ]),
    "address": rf"[0-9０-９一二三四五六七八九十百零〇]{_SP}?[号號栋棟幢室组組]|单元|單元",
    "numeral": rf"{_CN}(?:{_SEP}{_CN}){{6}}",
}
#: Free text that may hold one of the patterns: 7 digits (single separators allowed), an "@"
#: or "at", or what a group of :data:`MASK_PATTERNS` needs (:data:`GROUP_PREFILTERS`).
PREFILTER = "|".join([rf"{_D}(?:{_SEP}{_D}){{6}}", r"[@＠]|(?i:[(（\[［{ ]at[)）\]］} ])", *GROUP_PREFILTERS.values()])
#: Kept for older imports: 7 digits, single separators allowed.
_MAYBE_NUMBER = rf"{_D}(?:{_SEP}{_D}){{6}}"
