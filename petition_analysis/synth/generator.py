"""Synthetic petition registers for the fictional XX City, with planted ground truth.

The generator builds a canonical clean table (``docs/schema.md``) that looks like a real
city's register rather than uniform noise, and a manifest that records every effect it
planted, so that tests can check that the analysis recovers them.

For 2018 and 2019 it reproduces the consistent figures of a city's 2019 work summary
(工作总结) exactly, year to date as of 20 December (:data:`CALIBRATION`). Every other year is drawn from the same
process, so the calibrated years are typical members of the series.

Everything is vectorized with numpy; the only Python loops run over years, groups of
(region, category) and planted petitioners, never over rows. The same arguments always
give the same table.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..ingest import derive
from .. import schema, taxonomy
from ..ingest.privacy import pseudonymize
from .city import CITY, regions

__all__ = [
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "CALIBRATION",
    "CALIBRATION_AS_OF",
    "CAMPAIGN_START",
    "SynthResult",
    "generate",
]

GENERATOR_VERSION = "1.0"
DEFAULT_SEED = 20191220
#: The work summary reports year to date "as of 20 December".
CALIBRATION_AS_OF = (12, 20)
#: The work summary's figures that are consistent with each other.
CALIBRATION: dict[int, dict[str, int]] = {
    2018: {
        "items": 29368,
        "visits_national_items": 150,
        "visits_national_person_times": 249,
        "leapfrog_city_items": 536,
        "leapfrog_city_person_times": 3367,
    },
    2019: {
        "items": 28792,
        "visits_national_items": 80,
        "visits_national_person_times": 159,
        "leapfrog_city_items": 491,
        "leapfrog_city_person_times": 2549,
    },
}
#: The campaign against Beijing and leapfrog visits starts with 2019.
CAMPAIGN_START = dt.date(2019, 1, 1)
#: Old taxonomy labels are used until this year, new ones after it.
TAXONOMY_LAST_OLD_YEAR = 2018

# Seasonality of the total volume by month: the Spring Festival dip in February, the
# Two Sessions (两会) peak in March, the National Day dip in October.
MONTH_FACTORS = {1: 0.90, 2: 0.65, 3: 1.20, 4: 1.05, 5: 1.00, 6: 1.05,
                 7: 1.00, 8: 0.95, 9: 1.00, 10: 0.80, 11: 1.05, 12: 1.10}
# Offices are closed at weekends; letters, calls and online items still arrive.
WEEKDAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.35)
# Year-end wage-arrears (欠薪) peak: extra labour items, relative to labour's base volume.
WAGE_PEAK_MULTIPLIERS = {11: 0.30, 12: 0.90, 1: 0.60}

# Channel shares at the start of 2014 and of 2024, interpolated linearly by date.
CHANNEL_SHARES_START = {"letter": 0.36, "visit": 0.36, "online": 0.14, "phone": 0.14}
CHANNEL_SHARES_END = {"letter": 0.10, "visit": 0.28, "online": 0.48, "phone": 0.14}
_SHIFT_FROM, _SHIFT_TO = 2014.0, 2024.0

# Base category shares, in post-2018 (crosswalked) codes. They do not change over time.
CATEGORY_SHARES = {
    "urban_rural_construction": 0.19,
    "labour_social_security": 0.15,
    "natural_resources": 0.12,
    "civil_affairs_emergency": 0.08,
    "agriculture_rural": 0.07,
    "politics_law": 0.09,
    "health": 0.04,
    "education": 0.04,
    "economic_management": 0.04,
    "transport": 0.03,
    "market_regulation": 0.03,
    "science_technology_it": 0.01,
    "ecology_environment": 0.04,
    "party_government": 0.02,
    "organisation_personnel": 0.01,
    "discipline_inspection": 0.01,
    "other": 0.03,
}
SUBCATEGORY_SHARES = {
    "labour_social_security": {"wage_arrears": 0.30, "social_insurance": 0.35},
    "natural_resources": {"land_acquisition": 0.40},
    "urban_rural_construction": {"housing_demolition": 0.30, "property_disputes": 0.20},
    "civil_affairs_emergency": {"subsistence_allowance": 0.40},
}
HOTSPOT_CATEGORIES = ("urban_rural_construction", "labour_social_security", "natural_resources", "civil_affairs_emergency")

# Expected visits at higher levels per year, year to date as of 12-20, before and after
# the campaign; with the mean persons per visit (person-times ÷ items).
_HIGHER_LEVELS = {
    "national": {"pre": 150, "post": 80, "persons_pre": 249 / 150, "persons_post": 159 / 80, "leapfrog_p": 0.80},
    "leapfrog_city": {"pre": 536, "post": 491, "persons_pre": 3367 / 536, "persons_post": 2549 / 491},
    "province": {"pre": 420, "post": 294, "persons_pre": 2.4, "persons_post": 2.2, "leapfrog_p": 0.55},
}
# Items year to date: the calibrated 2018 level, declining by the calibrated 1.96 % a year.
_ITEMS_2018 = CALIBRATION[2018]["items"]
_ITEMS_DECLINE = CALIBRATION[2019]["items"] / CALIBRATION[2018]["items"]

# The planted regional hotspot: a county × category × quarter with a known excess.
HOTSPOT = {"region": "庚县", "category": "natural_resources", "subcategory": "land_acquisition",
           "year": 2022, "quarter": 3, "excess": 60}
N_ACCUMULATED = 20  # planted 积案 petitioners at scale 1
_ANONYMOUS_P = {"letter": 0.06, "visit": 0.0, "online": 0.12, "phone": 0.35}
REFERENCE_PSEUDONYM_KEY = "xx-city-reference-data"


@dataclass
class SynthResult:
    """A generated canonical table and the manifest of its planted ground truth."""

    data: pd.DataFrame
    manifest: dict = field(default_factory=dict)


def _year_days(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")


def _day_weights(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Base and wage-peak weights per day."""
    month = days.month.to_numpy()
    wday = np.asarray(WEEKDAY_FACTORS)[days.day_of_week.to_numpy()]
    base = np.vectorize(MONTH_FACTORS.get)(month) * wday
    wage = np.array([WAGE_PEAK_MULTIPLIERS.get(m, 0.0) for m in range(13)])[month]
    wage = wage * CATEGORY_SHARES["labour_social_security"] * np.vectorize(MONTH_FACTORS.get)(month) * wday
    return base, wage


