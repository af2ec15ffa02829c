"""Honest counts from predicted categories (分类预测的不确定性).

When categories were predicted from text (``category_source == "predicted"``), a category's
count is not exact: some messages counted under 城乡建设 belong elsewhere, and some of its
messages were counted elsewhere. :func:`category_counts` carries the classifier's
measured errors into the counts and shares:

- each predicted category ``p`` has a distribution over the true categories, ``P[p, ·]``:
  the column of the model's cross-validated confusion matrix for ``p``, normalized (a model
  file from ``classify train`` holds it; for the built-in keyword model, its measured
  accuracy, 0.70, on the diagonal, the rest spread over the other categories in proportion
  to how often they were predicted, worth 50 messages per category);
- that distribution is itself uncertain (it was measured on finitely many messages): it is
  drawn from a Dirichlet distribution with the confusion counts (+0.5) as parameters;
- the messages predicted as ``p`` are then assigned to true categories by a multinomial
  draw; rows left ``other`` below the confidence threshold (or without text) are assigned
  in proportion to the labelled categories' frequencies, equally uncertain;
- rows whose category was given or mapped stay where they are.

Repeating this ``draws`` times gives, per category, the mean (``estimate``) and an interval
(``ci_low``, ``ci_high``) of the true count, and the same for its share. Categories are
compared in crosswalked (post-2018) codes, as the hotspot tables compare them. The draws
use a fixed seed: the same data give the same intervals.

>>> import petition_analysis as pa
>>> from petition_analysis.synth.board import make_board
>>> b = make_board(200, seed=1)
>>> df = pa.clean(b.raw, b.mapping_yaml, pseudonym_key="k").data
>>> t = category_counts(df)
>>> bool((t["ci_low"] <= t["estimate"]).all() and (t["estimate"] <= t["ci_high"]).all())
True
>>> int(t["count"].sum()) == len(df)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import taxonomy

__all__ = ["category_counts", "predicted_share"]


def predicted_share(df: pd.DataFrame) -> tuple[int, int]:
    """(rows whose category was predicted or left unclassified, all rows)."""
    if "category_source" not in df:
        return 0, int(len(df))
    src = df["category_source"].astype("str")
    return int(src.isin(["predicted", "unclassified"]).sum()), int(len(df))


#: How many messages the assumed accuracy of a model without a confusion matrix is worth,
#: per predicted category (the uncertainty of the assumption itself).
ASSUMED_STRENGTH = 50.0


def _harmonized_precision(model, predicted: pd.Series) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(codes, alpha, prior): Dirichlet parameters per predicted code (rows) over true codes,
    in crosswalked codes, and the prior (true-class counts) for rows left ``other``.

    A model without a confusion matrix (the built-in keyword model) is taken to be right
    with its assumed accuracy; its errors are spread over the other categories in
    proportion to how often they were predicted here (spreading them evenly over every
    category would move counts towards categories the data do not have)."""
    classes, _, counts = model.precision_matrix()
    if model.metrics.get("confusion") is None:
        acc = float(model.metrics.get("assumed_accuracy", 0.7))
        codes0 = [taxonomy.crosswalk(c) for c in classes]
        q = predicted.value_counts().reindex(codes0, fill_value=0).to_numpy(dtype=float) + 0.5
        q = q / q.sum()
        P = np.zeros((len(classes), len(classes)))
        for i in range(len(classes)):
            rest = q.copy()
            rest[i] = 0
            P[i] = (1 - acc) * rest / rest.sum()
            P[i, i] = acc
        counts = P * ASSUMED_STRENGTH
    codes = [taxonomy.crosswalk(c) for c in classes]
    uniq = sorted(set(codes), key=codes.index)
    agg = np.zeros((len(uniq), len(uniq)))
    idx = np.array([uniq.index(c) for c in codes])
    np.add.at(agg, (idx[:, None], idx[None, :]), counts)
    alpha = agg + 0.5
    prior = agg.sum(axis=0) + 0.5
    return uniq, alpha, prior


