"""Synthetic message boards (网上留言板) with planted hot issues and known categories.

:func:`make_board` writes what a scraped city message board looks like: 留言编号, 留言用户,
留言主题, 留言时间, 留言详情, 点赞数, 反对数, 答复意见, 答复时间 (and 一级分类 when asked), with

- background messages on every common category, each about its own place (estates, roads,
  schools … with made-up names), worded from templates we wrote;
- **planted hot issues**: many messages, from many users, about one concrete problem at one
  place within a few weeks (a concrete-mixing plant by an estate, car-park spaces forced on
  buyers, …), worded in varied ways, with more likes;
- personal data in some texts (phone numbers, ID numbers) that cleaning must mask.

The ground truth comes with it: each message's category and planted issue (or none), so
tests can check that classification recovers the categories and that :func:`petition_analysis.hot_issues`
puts the planted issues first. Everything is fictional.

>>> b = make_board(n_background=200, seed=1)
>>> list(b.raw.columns)[:5]
['留言编号', '留言用户', '留言主题', '留言时间', '留言详情']
>>> int(b.truth["issue"].notna().sum()) == sum(p.messages for p in b.planted)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import taxonomy

__all__ = ["PlantedIssue", "Board", "make_board", "DEFAULT_PLANTED", "BOARD_EXPORT_COLUMNS", "BOARD_MAPPING_YAML"]

#: Headers of the synthetic board export (一级分类 is added with ``with_category=True``).
BOARD_EXPORT_COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数", "答复意见", "答复时间")
#: The mapping that cleans it (two lines; the category is predicted).
BOARD_MAPPING_YAML = "columns: {留言用户: account}\nconstants: {channel: online, level: city, region: XX市}\n"


@dataclass(frozen=True)
class PlantedIssue:
    """One planted hot issue: a concrete problem at one place, in a window of days."""

    key: str
    category: str  # taxonomy code (pre-2018 label, as boards use)
    place: str
    subjects: tuple[str, ...]
    details: tuple[str, ...]
    messages: int
    start: str  # first day (ISO; its month and day are used in the board's year)
    days: int  # window length
    likes: int  # mean likes per message


DEFAULT_PLANTED = (
    PlantedIssue(
        "mixing_plant", "environmental_protection", "丽景华庭",
        ("{p}旁搅拌站噪音粉尘扰民", "强烈要求关停{p}附近的混凝土搅拌站", "{p}业主投诉搅拌站污染",
         "{p}边上的搅拌站日夜施工", "关于{p}附近搅拌站扬尘问题"),
        ("我们是{p}的业主，小区旁边的混凝土搅拌站每天粉尘很大，晚上还有噪音，严重影响休息。",
         "{p}附近的搅拌站搅拌车进出频繁，扬尘污染严重，孩子老人都不敢开窗。",
         "{p}紧挨着一个混凝土搅拌站，噪音和粉尘已经持续几个月，请环保部门尽快处理。",
         "搅拌站距离{p}不到两百米，深夜还在生产，灰尘落满阳台，希望依法关停。"),
        66, "2019-04-08", 40, 30),
    PlantedIssue(
        "forced_parking", "urban_rural_construction", "金域蓝湾",
        ("{p}开发商捆绑销售车位", "{p}买房被强制购买车位", "投诉{p}售楼处强卖停车位",
         "{p}不买车位就不给交房", "{p}车位捆绑问题"),
        ("在{p}购房时开发商要求必须同时购买车位，否则不予网签，这种捆绑销售是否合法？",
         "{p}售楼处强制捆绑车位，一个车位要十几万，不买就不卖房，请相关部门查处。",
         "我们在{p}买房，被迫签了车位合同，开发商说是公司规定，希望政府主管部门管一管。",
         "{p}交房时开发商以不买车位为由拖延办理手续，业主们非常气愤。"),
        57, "2019-07-01", 50, 25),
    PlantedIssue(
        "bus_route", "transport", "梅溪湖西路",
        ("{p}公交线路撤销后出行困难", "恳请恢复{p}的公交车", "{p}公交班次太少",
         "{p}居民盼望开通公交", "关于{p}公交站点调整的建议"),
        ("{p}原来的公交线路被取消后，附近居民上班上学非常不便，希望恢复线路。",
         "{p}一带只有一趟公交车，班次间隔四十分钟，早高峰根本挤不上。",
         "公交站点从{p}迁走以后，老人要走一公里才能坐车，请交通部门考虑居民需求。"),
        34, "2019-10-10", 30, 12),
)

# Background: (category, subject templates, detail templates, place kind). {p} is a place.
_BACKGROUND = (
    ("urban_rural_construction", ("{p}物业服务差", "{p}电梯经常故障", "{p}小区停水停电", "{p}违章搭建无人管",
                                  "{p}房产证迟迟办不下来"),
     ("{p}物业公司收费不合理，服务不到位，业主多次反映无果。", "{p}的电梯经常困人，物业拖着不修。",
      "{p}经常停水，供水管网老化，希望尽快改造。", "{p}有人在楼顶私自搭建房屋，存在安全隐患。",
      "在{p}购房多年，开发商一直不给办理房产证。"), "estate"),
    ("labour_social_security", ("{p}拖欠工资", "咨询{p}社保缴纳问题", "{p}员工被无故辞退", "退休人员养老金问题",
                                "{p}不签劳动合同"),
     ("我在{p}工作，公司已经拖欠工资三个月，老板一直推脱。", "{p}没有给员工缴纳社保，请问怎么维权？",
      "{p}无故辞退员工，也不支付经济补偿。", "父亲在{p}退休，养老金待遇核定有疑问，请人社部门解答。",
      "{p}用工不签劳动合同，加班也没有加班费。"), "company"),
    ("education_culture_sports", ("{p}乱收费", "{p}学位紧张孩子入学难", "{p}老师有偿补课", "{p}校车安全问题",
                                  "{p}食堂饭菜质量差"),
     ("{p}以各种名义向学生家长收费，希望教育局查处。", "我家孩子户口在片区内，却没有分到{p}的学位。",
      "{p}的老师在校外办补习班，暗示学生参加。", "{p}的接送车辆严重超载，家长非常担心。",
      "{p}食堂饭菜质量很差，价格还贵，学生吃不饱。"), "school"),
    ("commerce_tourism", ("{p}虚假宣传", "{p}办卡后关门跑路", "{p}售卖过期食品", "{p}拒不退款",
                          "{p}价格欺诈"),
     ("{p}在宣传中夸大功效，消费者购买后发现与宣传不符。", "在{p}办了会员卡，现在店铺关门，老板联系不上。",
      "在{p}买到过期食品，商家拒绝赔偿。", "在{p}购物后申请退款，商家一直拖延。",
      "{p}标价和结账价格不一致，涉嫌价格欺诈。"), "shop"),
    ("environmental_protection", ("{p}夜间施工噪音扰民", "{p}排放污水", "{p}油烟扰民", "{p}焚烧垃圾"),
     ("{p}工地每天晚上施工到凌晨，噪音很大。", "{p}的工厂偷偷向河里排放污水，河水发黑发臭。",
      "{p}的餐馆油烟直排，楼上住户无法开窗。", "{p}附近有人焚烧垃圾，烟味刺鼻。"), "estate"),
    ("health_family_planning", ("{p}医院乱收费", "{p}看病难", "二孩生育登记问题", "{p}疫苗接种预约难"),
     ("在{p}住院治疗，医院收费明细不清楚。", "{p}挂号排队时间太长，医生态度也差。",
      "想咨询二孩生育登记需要哪些材料，在{p}办理被告知不行。", "{p}的社区卫生服务中心疫苗接种总是约不上。"),
     "hospital"),
    ("transport", ("{p}出租车拒载", "{p}路口红绿灯时间不合理", "{p}网约车乱停", "{p}驾校退费难"),
     ("在{p}打出租车经常被拒载，司机挑客。", "{p}路口的红绿灯时间太短，行人过不了马路。",
      "{p}附近网约车乱停乱放，堵塞交通。", "在{p}报名学车后想退费，驾校不予退还。"), "road"),
)

_SYLLABLES = list("华盛锦绣翠碧金银丽景阳光山水湖滨东西南北新城香樟桂兰溪河园林枫梅竹松云天星月明瑞祥福泰安康和平春秋")
_SUFFIX = {"estate": ("小区", "花园", "家园", "苑", "公寓"), "company": ("公司", "厂", "集团"),
           "school": ("小学", "中学", "幼儿园"), "shop": ("超市", "商场", "健身房", "美容院"),
           "hospital": ("医院", "卫生院", "诊所"), "road": ("路", "大道", "街")}


@dataclass
class Board:
    """A synthetic board: ``raw`` (the export), ``truth`` (case_id, category, issue) and the
    planted issues."""

    raw: pd.DataFrame
    truth: pd.DataFrame
    planted: tuple[PlantedIssue, ...]
    mapping_yaml: str = BOARD_MAPPING_YAML
    meta: dict = field(default_factory=dict)

    def write_csv(self, path) -> None:
        self.raw.to_csv(path, index=False, encoding="utf-8")


def _places(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    a = rng.choice(_SYLLABLES, size=n)
    b = rng.choice(_SYLLABLES, size=n)
    c = rng.choice(_SYLLABLES, size=n)
    suffix = rng.choice(_SUFFIX[kind], size=n)
    return np.char.add(np.char.add(np.char.add(np.char.add(a.astype(str), b.astype(str)), c.astype(str)), ""), suffix.astype(str))


def _fill(templates: np.ndarray, places: np.ndarray) -> np.ndarray:
    return np.array([t.replace("{p}", p) for t, p in zip(templates, places)], dtype=object)


def make_board(n_background: int = 2000, *, year: int = 2019, seed: int = 0,
               planted: tuple[PlantedIssue, ...] = DEFAULT_PLANTED, with_category: bool = False,
               pii_share: float = 0.05) -> Board:
    """A message board of ``n_background`` ordinary messages plus the ``planted`` hot
    issues, over ``year``. Same arguments, same board."""
    rng = np.random.default_rng([seed, n_background, year])
    start = pd.Timestamp(f"{year}-01-01")
    rows = []
    # background: one category and one made-up place per message
    cats = rng.integers(0, len(_BACKGROUND), size=n_background)
    for ci, (cat, subs, dets, kind) in enumerate(_BACKGROUND):
        idx = np.flatnonzero(cats == ci)
        if not len(idx):
            continue
        places = _places(rng, kind, len(idx))
        t = rng.integers(0, len(subs), size=len(idx))
        rows.append(pd.DataFrame({
            "pos": idx, "category": cat, "issue": None,
            "subject": _fill(np.asarray(subs, dtype=object)[t], places),
            "detail": _fill(np.asarray(dets, dtype=object)[t % len(dets)], places),
            "day": rng.integers(0, 365, size=len(idx)),
            "likes": rng.poisson(1.5, size=len(idx)), "dislikes": rng.poisson(0.3, size=len(idx)),
            "user": rng.integers(0, max(n_background * 2, 10), size=len(idx)),
        }))
    offset = n_background
    for k, p in enumerate(planted):
        n = p.messages
        s = rng.integers(0, len(p.subjects), size=n)
        d = rng.integers(0, len(p.details), size=n)
        first = (pd.Timestamp(p.start).replace(year=year) - start).days  # the same day in the board's year
        place = np.full(n, p.place, dtype=object)
        rows.append(pd.DataFrame({
            "pos": offset + np.arange(n), "category": p.category, "issue": p.key,
            "subject": _fill(np.asarray(p.subjects, dtype=object)[s], place),
            "detail": _fill(np.asarray(p.details, dtype=object)[d], place),
            "day": first + np.sort(rng.integers(0, p.days, size=n)),
            "likes": rng.poisson(p.likes, size=n), "dislikes": rng.poisson(1.0, size=n),
            # most users write once, a few write again
            "user": 10_000_000 * (k + 1) + rng.integers(0, max(int(n * 0.8), 1), size=n),
        }))
        offset += n
    df = pd.concat(rows, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df = df.sort_values(["day"], kind="stable").reset_index(drop=True)
    n = len(df)
    when = start + pd.to_timedelta(df["day"], unit="D") + pd.to_timedelta(rng.integers(0, 86400, size=n), unit="s")
    # personal data in a few texts, which cleaning must mask
    pii = rng.random(n) < pii_share
    phones = pd.Series(rng.integers(13_000_000_000, 13_999_999_999, size=n).astype(str))
    detail = df["detail"].where(~pii, df["detail"] + "联系电话" + phones)
    replied = rng.random(n) < 0.7
    reply_days = rng.integers(1, 30, size=n)
    reply_date = (when.dt.normalize() + pd.to_timedelta(reply_days, unit="D")).dt.strftime("%Y-%m-%d")
    cid = pd.Series(np.arange(n) + 1).map(lambda i: f"LY{year}{i:06d}")
    raw = pd.DataFrame({
        "留言编号": cid,
        "留言用户": "A" + pd.Series(df["user"].astype("int64")).map(lambda u: f"{u:09d}"),
        "留言主题": df["subject"],
        "留言时间": when.dt.strftime("%Y/%m/%d %H:%M:%S"),
        "留言详情": detail,
        "点赞数": df["likes"].astype(int),
        "反对数": df["dislikes"].astype(int),
        "答复意见": pd.Series(np.where(replied, "您好！您反映的问题已转交相关部门调查处理，感谢您的监督。", ""), dtype=object),
        "答复时间": reply_date.where(replied, ""),
    })
    if with_category:
        raw["一级分类"] = df["category"].map(taxonomy.labels("zh")).to_numpy()
    truth = pd.DataFrame({"case_id": cid, "category": df["category"].to_numpy(), "issue": df["issue"].to_numpy()})
    return Board(raw=raw, truth=truth, planted=tuple(planted), meta={"seed": seed, "year": year})