def _channel_shares(frac_year: np.ndarray) -> np.ndarray:
    """Channel shares (rows × 4, in schema.CHANNELS order) at fractional years."""
    t = np.clip((frac_year - _SHIFT_FROM) / (_SHIFT_TO - _SHIFT_FROM), 0.0, 1.0)[:, None]
    start = np.array([CHANNEL_SHARES_START[c] for c in schema.CHANNELS])
    end = np.array([CHANNEL_SHARES_END[c] for c in schema.CHANNELS])
    return start + t * (end - start)


def channel_shares_by_year(years: list[int]) -> dict[int, dict[str, float]]:
    """Expected channel shares at the middle of each year (the planted channel shift)."""
    mid = np.array([y + 0.5 for y in years], dtype=float)
    shares = _channel_shares(mid)
    return {y: {c: round(float(s), 4) for c, s in zip(schema.CHANNELS, row)} for y, row in zip(years, shares)}


def _persons(rng: np.random.Generator, n: int, mean: float, r: float = 0.5, cap: int = 200) -> np.ndarray:
    """1 + negative binomial: most visits are by one person, with a long tail of groups."""
    mu = max(mean - 1.0, 1e-9)
    p = r / (r + mu)
    return np.minimum(1 + rng.negative_binomial(r, p, size=n), cap).astype(np.int64)


def _force_sum(rng: np.random.Generator, x: np.ndarray, target: int) -> np.ndarray:
    """Adjust integer draws (each >= 1) so that they sum to ``target`` exactly, adding or
    taking persons in proportion to group size so that the shape of the tail is kept."""
    x = x.copy()
    if len(x) == 0:
        return x
    if target < len(x):
        raise ValueError("cannot have fewer persons than items")
    diff = int(target - x.sum())
    while diff != 0:
        if diff > 0:
            x += rng.multinomial(diff, x / x.sum())
        else:
            room = x - 1
            take = rng.multinomial(-diff, room / room.sum())
            x -= np.minimum(take, room)
        diff = int(target - x.sum())
    return x


def _expected_items(year: int) -> float:
    return _ITEMS_2018 * _ITEMS_DECLINE ** (year - 2018)


def _is_calibrated(year: int, scale: float) -> bool:
    return year in CALIBRATION and scale == 1.0