def category_counts(df: pd.DataFrame, *, model=None, level: float = 0.95, draws: int = 4000,
                    seed: int = 0) -> pd.DataFrame:
    """Counts and shares per category with intervals that include classification
    uncertainty (see the module docstring). ``model``: the model that predicted the
    categories (default: the built-in keyword model).

    Indexed by crosswalked ``category``, sorted by count: ``count`` (as the table has it),
    ``given`` (of which given or mapped), ``predicted`` (of which predicted), ``estimate``,
    ``ci_low``, ``ci_high`` (the true count), ``share``, ``share_ci_low``, ``share_ci_high``.
    ``attrs``: ``predicted_rows``, ``rows``, ``model_kind``, ``model_accuracy``, ``level``.
    """
    from ..classify.model import load_model

    m = load_model(model)
    cat = taxonomy.crosswalk_series(df["category"].astype("str"))
    src = df["category_source"].astype("str") if "category_source" in df else pd.Series("given", index=df.index)
    fixed = ~src.isin(["predicted", "unclassified"])
    total = int(len(df))
    codes, alpha, prior = _harmonized_precision(m, cat[~fixed & (cat != "other")])
    all_codes = sorted(set(cat.unique()) | set(codes), key=lambda c: (c not in codes, c))
    pos = {c: i for i, c in enumerate(all_codes)}
    K = len(all_codes)
    base = np.zeros(K)
    fixed_counts = cat[fixed].value_counts()
    base[[pos[c] for c in fixed_counts.index]] = fixed_counts.to_numpy()
    rng = np.random.default_rng(seed)
    sims = np.tile(base, (draws, 1))
    model_cols = np.array([pos[c] for c in codes])
    pred_counts = cat[~fixed & (cat != "other")].value_counts()
    # rows left 'other' (below the threshold, or without text): true category unknown
    unknown = int((~fixed & (cat == "other")).sum())
    for code, n in pred_counts.items():
        if code in codes:
            p = rng.dirichlet(alpha[codes.index(code)], size=draws)
            sims[:, model_cols] += rng.multinomial(int(n), p)
        else:  # a predicted code the model does not know (another model's): counted as it is
            sims[:, pos[code]] += n
    if unknown:
        p = rng.dirichlet(prior, size=draws)
        sims[:, model_cols] += rng.multinomial(unknown, p)
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    counts = cat.value_counts().reindex(all_codes, fill_value=0)
    out = pd.DataFrame({
        "count": counts.to_numpy(),
        "given": cat[fixed].value_counts().reindex(all_codes, fill_value=0).to_numpy(),
        "predicted": cat[~fixed].value_counts().reindex(all_codes, fill_value=0).to_numpy(),
        "estimate": sims.mean(axis=0).round(1),
        "ci_low": np.quantile(sims, lo, axis=0, method="inverted_cdf"),
        "ci_high": np.quantile(sims, hi, axis=0, method="inverted_cdf"),
    }, index=pd.Index(all_codes, name="category"))
    denom = max(total, 1)
    out["share"] = (out["count"] / denom).round(4)
    out["share_ci_low"] = (out["ci_low"] / denom).round(4)
    out["share_ci_high"] = (out["ci_high"] / denom).round(4)
    out = out[(out["count"] > 0) | (out["ci_high"] > 0)]
    out = out.sort_values(["count", "estimate"], ascending=False, kind="stable")
    for c in ("count", "given", "predicted", "ci_low", "ci_high"):
        out[c] = out[c].astype("int64")
    n_pred, _ = predicted_share(df)
    acc = m.metrics.get("accuracy", m.metrics.get("assumed_accuracy"))
    out.attrs.update(predicted_rows=n_pred, rows=total, model_kind=m.kind, model_accuracy=acc, level=level)
    return out
