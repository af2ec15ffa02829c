"""The machine-readable report summary (``<name>.json``).

Its keys are part of the documented interface (the README's "The JSON summary"):

- ``report``: kind and name; ``parameters``: the checked parameters;
- ``data``: input path (a list for several files), SHA-256, rows, and ``files`` (path,
  SHA-256 and rows read of each); ``package_version``;
- ``city``: the city's ``zh`` and ``en`` names and ``slug`` (``named`` is false when no
  ``--city`` or office file named it); ``region``: name, label, slug, ``label_zh``, ``label_en``;
- ``period``: start, end, partial, labels in zh and en, and the ``comparison`` period;
- ``figures``: for each headline figure ``current``, ``previous``, ``change``,
  ``change_pct``, ``p_value``, ``significant``, plus ``rate_ratio``, ``ci_low``,
  ``ci_high``, ``assessment`` and zh/en labels;
- ``quality``: rows read, clean, rejected by reason, unmapped labels;
- ``public`` and ``suppression_k``: in public mode counts are printed as disclosure control
  decided (``"<k"`` for 1 to k−1, ``"x"`` for a count hidden to protect another) and
  everything derived from a hidden count (change, percentage, p-value, verdict) is null;
  ``disclosure`` states the rule and the audit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from ..._version import __version__
from ...analysis.registry import figure_object  # noqa: F401 (a registry row as a JSON figure)
from .params import ReportContext

__all__ = ["FIGURE_KEYS", "figure_object", "build_summary", "write_summary", "protect_figure",
           "disclosure_summary"]

#: Keys of one comparison figure in ``figures`` (see :func:`figure_object`).
FIGURE_KEYS = ("kind", "family", "current", "previous", "change", "change_pct", "rate_ratio", "ci_low", "ci_high",
               "ci_level", "ci_low_95", "ci_high_95", "p_value_raw", "p_value", "significant", "assessment",
               "method", "dispersion", "design_effect", "sigma_between", "expected_ratio", "label_zh", "label_en",
               "flags")


_DERIVED = ("change", "change_pct", "p_value", "p_value_raw", "rate_ratio", "ci_low", "ci_high", "ci_level",
            "ci_low_95", "ci_high_95", "rate", "significant", "assessment", "expected_ratio", "share_previous",
            "share_current", "share_change_pp", "share_p_value", "share_flag")


def protect_figure(fid: str, fig: dict, protection) -> dict:
    """Public-mode copy of one figure as disclosure control decided: a hidden count becomes
    ``"<k"`` or ``"x"``, and a figure with a hidden count carries no change, p-value,
    interval, significance or assessment.

    >>> from petition_analysis.publish.disclosure import Protection
    >>> import pandas as pd
    >>> prot = Protection(5, {"fig:a:current": 3, "fig:a:previous": 40}, {"fig:a:current": "primary",
    ...                   "fig:a:previous": "shown"}, pd.DataFrame())
    >>> out = protect_figure("a", {"current": 3, "previous": 40, "change": -37, "significant": True}, prot)
    >>> out["current"], out["previous"], out["change"], out["significant"]
    ('<5', 40, None, None)
    """
    out = dict(fig)
    if fig.get("kind") == "rate":
        name = fid.removeprefix("rate_")
        keys = {part: f"rate:{name}:{part}" for part in ("numerator", "denominator", "censored")}
        hide_derived = protection.hidden(keys["numerator"]) or protection.hidden(keys["denominator"])
    else:
        keys = {part: f"fig:{fid}:{part}" for part in ("current", "previous")}
        hide_derived = any(protection.hidden(k) for k in keys.values())
    for part, key in keys.items():
        if key in protection.status:
            out[part] = protection.json_value(key)
    if hide_derived:
        for name in _DERIVED:
            if name in out:
                out[name] = None
    return out


def disclosure_summary(protection) -> dict:
    """What the JSON says about disclosure control: the rule, how many counts were hidden
    and that the audit proved the rule for each (the ranges themselves are not published)."""
    counts = protection.counts()
    widths = (protection.audit["hi"] - protection.audit["lo"]) if len(protection.audit) else pd.Series(dtype=float)
    return {
        "rule": (f"every hidden count keeps at least {protection.k - 1} possible values given everything the report "
                 f"prints (hi - lo >= {protection.k - 2} over the integers); '<{protection.k}' = 1 to "
                 f"{protection.k - 1}, 'x' = hidden to protect another count"),
        "k": protection.k,
        "counts_shown": counts["shown"],
        "hidden_small": counts["primary"],
        "hidden_complementary": counts["complementary"],
        "audit_passed": bool(protection.ok),
        "narrowest_range": int(widths.min()) if len(widths) else None,
        "series": bool(protection.stats.get("series", False)),
    }


def build_summary(ctx: ReportContext, name: str, figures: dict[str, dict], *,
                  period: dict | None = None, comparison: dict | None = None, extra: dict | None = None) -> dict:
    """The summary dict; public mode prints counts as disclosure control decided."""
    protection = None
    if ctx.public:
        from .sections import disclosure

        protection = disclosure(ctx)
        figures = {k: protect_figure(k, v, protection) for k, v in figures.items()}
    summary = {
        "report": {"kind": ctx.kind, "name": name},
        "parameters": ctx.published_parameters(),
        "data": {"path": None if ctx.public else ctx.data_path, "sha256": ctx.data_sha256, "rows": int(len(ctx.data)),
                 # one entry per input file; a public report names no file, only its SHA-256
                 "files": [{"path": None if ctx.public else f["path"], "sha256": f["sha256"], "rows": f["rows"]}
                           for f in ctx.data_files]},
        "package_version": __version__,
        "city": ctx.office.to_json(),
        "region": {"name": ctx.region, "label": ctx.region_label, "slug": ctx.region_slug,
                   "label_zh": ctx.office.region_label(ctx.region, "zh") if ctx.region else ctx.office.label("zh"),
                   "label_en": ctx.office.region_label(ctx.region, "en") if ctx.region else ctx.office.label("en")},
        "period": period or {},
        "public": ctx.public,
        "suppression_k": ctx.suppression_k if ctx.public else None,
        "figures": figures,
        "quality": ctx.quality,
    }
    if protection is not None:
        summary["disclosure"] = disclosure_summary(protection)
        q = dict(ctx.quality or {})
        summary["quality"] = {k: q[k] for k in ("rows_read", "rows_clean", "rows_rejected") if k in q}
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