def _generate_year(rng: np.random.Generator, year: int, scale: float) -> pd.DataFrame:
    days = _year_days(year)
    base_w, wage_w = _day_weights(days)
    weight = base_w + wage_w
    cutoff = pd.Timestamp(year, *CALIBRATION_AS_OF)
    ytd = (days <= cutoff)
    calibrated = _is_calibrated(year, scale)
    tail_ratio = weight[~ytd].sum() / weight[ytd].sum()

    parts = []
    for part, mask in (("ytd", ytd), ("tail", ~ytd)):
        if part == "ytd":
            n = CALIBRATION[year]["items"] if calibrated else rng.poisson(_expected_items(year) * scale)
        else:
            n = rng.poisson(_expected_items(year) * scale * tail_ratio)
        w = weight[mask]
        counts = rng.multinomial(n, w / w.sum())
        day_idx = np.repeat(np.flatnonzero(mask), counts)
        parts.append((part, day_idx))

    frames = []
    for part, day_idx in parts:
        n = len(day_idx)
        dates = days[day_idx]
        is_wage = rng.random(n) < (wage_w / (base_w + wage_w))[day_idx]
        frac_year = year + (dates.day_of_year.to_numpy() - 0.5) / len(days)
        shares = _channel_shares(frac_year)
        u = rng.random(n)[:, None]
        channel = (u > np.cumsum(shares, axis=1)).sum(axis=1)
        channel = np.minimum(channel, len(schema.CHANNELS) - 1)
        frame = pd.DataFrame({"received_date": dates, "channel_code": channel, "is_wage": is_wage})
        frame["part"] = part
        frames.append(_assign_levels(rng, frame, year, part, scale, calibrated, tail_ratio))
    return pd.concat(frames, ignore_index=True)


def _assign_levels(rng, frame, year, part, scale, calibrated, tail_ratio) -> pd.DataFrame:
    """Levels, leapfrog flags and persons. Counts of national visits, leapfrog visits at
    city level and province visits follow the campaign; in calibrated years they are exact."""
    n = len(frame)
    visit = frame["channel_code"].to_numpy() == schema.CHANNELS.index("visit")
    level = np.zeros(n, dtype=np.int8)  # county
    leapfrog = np.zeros(n, dtype=bool)
    persons = np.ones(n, dtype=np.int64)
    period = "post" if dt.date(year, 1, 1) >= CAMPAIGN_START else "pre"
    frac = 1.0 if part == "ytd" else tail_ratio

    visit_idx = rng.permutation(np.flatnonzero(visit))
    counts = {}
    for key, spec in _HIGHER_LEVELS.items():
        if calibrated and part == "ytd" and key != "province":
            cal_key = "visits_national_items" if key == "national" else "leapfrog_city_items"
            counts[key] = CALIBRATION[year][cal_key]
        else:
            counts[key] = rng.poisson(spec[period] * scale * frac)
    start = 0
    chosen = {}
    for key in ("national", "leapfrog_city", "province"):
        k = min(counts[key], len(visit_idx) - start)
        chosen[key] = visit_idx[start : start + k]
        start += k
    rest = visit_idx[start:]

    lv = {name: i for i, name in enumerate(schema.LEVELS)}
    level[chosen["national"]] = lv["national"]
    level[chosen["leapfrog_city"]] = lv["city"]
    level[chosen["province"]] = lv["province"]
    level[rest] = np.where(rng.random(len(rest)) < 0.72, lv["county"], lv["city"])
    leapfrog[chosen["leapfrog_city"]] = True
    leapfrog[chosen["national"]] = rng.random(len(chosen["national"])) < _HIGHER_LEVELS["national"]["leapfrog_p"]
    leapfrog[chosen["province"]] = rng.random(len(chosen["province"])) < _HIGHER_LEVELS["province"]["leapfrog_p"]

    for key, r in (("national", 0.6), ("leapfrog_city", 0.5), ("province", 0.5)):
        idx = chosen[key]
        x = _persons(rng, len(idx), _HIGHER_LEVELS[key][f"persons_{period}"], r=r)
        if calibrated and part == "ytd" and key != "province":
            cal_key = "visits_national_person_times" if key == "national" else "leapfrog_city_person_times"
            x = _force_sum(rng, x, CALIBRATION[year][cal_key])
        persons[idx] = x
    persons[rest] = _persons(rng, len(rest), 1.9, r=0.3)
    letter = frame["channel_code"].to_numpy() == schema.CHANNELS.index("letter")
    joint = letter & (rng.random(n) < 0.03)  # joint letters (联名信)
    persons[joint] = rng.integers(2, 6, size=int(joint.sum()))

    out = frame.copy()
    out["level_code"] = level
    out["is_leapfrog"] = leapfrog
    out["persons"] = persons
    return out


