"""A report chart's PNG (sections.ReportFigure) is drawn once and framed as a tight savefig
frames it: the artists with a 0.1-inch white margin, nothing clipped, the same bytes for
the same figure; a figure whose labels reach outside it is saved the tight way."""

from __future__ import annotations

import base64
import io

import matplotlib.figure
import numpy as np
from PIL import Image

from petition_analysis.publish.reports import sections


def _chart(layout="constrained"):
    fig = matplotlib.figure.Figure(figsize=(6, 3), layout=layout)
    ax = fig.add_subplot()
    ax.bar(["visits", "letters", "online"], [120, 80, 45], label="2023")
    ax.set_title("Channels")
    ax.set_ylabel("Items")
    ax.legend(loc="upper right")
    return fig


def _tight(fig, dpi=100) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    return np.asarray(Image.open(buf).convert("RGB"))


def _png(fig, dpi=100) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(sections._png(fig, dpi))).convert("RGB"))


def _ink(img: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns of the first and last non-white pixel."""
    rows, cols = np.flatnonzero((img != 255).any(axis=(1, 2))), np.flatnonzero((img != 255).any(axis=(0, 2)))
    return rows[0], rows[-1], cols[0], cols[-1]


def test_framed_like_a_tight_savefig_and_reproducible():
    fig = _chart()
    new, old = _png(fig), _tight(fig)
    # the same frame to a pixel (rounding): the tight box with 0.1 inch around it
    assert abs(new.shape[0] - old.shape[0]) <= 2 and abs(new.shape[1] - old.shape[1]) <= 2
    top, bottom, left, right = _ink(new)
    assert 8 <= top <= 14 and 8 <= left <= 14
    assert 8 <= new.shape[0] - 1 - bottom <= 14 and 8 <= new.shape[1] - 1 - right <= 14
    assert new.shape[2] == 3 and (new[:5] == 255).all()  # the margin is white
    # the same figure gives the same bytes, and the figure keeps its own dpi and canvas
    canvas, dpi = fig.canvas, fig.dpi
    assert sections._png(fig, 100) == sections._png(_chart(), 100)
    assert fig.canvas is canvas and fig.dpi == dpi


def test_labels_outside_the_figure_are_not_clipped():
    # no layout engine, and a label far to the right of the figure: the canvas grows instead
    fig = _chart(layout=None)
    fig.axes[0].text(1.3, 0.5, "a label outside the figure", transform=fig.axes[0].transAxes)
    new = _png(fig)
    w_inches = fig.get_size_inches()[0]
    assert new.shape[1] > w_inches * 100  # wider than the figure itself
    assert new.shape == _tight(fig).shape
    assert (new == _tight(fig)).all()  # it is the tight savefig itself


def test_report_figure_gives_the_png_and_its_size():
    fig = _chart()
    data, meta = sections.ReportFigure(fig, "bar chart")._repr_mimebundle_()
    png = base64.b64decode(data["image/png"])
    img = Image.open(io.BytesIO(png))
    assert (meta["image/png"]["width"], meta["image/png"]["height"]) == img.size
    assert data["text/plain"] == meta["image/png"]["alt"] == "bar chart"
