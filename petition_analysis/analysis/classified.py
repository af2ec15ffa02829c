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

__all__ = ["category_counts", "predicted_share", "predicted_counts", "predicted_year_counts", "share_change_test",
           "count_corrections", "corrected_count_terms"]


def predicted_share(df: pd.DataFrame) -> tuple[int, int]:
    """(rows whose category was predicted or left unclassified, all rows)."""
    if "category_source" not in df:
        return 0, int(len(df))
    src = df["category_source"].astype("str")
    return int(src.isin(["predicted", "unclassified"]).sum()), int(len(df))


#: How many messages the assumed accuracy of a model without a confusion matrix is worth,
#: per predicted category (the uncertainty of the assumption itself).
ASSUMED_STRENGTH = 50.0


def _crosswalk(code: str) -> str:
    """taxonomy.crosswalk from its cached map (an unknown code gets crosswalk's error)."""
    return taxonomy._crosswalk_map().get(code) or taxonomy.crosswalk(code)


def _harmonized_precision(model, predicted: pd.Series, *, counts: pd.Series | None = None
                          ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(codes, alpha, prior): Dirichlet parameters per predicted code (rows) over true codes,
    in crosswalked codes, and the prior (true-class counts) for rows left ``other``.

    A model without a confusion matrix (the built-in keyword model) is taken to be right
    with its assumed accuracy; its errors are spread over the other categories in
    proportion to how often they were predicted here (spreading them evenly over every
    category would move counts towards categories the data do not have). ``counts``: how
    often each code was predicted, instead of the predictions themselves."""
    seen = counts if counts is not None else predicted.value_counts()
    classes, _, counts = model.precision_matrix()
    if model.metrics.get("confusion") is None:
        acc = float(model.metrics.get("assumed_accuracy", 0.7))
        codes0 = [_crosswalk(c) for c in classes]
        q = seen.groupby(level=0).sum().reindex(codes0, fill_value=0).to_numpy(dtype=float) + 0.5
        q = q / q.sum()
        P = np.zeros((len(classes), len(classes)))
        for i in range(len(classes)):
            rest = q.copy()
            rest[i] = 0
            P[i] = (1 - acc) * rest / rest.sum()
            P[i, i] = acc
        counts = P * ASSUMED_STRENGTH
    codes = [_crosswalk(c) for c in classes]
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
    categories (default: the one cleaning recorded with ``df``, else the built-in keyword
    model; see :func:`petition_analysis.classify.model.recorded_model`).

    Indexed by crosswalked ``category``, sorted by count: ``count`` (as the table has it),
    ``given`` (of which given or mapped), ``predicted`` (of which predicted), ``estimate``,
    ``ci_low``, ``ci_high`` (the true count), ``share``, ``share_ci_low``, ``share_ci_high``.
    ``attrs``: ``predicted_rows``, ``rows``, ``model_kind``, ``model_accuracy``, ``level``.
    """
    from ..classify.model import load_model, recorded_model

    m = recorded_model(df) if model is None else load_model(model)
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


# --------------------------------------------------------------------------- share changes


def predicted_counts(df: pd.DataFrame, windows: dict) -> pd.DataFrame:
    """Rows whose category was predicted (or left ``other`` unclassified) per crosswalked
    category (the label the table counts them under) in each window: ``{"previous": (start,
    end), "current": (start, end)}`` gives those two columns. Zero everywhere for a table
    without ``category_source``."""
    if "category_source" not in df:
        return pd.DataFrame({name: pd.Series([], dtype="int64") for name in windows},
                            index=pd.Index([], dtype="str", name="category"))
    pred = df["category_source"].astype("str").isin(["predicted", "unclassified"]).to_numpy()
    cat = taxonomy.crosswalk_series(df["category"].astype("str"))
    d = df["received_date"]
    cols = {}
    for name, (start, end) in windows.items():
        # whole days, as the registry's daily series count them (a time on the last day is in)
        inside = (d >= pd.Timestamp(start)) & (d < pd.Timestamp(end).normalize() + pd.Timedelta(days=1))
        cols[name] = cat[pred & inside.to_numpy()].value_counts()
    out = pd.DataFrame(cols).fillna(0).astype("int64")
    out.index.name = "category"
    return out


def predicted_year_counts(h: pd.DataFrame, years) -> pd.DataFrame | None:
    """Rows whose category was predicted (or left unclassified), per crosswalked category and
    calendar year (as :func:`petition_analysis.analysis.hotspots.category_year_counts` counts
    all rows); ``None`` when nothing was predicted (the usual share test then applies)."""
    from .hotspots import category_year_counts

    if "category_source" not in h:
        return None
    pred = h["category_source"].astype("str").isin(["predicted", "unclassified"]).to_numpy()
    if not pred.any():
        return None
    return category_year_counts(h[pred], years)


def _label_rows(labels: list[str], npred: np.ndarray, m) -> tuple[list[str], dict, np.ndarray]:
    """(categories, their positions, A): the Dirichlet parameters over the categories of
    the messages labelled with each of ``labels`` (rows of ``npred``, the predicted rows per
    label and period). The categories are ``labels`` first, then the model's other codes."""
    labelled = pd.Series(npred.sum(axis=1), index=labels)[[c != "other" for c in labels]]
    codes, dirichlet, prior = _harmonized_precision(m, pd.Series([], dtype="str"), counts=labelled)
    cats = list(labels) + [c for c in codes if c not in labels]
    pos = {c: i for i, c in enumerate(cats)}
    A = np.zeros((len(labels), len(cats)))
    cols = [pos[c] for c in codes]
    for i, label in enumerate(labels):
        if label == "other":  # below the threshold or without text: as the labelled data were
            A[i, cols] = prior
        elif label in codes:
            A[i, cols] = dirichlet[codes.index(label)]
        else:  # a code the model does not predict (another model's): counted as it is
            A[i, pos[label]] = 1.0
    return cats, pos, A


def share_change_test(counts: pd.DataFrame, predicted: pd.DataFrame | None = None, *, model=None,
                      alpha: float = 0.05) -> pd.DataFrame:
    """The change in category shares between two periods (the columns of ``counts``,
    earlier first), honest when some categories were predicted.

    ``counts``: items per crosswalked category in each period, as the tables count them;
    ``predicted``: how many of those were predicted (:func:`predicted_counts`), by the
    ``model`` that predicted them (default: the built-in keyword model). Without predicted
    rows this is exactly :func:`petition_analysis.analysis.stats.share_change_test` (the
    χ² adjusted residual of the later period, which for two periods is the pooled
    two-proportion z statistic). With them, each category's share is tested on its
    estimated true count, and the variance of the change carries the classifier's errors:

    - **estimate.** A message predicted as ``p`` counts as ``P[p, k]`` of a message of
      category ``k``, where ``P`` is the model's precision (the columns of its cross-validated
      confusion matrix, normalized; see :func:`category_counts`); a row left ``other``
      below the confidence threshold is spread over the categories as the labelled data
      were. Given and mapped rows count as they are.
    - **sampling variance**, under no change: per row, the variance of what it contributes
      (a given row: ``f(1 − f)`` with ``f`` the pooled share among given rows; a predicted
      row: the variance of ``P[p, k]`` over the pooled predicted labels), summed per period.
    - **classification variance**: ``P`` was measured on finitely many labelled messages,
      so it is uncertain (Dirichlet, as in :func:`category_counts`), and the same error
      touches both periods: with ``a_p`` the change in the share of rows predicted as
      ``p``, the change in share ``k`` gets ``Σ_p a_p² P[p,k](1 − P[p,k]) / (n_p + 1)``
      (``n_p``: the labelled messages behind ``P[p, ·]``). Where both periods were predicted
      alike, it cancels; where one period's categories were given and the other's
      predicted, it does not.

    ``z`` = estimated change / √(sampling + classification variance), two-sided p-values,
    Benjamini–Hochberg over the categories. A flag (``up``/``down``) needs the estimated
    change and the change in the shares as counted to agree in direction: a table never
    shows a fall flagged as a rise. The precision measured on the labelled data is assumed
    to hold for these data (their category mix near the labelled one).

    Returns, per category of ``counts``: ``share_<col>`` for both columns (shares as
    counted), ``change_pp``, ``adj_residual`` (the z statistic), ``p_value``,
    ``p_adjusted``, ``flag`` (as :func:`~petition_analysis.analysis.stats.share_change_test`)
    and ``estimate_<col>`` (estimated true shares), ``predicted_<col>``, ``classification_sd``
    (its part of the standard deviation of the change, in share units).

    >>> t = pd.DataFrame({"previous": [500, 300, 200], "current": [400, 400, 200]},
    ...                  index=["urban_rural_construction", "transport", "education_culture_sports"])
    >>> share_change_test(t)["flag"].tolist()
    ['down', 'up', '']
    """
    from scipy import stats as sps

    from . import stats
    from ..classify.model import load_model

    table = counts.loc[counts.sum(axis=1) > 0]
    c0, c1 = table.columns[:2]
    base = stats.share_change_test(table, alpha=alpha).cells
    observed = table[[c0, c1]].to_numpy(dtype=float)
    npred = (np.zeros_like(observed) if predicted is None else
             np.clip(predicted.reindex(index=table.index, columns=[c0, c1]).fillna(0).to_numpy(dtype=float), 0, observed))
    for j, col in enumerate((c0, c1)):
        base[f"estimate_{col}"] = base[f"share_{col}"]
        base[f"predicted_{col}"] = npred[:, j].astype("int64")
    base["classification_sd"] = 0.0
    if not npred.any():
        return base
    m = load_model(model)
    cats, pos, A = _label_rows(list(table.index), npred, m)
    K = len(cats)
    fixed = np.zeros((K, 2))
    fixed[:len(table)] = observed - npred  # the table's categories come first in `cats`
    a0 = A.sum(axis=1)
    P = A / a0[:, None]
    N = observed.sum(axis=0)
    est = (fixed + npred.T.dot(P).T) / N  # K × 2
    # sampling variance under no change: per-row contributions, pooled over the two periods
    nfix = fixed.sum(axis=0)
    f = fixed.sum(axis=1) / max(nfix.sum(), 1.0)
    q = npred.sum(axis=1) / npred.sum()
    v = q @ (P ** 2) - (q @ P) ** 2
    var = sum((nfix[t] * f * (1 - f) + npred[:, t].sum() * v) / N[t] ** 2 for t in (0, 1))
    # classification variance: the precision's own uncertainty, shared by both periods
    a = npred[:, 1] / N[1] - npred[:, 0] / N[0]
    cvar = (a[:, None] ** 2 * P * (1 - P) / (a0[:, None] + 1)).sum(axis=0)
    diff = est[:, 1] - est[:, 0]
    sd = np.sqrt(var + cvar)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, diff / sd, 0.0)
    idx = [pos[c] for c in table.index]
    z = z[idx]
    pv = 2 * sps.norm.sf(np.abs(z))
    padj = stats.fdr_bh(pv)
    agree = np.sign(z) == np.sign(base["change_pp"].to_numpy())
    base["adj_residual"] = z
    base["p_value"] = pv
    base["p_adjusted"] = padj
    base["flag"] = np.where((padj < alpha) & agree, np.where(z > 0, "up", "down"), "")
    base[f"estimate_{c0}"] = est[idx, 0]
    base[f"estimate_{c1}"] = est[idx, 1]
    base["classification_sd"] = np.sqrt(cvar[idx])
    base.attrs.update(model_kind=m.kind, predicted_rows=int(npred.sum()))
    return base


