"""Every count a public report prints, as rows of the register (for disclosure control).

:func:`report_cells` lists the counts of one report, each with the rows it sums, in a
:class:`~petition_analysis.publish.disclosure.CellTable`; the report sections then print
each count as :func:`~petition_analysis.publish.disclosure.protect` decided. Keys:

- ``fig:<figure id>:current`` / ``:previous``: a registry figure's two counts;
- ``rate:<rate>:numerator`` / ``denominator`` / ``censored``: the three rates;
- ``cell:<YYYYQn>:<region>:<category>``: the heatmap and the emerging-hotspot cells;
- ``month:<YYYY-MM>``: the public monthly chart (the compared periods only);
- ``catyear:<category>:<year>`` and ``year:<year>``: the multi-year hotspot tables (a
  share published next to a count gives the year's total away, so totals are cells too);
- ``city:items:current`` / ``:previous`` and the city registry's ``fig:region_<name>:current``
  / ``:previous``: a county's report, the whole city's items and every region's, which its
  context table reads (the county against the city, its share and rank);
- ``board:…``: a message board's section (messages, predicted rows, replies, each listed
  hot issue's messages and users; see :func:`~petition_analysis.publish.reports.hot_issues_section.board_cells`);
- ``accumulated:petitioners`` and ``accumulated:new``: numbers of accumulated-case
  petitioners, linked to no row sum. (Their visits in the period are not printed in the
  public edition: a few people's rows in every table would force most of them hidden.)

A test checks that each cell's value equals the number the report prints for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import periods as _periods
from ...analysis import petitioners
from ...analysis.compare import series_mask
from ...analysis.hotspots import harmonized
from ...analysis.rates import RATE_LABELS, rate_rows
from ..disclosure import CellTable
from .params import ReportContext

__all__ = ["universe", "report_cells", "PUBLIC_TREND_NOTE"]

PUBLIC_TREND_NOTE = {"zh": "公开版只显示对比两期的月度件次。", "en": "The public edition shows the months of the two compared periods only."}


def universe(data: pd.DataFrame) -> pd.DataFrame:
    """The rows every cell of a report (or a series of reports on the same data) is a
    subset of: the harmonized register with a positional index."""
    u = harmonized(data).reset_index(drop=True)
    return u


def _eq(col: pd.Series, value) -> np.ndarray:
    from ...analysis.compare import equals

    return equals(col, value).to_numpy(bool)


def _in(u: pd.DataFrame, start, end) -> np.ndarray:
    d = u["received_date"]
    return ((d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))).to_numpy()


def report_cells(ctx: ReportContext, u: pd.DataFrame | None = None, table: CellTable | None = None,
                 prefix: str = "") -> CellTable:
    """The cells of one report (``ctx``) over the universe ``u`` (default: ``universe(ctx.data)``),
    added to ``table`` when given (a series shares one table; ``prefix`` keeps its reports'
    keys apart, while cells with the same rows are still one cell)."""
    from . import sections

    u = universe(ctx.data) if u is None else u
    table = CellTable(u) if table is None else table
    if prefix:
        table = _Prefixed(table, prefix)
    reg = sections.registry(ctx)
    region = _eq(u["region"], ctx.region) if ctx.region is not None else np.ones(len(u), bool)
    as_of = ctx.as_of
    upto = (u["received_date"] <= pd.Timestamp(as_of)).to_numpy() if as_of is not None else np.ones(len(u), bool)
    masks: dict = {}

    def spec_mask(spec) -> np.ndarray:
        key = (spec.series, spec.filters, spec.family == "regions")
        if key not in masks:
            m = series_mask(u, spec.series).to_numpy(bool) if spec.series else np.ones(len(u), bool)
            for col, value in spec.filters:
                m = m & _eq(u[col], value)
            if spec.family != "regions":
                m = m & region
            masks[key] = m & upto
        return masks[key]

    p1 = reg.period
    for fid, row in reg.figures.iterrows():
        if row["kind"] == "rate" or fid not in reg.specs:
            continue
        spec = reg.specs[fid]
        m = spec_mask(spec)
        p0 = p1.comparison(spec.against)
        table.add(f"fig:{fid}:current", m & _in(u, p1.start, p1.end), spec.measure)
        table.add(f"fig:{fid}:previous", m & _in(u, p0.start, p0.end), spec.measure)

    if ctx.kind != "hotspots" and (reg.figures["kind"] == "rate").any():
        sub = u.loc[region & upto]
        parts = rate_rows(sub, p1, as_of=reg.extraction_date)
        for name in RATE_LABELS:
            for part, suffix in (("numerator", "n"), ("denominator", "d"), ("censored", "c")):
                m = np.zeros(len(u), bool)
                m[parts.index[parts[f"{name}_{suffix}"].to_numpy() == 1]] = True
                table.add(f"rate:{name}:{part}", m)

    _heatmap_cells(ctx, u, table, sections)
    _emerging_cells(ctx, u, table, sections)
    if ctx.kind == "hotspots":
        _hotspot_cells(ctx, u, table, region)
    else:
        _month_cells(ctx, u, table, region & upto, p1.comparison("yoy").start, p1.end)
        _accumulated_cells(ctx, u, table, region, p1)
        if ctx.region is not None:
            _city_cells(ctx, u, table, sections, upto)
    from .hot_issues_section import board_cells

    board_cells(ctx, u, table, region)  # the message-board section's counts (nothing for a register)
    return table.table if isinstance(table, _Prefixed) else table


class _Prefixed:
    """A view of a :class:`CellTable` that prefixes every key it adds."""

    def __init__(self, table: CellTable, prefix: str):
        self.table, self.prefix = table, prefix

    def add(self, key, mask, measure="items"):
        self.table.add(self.prefix + key, mask, measure)

    def add_count(self, key, value):
        self.table.add_count(self.prefix + key, value)


def quarter_mask(u: pd.DataFrame, quarter: str) -> np.ndarray:
    q = _periods.parse(quarter)
    return _in(u, q.start, q.end)


def _heatmap_cells(ctx, u, table, sections) -> None:
    quarter = sections.heatmap_quarter(ctx)
    counts = sections.heatmap_counts(ctx, quarter)  # the registry's cells, as the heatmap draws them
    inq = quarter_mask(u, quarter)
    for r in counts.index:
        rm = inq & _eq(u["region"], r)
        for c in counts.columns:
            table.add(f"cell:{quarter}:{r}:{c}", rm & _eq(u["category"], c))


def _emerging_cells(ctx, u, table, sections) -> None:
    flags = sections._emerging_flags(ctx)
    flags = flags[flags["flag"]]
    if ctx.region is not None:
        flags = flags[flags["region"] == ctx.region]
    for _, f in flags.iterrows():
        m = quarter_mask(u, f["period"]) & _eq(u["region"], f["region"]) & _eq(u["category"], f["category"])
        table.add(f"cell:{f['period']}:{f['region']}:{f['category']}", m)


def _month_cells(ctx, u, table, base, start, end) -> None:
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    ym = u["received_date"].dt.to_period("M")
    for mth in months:
        table.add(f"month:{mth}", base & (ym == mth).to_numpy())


def _city_cells(ctx, u, table, sections, upto) -> None:
    """A county's report: the whole city's items and each region's, current and previous (the
    context table prints the city's, and the share and ranks are worked out from them)."""
    city = sections.city_registry(ctx)
    p1 = city.period
    for fid in ["items", *city.family("regions").index]:
        spec = city.specs[fid]
        m = series_mask(u, spec.series).to_numpy(bool) if spec.series else np.ones(len(u), bool)
        for col, value in spec.filters:
            m = m & _eq(u[col], value)
        m = m & upto
        p0 = p1.comparison(spec.against)
        key = "city:items" if fid == "items" else f"fig:{fid}"  # the county's own "items" is fig:items
        table.add(f"{key}:current", m & _in(u, p1.start, p1.end), spec.measure)
        table.add(f"{key}:previous", m & _in(u, p0.start, p0.end), spec.measure)


def _accumulated_cells(ctx, u, table, region, p) -> None:
    sel = u.loc[region & (u["received_date"] <= p.end).to_numpy()]
    acc = petitioners.accumulated_cases(sel)
    new = acc["window_end"].between(p.start, p.end)
    # Their visits in the period cut across every table (a few people's rows in every
    # category, month and region): the public edition does not print them.
    table.add_count("accumulated:petitioners", len(acc))
    table.add_count("accumulated:new", int(new.sum()))


def _hotspot_cells(ctx, u, table, region) -> None:
    from . import sections

    # every count the category × year tables and the JSON print: the registry's rows
    cy = sections.registry(ctx).category_years
    years = u["received_date"].dt.year.to_numpy()
    cats = u["category"].astype("str").to_numpy()
    for y in sorted(int(v) for v in cy["year"].unique()):
        ym = region & (years == y)
        table.add(f"year:{y}", ym)
        shown = cy.loc[(cy["year"] == y) & (cy["items"] > 0), "category"]
        for c in shown:
            table.add(f"catyear:{c}:{y}", ym & (cats == c))