def _assign_region_category(rng, df: pd.DataFrame, region_w: np.ndarray) -> pd.DataFrame:
    n = len(df)
    cats = list(CATEGORY_SHARES)
    p = np.array(list(CATEGORY_SHARES.values()))
    p = p / p.sum()
    df["region_code"] = rng.choice(len(region_w), size=n, p=region_w)
    cat = np.asarray(cats, dtype=object)[rng.choice(len(cats), size=n, p=p)]
    cat[df["is_wage"].to_numpy()] = "labour_social_security"
    df["harmonized"] = cat
    sub = np.full(n, None, dtype=object)
    u = rng.random(n)
    for parent, shares in SUBCATEGORY_SHARES.items():
        in_parent = cat == parent
        lo = 0.0
        for code, share in shares.items():
            sub[in_parent & (u >= lo) & (u < lo + share)] = code
            lo += share
    sub[df["is_wage"].to_numpy()] = "wage_arrears"
    df["subcategory"] = sub
    return df


def _hotspot_rows(rng, scale: float, region_names: list[str]) -> pd.DataFrame:
    """Extra items of the planted hotspot: one county × category × quarter."""
    y, q = HOTSPOT["year"], HOTSPOT["quarter"]
    days = _year_days(y)
    in_q = ((days.month - 1) // 3 + 1) == q
    w = np.asarray(WEEKDAY_FACTORS)[days.day_of_week.to_numpy()] * in_q
    n = int(round(HOTSPOT["excess"] * scale))
    day_idx = rng.choice(len(days), size=n, p=w / w.sum())
    dates = days[day_idx]
    frac_year = y + (dates.day_of_year.to_numpy() - 0.5) / len(days)
    shares = _channel_shares(frac_year)
    channel = np.minimum((rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1), 3)
    visit = channel == schema.CHANNELS.index("visit")
    return pd.DataFrame(
        {
            "received_date": dates,
            "channel_code": channel,
            "is_wage": False,
            "part": "hotspot",
            "level_code": np.where(visit & (rng.random(n) < 0.3), 1, 0).astype(np.int8),
            "is_leapfrog": False,
            "persons": np.where(visit, _persons(rng, n, 3.0, r=0.4), 1),
            "region_code": region_names.index(HOTSPOT["region"]),
            "harmonized": HOTSPOT["category"],
            "subcategory": HOTSPOT["subcategory"],
        }
    )


def _assign_petitioners(rng, df: pd.DataFrame, seed: int) -> tuple[np.ndarray, int]:
    """Petitioner numbers with heavy-tailed activity and a few active years each.

    Each (region, category) has its own pool; within a year an item goes to an active
    petitioner of its pool with probability proportional to a Pareto weight, so that a few
    petitioners account for many repeat items. Anonymous items get -1.
    """
    n = len(df)
    pid = np.full(n, -1, dtype=np.int64)
    anon_p = np.array([_ANONYMOUS_P[c] for c in schema.CHANNELS])[df["channel_code"].to_numpy()]
    identified = rng.random(n) >= anon_p
    years = df["received_date"].dt.year.to_numpy()
    y0, y1 = years.min(), years.max()
    next_id = 0
    keys = df["region_code"].to_numpy().astype(np.int64) * 100 + pd.factorize(df["harmonized"], sort=True)[0]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    for grp in np.split(order, bounds):
        grp = grp[identified[grp]]
        if len(grp) == 0:
            continue
        m = max(1, int(len(grp) * 1.2))
        weight = (rng.pareto(1.8, size=m) + 1.0)
        start = rng.integers(y0 - 1, y1 + 1, size=m)
        span = rng.geometric(0.45, size=m)
        gy = years[grp]
        for year in np.unique(gy):
            active = np.flatnonzero((start <= year) & (start + span > year))
            if len(active) == 0:
                active = np.arange(m)
            rows = grp[gy == year]
            p = weight[active] / weight[active].sum()
            pid[rows] = next_id + active[rng.choice(len(active), size=len(rows), p=p)]
        next_id += m
    return pid, next_id


def _separate_higher_level_visits(df: pd.DataFrame, pid: np.ndarray, next_id: int) -> tuple[np.ndarray, int]:
    """Give an ordinary petitioner at most one province or national visit per calendar year,
    so that only the planted petitioners meet the accumulated-case rule (any 2-year window
    then holds at most 3 such visits). Extra visits go to new one-time petitioners."""
    higher = df["level_code"].to_numpy() >= schema.LEVELS.index("province")
    cand = np.flatnonzero(higher & (pid >= 0))
    frame = pd.DataFrame({"pid": pid[cand], "year": df["received_date"].dt.year.to_numpy()[cand]})
    extra = cand[frame.groupby(["pid", "year"]).cumcount().to_numpy() >= 1]
    pid = pid.copy()
    pid[extra] = next_id + np.arange(len(extra))
    return pid, next_id + len(extra)


def _plant_accumulated_cases(rng, df, pid, next_id, n_planted, region_w):
    """Planted 积案 petitioners: each makes 4–7 province or national visits within 600 days.
    Existing higher-level visits are re-assigned to them, so calibrated counts are unchanged."""
    pid = pid.copy()
    dates = df["received_date"].to_numpy()
    higher = df["level_code"].to_numpy() >= schema.LEVELS.index("province")
    taken = np.zeros(len(df), dtype=bool)
    first, last = df["received_date"].min(), df["received_date"].max()
    span_days = (last - first).days - 600
    planted = []
    for i in range(n_planted):
        k = int(rng.integers(4, 8))
        for _attempt in range(20):
            start = first + pd.Timedelta(days=int(rng.integers(0, max(span_days, 1))))
            end = start + pd.Timedelta(days=600)
            cand = np.flatnonzero(higher & ~taken & (dates >= start.to_datetime64()) & (dates <= end.to_datetime64()))
            if len(cand) >= k:
                break
        else:  # pragma: no cover - only at tiny scales
            continue
        rows = np.sort(rng.choice(cand, size=k, replace=False))
        taken[rows] = True
        new_id = next_id
        next_id += 1
        pid[rows] = new_id
        df.loc[rows, "region_code"] = rng.choice(len(region_w), p=region_w)
        cat = HOTSPOT_CATEGORIES[int(rng.integers(0, len(HOTSPOT_CATEGORIES)))]
        df.loc[rows, "harmonized"] = cat
        df.loc[rows, "subcategory"] = None
        planted.append(new_id)
    return pid, next_id, planted


def _handling(rng, df: pd.DataFrame, extraction: pd.Timestamp) -> pd.DataFrame:
    """Acceptance, conclusion, extension, status and satisfaction. Most items respect the
    legal limits (15 days to accept, 60 to conclude, +30 if extended); some are late."""
    n = len(df)
    received = df["received_date"].to_numpy()
    u = rng.random(n)
    not_accepted = u < 0.05
    late = (u >= 0.05) & (u < 0.12)
    accept_lag = np.minimum(rng.poisson(3.0, size=n), 15)
    accept_lag[late] = rng.integers(16, 46, size=int(late.sum()))
    accepted = received + accept_lag.astype("timedelta64[D]")

    v = rng.random(n)
    extended = (v >= 0.84) & (v < 0.93)
    overdue = v >= 0.93
    duration = np.minimum(1 + rng.negative_binomial(3, 3 / (3 + 24), size=n), 60)
    duration[extended] = rng.integers(61, 91, size=int(extended.sum()))
    duration[overdue] = rng.integers(61, 151, size=int(overdue.sum()))
    extended = extended | (overdue & (rng.random(n) < 0.3))
    concluded = accepted + duration.astype("timedelta64[D]")

    ext = extraction.to_datetime64()
    status = np.full(n, "concluded", dtype=object)
    status[concluded > ext] = "accepted"
    status[accepted > ext] = "registered"
    status[not_accepted] = "not_accepted"
    accepted_out = pd.Series(accepted).where(np.isin(status, ["accepted", "concluded"]))
    concluded_out = pd.Series(concluded).where(status == "concluded")
    extended = extended & (status == "concluded")

    sat = np.full(n, "not_evaluated", dtype=object)
    done = status == "concluded"
    evaluated = done & (rng.random(n) < 0.82)
    w = rng.random(n)
    sat[evaluated & (w < 0.68)] = "satisfied"
    sat[evaluated & (w >= 0.68) & (w < 0.90)] = "basically_satisfied"
    sat[evaluated & (w >= 0.90)] = "dissatisfied"

    df["status"] = status
    df["accepted_date"] = accepted_out.to_numpy()
    df["concluded_date"] = concluded_out.to_numpy()
    df["extended"] = extended
    df["satisfaction"] = sat
    return df


_ISSUES = {
    "urban_rural_construction": ["小区房屋质量问题", "城中村改造问题", "违章建筑查处问题"],
    "housing_demolition": ["房屋征收补偿标准问题", "拆迁安置房迟迟未交付问题"],
    "property_disputes": ["小区物业服务收费问题", "专项维修资金使用问题"],
    "labour_social_security": ["劳动合同纠纷问题", "工伤认定问题"],
    "wage_arrears": ["工程项目拖欠农民工工资问题", "企业拖欠职工工资问题"],
    "social_insurance": ["养老保险待遇核定问题", "社会保险关系转移问题"],
    "natural_resources": ["土地权属争议问题", "宅基地审批问题"],
    "land_acquisition": ["征地补偿款未足额发放问题", "土地征收程序问题"],
    "civil_affairs_emergency": ["困难群众救助问题", "殡葬管理问题"],
    "subsistence_allowance": ["低保资格认定问题", "低保金发放问题"],
    "agriculture_rural": ["土地承包经营权纠纷问题", "惠农补贴发放问题"],
    "politics_law": ["涉法涉诉问题", "治安案件处理问题", "民事判决执行难问题"],
    "health": ["医疗纠纷问题", "医保报销问题"],
    "education": ["学校招生入学问题", "教师待遇问题"],
    "economic_management": ["企业改制遗留问题", "非法集资问题"],
    "transport": ["道路建设占地补偿问题", "出租车营运管理问题"],
    "market_regulation": ["食品安全问题", "消费维权问题"],
    "science_technology_it": ["网络通信服务问题"],
    "ecology_environment": ["企业排污扰民问题", "噪声污染问题"],
    "party_government": ["政务服务效率问题", "村务公开问题"],
    "organisation_personnel": ["干部任用问题", "退休待遇问题"],
    "discipline_inspection": ["基层干部作风问题", "村干部违纪问题"],
    "other": ["其他问题"],
}
_REQUESTS = ["请求协调解决", "要求依法处理", "希望有关部门尽快答复", "请求落实相关政策"]
_WHO = {"letter": "来信人", "visit": "来访人", "online": "网民", "phone": "来电人"}


def _summaries(rng, df: pd.DataFrame, region_names: list[str]) -> np.ndarray:
    """Short complaint summaries (诉求) with personal data already masked, as the cleaner
    would leave them: ``[姓名]``, ``[电话]``, ``[证件号]`` and ``[邮箱]`` mark where a
    name, phone number, ID number or e-mail address stood in the raw register."""
    n = len(df)
    key = df["subcategory"].where(df["subcategory"].notna(), df["harmonized"]).to_numpy()
    issue = np.empty(n, dtype=object)
    pick = rng.random(n)
    for k, options in _ISSUES.items():
        mask = key == k
        if mask.any():
            issue[mask] = np.asarray(options, dtype=object)[(pick[mask] * len(options)).astype(int)]
    channel = np.asarray(schema.CHANNELS, dtype=object)[df["channel_code"].to_numpy()]
    identified = df["pid"].to_numpy() >= 0
    who = np.vectorize(_WHO.get, otypes=[object])(channel)
    named = identified & (rng.random(n) < 0.35)
    who[named] = "[姓名]"
    request = np.asarray(_REQUESTS, dtype=object)[rng.integers(0, len(_REQUESTS), size=n)]
    c = rng.random(n)
    contact = np.full(n, "", dtype=object)
    contact[identified & (c < 0.20)] = "联系电话[电话]。"
    contact[identified & (c >= 0.20) & (c < 0.30)] = "身份证号[证件号]。"
    contact[identified & (c >= 0.30) & (c < 0.36) & (channel == "online")] = "邮箱[邮箱]。"
    region = np.asarray(region_names, dtype=object)[df["region_code"].to_numpy()]
    return who + "反映" + region + issue + "，" + request + "。" + contact


def generate(
    start_year: int = 2014,
    end_year: int = 2023,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
) -> SynthResult:
    """Generate a canonical register for XX City over ``start_year..end_year``.

    ``scale`` multiplies every volume (``scale=30`` gives about 9 million rows over ten
    years). At ``scale=1`` the years 2018 and 2019, when included, reproduce
    :data:`CALIBRATION` exactly, year to date as of 12-20.

    >>> res = generate(2018, 2019)
    >>> d = res.data
    >>> ytd = d[(d.received_date.dt.year == 2019) & (d.received_date <= "2019-12-20")]
    >>> len(ytd)
    28792
    """
    if end_year < start_year:
        raise ValueError(f"end_year ({end_year}) must not be before start_year ({start_year}).")
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}.")
    rng = np.random.default_rng([seed, start_year, end_year, int(round(scale * 1000))])
    city_regions = regions()
    region_names = city_regions["zh"].tolist()
    region_w = city_regions["weight"].to_numpy()
    region_w = region_w / region_w.sum()
    years = list(range(start_year, end_year + 1))

    frames = [_generate_year(rng, y, scale) for y in years]
    df = pd.concat(frames, ignore_index=True)
    df = _assign_region_category(rng, df, region_w)
    if start_year <= HOTSPOT["year"] <= end_year:
        df = pd.concat([df, _hotspot_rows(rng, scale, region_names)], ignore_index=True)
    df = df.sort_values("received_date", kind="stable").reset_index(drop=True)

    pid, next_id = _assign_petitioners(rng, df, seed)
    pid, next_id = _separate_higher_level_visits(df, pid, next_id)
    n_planted = max(3, int(round(N_ACCUMULATED * scale))) if end_year - start_year >= 2 else 0
    pid, next_id, planted = _plant_accumulated_cases(rng, df, pid, next_id, n_planted, region_w)
    df["pid"] = pid

    extraction = pd.Timestamp(end_year, 12, 31)
    df = _handling(rng, df, extraction)
    df["summary"] = _summaries(rng, df, region_names)

    # Codes in use at the time: old labels until 2018, crosswalked labels after.
    to_old = {c: taxonomy._reverse_crosswalk().get(c, c) for c in CATEGORY_SHARES}
    old_code = df["harmonized"].map(to_old)
    df["category"] = old_code.where(df["received_date"].dt.year <= TAXONOMY_LAST_OLD_YEAR, df["harmonized"])

    identity = ("synthetic:%d:" % seed) + pd.Series(pid, index=df.index).astype("str")
    df["petitioner_id"] = pseudonymize(identity.where(pid >= 0), key=REFERENCE_PSEUDONYM_KEY)
    planted_ids = sorted(
        pseudonymize(pd.Series([f"synthetic:{seed}:{i}" for i in planted], dtype="str"), key=REFERENCE_PSEUDONYM_KEY)
    )

    # Case numbers in date order within each year (XF2019000001, ...); same-day order is random.
    df = df.iloc[rng.permutation(len(df))].sort_values("received_date", kind="stable")
    seq = df.groupby(df["received_date"].dt.year).cumcount() + 1
    case_id = "XF" + df["received_date"].dt.year.astype("str") + seq.astype("str").str.zfill(6)

    out = pd.DataFrame(
        {
            "case_id": case_id.to_numpy(),
            "received_date": df["received_date"].to_numpy(),
            "channel": np.asarray(schema.CHANNELS, dtype=object)[df["channel_code"].to_numpy()],
            "persons": df["persons"].to_numpy(),
            "level": np.asarray(schema.LEVELS, dtype=object)[df["level_code"].to_numpy()],
            "region": np.asarray(region_names, dtype=object)[df["region_code"].to_numpy().astype(int)],
            "category": df["category"].to_numpy(),
            "subcategory": df["subcategory"].to_numpy(),
            "is_leapfrog": df["is_leapfrog"].to_numpy(),
            "is_collective": False,
            "is_repeat": False,
            "leader_received": False,
            "petitioner_id": df["petitioner_id"].to_numpy(),
            "status": df["status"].to_numpy(),
            "accepted_date": df["accepted_date"].to_numpy(),
            "concluded_date": df["concluded_date"].to_numpy(),
            "extended": df["extended"].to_numpy(),
            "satisfaction": df["satisfaction"].to_numpy(),
            "summary": df["summary"].to_numpy(),
        }
    )
    channel = out["channel"].to_numpy()
    level = out["level"].to_numpy()
    lead_p = np.where(channel == "visit", np.where(np.isin(level, ["county", "city"]), 0.12, 0.05), 0.02)
    lead_p[level == "national"] = 0.0
    out["leader_received"] = rng.random(len(out)) < lead_p
    out = schema.coerce(out)
    out["region"] = out["region"].astype(pd.CategoricalDtype(region_names))
    out["is_collective"] = derive.flag_collective(out)
    out["is_repeat"] = derive.flag_repeats(out)
    schema.validate(out)

    manifest = _manifest(out, years, seed, scale, planted_ids, region_names, city_regions)
    return SynthResult(out, manifest)