# --------------------------------------------------------------------------- count changes


def count_corrections(counts: pd.DataFrame, predicted: pd.DataFrame | None = None, *, model=None
                      ) -> pd.DataFrame | None:
    """What the year-on-year count test of each category needs when some categories were
    predicted: its estimated true count in each period and their variances.

    ``counts`` and ``predicted`` as for :func:`share_change_test` (items and predicted items
    per crosswalked category, two periods, earlier first). ``None`` when nothing was
    predicted in either period: the usual count test then applies unchanged. Otherwise, per
    category of ``counts``:

    - ``estimate_<col>``: the estimated true count, as in :func:`share_change_test`: given
      and mapped rows count as they are, a message predicted as ``p`` counts as ``P[p, k]``;
    - ``variance_<col>``: its sampling variance when messages arrive as a Poisson process
      (each label's count is Poisson, so the estimate's variance is the given count plus
      ``Σ_p n_p P[p, k]²``); a count model multiplies it by its dispersion;
    - ``classification_var``: the variance of the log ratio of the two estimates that comes
      from ``P`` itself (Dirichlet on the confusion counts, shared by both periods):
      ``Σ_p a_p² P[p,k](1 − P[p,k]) / (n_p + 1)`` with ``a_p = n_p,later / estimate_later −
      n_p,earlier / estimate_earlier`` (delta method). Where both periods were predicted
      alike it cancels; where one was given and the other predicted it does not.

    >>> t = pd.DataFrame({"previous": [500, 300, 200], "current": [520, 280, 200]},
    ...                  index=["urban_rural_construction", "transport", "labour_social_security"])
    >>> count_corrections(t) is None
    True
    >>> c = count_corrections(t, t.assign(previous=0))
    >>> bool((c["classification_var"] > 0).all()), bool((c["variance_current"] < t["current"]).all())
    (True, True)
    """
    from ..classify.model import load_model

    table = counts.iloc[:, :2].astype(float)
    c0, c1 = table.columns[:2]
    observed = table.to_numpy()
    npred = (np.zeros_like(observed) if predicted is None else
             np.clip(predicted.reindex(index=table.index, columns=[c0, c1]).fillna(0).to_numpy(dtype=float),
                     0, observed))
    if not npred.any():
        return None
    cats, pos, A = _label_rows(list(table.index), npred, load_model(model))
    a0 = A.sum(axis=1)
    P = A / a0[:, None]  # labels × categories
    idx = [pos[c] for c in table.index]
    P = P[:, idx]
    fixed = observed - npred
    est = fixed + P.T @ npred  # categories × 2
    var = fixed + (P ** 2).T @ npred
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(est[None, :, :] > 0, npred[:, None, :] / est[None, :, :], 0.0)  # labels × categories × 2
    a = share[:, :, 1] - share[:, :, 0]
    cvar = (a ** 2 * P * (1 - P) / (a0[:, None] + 1)).sum(axis=0)
    out = pd.DataFrame({f"estimate_{c0}": est[:, 0], f"estimate_{c1}": est[:, 1],
                        f"variance_{c0}": var[:, 0], f"variance_{c1}": var[:, 1],
                        "classification_var": cvar}, index=table.index)
    out.attrs.update(predicted_rows=int(npred.sum()))
    return out


def corrected_count_terms(row: pd.Series, design: float) -> dict:
    """The arguments of :func:`petition_analysis.analysis.models.compare_counts` for one
    category's count change from its row of :func:`count_corrections` (earlier period
    ``previous``, later ``current``) and the count model's ``design`` (its dispersion):
    the estimated counts, each period's own design effect (dispersion × variance ÷
    estimate) and the classification variance to add to the log ratio's."""
    out = {}
    for col, key, dkey in (("current", "current", "design"), ("previous", "previous", "design_previous")):
        est, var = float(row[f"estimate_{col}"]), float(row[f"variance_{col}"])
        out[key] = est
        out[dkey] = design * var / est if est > 0 and var > 0 else design
    out["extra_var"] = float(row["classification_var"])
    return out
