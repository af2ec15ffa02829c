"""The fictional city of the reference data: XX市 ("XX City") and its 13 counties and
districts, named after the heavenly stems and earthly branches so that nobody mistakes
them for real places. Weights are the regions' shares of items (unequal, like a real city).
"""

from __future__ import annotations

import pandas as pd

CITY = {"zh": "XX市", "en": "XX City", "slug": "xx-city"}

# zh, en, slug, share of items
_REGIONS = [
    ("甲区", "Jia District", "jia-qu", 0.160),
    ("乙区", "Yi District", "yi-qu", 0.130),
    ("丙区", "Bing District", "bing-qu", 0.110),
    ("丁县", "Ding County", "ding-xian", 0.100),
    ("戊县", "Wu County", "wu-xian", 0.090),
    ("己县", "Ji County", "ji-xian", 0.080),
    ("庚县", "Geng County", "geng-xian", 0.070),
    ("辛县", "Xin County", "xin-xian", 0.060),
    ("壬县", "Ren County", "ren-xian", 0.050),
    ("癸县", "Gui County", "gui-xian", 0.050),
    ("子县", "Zi County", "zi-xian", 0.040),
    ("丑县", "Chou County", "chou-xian", 0.035),
    ("寅市", "Yin City (county-level)", "yin-shi", 0.025),
]


def regions() -> pd.DataFrame:
    """The regions of XX City: ``zh``, ``en``, ``slug`` and ``weight`` (share of items)."""
    return pd.DataFrame(_REGIONS, columns=["zh", "en", "slug", "weight"])


def known_region(name: str) -> dict | None:
    """``{"zh", "en", "slug"}`` of an XX City region, else ``None``.

    >>> known_region("寅市")["en"], known_region("鄠邑区")
    ('Yin City (county-level)', None)
    """
    for zh, en, slug, _ in _REGIONS:
        if zh == name:
            return {"zh": zh, "en": en, "slug": slug}
    return None


def region_label(name: str, lang: str = "zh") -> str:
    """A region's name in ``lang``: the English name the report's office file gives it,
    an XX City region's English name, else pinyin with its suffix in English (see
    :func:`petition_analysis.office.region_name`).

    >>> region_label("庚县", "en"), region_label("庚县", "zh"), region_label("鄠邑区", "en")
    ('Geng County', '庚县', 'Huyi District')
    """
    from ..office import region_name

    return region_name(name, lang)
