"""The hotspot report reads every number from its figure registry: the category × year
table, the share scan, the ranking's share test, the JSON and the heatmap show one value and
one verdict per cell (one multiple-testing family for the share scan)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from petition_analysis.analysis.hotspots import harmonized
from petition_analysis.publish import reports
from petition_analysis.publish.reports import sections

FLAG_TEXT = {"up": "share up", "down": "share down", "none": "no significant change"}


@pytest.fixture(scope="module")
def shifted(reference_df) -> pd.DataFrame:
    """The reference register with a planted share shift: in 2020 and in 2023 every third
    labour complaint is recorded as a natural-resources complaint."""
    df = reference_df.copy()
    year = df["received_date"].dt.year
    labour = ((df["category"].astype("str") == "labour_social_security") & year.isin([2020, 2023])).to_numpy()
    df.loc[df.index[labour][::3], "category"] = "natural_resources"
    return df


@pytest.fixture(scope="module")
def hot(shifted):
    return reports.prepare("hotspots", start_year=2016, end_year=2023, lang="en", frame=shifted)


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def test_the_scan_is_one_family_over_every_category_and_year(hot):
    cy = sections.registry(hot).category_years
    tested = cy[cy["flag"] != "not_tested"]
    assert set(tested["year"]) == set(range(2017, 2024))  # every year after the first
    assert (cy.loc[cy["year"] == 2016, "flag"] == "not_tested").all()
    # the raw p-values: the χ² adjusted residual of each year against the year before
    for y in (2020, 2023):
        t = cy.pivot(index="category", columns="year", values="items")[[y - 1, y]]
        t = t[t.sum(axis=1) > 0].to_numpy(float)
        n, rows, cols = t.sum(), t.sum(axis=1, keepdims=True), t.sum(axis=0, keepdims=True)
        e = rows * cols / n
        z = (t - e) / np.sqrt(e * (1 - rows / n) * (1 - cols / n))
        got = tested.loc[tested["year"] == y].sort_values("category")["p_value_raw"].to_numpy()
        np.testing.assert_allclose(got, 2 * sps.norm.sf(np.abs(z[:, 1])), rtol=1e-9)
    # adjusted together: one Benjamini–Hochberg family over every tested cell of every year
    bh = multipletests(tested["p_value_raw"].to_numpy(), method="fdr_bh")[1]
    np.testing.assert_allclose(tested["p_value"].to_numpy(), bh, rtol=1e-12)
    assert cy.attrs["tests"] == len(tested)
    flagged = tested[tested["flag"] != "none"]
    assert {2020, 2023} <= set(flagged["year"])  # the planted shifts, the last year among them
    assert (flagged["p_value"] < 0.05).all() and (tested.loc[tested["flag"] == "none", "p_value"] >= 0.05).all()
    assert (np.sign(flagged["share_change_pp"]) == np.where(flagged["flag"] == "up", 1, -1)).all()


def test_tables_registry_and_json_agree_on_every_category_and_year(hot, shifted):
    reg = sections.registry(hot)
    cy = reg.category_years
    # the counts are the register's rows (independently counted)
    h = harmonized(shifted)
    h = h[h["received_date"].dt.year.between(2016, 2023)]
    raw = h.groupby([h["category"].astype("str"), h["received_date"].dt.year]).size()
    assert set(cy["category"]) == set(raw.index.get_level_values(0)) and set(cy["year"]) == set(range(2016, 2024))
    assert all(r.items == raw.get((r.category, r.year), 0) for r in cy.itertuples(index=False))

    years = sections.category_years(hot).set_index("category")
    scan = sections.share_scan(hot)
    ranking = sections.categories(hot).set_index("label")
    rows = {(r["category"], r["year"]): r for r in sections.category_years_json(hot)}
    figures = sections.summary_figures(hot)
    assert len(rows) == len(cy)
    for r in cy.itertuples(index=False):
        label = r.label_en
        assert years.loc[label, str(r.year)] == f"{r.items:,}"
        j = rows[(r.category, r.year)]
        assert (j["items"], j["share"], j["flag"]) == (r.items, round(r.share, 6), r.flag)
        assert j["p_value"] == (None if pd.isna(r.p_value) else round(r.p_value, 6))
        if r.year == 2023:  # the last year: the ranking and its figure read the same row
            assert years.loc[label, "share 2023"] == _pct(r.share)
            fig = reg[f"category_{r.category}"]
            assert (fig["current"], fig["share_current"], fig["share_p_value"], fig["share_flag"]) == (
                r.items, r.share, r.p_value, r.flag)
            f = figures[f"category_{r.category}"]
            assert (f["current"], f["share_p_value"], f["share_flag"]) == (r.items, round(r.p_value, 6), r.flag)
            assert ranking.loc[label, "current"] == f"{r.items:,}" and ranking.loc[label, "share"] == _pct(r.share)
            assert ranking.loc[label, "share test"] == FLAG_TEXT[r.flag]
    # the scan table lists exactly the flagged rows, with the registry's numbers
    flagged = cy[cy["flag"].isin(["up", "down"])].sort_values(["year", "category"])
    assert scan["year"].tolist() == flagged["year"].tolist() and scan["category"].tolist() == flagged["label_en"].tolist()
    assert scan["share"].tolist() == [_pct(v) for v in flagged["share"]]
    assert scan["p (adjusted)"].tolist() == [sections._p(v) for v in flagged["p_value"]]
    assert scan["direction"].tolist() == flagged["flag"].tolist()
    assert sections.scan_note(hot, scan).startswith(f"{cy.attrs['tests']:,} category × year cells were tested; "
                                                    f"{len(flagged)} changed")


def test_the_heatmap_draws_the_registry_cells(hot, shifted):
    reg = sections.registry(hot)
    quarter = sections.heatmap_quarter(hot)
    counts = sections.heatmap_counts(hot, quarter)
    # the registry's cells are the register's rows of that quarter
    q = pd.Period(quarter, freq="Q")
    h = harmonized(shifted)
    h = h[h["received_date"].dt.to_period("Q") == q]
    raw = h.groupby([h["region"].astype("str"), h["category"].astype("str")]).size()
    assert all(counts.loc[r, c] == raw.get((r, c), 0) for r in counts.index for c in counts.columns)
    # the emerging-hotspot table tested the same counts
    em = reg.emerging[reg.emerging["period"] == quarter].set_index(["region", "category"])["observed"]
    assert len(em) and all(em[(r, c)] == counts.loc[r, c] for r in counts.index for c in counts.columns)
    fig = sections.plot(hot, "heatmap")
    drawn = [t.get_text() for t in fig.axes[0].texts]
    assert drawn == [str(v) for v in counts.to_numpy().ravel()]
    outlined = {(r, c) for r, c in zip(fig.hotspots["region"], fig.hotspots["category"])}
    assert outlined and outlined == set(reg.emerging.loc[reg.emerging["flag"] & (reg.emerging["period"] == quarter),
                                                        ["region", "category"]].itertuples(index=False, name=None))


def test_a_county_heatmap_draws_its_own_row_of_the_registry():
    ctx = reports.prepare("annual", year=2022, region="庚县", lang="en")
    quarter = sections.heatmap_quarter(ctx)
    own = sections.heatmap_counts(ctx, quarter, own=True)
    cells = sections.registry(ctx).quarter_cells
    cells = cells[(cells["region"] == "庚县") & (cells["year"] == 2022) & (cells["quarter"] == int(quarter[-1]))]
    assert own.index.tolist() == ["庚县"] and own.shape[1] == 10
    assert own.loc["庚县"].tolist() == cells.set_index("category").loc[own.columns, "count"].tolist()
    assert own.loc["庚县"].tolist() == sorted(cells["count"], reverse=True)[:10]  # its ten largest categories
    drawn = [t.get_text() for t in sections.plot(ctx, "heatmap").axes[0].texts]
    assert drawn == [str(v) for v in own.to_numpy().ravel()]


def test_public_hotspot_report_prints_only_audited_counts():
    ctx = reports.prepare("hotspots", start_year=2016, end_year=2023, region="寅市", lang="en", public=True)
    prot = sections.disclosure(ctx)
    assert prot.ok
    from petition_analysis.publish.reports.cells import report_cells

    table = report_cells(ctx)
    cy = sections.registry(ctx).category_years
    for r in cy[cy["items"] > 0].itertuples(index=False):  # every count printed is a decided cell
        assert table.value(f"catyear:{r.category}:{r.year}") == r.items
    hidden = {(c, y) for c, y in zip(cy["category"], cy["year"]) if prot.hidden(f"catyear:{c}:{y}")
              if f"catyear:{c}:{y}" in prot.status}
    assert hidden, "the county has small category counts to hide"
    rows = sections.category_years_json(ctx)
    for j in rows:
        if (j["category"], j["year"]) in hidden or (j["category"], j["year"] - 1) in hidden:
            assert all(j[k] is None for k in ("share", "share_previous", "share_change_pp", "p_value", "flag"))
            if (j["category"], j["year"]) in hidden:
                assert isinstance(j["items"], str)
    scan = sections.share_scan(ctx)
    labels = dict(zip(cy["label_en"], cy["category"]))
    for y, label in zip(scan["year"], scan["category"]):
        assert (labels[label], y) not in hidden and (labels[label], y - 1) not in hidden
    assert "not listed" in sections.scan_note(ctx, scan)
    quarter = sections.heatmap_quarter(ctx)
    counts = sections.heatmap_counts(ctx, quarter)
    assert all(table.value(f"cell:{quarter}:{r}:{c}") == counts.loc[r, c] for r in counts.index for c in counts.columns)


def test_the_quality_appendix_has_one_source_for_each_number(reference_df):
    ctx = reports.prepare("annual", year=2019, as_of="2019-12-20", lang="en")
    q = sections.quality(ctx).set_index("")["value"]
    rows = sections.provenance(ctx).set_index("item")["value"]["rows"]
    clean, after = int(q["clean rows"].replace(",", "")), ctx.quality["rows_after_as_of"]
    assert clean == ctx.quality["rows_clean"] and after > 0
    assert q["clean rows received after the as-of date (left out)"] == f"{after:,}"
    assert clean - after == int(rows.replace(",", "")) == len(ctx.data)
    # a table given to the report has no cleaning record: no "clean rows" made up from its length
    given = reports.prepare("annual", year=2019, lang="en", frame=reference_df)
    t = sections.quality(given)
    assert "clean rows" not in set(t[""]) and "already cleaned" in t.iloc[0, 0]


@pytest.mark.slow
def test_a_public_hotspot_report_survives_the_attack_and_its_json_hides_what_it_must(tmp_path):
    import re

    from .attacker import Attacker, load

    res = reports.run("hotspots", tmp_path, public=True, lang="en", start_year=2016, end_year=2023, region="寅市")
    summary = load(res.json)
    assert summary["disclosure"]["audit_passed"]
    attacker = Attacker()
    # the JSON's figures, and its category × year rows with what links them: a year's total is
    # the sum of its categories, and the last two years are the category figures' counts
    # (the HTML tables print the same numbers; the attacker's label matching reads tables
    # whose second and third columns are the current and previous counts, which these are not)
    attacker.read_report("r", summary)
    rows = summary["category_years"]
    for r in rows:
        attacker.observe(f"r|cy|{r['category']}|{r['year']}", r["items"])
        attacker.observe(f"r|year|{r['year']}", r["year_items"])
        if r["year"] in (2022, 2023):
            attacker.link(f"r|category_{r['category']}|{'current' if r['year'] == 2023 else 'previous'}",
                          [f"r|cy|{r['category']}|{r['year']}"])
    for y in {r["year"] for r in rows}:
        attacker.link(f"r|year|{y}", [f"r|cy|{r['category']}|{y}" for r in rows if r["year"] == y])
    attacker.link("r|items|current", ["r|year|2023"])  # the categories' sums, published as year totals
    attacker.link("r|items|previous", ["r|year|2022"])
    hidden_vars = {f"r|cy|{r['category']}|{r['year']}" for r in rows if isinstance(r["items"], str)} | {
        f"r|{fid}|{part}" for fid, f in summary["figures"].items() for part in ("current", "previous")
        if isinstance(f[part], str)}
    ranges = {name: rng for name, rng in attacker.ranges().items() if name in hidden_vars}
    assert len(ranges) == len(hidden_vars) > 0
    assert all(hi is None or hi - lo >= 3 for lo, hi in ranges.values()), ranges
    hidden = {(r["category"], r["year"]) for r in rows if isinstance(r["items"], str)}
    assert hidden and not [r for r in rows if isinstance(r["items"], int) and 0 < r["items"] < 5]
    for r in rows:
        if (r["category"], r["year"]) in hidden or (r["category"], r["year"] - 1) in hidden:
            assert r["share"] is None and r["p_value"] is None and r["flag"] is None
    for fid, f in summary["figures"].items():  # a hidden category figure carries no share test either
        if isinstance(f["current"], str) or isinstance(f["previous"], str):
            assert f["share_p_value"] is None and f["share_flag"] is None and f["share_current"] is None
    html = res.html.read_text(encoding="utf-8")
    assert not [c for c in re.findall(r"<td[^>]*>([^<]*)</td>", html) if re.fullmatch(r"\s*[1-4]\s*", c)]
