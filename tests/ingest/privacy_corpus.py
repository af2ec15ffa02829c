"""Written forms of personal data, each with its category, for the masking tests.

Each form is a :class:`Form`: the category (phone, id_number, email, name, address), the
text as someone would type it into a register's free-text column, the secrets that must
not survive masking, and the row's own petitioner name where the form is about it. The
surrounding sentence holds no digits, so a digit window of a secret found in the output
is a leak and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from petition_analysis.ingest.privacy import _T2S

CONTEXT = "来访人反映拆迁补偿问题，{}，请求尽快处理。"
CN_DIGITS = str.maketrans("〇零一二三四五六七八九幺两", "0012345678912")


@dataclass(frozen=True)
class Form:
    category: str
    form: str
    text: str
    secrets: tuple[str, ...]
    own_name: str | None = None


def fold(text: str) -> str:
    """What a leak check compares: NFKC, simplified characters, Chinese numerals as
    digits, no spaces or separators."""
    text = unicodedata.normalize("NFKC", text).translate(_T2S).translate(CN_DIGITS).lower()
    return re.sub(r"[\s\u3000\-–—.·()（）]+", "", text)


def leaks(form: Form, output: str) -> list[str]:
    """The secrets of ``form`` still readable in ``output`` (digit secrets: any window of
    6 digits for ID numbers, 7 for phone numbers)."""
    out = fold(output)
    digits = re.sub(r"\D", "", out)
    found = []
    for secret in form.secrets:
        s = fold(secret)
        if s.isdigit() or (s[:-1].isdigit() and s[-1] == "x"):
            w = 6 if form.category == "id_number" else 7
            s = re.sub(r"\D", "", s)
            if any(s[i:i + w] in digits for i in range(len(s) - w + 1)):
                found.append(secret)
        elif s in out:
            found.append(secret)
    return found


def _forms() -> list[Form]:
    F: list[Form] = []

    def add(category, form, written, secrets, own=None, context=True):
        F.append(Form(category, form, CONTEXT.format(written) if context else written, tuple(secrets), own))

    mob = "13912345678"
    phone = {
        "plain": "13912345678", "spaces 3-4-4": "139 1234 5678", "hyphens": "139-1234-5678",
        "dots": "139.1234.5678", "ideographic spaces": "139\u30001234\u30005678", "en dashes": "139–1234–5678",
        "em dashes": "139—1234—5678", "+86 spaced": "+86 139 1234 5678", "+86 joined": "+8613912345678",
        "0086": "0086 13912345678", "0086 hyphens": "0086-139-1234-5678", "(+86)": "(+86) 139-1234-5678",
        "+86 hyphens": "+86-139-1234-5678", "86- prefix": "86-13912345678", "full-width": "１３９１２３４５６７８",
        "full-width grouped": "１３９－１２３４－５６７８", "3-8": "139 12345678", "7-4": "1391234 5678",
        "middle dots": "139·1234·5678", "spaced hyphens": "139 - 1234 - 5678", "full-width +86": "＋８６ １３９ １２３４ ５６７８",
        "double spaces": "139  1234  5678", "nbsp": "139\xa01234\xa05678", "4-4-3": "1391 2345 678",
        "full-width dots": "139．1234．5678", "slashless 3-3-5": "139 123 45678",
    }
    for name, w in phone.items():
        add("phone", f"mobile, {name}", "电话" + w if name in ("plain",) else w, [mob])
    add("phone", "mobile, Chinese numerals", "手机一三九一二三四五六七八", [mob])
    add("phone", "mobile, Chinese numerals with 幺", "手机幺三九幺二三四五六七八", ["13912345678".replace("1", "1")])
    add("phone", "mobile, Chinese numerals spaced", "一三九 一二三四 五六七八", [mob])
    add("phone", "mobile, Chinese numerals with 零", "一八零零一二三四五六七", ["18001234567"])
    land = {
        "area-local": "010-65120012", "(010) 6512 0012": "(010) 6512 0012", "full-width brackets": "（010）65120012",
        "spaced": "010 6512 0012", "full-width hyphens": "010－6512－0012", "+86 10": "+86 10 6512 0012",
        "+86-10-": "+86-10-65120012", "0086 10": "0086 10 65120012", "(+86 10)": "(+86 10) 6512-0012",
        "4-digit area": "0731-2345678", "4-digit area spaced": "0731 234 5678", "(0731)": "(0731)2345678",
        "full-width 4-digit area": "０７３１－２３４５６７８", "+86(10)": "+86(10)6512-0012", "en dash": "010–6512–0012",
    }
    for name, w in land.items():
        add("phone", f"landline, {name}", w, ["65120012" if "2345678" not in fold(w) else "2345678"])
    local = {
        "电话": "电话65120012", "电话：grouped": "电话：6512 0012", "座机 hyphen": "座机6512-0012",
        "联系电话为": "联系电话为 65120012", "拨打": "拨打 6512 0012", "tel:": "tel: 6512.0012",
        "Chinese numerals": "电话六五一二〇〇一二", "固话是": "固话是65120012", "7 digits": "座机号码：2345678",
        "電話 traditional": "電話：65120012",
    }
    for name, w in local.items():
        add("phone", f"local number, {name}", w, ["2345678" if "2345678" in fold(w) else "65120012"])

    idn = "110105194912310021"
    ids = {
        "plain": "110105194912310021", "X": "11010519491231002X", "x": "11010519491231002x",
        "6-4-4-4": "110105 1949 1231 0021", "6-6-6": "110105 194912 310021", "6-8-4": "110105 19491231 0021",
        "6-8-4 hyphens": "110105-19491231-0021", "6-8-4 dots": "110105.19491231.0021",
        "full-width": "１１０１０５１９４９１２３１００２１", "full-width X": "１１０１０５１９４９１２３１００２Ｘ",
        "ideographic spaces": "110105\u300019491231\u30000021", "3-3-4-4-4": "110 105 1949 1231 0021",
        "4-4-4-4-2": "1101 0519 4912 3100 21", "6-6-6 hyphens": "110105-194912-310021",
        "en dashes": "110105–19491231–0021", "em dashes": "110105—19491231—0021", "spaced hyphens": "110105 - 19491231 - 0021",
        "mixed widths": "１１０１０５ 19491231 0021", "身份证号：": "身份证号：110105194912310021",
        "证件号 X grouped": "证件号110105 19491231 002X", "middle dots": "110105·19491231·0021",
        "Chinese numerals": "身份证一一〇一〇五一九四九一二三一〇〇二一",
    }
    for name, w in ids.items():
        add("id_number", f"18 digits, {name}", w, [idn])
    for name, w in {"15 digits": "110105491231002", "15 digits 6-6-3": "110105 491231 002",
                    "15 digits hyphens": "110105-491231-002"}.items():
        add("id_number", name, w, ["110105491231002"])

    emails = {
        "plain": ("zhangsan@example.com", "zhangsan"), ".com.cn": ("zhang.san@example.com.cn", "zhang.san"),
        "upper case": ("ZHANG_SAN@EXAMPLE.COM", "zhang_san"), "spaced full-width @": ("zhangsan ＠ example.com", "zhangsan"),
        "full-width @ and dot": ("zhangsan＠example．com", "zhangsan"),
        "full-width all": ("ｚｈａｎｇｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhangsan"), "(at)": ("zhangsan(at)example.com", "zhangsan"),
        "[at]": ("zhangsan[at]example.com", "zhangsan"), " at ": ("zhangsan at example.com", "zhangsan"),
        " AT  dot ": ("zhangsan AT example dot com", "zhangsan"), "[at] [dot]": ("zhangsan [at] example [dot] com", "zhangsan"),
        "（at）": ("zhangsan（at）example.com", "zhangsan"), "spaces around @": ("zhangsan @ example.com", "zhangsan"),
        "space after @": ("zhangsan@ example.com", "zhangsan"), "space before @": ("zhangsan @example.com", "zhangsan"),
        "IDN 例子.中国": ("zhangsan@例子.中国", "zhangsan"), "IDN 例子.公司": ("zhangsan@例子.公司", "zhangsan"),
        "IDN bücher.de": ("zhangsan@bücher.de", "zhangsan"), "punycode": ("zhangsan@xn--fsqu00a.xn--fiqs8s", "zhangsan"),
        "plus tag": ("zhang-san+petition@mail.example.org", "zhang-san+petition"), "163": ("wangjianguo@163.com", "wangjianguo"),
        "digits local": ("12345678@qq.com", "12345678"), "full-width dot only": ("zhangsan@example．com", "zhangsan"),
        "ideographic full stop": ("zhangsan@example。com", "zhangsan"), "[at] full-width brackets": ("zhangsan［at］example.com", "zhangsan"),
    }
    for name, (w, secret) in emails.items():
        add("email", name, "邮箱" + w, [secret])

    own = {
        "own name": ("王建国反映问题", "王建国"), "own name, space inside": ("王 建国反映问题", "王建国"),
        "own name, ideographic space": ("王\u3000建国反映问题", "王建国"), "own name, spaces between all": ("王 建 国反映问题", "王建国"),
        "own name, text traditional": ("王建國反映问题", "王建国"), "own name, column traditional": ("王建国反映问题", "王建國"),
        "own name traditional, 赵丽华": ("趙麗華来访", "赵丽华"), "own name 代 annotation": ("赵丽华（代）提交材料", "赵丽华"),
        "own name column with 代": ("赵丽华提交材料", "赵丽华（代）"), "own name column with space": ("王建国反映问题", "王 建国"),
        "own name mid-sentence": ("请转告王建国本人", "王建国"), "own name two-character": ("李娜反映问题", "李娜"),
    }
    for name, (w, own_name) in own.items():
        plain = re.sub(r"\s|（代）", "", own_name).translate(_T2S)
        add("name", name, w, [plain], own=own_name)
    others = {
        "联系人：X": ("联系人：李明华", "李明华"), "联系人X": ("联系人李明华", "李明华"), "联系人: X spaced": ("联系人: 李 明华", "李明华"),
        "聯繫人 traditional": ("聯繫人：李明華", "李明华"), "代理人：X": ("代理人：周杰伦", "周杰伦"), "委托人X": ("委托人张伟强", "张伟强"),
        "监护人：X": ("监护人：刘洋洋", "刘洋洋"), "X代为反映": ("张伟强代为反映", "张伟强"), "由X代写": ("由张伟强代写", "张伟强"),
        "X代签": ("张伟强代签", "张伟强"), "X（代）": ("张伟强（代）", "张伟强"), "X(代)": ("张伟强(代)", "张伟强"),
        "X（代写）": ("张伟强（代写）", "张伟强"), "其妻X反映": ("其妻刘芳芳反映", "刘芳芳"), "X反映 at start": ("刘芳芳反映问题", "刘芳芳"),
        "X等人反映": ("刘芳芳等人反映", "刘芳芳"), "，X称": ("，刘芳芳称", "刘芳芳"), "申请人：X": ("申请人：刘芳芳", "刘芳芳"),
        "举报人：X": ("举报人：陈刚强", "陈刚强"), "姓名：X": ("姓名：陈刚强", "陈刚强"), "X来访": ("陈刚强来访", "陈刚强"),
        "邻居X反映": ("邻居孙丽丽反映", "孙丽丽"), "收件人：X": ("收件人：孙丽丽", "孙丽丽"), "联系人是X": ("联系人是孙丽丽", "孙丽丽"),
        "X反映 two characters": ("，孙丽反映", "孙丽"), "X 投诉": ("黄海涛投诉", "黄海涛"), "X举报": ("黄海涛举报", "黄海涛"),
        "X反映 traditional": ("劉芳芳反映", "刘芳芳"), "X代为 traditional": ("張偉強代為反映", "张伟强"),
        "委託人 traditional": ("委託人：張偉強", "张伟强"), "当事人：X": ("当事人：黄海涛", "黄海涛"),
        "联系人 X spaced": ("联系人 王 磊明", "王磊明"),
    }
    for name, (w, secret) in others.items():
        add("name", f"other person, {name}", w, [secret])

    addresses = {
        "city district road number building room": ("XX市甲区人民路500号3栋201室", ["人民路500", "201室"]),
        "district road number": ("甲区人民路500号", ["人民路500"]), "road number only": ("人民路500号", ["人民路500"]),
        "estate building room": ("XX市甲区幸福小区3栋201室", ["幸福小区3", "201室"]),
        "province city district road": ("XX省XX市甲区人民路500号", ["人民路500"]),
        "street 院 楼 单元": ("甲区新华街12号院2号楼3单元401室", ["新华街12", "401室"]),
        "大道": ("甲区光明大道88号", ["光明大道88"]), "路 1号": ("乙区解放路1号", ["解放路1号"]),
        "county town road": ("丙县城关镇建设路15号", ["建设路15"]), "village group": ("丁县王家村3组", ["王家村3组"]),
        "with a name's home": ("XX市甲区人民路500号王磊明家", ["人民路500", "王磊明"]),
        "住址：": ("住址：甲区人民路500号", ["人民路500"]), "road number building room": ("人民路500号3栋201室", ["人民路500", "201室"]),
        "full-width digits": ("甲区人民路５００号３栋２０１室", ["人民路500", "201室"]),
        "Chinese numerals": ("甲区人民路五百号", ["人民路五百号"]),
        "estate 号楼 单元 室": ("幸福小区3号楼2单元501室", ["幸福小区3", "501室"]), "巷": ("甲区建设巷7号", ["建设巷7"]),
        "弄": ("甲区中山北路100弄5号", ["中山北路100"]), "traditional": ("XX市甲區人民路500號3棟201室", ["人民路500", "201室"]),
        "spaced number": ("甲区人民路 500 号", ["人民路500"]), "街道 社区": ("甲区新华街道光明社区12栋3单元", ["光明社区12"]),
        "幢": ("戊县建设路8号2幢301室", ["建设路8", "301室"]), "town 镇 village 村 号": ("庚县城关镇李家村25号", ["李家村25"]),
        "大街 with 号院": ("XX市甲区长安大街1号院", ["长安大街1号"]), "胡同": ("甲区东四胡同3号", ["东四胡同3"]),
        "县 路 号 户": ("辛县人民路9号2户", ["人民路9号"]),
    }
    for name, (w, secrets) in addresses.items():
        add("address", name, w, secrets)
    return F


FORMS: list[Form] = _forms()
CATEGORIES = ("phone", "id_number", "email", "name", "address")
