"""The office a report is written for: the city's name in Chinese and English, the English
names and file-name slugs of its counties and districts (区县), and its default language.

Reports on the bundled data are about the fictional XX市 ("XX City"). An office that runs
them on its own register names its city with ``--city 西安市``, or gives an office file
(``--office office.yaml``)::

    # office.yaml: every key is optional
    name:                      # the city (or county, province) the reports are about
      zh: 西安市
      en: Xi'an City           # default: pinyin with City / County / District (Xi'an City)
    slug: xian                 # in file names; default: pinyin (xian-shi)
    lang: en                   # the default report language (zh when not given)
    regions:                   # English names (and slugs) of regions (问题属地) in the data
      鄠邑区: Huyi District     # a name only
      长安区: {en: Chang'an District, slug: changan}

A region the office file does not name gets its English name from pinyin with its
administrative suffix translated (区 District, 县 County, 市 City, 旗 Banner, 镇 Town …),
and its slug from pinyin (鄠邑区 → ``huyi-qu``):

>>> english_name("鄠邑区"), slugify("鄠邑区"), slugify("海淀区"), english_name("西安市")
('Huyi District', 'huyi-qu', 'haidian-qu', "Xi'an City")
>>> english_name("鄂温克族自治旗"), slugify("North District")
('Ewenkezu Autonomous Banner', 'north-district')

Two regions whose slugs coincide (城区 and 成区 are both ``cheng-qu``) are told apart in a
fixed order, so that their reports never overwrite each other:

>>> unique_slugs(["成区", "城区", "海淀区"])
{'城区': 'cheng-qu', '成区': 'cheng-qu-2', '海淀区': 'haidian-qu'}

A report sets its office with :func:`use` when its parameters are checked; functions that
label regions (tables, plots, the figure registry) read it through :func:`region_name`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

__all__ = ["Office", "OfficeFileError", "load_office", "make_office", "english_name", "slugify", "unique_slugs",
           "region_name", "use", "active", "OFFICE_KEYS", "REGION_KEYS", "ADMIN_SUFFIXES", "GENERIC_REGIONS"]

#: Keys of an office file.
OFFICE_KEYS = ("name", "slug", "lang", "regions")
#: Keys of one region's entry in ``regions:`` (or a plain English name).
REGION_KEYS = ("en", "slug")
_NAME_KEYS = ("zh", "en")
LANGS = ("zh", "en")

#: Administrative suffixes (行政区划通名) and their English words, longest first.
ADMIN_SUFFIXES = (
    ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"), ("自治州", "Autonomous Prefecture"),
    ("自治区", "Autonomous Region"), ("特别行政区", "Special Administrative Region"),
    ("高新区", "High-tech Zone"), ("开发区", "Development Zone"), ("经开区", "Economic Development Zone"),
    ("新区", "New Area"), ("林区", "Forestry District"), ("矿区", "Mining District"), ("特区", "Special District"),
    ("街道", "Subdistrict"), ("地区", "Prefecture"), ("区", "District"), ("县", "County"), ("市", "City"),
    ("旗", "Banner"), ("镇", "Town"), ("乡", "Township"), ("盟", "League"), ("州", "Prefecture"),
    ("省", "Province"),
)
#: Region labels that are not place names, in English (a register's catch-all rows).
GENERIC_REGIONS = {"其他区域": "Other regions", "其他": "Other", "其它": "Other", "市本级": "City level",
                   "市直": "City departments", "未知": "Unknown", "不详": "Unknown", "全市": "Whole city"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_SLUG = 60


class OfficeFileError(ValueError):
    """The office file or ``--city`` is wrong; the message says what and how to fix it."""


# --------------------------------------------------------------------------- names from pinyin


def _syllables(text: str) -> list[str]:
    """Toneless pinyin syllables of ``text``; other characters are kept as they are."""
    from pypinyin import lazy_pinyin

    return [s for s in lazy_pinyin(text) if s]


def _split_suffix(name: str) -> tuple[str, str, str]:
    """(base, suffix, English word) of a place name; the suffix is '' when there is none
    or when the name is nothing but the suffix."""
    for zh, en in ADMIN_SUFFIXES:
        if name.endswith(zh) and len(name) > len(zh):
            return name[: -len(zh)], zh, en
    return name, "", ""


def _ascii_slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def _pinyin_word(text: str) -> str:
    """One word of pinyin: 西安 → "Xi'an", 鄠邑 → "Huyi", XX → "XX" (non-Chinese text is kept)."""
    if not _HAN.search(text):
        return text.strip()
    out = ""
    for syl in _syllables(text):
        if _HAN.search(syl):  # a character pypinyin does not know: leave it out of English text
            continue
        # An apostrophe marks a syllable boundary before a, o, e (Xi'an, not Xian).
        if out and out[-1].isalpha() and syl[:1] in ("a", "o", "e") and syl.isalpha():
            out += "'"
        out += syl
    return out[:1].upper() + out[1:]


def english_name(name: str) -> str:
    """The default English name of a place: pinyin of its name, with its administrative
    suffix in English. A name without Chinese characters is returned as it is.

    >>> english_name("长安区"), english_name("庚县"), english_name("甪直镇"), english_name("North District")
    ("Chang'an District", 'Geng County', 'Luzhi Town', 'North District')
    >>> english_name("韩城市"), english_name("其他区域")
    ('Hancheng City', 'Other regions')
    """
    name = str(name).strip()
    if not _HAN.search(name):
        return name
    if name in GENERIC_REGIONS:
        return GENERIC_REGIONS[name]
    base, _, word = _split_suffix(name)
    head = _pinyin_word(base)
    if not head:  # no character could be read: a stable placeholder rather than Chinese text
        head = "Region " + hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return f"{head} {word}".strip()


def slugify(text: str) -> str:
    """A file-name-safe slug: pinyin for Chinese names (base and suffix joined by a hyphen,
    鄠邑区 → ``huyi-qu``), lower-case ASCII for other names, else a short stable hash.

    >>> slugify("庚县"), slugify("寅市"), slugify("XX市"), slugify("第1区"), slugify("★")[:7]
    ('geng-xian', 'yin-shi', 'xx-shi', 'di1-qu', 'region-')
    """
    text = str(text).strip()
    if _HAN.search(text):
        base, suffix, _ = _split_suffix(text)
        parts = ["".join(_ascii_slug(s) for s in _syllables(base)), "".join(_ascii_slug(s) for s in _syllables(suffix))]
        slug = "-".join(p for p in parts if p)
    else:
        slug = _ascii_slug(text)
    slug = slug[:_MAX_SLUG].strip("-")
    return slug or "region-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def unique_slugs(names, *, fixed: dict | None = None, reserved=()) -> dict[str, str]:
    """A slug for each of ``names``, all different: ``fixed`` slugs (an office file's) are
    kept, the others come from :func:`slugify`; when two coincide, or one equals a
    ``reserved`` slug (the city's), the names are taken in code-point order and the later
    ones get ``-2``, ``-3`` … The result depends only on the set of names."""
    fixed = dict(fixed or {})
    taken = set(reserved) | {fixed[n] for n in names if n in fixed}
    out = {n: fixed[n] for n in sorted(set(names)) if n in fixed}
    for name in sorted(set(names) - set(out)):
        base = slugify(name)
        slug, i = base, 1
        while slug in taken:
            i += 1
            slug = f"{base}-{i}"
        taken.add(slug)
        out[name] = slug
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- the office


@dataclass(frozen=True)
class Office:
    """The city a report is about and how its places are named.

    ``zh`` and ``en`` name the city (``None`` when nobody named it: reports then say 全市 /
    "the city"); ``slug`` goes into file names; ``lang`` is the default report language;
    ``regions`` maps a region's Chinese name to its ``(English name, slug or None)``.
    """

    zh: str | None = None
    en: str | None = None
    slug: str = "city"
    lang: str | None = None
    regions: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    #: the office file it was read from, if any
    source: str | None = None

    @property
    def named(self) -> bool:
        return self.zh is not None

    def label(self, lang: str = "zh") -> str:
        """The city's name in ``lang``.

        >>> Office().label("zh"), Office().label("en"), make_office(city="西安市").label("en")
        ('全市', 'the city', "Xi'an City")
        """
        if not self.named:
            return "全市" if lang == "zh" else "the city"
        return self.zh if lang == "zh" else (self.en or english_name(self.zh))

    def region_label(self, name: str, lang: str = "zh") -> str:
        """A region's name in ``lang``: the office file's English name, the English name of
        an XX City region, else :func:`english_name`."""
        name = str(name)
        if lang == "zh":
            return name
        if name in self.regions:
            return self.regions[name][0]
        from .synth.city import known_region

        known = known_region(name)
        return known["en"] if known else english_name(name)

    def region_slug(self, name: str, among=()) -> str:
        """A region's slug, unique among the regions ``among`` (the data's) and the city's slug."""
        names = set(map(str, among)) | {str(name)}
        return unique_slugs(names, fixed=self.fixed_slugs(names), reserved={self.slug})[str(name)]

    def fixed_slugs(self, names) -> dict[str, str]:
        """Slugs that do not come from pinyin: the office file's, and XX City's own."""
        from .synth.city import known_region

        out = {}
        for n in names:
            if n in self.regions and self.regions[n][1]:
                out[n] = self.regions[n][1]
            elif known_region(n):
                out[n] = known_region(n)["slug"]
        return out

    def to_json(self) -> dict:
        """The city as a report's JSON gives it."""
        return {"zh": self.label("zh"), "en": self.label("en"), "slug": self.slug, "named": self.named}


def _reference_office() -> Office:
    from .synth.city import CITY

    return Office(zh=CITY["zh"], en=CITY["en"], slug=CITY["slug"])


def _did_you_mean(name, choices) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_keys(given: dict, allowed, where: str, path: str) -> None:
    unknown = [k for k in given if k not in allowed]
    if unknown:
        which = "; ".join(f"{k!r}{_did_you_mean(k, allowed)}" for k in unknown)
        raise OfficeFileError(f"office file {path}: {where} has an unknown key {which}. Allowed: "
                              f"{', '.join(allowed)}; see `petition-analysis report --help`.")


def _text(value, what: str, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OfficeFileError(f"office file {path}: {what} must be a name in quotes or plain text, not {value!r}.")
    text = value.strip()
    if len(text) > 100 or any(unicodedata.category(ch).startswith("C") for ch in text):
        raise OfficeFileError(f"office file {path}: {what} must be a short name on one line (at most 100 "
                              "characters, no control characters).")
    return text


def _english(value, what: str, path: str) -> str:
    text = _text(value, what, path)
    if _HAN.search(text):
        raise OfficeFileError(f"office file {path}: {what} is {text!r}, which has Chinese characters; give the "
                              "English name (English reports print it), e.g. Huyi District.")
    return text


def _slug(value, what: str, path: str) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _SLUG.fullmatch(text) or len(text) > _MAX_SLUG:
        raise OfficeFileError(f"office file {path}: {what} must be lower-case letters, digits and single hyphens "
                              f"(it goes into file names), e.g. huyi-qu, not {value!r}.")
    return text


def _city_name(name: str, what: str) -> str:
    text = str(name).strip()
    if not text or len(text) > 100 or any(unicodedata.category(ch).startswith("C") for ch in text):
        raise OfficeFileError(f"{what} must be the city's name on one line, e.g. 西安市, not {name!r}.")
    return text


def load_office(path: str | Path) -> Office:
    """Read and check an office file (YAML, see the module docstring). Raises
    :class:`OfficeFileError` naming the problem and the fix, with a suggestion for a
    misspelled key.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "office.yaml"
    >>> _ = p.write_text("name: {zh: 西安市}\\nregions:\\n  鄠邑区: Huyi District\\n", encoding="utf-8")
    >>> o = load_office(p)
    >>> o.label("en"), o.slug, o.region_label("鄠邑区", "en"), o.region_label("长安区", "en")
    ("Xi'an City", 'xian-shi', 'Huyi District', "Chang'an District")
    >>> _ = p.write_text("nmae: 西安市\\n", encoding="utf-8")
    >>> load_office(p)
    Traceback (most recent call last):
    ...
    petition_analysis.office.OfficeFileError: office file ...: the file has an unknown key 'nmae' (did you mean 'name'?). Allowed: name, slug, lang, regions; see `petition-analysis report --help`.
    """
    import yaml

    from .errors import MappingError
    from .ingest.headers import read_mapping_text

    p = str(path)
    try:
        raw = yaml.safe_load(read_mapping_text(Path(path), "office file"))
    except MappingError as err:
        raise OfficeFileError(str(err)) from None
    except (yaml.YAMLError, RecursionError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise OfficeFileError(f"office file {p} is not valid YAML ({first}); see `petition-analysis report --help` "
                              "for an example.") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise OfficeFileError(f"office file {p} must be a set of keys ({', '.join(OFFICE_KEYS)}), e.g. "
                              "`name: {zh: 西安市}`, not a list or a single value.")
    _check_keys(raw, OFFICE_KEYS, "the file", p)

    zh = en = None
    name = raw.get("name")
    if isinstance(name, dict):
        _check_keys(name, _NAME_KEYS, "name:", p)
        zh = _text(name["zh"], "name.zh", p) if name.get("zh") is not None else None
        en = _english(name["en"], "name.en", p) if name.get("en") is not None else None
        if en is not None and zh is None:
            raise OfficeFileError(f"office file {p}: name has an English name but no Chinese one; add "
                                  "`zh:` (e.g. name: {zh: 西安市, en: Xi'an City}).")
    elif name is not None:
        zh = _text(name, "name", p)
    lang = raw.get("lang")
    if lang is not None and lang not in LANGS:
        raise OfficeFileError(f"office file {p}: lang must be zh or en, not {lang!r}{_did_you_mean(lang, LANGS)}.")
    slug = _slug(raw["slug"], "slug", p) if raw.get("slug") is not None else None
    if slug is not None and zh is None:
        raise OfficeFileError(f"office file {p}: slug is given but the city has no name; add `name: {{zh: …}}`.")

    regions = {}
    given = raw.get("regions") or {}
    if not isinstance(given, dict):
        raise OfficeFileError(f"office file {p}: regions must map each Chinese region name to its English name, "
                              "e.g. `regions: {鄠邑区: Huyi District}`.")
    for key, value in given.items():
        zh_name = _text(key, "a region name under regions:", p)
        where = f"regions.{zh_name}"
        if isinstance(value, dict):
            _check_keys(value, REGION_KEYS, f"{where}:", p)
            r_en = _english(value["en"], f"{where}.en", p) if value.get("en") is not None else english_name(zh_name)
            r_slug = _slug(value["slug"], f"{where}.slug", p) if value.get("slug") is not None else None
        else:
            r_en, r_slug = _english(value, where, p), None
        regions[zh_name] = (r_en, r_slug)
    slugs = [s for _, s in regions.values() if s]
    dupes = sorted({s for s in slugs if slugs.count(s) > 1} | ({slug} & set(slugs) if slug else set()))
    if dupes:
        raise OfficeFileError(f"office file {p}: the slug {dupes[0]!r} is given twice; every region (and the city) "
                              "needs its own slug, because reports are named by it.")
    office = Office(zh=zh, en=en, slug=slug or (slugify(zh) if zh else "city"), lang=lang,
                    regions=MappingProxyType(regions), source=p)
    return office


def make_office(city: str | None = None, office: str | Path | Office | None = None, data=None) -> Office:
    """The office of a report: the office file (if any), with ``city`` (``--city``) as the
    city's Chinese name. Without either, the data decide: the bundled data (every region
    one of XX City's) are XX市, other data an unnamed city (全市 / "the city").

    >>> make_office().label("zh"), make_office(city="西安市").slug
    ('XX市', 'xian-shi')
    """
    base = office if isinstance(office, Office) else (load_office(office) if office is not None else None)
    if city is not None:
        city = _city_name(city, "--city")
        if base is None:
            base = Office()
        if city != base.zh:  # another city than the file names: its English name and slug from pinyin
            base = replace(base, zh=city, en=None, slug=slugify(city))
        return base
    if base is not None and base.named:
        return base
    if data is None or _all_reference_regions(data):
        ref = _reference_office()
        return replace(ref, lang=base.lang, regions=base.regions, source=base.source) if base is not None else ref
    return base or Office()


def _all_reference_regions(df) -> bool:
    from .synth.city import regions as city_regions

    if not len(df):
        names = set()
    elif str(df["region"].dtype) == "category":  # the labels in use, without a string per row
        region = df["region"]
        names = set(map(str, region.cat.remove_unused_categories().cat.categories))
        names |= {"nan"} if region.isna().any() else set()  # as astype("str") writes a missing one
    else:
        names = set(df["region"].astype("str").unique())
    return names <= set(city_regions()["zh"]) | {"其他区域", "其他"}  # and the catch-all label of cleaning


# --------------------------------------------------------------------------- the office in force

_ACTIVE: Office | None = None


def use(office: Office | None) -> Office | None:
    """Make ``office`` the one whose names :func:`region_name` gives (``None``: the
    defaults); returns the previous one. A report sets its office when its parameters are
    checked; one report runs per kernel, so one office is in force at a time."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, office
    return previous


def active() -> Office:
    """The office in force (the defaults when none was set)."""
    return _ACTIVE if _ACTIVE is not None else Office()


def region_name(name: str, lang: str = "zh", office: Office | None = None) -> str:
    """A region's name in ``lang`` as ``office`` (default: the one in force) names it.

    >>> region_name("庚县", "en"), region_name("鄠邑区", "en"), region_name("鄠邑区", "zh")
    ('Geng County', 'Huyi District', '鄠邑区')
    """
    return (office or active()).region_label(name, lang)
