"""Category classification of messages without a usable category (问题分类预测).

Message boards (网上留言板, 市长信箱, 12345 工单) often have no category column, or their own
labels. This package predicts the taxonomy category of a message from its text:

- :func:`classify` adds ``category``, ``category_source`` and ``category_confidence`` to a
  canonical frame, predicting only where the category is missing (``category_source`` is
  ``given``, ``mapped``, ``predicted`` or ``unclassified``);
- :func:`default_model` needs no training data (keywords we write, and the taxonomy's labels);
- :func:`train` learns from a user's own labelled export and measures itself by
  cross-validation (accuracy, macro-F1, confusion matrix); :func:`read_labelled` reads one;
- :func:`evaluate` measures any model on labelled data.

A prediction below the model's confidence threshold stays ``other``. Models are plain
JSON files (:mod:`petition_analysis.classify.model`).

>>> import pandas as pd, petition_analysis as pa
>>> df = pa.synth.generate(2019, 2019, scale=0.02).data.head(3).copy()
>>> out = classify(df.assign(category=pd.NA), text=pd.Series(["小区物业费", "欠薪", ""], index=df.index))
>>> out[["category", "category_source"]].astype(str).values.tolist()
[['urban_rural_construction', 'predicted'], ['labour_social_security', 'predicted'], ['other', 'unclassified']]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import taxonomy
from ..errors import MissingColumnsError
from .model import (DEFAULT_THRESHOLD, FORMAT_VERSION, CategoryModel, ModelFileError, default_classes, default_model,
                    load_model)

__all__ = [
    "CategoryModel", "ModelFileError", "default_model", "default_classes", "load_model", "classify",
    "predict_categories", "message_text", "read_labelled", "train", "evaluate", "CATEGORY_SOURCES",
    "DEFAULT_THRESHOLD", "FORMAT_VERSION",
]

#: Where a row's category came from: the export's own label (``given``), the mapping file
#: (``mapped``: a ``values:`` entry or a constant), the classifier (``predicted``, including
#: predictions below the threshold, which stay ``other``), or nowhere (``unclassified``: no
#: usable label and no text to predict from).
CATEGORY_SOURCES = ("given", "mapped", "predicted", "unclassified")


def message_text(df: pd.DataFrame) -> pd.Series:
    """The text a category is predicted from: ``subject`` and ``summary`` joined (masked
    text, as the clean table holds it)."""
    parts = [df[c].fillna("").astype("str") for c in ("subject", "summary") if c in df]
    if not parts:
        return pd.Series("", index=df.index, dtype="str")
    text = parts[0]
    for p in parts[1:]:
        text = text.str.cat(p, sep=" ")
    return text.str.strip()


def predict_categories(text: pd.Series, years: pd.Series | None = None, *, model=None,
                       threshold: float | None = None) -> pd.DataFrame:
    """``category`` (the code in use in the row's year: old labels after 2018 are
    crosswalked forward), ``confidence`` and ``has_text`` for each text."""
    m = load_model(model)
    has_text = text.fillna("").astype("str").str.strip().ne("")
    pred = m.predict(text.where(has_text, ""), threshold=threshold)
    cat = pred["category"]
    if years is not None:
        cat = taxonomy.codes_in_use_series(cat, pd.Series(np.asarray(years), index=cat.index)).astype("str")
    return pd.DataFrame({"category": cat, "confidence": pred["confidence"].where(has_text, 0.0),
                         "has_text": has_text}, index=text.index)


def classify(df: pd.DataFrame, model=None, *, threshold: float | None = None, text: pd.Series | None = None,
             overwrite: bool = False) -> pd.DataFrame:
    """A copy of a canonical frame with ``category`` predicted where it is missing.

    ``model`` is ``None`` (the default keyword model), a :class:`CategoryModel` or a model
    file. Rows whose ``category`` is present keep it (``category_source`` ``given``, or what
    the frame already says) unless ``overwrite=True``, which predicts every row. A
    prediction below ``threshold`` (default: the model's) stays ``other``; a row with no
    text is ``unclassified`` (``other``, confidence 0). ``text`` overrides
    :func:`message_text`. Where anything was predicted, the copy's ``attrs["classifier"]``
    records the model (:func:`~petition_analysis.classify.model.model_record`; kept in a
    Parquet file written from it), whose confusion matrix reports then use; rows predicted
    earlier by another model and kept are taken to have this model's errors.
    """
    from .. import schema

    out = df.copy()
    text = message_text(out) if text is None else text
    if "category" in out:
        cat = out["category"].astype("object")
        missing = cat.isna() | (cat.astype("str").str.strip() == "")
    else:
        cat = pd.Series(pd.NA, index=out.index, dtype="object")
        missing = pd.Series(True, index=out.index)
    if overwrite:
        missing = pd.Series(True, index=out.index)
    source = out["category_source"].astype("object") if "category_source" in out else \
        pd.Series("given", index=out.index, dtype="object")
    conf = out["category_confidence"].astype("float64") if "category_confidence" in out else \
        pd.Series(1.0, index=out.index)
    if missing.any():
        years = out.loc[missing, "received_date"].dt.year if "received_date" in out else None
        pred = predict_categories(text[missing], years, model=model, threshold=threshold)
        cat[missing] = pred["category"]
        conf[missing] = pred["confidence"]
        source[missing] = np.where(pred["has_text"], "predicted", "unclassified")
        from .model import ATTRS_KEY, model_record

        out.attrs[ATTRS_KEY] = model_record(model, threshold=threshold)  # the threshold used
    cats = schema.COLUMNS[[c.name for c in schema.COLUMNS].index("category")].categories
    out["category"] = pd.Categorical(cat.astype("str"), categories=cats)
    out["category_source"] = pd.Categorical(source.astype("str"), categories=CATEGORY_SOURCES)
    out["category_confidence"] = conf.astype("float64").round(6)
    return out


# --------------------------------------------------------------------------- labelled data

#: Headers of a labelled export's text (besides the register's summary headers).
_TEXT_FIELDS = ("subject", "summary")


def read_labelled(source, mapping=None, *, sheet=None, encoding: str | None = None) -> pd.DataFrame:
    """A labelled export as ``category`` (taxonomy code, as labelled: old labels keep their
    old code) and ``text`` (subject and details joined, personal data masked).

    Headers are matched as :func:`petition_analysis.clean` matches them (一级分类 / 问题分类 …
    for the label; 留言主题, 留言详情, 留言, 诉求 … for the text), with the same mapping file
    (``columns:`` to rename, ``values: {category: …}`` for the user's own labels). Rows
    without a label or without text are left out; labels the taxonomy does not know raise
    an error that counts them (the labels themselves are never printed: map them).
    """
    from ..ingest.headers import field_for, find_header, load_mapping
    from ..ingest.io import normalize_text, read_tables
    from ..ingest.privacy import mask_text

    m = load_mapping(mapping)
    frames = []
    for t in read_tables(source, sheet=sheet if sheet is not None else m.sheet,
                         encoding=encoding if encoding is not None else m.encoding):
        h, headers = find_header(t.grid, m.renames, label=t.label, header_row=m.header_row)
        fields = {}
        for pos, hdr in enumerate(headers):
            f = field_for(hdr, m.renames)
            if f is not None:
                fields.setdefault(f, pos)
        if "category" not in fields or not any(f in fields for f in _TEXT_FIELDS):
            raise MissingColumnsError(
                t.label, "a labelled export needs a category column and a text column "
                         f"(found: {', '.join(h for h in headers if str(h).strip())[:300]})",
                hint="Map them in a mapping file, e.g. 'columns: {类别: category, 内容: summary}'; see docs/classification.md.")
        body = t.grid.iloc[h + 1:]
        text = None
        for f in _TEXT_FIELDS:
            if f in fields:
                col = body[fields[f]].fillna("").astype("str").str.strip()
                text = col if text is None else text.str.cat(col, sep=" ")
        frames.append(pd.DataFrame({"label": normalize_text(body[fields["category"]].astype("str")).fillna(""),
                                    "text": text.str.strip()}))
    data = pd.concat(frames, ignore_index=True)
    data = data[data["label"].ne("") & data["text"].ne("")].reset_index(drop=True)
    extra = (m.values or {}).get("category") or {}
    codes = taxonomy.lookup_series(data["label"])
    if extra:
        user = data["label"].map({str(k).strip(): v for k, v in extra.items()})
        codes = user.where(user.notna(), codes)
    unknown = codes.isna()
    if unknown.any():
        raise MissingColumnsError(
            str(source), f"{int(unknown.sum())} labelled row(s) carry {data.loc[unknown, 'label'].nunique()} label(s) "
                         "the taxonomy does not know",
            hint="Map each label to a taxonomy code in the mapping file ('values: {category: {your label: "
                 "urban_rural_construction}}'); pa.taxonomy.load_taxonomy() lists the codes.")
    if data.empty:
        raise MissingColumnsError(str(source), "no row has both a label and text", hint="Check the export.")
    return pd.DataFrame({"category": codes.astype("str"), "text": mask_text(data["text"].astype("str"))})


def _metrics(truth: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    present = sorted(set(truth))
    return {
        "accuracy": round(float(accuracy_score(truth, pred)), 4),
        # macro-F1 over the classes that occur in the truth (a class never labelled has no F1)
        "macro_f1": round(float(f1_score(truth, pred, labels=present, average="macro", zero_division=0)), 4),
        "confusion": confusion_matrix(truth, pred, labels=classes).tolist(),
    }


def evaluate(labelled: pd.DataFrame, model=None, *, threshold: float | None = None) -> dict:
    """Accuracy, macro-F1 and the confusion matrix of ``model`` on labelled data (from
    :func:`read_labelled`). Codes are compared after the 2018 crosswalk (环境保护 and
    生态环境 are the same category), and a prediction left ``other`` by the threshold counts
    as wrong. ``coverage`` is the share predicted above the threshold and
    ``accuracy_above_threshold`` the accuracy there."""
    m = load_model(model)
    pred = m.predict(labelled["text"], threshold=threshold)
    truth = taxonomy.crosswalk_series(labelled["category"]).to_numpy(dtype=object)
    guess = taxonomy.crosswalk_series(pred["category"]).to_numpy(dtype=object)
    classes = sorted(set(truth) | set(guess))
    out = _metrics(truth, guess, classes)
    above = (pred["category"] != "other").to_numpy()
    out.update({"classes": classes, "rows": int(len(labelled)), "coverage": round(float(above.mean()), 4),
                "accuracy_above_threshold": round(float((truth[above] == guess[above]).mean()), 4) if above.any() else None,
                "threshold": m.threshold if threshold is None else threshold, "kind": m.kind})
    return out


def _fit(text: pd.Series, labels: np.ndarray, *, C: float, ngram_range, min_df: int, max_features: int | None):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char", ngram_range=tuple(ngram_range), sublinear_tf=True, min_df=min_df,
                          max_features=max_features, dtype=np.float64)
    X = vec.fit_transform(text.to_numpy(dtype=object))
    # A linear SVM with balanced class weights: on a real 7-category board it was as accurate
    # as logistic regression and 50 times faster (docs/classification.md).
    clf = LinearSVC(C=C, class_weight="balanced")
    clf.fit(X, labels)
    return vec, clf


def _temperature(scores: np.ndarray, truth_index: np.ndarray) -> float:
    """The temperature T that makes softmax(scores / T) the best-calibrated probabilities
    (least log loss) of the cross-validated scores: confidences then mean what they say."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        z = scores / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -float(logp[np.arange(len(z)), truth_index].mean())

    return float(np.exp(minimize_scalar(nll, bounds=(-5, 3), method="bounded").x))


def train(labelled: pd.DataFrame, *, folds: int = 5, C: float = 1.0, ngram_range=(1, 2), min_df: int = 2,
          max_features: int | None = 200_000, threshold: float = DEFAULT_THRESHOLD, seed: int = 0) -> CategoryModel:
    """Train a TF-IDF (character 1–2-grams) + linear SVM model on labelled data (from
    :func:`read_labelled`), measured first by stratified ``folds``-fold cross-validation:
    its ``metrics`` hold accuracy, macro-F1, the confusion matrix (rows: true class,
    columns: predicted), the share predicted above ``threshold`` (``coverage``) and the
    accuracy there. Confidences are the softmax of the scores at a temperature fitted on
    the cross-validated scores. The same data and options give the same model (``seed``
    fixes the folds)."""
    from sklearn.model_selection import StratifiedKFold

    labels = labelled["category"].astype("str")
    # An old label and its post-2018 successor (环境保护, 生态环境) are one category: trained as
    # the old code when both occur, which the clean step crosswalks forward by year.
    succ = {c: taxonomy.crosswalk(c) for c in labels.unique()}
    back = {new: old for old, new in succ.items() if new != old and new in succ}
    labels = labels.replace(back).to_numpy(dtype=object)
    text = labelled["text"].astype("str").reset_index(drop=True)
    order_codes = taxonomy.load_taxonomy()["code"].tolist()
    classes = sorted(set(labels), key=order_codes.index)
    counts = pd.Series(labels).value_counts()
    if len(classes) < 2:
        raise ValueError("training needs at least two categories in the labelled data.")
    k = int(min(folds, counts.min()))
    if k < 2:
        raise ValueError(f"training needs at least 2 labelled messages of every category for cross-validation; "
                         f"{int((counts < 2).sum())} categor(ies) have fewer. Label more messages or merge them.")
    scores = np.zeros((len(labels), len(classes)))
    for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(text, labels):
        vec, clf = _fit(text.iloc[tr], labels[tr], C=C, ngram_range=ngram_range, min_df=min_df, max_features=max_features)
        s = clf.decision_function(vec.transform(text.iloc[te].to_numpy(dtype=object)))
        scores[te] = s[:, [list(clf.classes_).index(c) for c in classes]]
    truth_index = np.array([classes.index(c) for c in labels])
    T = _temperature(scores, truth_index)
    z = scores / T
    proba = np.exp(z - z.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    conf = proba.max(axis=1)
    metrics = _metrics(labels, pred, classes)
    above = conf >= threshold
    metrics.update({"folds": k, "rows": int(len(labels)), "coverage": round(float(above.mean()), 4),
                    "accuracy_above_threshold": round(float((labels[above] == pred[above]).mean()), 4) if above.any() else None,
                    "seed": seed, "temperature": round(T, 6)})
    vec, clf = _fit(text, labels, C=C, ngram_range=ngram_range, min_df=min_df, max_features=max_features)
    order = [list(clf.classes_).index(c) for c in classes]
    features = vec.get_feature_names_out().tolist()
    return CategoryModel(kind="tfidf-linear", classes=classes, features=features, weights=clf.coef_[order].T / T,
                         intercept=clf.intercept_[order] / T, ngram_range=tuple(ngram_range), idf=vec.idf_.copy(),
                         threshold=threshold, metrics=metrics,
                         trained_on={"rows": int(len(labels)), "per_class": {c: int(counts[c]) for c in classes},
                                     "C": C, "min_df": min_df, "max_features": max_features})
