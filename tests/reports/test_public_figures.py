"""Public mode reaches the figures too: no count from 1 to k−1 is drawn."""

from __future__ import annotations

import re

import pytest

from petition_analysis import plots, reports
from petition_analysis.reports import sections


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
            assert number.startswith("<") or int(number) >= 5


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
