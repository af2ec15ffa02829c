"""Plots render in zh and en with warnings turned into errors (a missing glyph fails)."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from petition_analysis.publish import fonts, plots  # noqa: E402


@pytest.fixture(scope="module")
def df(reference_df):
    return reference_df


def _render(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" becomes a failure
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=60)
    assert buf.getbuffer().nbytes > 1000
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


CASES = {
    "monthly_trend": lambda df, lang: plots.monthly_trend(df, "visits_national", lang=lang),
    "five_declines": lambda df, lang: plots.five_declines_chart(df, year=2019, as_of="2019-12-20", lang=lang),
    "five_declines_region": lambda df, lang: plots.five_declines_chart(df, year=2019, region="庚县", lang=lang),
    "yoy_levels": lambda df, lang: plots.yoy_bars(plots.compare.visits_by_level(df, year=2019), label_column="level", lang=lang),
    "heatmap": lambda df, lang: plots.hotspot_heatmap(df, "2022Q3", lang=lang),
    "share_change": lambda df, lang: plots.category_share_change(df, year=2019, lang=lang),
    "three_rates": lambda df, lang: plots.three_rates_chart(df, "2019", lang=lang),
}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_plots_render_without_warnings(df, name, lang):
    if lang == "zh":
        assert fonts.cjk_family() is not None, "the project's setup installs an open CJK font"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = CASES[name](df, lang)
    assert isinstance(fig, Figure)
    texts = " ".join(_render(fig))
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in texts)
    assert has_cjk == (lang == "zh"), texts[:200]


def test_rc_params_untouched_and_heatmap_marks_planted_hotspot(df, reference_manifest):
    before = dict(matplotlib.rcParams)
    fig = plots.hotspot_heatmap(df, "2022Q3", lang="en")
    assert dict(matplotlib.rcParams) == before
    hs = reference_manifest["planted"]["regional_hotspot"]
    assert ((fig.hotspots.region == hs["region"]) & (fig.hotspots.category == hs["category"])).any()
    assert len(fig.axes[0].patches) >= 1
    plt.close("all")


def test_fallback_to_en_with_one_warning(df, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    monkeypatch.setattr(plots, "_warned", False)
    with pytest.warns(plots.NoCJKFontWarning) as rec:
        fig = plots.three_rates_chart(df, "2019", lang="zh")
        plots.three_rates_chart(df, "2019", lang="zh")
    assert len(rec) == 1
    texts = " ".join(_render(fig))
    assert "timely acceptance" in texts and not any("\u4e00" <= ch <= "\u9fff" for ch in texts)
    with pytest.raises(ValueError):
        plots.resolve_lang("fr")


def test_yoy_bars_state_the_interval_level_they_draw(reference_df):
    """Registry rows carry family-adjusted intervals: the axis says which level is drawn."""
    from petition_analysis.analysis.registry import build_registry

    reg = build_registry(reference_df, year=2019, as_of="2019-12-20")
    t = reg.rows(["items", "visits_national_items", "leapfrog_city_items"])
    fig = plots.yoy_bars(t, lang="en")
    level = f"{100 * reg['items']['ci_level']:.1f}%"
    assert fig.axes[0].get_xlabel() == f"Change year on year (%), {level} CI"
    bars = fig.axes[0].lines or fig.axes[0].collections
    assert bars  # error bars are drawn


# -- ax=: draw into the caller's figure, the seaborn way -----------------------------------------

AX_CASES = {
    "monthly_trend": lambda df, ax: plots.monthly_trend(df, "visits", region="庚县", lang="en", ax=ax),
    "monthly_counts": lambda df, ax: plots.monthly_counts(pd.Series([3.0, float("nan"), 7.0], index=["2023-01", "2023-02", "2023-03"]),
                                                          lang="en", ax=ax),
    "yoy_bars": lambda df, ax: plots.yoy_bars(plots.compare.visits_by_level(df, year=2019), label_column="level",
                                              lang="en", ax=ax),
    "five_declines_chart": lambda df, ax: plots.five_declines_chart(df, year=2019, region="庚县", lang="en", ax=ax),
    "hotspot_heatmap": lambda df, ax: plots.hotspot_heatmap(df, "2022Q3", lang="en", ax=ax),
    "category_share_change": lambda df, ax: plots.category_share_change(df, year=2022, region="甲区", lang="en", ax=ax),
    "three_rates_chart": lambda df, ax: plots.three_rates_chart(df, "2022", region="甲区", lang="en", ax=ax),
}


def test_every_plot_function_takes_ax():
    import inspect

    drawing = [n for n in plots.__all__ if callable(getattr(plots, n)) and n not in ("resolve_lang", "heatmap_counts")
               and not isinstance(getattr(plots, n), type)]
    assert sorted(drawing) == sorted(AX_CASES)
    for name in drawing:
        assert "ax" in inspect.signature(getattr(plots, name)).parameters, name


@pytest.mark.parametrize("name", sorted(AX_CASES))
def test_ax_draws_on_the_given_axes_and_returns_it(reference_df, name):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    try:
        out = AX_CASES[name](reference_df, axes[1])
        assert out is axes[1]
        assert out.figure is fig
        drawn = axes[1].patches or axes[1].lines or axes[1].collections or axes[1].texts
        assert drawn, "nothing drawn on the given axes"
        assert not (axes[0].patches or axes[0].lines or axes[0].collections)  # the other one untouched
    finally:
        plt.close(fig)


def test_without_ax_a_figure_is_returned(reference_df):
    from matplotlib.figure import Figure

    fig = plots.five_declines_chart(reference_df, year=2019, lang="en")
    assert isinstance(fig, Figure)


def test_ax_must_be_axes(reference_df):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plots.five_declines_chart(reference_df, year=2019, lang="en", ax="left")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_public_trend_note_sits_below_the_axis_label(lang):
    """The public trend chart's note once overlapped the x-axis label ("Month" under the
    rotated month ticks): it must sit wholly below the label and every tick label."""
    from petition_analysis.publish.reports.cells import PUBLIC_TREND_NOTE

    months = pd.period_range("2022-01", "2023-12", freq="M")
    values = pd.Series([60.0] * 23 + [float("nan")], index=months)
    note = PUBLIC_TREND_NOTE[lang]
    fig = plots.monthly_counts(values, lang=lang, note=note, title="t")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # the returned figure is closed to pyplot: give it a canvas to measure on
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    box = next(t for t in ax.texts if t.get_text() == note).get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert box.y1 <= label.y0  # display coordinates: y grows upwards
    assert box.y1 <= min(t.y0 for t in ticks)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")  # as the report saves it: the note is kept
    assert fig.get_tightbbox(renderer).y0 <= box.y0


def test_yoy_bars_with_nothing_to_compare_says_so():
    # a message board has no visits: every row of the five declines is 0 against 0
    import matplotlib.pyplot as plt

    from petition_analysis.publish import plots

    t = pd.DataFrame({"measure": ["items"] * 2, "label_zh": ["来访", "进京访"], "current": [0, 0], "previous": [0, 0],
                      "rate_ratio": [np.nan, np.nan], "ci_low": [np.nan, np.nan], "ci_high": [np.nan, np.nan],
                      "verdict": ["none", "none"]})
    for lang in ("zh", "en"):
        fig, ax = plt.subplots()
        out = plots.yoy_bars(t, lang=lang, title="T", ax=ax)
        texts = [x.get_text() for x in ax.texts]
        assert out is ax and not ax.patches and not ax.axison
        assert texts == [plots._t("nothing_to_compare", lang)] and ax.get_title() == "T"
        plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_heatmap_draws_what_seaborn_draws(lang):
    """plots._annotated_heatmap draws sns.heatmap(annot=..., fmt="", cbar=False) without
    seaborn's extra draw of the whole figure: the same PNG, pixel for pixel."""
    import seaborn as sns

    rows, cols = (["甲区", "乙区", "庚县"], ["城乡建设", "劳动和社会保障", "政法"]) if lang == "zh" else \
        (["District A", "District B", "Geng County"], ["Urban construction", "Labour", "Politics and law"])
    data = pd.DataFrame([[0, 3, 17], [250, 41, 0], [9, 120, 64]], index=rows, columns=cols)
    annot = np.where(data.to_numpy() < 5, "<5", data.to_numpy().astype(str))

    def png(draw) -> bytes:
        with plots._style(lang):
            fig = Figure(figsize=(4, 3), layout="constrained")
            ax = fig.add_subplot()
            draw(ax)
            ax.tick_params(axis="x", labelrotation=60)  # as the report's heatmap turns them
            ax.tick_params(axis="y", labelrotation=0)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=80)
        return buf.getvalue()

    ours = png(lambda ax: plots._annotated_heatmap(ax, data, annot, cmap="rocket_r", size=8))
    theirs = png(lambda ax: sns.heatmap(data, annot=annot, fmt="", cmap="rocket_r", cbar=False, ax=ax,
                                        annot_kws={"size": 8}))
    assert ours == theirs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_single_region_heatmap_has_room_for_its_labels(reference_df, lang):
    """A county's heatmap is one row: the figure still leaves the layout room for the turned
    category labels (it gave up before: "axes sizes collapsed to zero")."""
    counts = plots.heatmap_counts(reference_df, "2022Q3", region="庚县")
    flags = pd.DataFrame({"region": [], "category": [], "period": [], "flag": []})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.hotspot_heatmap(None, "2022Q3", lang=lang, counts=counts, flags=flags)
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    assert counts.shape[0] == 1