def _manifest(df, years, seed, scale, planted_ids, region_names, city_regions) -> dict:
    hs = HOTSPOT
    in_hotspot_cell = (
        (df["region"] == hs["region"])
        & (taxonomy.crosswalk_series(df["category"].astype("str")) == hs["category"])
        & (df["received_date"].dt.year == hs["year"])
        & (df["received_date"].dt.quarter == hs["quarter"])
    )
    region_share = float(city_regions.set_index("zh").loc[hs["region"], "weight"] / city_regions["weight"].sum())
    days = _year_days(hs["year"])
    base_w, wage_w = _day_weights(days)
    q_share = float((base_w + wage_w)[((days.month - 1) // 3 + 1) == hs["quarter"]].sum() / (base_w + wage_w).sum())
    full_year = _expected_items(hs["year"]) * (1 + (base_w + wage_w)[days > pd.Timestamp(hs["year"], *CALIBRATION_AS_OF)].sum()
                                              / (base_w + wage_w)[days <= pd.Timestamp(hs["year"], *CALIBRATION_AS_OF)].sum())
    cat_share = CATEGORY_SHARES[hs["category"]] / sum(CATEGORY_SHARES.values())
    expected_base = full_year * scale * region_share * cat_share * q_share

    stable = [c for c in CATEGORY_SHARES if c not in ("labour_social_security", hs["category"])]
    campaign = {}
    for key, label in (("national", "visits_national"), ("leapfrog_city", "leapfrog_city_visits"), ("province", "visits_province")):
        spec = _HIGHER_LEVELS[key]
        rr = spec["post"] / spec["pre"]
        campaign[label] = {"expected_items_ytd_pre": spec["pre"] * scale, "expected_items_ytd_post": spec["post"] * scale,
                           "rate_ratio": round(rr, 6), "log_rate_ratio": round(math.log(rr), 6)}
    calibrated = {str(y): CALIBRATION[y] for y in years if _is_calibrated(y, scale)}
    return {
        "generator": "petition_analysis.synth.generate",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "years": [years[0], years[-1]],
        "extraction_date": f"{years[-1]}-12-31",
        "rows": int(len(df)),
        "city": CITY,
        "regions": city_regions.to_dict(orient="records"),
        "calibration": {"as_of": "%02d-%02d" % CALIBRATION_AS_OF, "figures": calibrated,
                        "definitions": {
                            "items": "all rows received from 1 January to the as-of date",
                            "visits_national_items": "channel == visit and level == national",
                            "leapfrog_city_items": "channel == visit and level == city and is_leapfrog",
                            "*_person_times": "sum of persons over the same rows",
                        }},
        "taxonomy": {"old_labels_until": TAXONOMY_LAST_OLD_YEAR, "new_labels_from": TAXONOMY_LAST_OLD_YEAR + 1},
        "planted": {
            "seasonality": {
                "month_factors": {str(m): f for m, f in MONTH_FACTORS.items()},
                "weekday_factors": list(WEEKDAY_FACTORS),
                "applies_to": "every category; labour_social_security also has the wage-arrears peak",
            },
            "channel_shift": {"shares_by_year": {str(y): s for y, s in channel_shares_by_year(years).items()},
                              "from": "letter", "to": "online"},
            "campaign": {"start": CAMPAIGN_START.isoformat(), "slope_change": 0.0, "series": campaign},
            "wage_arrears_peak": {
                "category": "labour_social_security", "subcategory": "wage_arrears",
                "month_multipliers": {str(m): v for m, v in WAGE_PEAK_MULTIPLIERS.items()},
                "meaning": "extra wage-arrears items in these months, as a multiple of labour's base volume",
            },
            "regional_hotspot": {
                "region": hs["region"], "category": hs["category"], "subcategory": hs["subcategory"],
                "year": hs["year"], "quarter": hs["quarter"], "period": f"{hs['year']}Q{hs['quarter']}",
                "expected_without_excess": round(float(expected_base), 2), "excess": int(round(hs["excess"] * scale)),
                "observed": int(in_hotspot_cell.sum()),
            },
            "stable_categories": stable,
            "accumulated_cases": {
                "rule": {"levels": ["province", "national"], "more_than": 3, "window_days": 730},
                "petitioners": planted_ids,
            },
        },
    }
