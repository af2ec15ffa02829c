"""The machine-readable report summary (``<name>.json``, DESIGN.md §5).

Its keys are part of the documented interface (README, "Report outputs"):

- ``report``: kind and name; ``parameters``: the checked parameters;
- ``data``: input path, SHA-256, rows; ``package_version``;
- ``period``: start, end, partial, labels in zh and en, and the ``comparison`` period;
- ``figures``: for each headline figure ``current``, ``previous``, ``change``,
  ``change_pct``, ``p_value``, ``significant``, plus ``rate_ratio``, ``ci_low``,
  ``ci_high``, ``assessment`` and zh/en labels;
- ``quality``: rows read, clean, rejected by reason, unmapped labels;
- ``public`` and ``suppression_k``: in public mode counts from 1 to k−1 are replaced by
  the string ``"<k"`` and everything derived from them (change, percentage, p-value) by null.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from ..._version import __version__
from ...analysis.registry import figure_object  # noqa: F401 (a registry row as a JSON figure)
from .params import ReportContext

__all__ = ["FIGURE_KEYS", "figure_object", "build_summary", "write_summary", "suppress_figure"]

#: Keys of one comparison figure in ``figures`` (see :func:`figure_object`).
FIGURE_KEYS = ("kind", "family", "current", "previous", "change", "change_pct", "rate_ratio", "ci_low", "ci_high",
               "ci_level", "ci_low_95", "ci_high_95", "p_value_raw", "p_value", "significant", "assessment",
               "method", "dispersion", "design_effect", "sigma_between", "expected_ratio", "label_zh", "label_en",
               "flags")


def suppress_figure(fig: dict, k: int) -> dict:
    """Public-mode copy of one figure: counts 1..k−1 become ``"<k"``; what could reveal
    them (change, percentage, rate ratio, interval, p-value, verdict) becomes null.

    >>> out = suppress_figure({"current": 3, "previous": 40, "change": -37, "change_pct": -92.5,
    ...                        "p_value": 0.0, "significant": True, "assessment": "decline"}, 5)
    >>> out["current"], out["significant"], out["assessment"]
    ('<5', None, None)
    """
    out = dict(fig)
    counts = ("numerator", "denominator", "censored") if fig.get("kind") == "rate" else ("current", "previous")
    small = [name for name in counts if isinstance(fig.get(name), (int, float)) and 0 < fig[name] < k]
    for name in small:
        out[name] = f"<{k}"
    if small:
        for name in ("change", "change_pct", "p_value", "p_value_raw", "rate_ratio", "ci_low", "ci_high",
                     "ci_low_95", "ci_high_95", "rate", "significant", "assessment", "expected_ratio"):
            if name in out:
                out[name] = None
    return out


def build_summary(ctx: ReportContext, name: str, figures: dict[str, dict], *,
                  period: dict | None = None, comparison: dict | None = None, extra: dict | None = None) -> dict:
    """The summary dict; public mode suppresses small counts."""
    if ctx.public:
        figures = {k: suppress_figure(v, ctx.suppression_k) for k, v in figures.items()}
    summary = {
        "report": {"kind": ctx.kind, "name": name},
        "parameters": ctx.parameters(),
        "data": {"path": ctx.data_path, "sha256": ctx.data_sha256, "rows": int(len(ctx.data))},
        "package_version": __version__,
        "region": {"name": ctx.region, "label": ctx.region_label, "slug": ctx.region_slug},
        "period": period or {},
        "public": ctx.public,
        "suppression_k": ctx.suppression_k if ctx.public else None,
        "figures": figures,
        "quality": ctx.quality,
    }
    if comparison:
        summary["comparison"] = comparison
    if extra:
        summary.update(extra)
    return summary


def write_summary(path: str | Path | None, summary: dict) -> dict:
    """Write ``summary`` as UTF-8 JSON when ``path`` is given; return it either way."""
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=_default) + "\n", encoding="utf-8")
    return summary


def _default(obj):
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)

