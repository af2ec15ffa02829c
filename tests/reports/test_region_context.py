"""A county report's context table (the county against the whole city, its share of the
city's items and its rank) in the public edition: every count it is worked out from is a
cell of the disclosure audit, hidden counts print as ``<k`` / ``x``, the ranks are left out
when they would order hidden counts, and the differencing attacker learns nothing from it."""

from __future__ import annotations

import pytest

from petition_analysis.publish import reports
from petition_analysis.publish.disclosure import COMPLEMENTARY, protect
from petition_analysis.publish.reports import sections
from petition_analysis.publish.reports.cells import report_cells
from petition_analysis.publish.reports.summary import protect_figure

from .attacker import Attacker

K = 5
REGION, OTHER, YEAR = "寅市", "丁县", 2021


def _public(lang: str = "en"):
    return reports.prepare("annual", year=YEAR, region=REGION, lang=lang, public=True)


@pytest.fixture(scope="module")
def county_public():
    return _public()


def _rows(t) -> list[list[str]]:
    """The table as the HTML prints it: a header, then its rows."""
    return [[str(c) for c in t.columns]] + t.astype("str").to_numpy().tolist()


def _attacker(ctx, t) -> Attacker:
    prot = sections.disclosure(ctx)
    figures = {fid: protect_figure(fid, f, prot) for fid, f in sections.summary_figures(ctx).items()}
    region = {"name": ctx.region, "label": ctx.region_label}
    a = Attacker()
    a.read_report("r", {"figures": figures})
    a.read_context("r", _rows(t), ctx.office.to_json(), region)
    return a


def test_public_county_report_shows_the_city_share_and_rank(county_public):
    ctx = county_public
    t = sections.regions(ctx)
    prot = sections.disclosure(ctx)
    fam = sections.city_registry(ctx).family("regions")
    # every count the table is worked out from is a cell of the audit
    assert {"city:items:current", "city:items:previous"} <= set(prot.keys)
    assert all(f"fig:{fid}:{part}" in prot.keys for fid in fam.index for part in ("current", "previous"))
    # counted here from the rows, not from the registry
    d = ctx.data
    year = d["received_date"].dt.year
    region = d["region"].astype("str")
    per_region = region[year == YEAR].value_counts()
    city, own = int((year == YEAR).sum()), int(per_region[REGION])
    assert prot.values["city:items:current"] == city
    assert prot.values["city:items:previous"] == int((year == YEAR - 1).sum())
    assert prot.values[f"fig:region_{OTHER}:current"] == int(per_region[OTHER])
    assert t["current"].tolist() == [f"{own:,}", f"{city:,}"]
    assert t.loc[0, "share of city"] == f"{100 * own / city:.1f}%"
    rank = int((per_region > own).sum()) + 1
    assert t.loc[0, "rank in city"] == f"{rank} of {len(per_region)}"
    assert f"ranking {rank} of {len(per_region)}" in t.attrs["caption"]


def test_the_context_gives_the_attacker_no_hidden_count(county_public):
    t = sections.regions(county_public)
    a = _attacker(county_public, t)
    ranges = a.ranges()
    assert "r|city|current" not in ranges  # the city's total was read from the table
    assert ranges, "the attacker found hidden counts to attack"
    for name, (lo, hi) in ranges.items():
        assert hi is None or hi - lo >= K - 2, f"{name} narrowed to [{lo}, {hi}]"


@pytest.mark.slow  # a second protection of the whole report (about a minute)
def test_a_hidden_region_count_takes_the_ranks_out():
    ctx = _public("zh")
    # a series decided to hide another region's count: the city's total would then give it
    # back, so disclosure control hides more, and no rank may order the hidden counts
    ctx.cache[("disclosure",)] = protect(report_cells(ctx), K, hide={f"fig:region_{OTHER}:current": COMPLEMENTARY})
    prot = sections.disclosure(ctx)
    assert prot.ok and prot.hidden(f"fig:region_{OTHER}:current")
    t = sections.regions(ctx)
    assert (t["全市排名"] == "").all() and (t["上年同期排名"] == "").all()
    assert "不列排名" in t.attrs["caption"]
    # the city's total stays shown; to keep the other region's count hidden, the county's own
    # current count is hidden with it, and nothing derived from it is printed
    d = ctx.data
    city = int((d["received_date"].dt.year == YEAR).sum())
    assert not prot.hidden("city:items:current") and t.loc[1, "本期"] == f"{city:,}"
    own = f"fig:region_{REGION}:current"
    assert prot.hidden(own) and t.loc[0, "本期"] == prot.display(own) in ("x", f"<{K}")
    for col in ("占全市", "增减", "增减率", "率比（置信区间）", "判断"):  # each would give it back
        assert t.loc[0, col] == "", col
    assert t.loc[0, "上年同期"] == prot.display(f"fig:region_{REGION}:previous") != ""
    a = _attacker(ctx, t)
    for name, (lo, hi) in a.ranges().items():
        assert hi is None or hi - lo >= K - 2, f"{name} narrowed to [{lo}, {hi}]"
