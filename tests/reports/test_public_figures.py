"""Public mode reaches the figures too: no count from 1 to k−1 is drawn."""

from __future__ import annotations

import re

import pytest

from petition_analysis.publish import plots, reports
from petition_analysis.publish.reports import sections


@pytest.fixture(scope="module")
def public_ctx():
    return reports.prepare("quarterly", year=2021, quarter=2, region="寅市", lang="en", public=True)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_report_heatmap_hides_small_counts(public_ctx):
    texts = _texts(sections.plot(public_ctx, "heatmap"))
    assert texts, "the heatmap writes its counts"
    assert not [t for t in texts if re.fullmatch(r"[1-4]", t)]


def test_heatmap_suppression_of_the_small_categories(reference_df):
    # all 17 categories: the small ones have cells of 1 to 4 items in a quarter
    shown = _texts(plots.hotspot_heatmap(reference_df, "2021Q2", lang="en", top=17))
    assert [t for t in shown if re.fullmatch(r"[1-4]", t)]
    public = _texts(plots.hotspot_heatmap(reference_df, "2021Q2", lang="en", top=17, suppress_below=5))
    assert not [t for t in public if re.fullmatch(r"[1-4]", t)]
    assert public.count("<5") == len([t for t in shown if re.fullmatch(r"[1-4]", t)])


def test_rates_chart_annotations_in_public_mode(public_ctx):
    for text in _texts(sections.plot(public_ctx, "rates")):
        for number in re.findall(r"\((.*?)/(.*?)\)", text)[0]:
            assert int(number) >= 5


def test_rates_chart_leaves_out_a_rate_with_a_small_count(reference_df):
    # Three items of one region in a quarter: every numerator and denominator is 1 to 3.
    d = reference_df[(reference_df["region"] == "寅市") & (reference_df["received_date"] >= "2021-04-01")]
    small = d[d["status"] == "concluded"].head(3)
    # The rates are censoring-aware: a 3-item sample's own last received date (2 April)
    # would leave every window open and every denominator 0, so give the register's
    # extraction date.
    as_of = reference_df["received_date"].max()
    fig = plots.three_rates_chart(small, "2021Q2", lang="en", suppress_below=5, as_of=as_of)
    texts = _texts(fig)
    assert texts and set(texts) == {"<5"}  # no rate, no counts: rate × denominator would give them back
    assert not any(len(line.get_xdata()) for line in fig.axes[0].lines)
    shown = _texts(plots.three_rates_chart(small, "2021Q2", lang="en", as_of=as_of))
    assert all("%" in t for t in shown)  # without suppression the rates are drawn


def test_heatmap_colours_small_cells_as_zero(reference_df):
    fig = plots.hotspot_heatmap(reference_df, "2021Q2", lang="en", top=17, suppress_below=5)
    colours = fig.axes[0].collections[0].get_array().data.ravel()
    texts = _texts(fig)
    hidden = [c for c, t in zip(colours, texts) if t == "<5"]
    assert hidden and all(c == 0 for c in hidden)


def test_shares_of_small_categories_are_not_published():
    ctx = reports.prepare("annual", year=2023, region="寅市", lang="en", public=True)
    t = sections.categories(ctx)
    def hidden_text(col):
        return col.astype(str).str.startswith("<") | (col.astype(str) == "x")

    small = hidden_text(t["current"]) | hidden_text(t["previous"])
    assert small.any()
    assert (t.loc[small, ["share", "share change (pp)", "share test"]] == "").all().all()
    drawn = [tick.get_text() for tick in sections.plot(ctx, "category_shares").axes[0].get_yticklabels()]
    assert set(drawn) == set(t.loc[~small, t.columns[0]])
    hot = reports.prepare("hotspots", start_year=2016, end_year=2023, region="寅市", lang="en", public=True)
    years = sections.category_years(hot)
    hidden = hidden_text(years["2023"])
    assert hidden.any() and (years.loc[hidden, "share 2023"] == "").all()


def test_yoy_bars_with_zero_counts_render():
    # a county with no national visits this year and one last year, and one with none in either
    import pandas as pd

    t = pd.DataFrame({"measure": ["items"] * 3, "label_en": ["a", "b", "c"], "current": [0, 0, 50],
                      "previous": [1, 0, 40], "rate_ratio": [0.0, float("nan"), 1.25],
                      "od_ci_low": [0.0136, 0.0, 0.8], "od_ci_high": [8.18, float("inf"), 1.9],
                      "assessment": ["none", "none", "none"]})
    fig = plots.yoy_bars(t, lang="en")
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert labels == ["a", "c"]  # b has no finite change
