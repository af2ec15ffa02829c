"""Category models (问题分类模型): a plain, versioned file format and prediction.

A :class:`CategoryModel` is a linear model over character n-grams of a message's text: a
score per category is ``features(text) @ weights + intercept``. Two kinds share the format:

- ``keywords``: the default, built from the taxonomy's own labels and synonyms and the
  keyword lists we write (``resources/category_keywords.csv``); a feature is whether a
  keyword occurs in the text. No training data is needed.
- ``tfidf-linear``: trained on a user's labelled export (:func:`petition_analysis.classify.train`):
  TF-IDF of character 1–3-grams and a multinomial logistic regression.

A model is saved as one JSON file (gzip-compressed when the name ends in ``.gz``) that
holds the features, weights, classes (taxonomy codes), the confidence threshold, the
cross-validated metrics and confusion matrix it was measured with, and the package version
that wrote it. No pickle: a model file is data, safe to open, and readable in any language.
No message text is stored, only n-gram features and their weights.

>>> m = default_model()
>>> m.kind, m.classes[:2]
('keywords', ['urban_rural_construction', 'land_resources'])
>>> import pandas as pd
>>> p = m.predict(pd.Series(["小区物业乱收停车费", "学校老师违规补课收费", ""]))
>>> p["category"].tolist()
['urban_rural_construction', 'education_culture_sports', 'other']
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from .. import taxonomy
from .._version import __version__
from ..errors import StructuralError

__all__ = ["CategoryModel", "ModelFileError", "default_model", "load_model", "FORMAT_VERSION",
           "DEFAULT_THRESHOLD", "RECORD_FORMAT", "model_record", "recorded_model"]

#: Version of the model file format (bumped when a field changes meaning).
FORMAT_VERSION = 1
#: Below this confidence a predicted category stays ``other`` (a model file may set its own).
DEFAULT_THRESHOLD = 0.4
#: The default model's measured accuracy on a real labelled message board, by the procedure
#: in docs/classification.md; the uncertainty of counts from its predictions assumes no better.
DEFAULT_ASSUMED_ACCURACY = 0.70


class ModelFileError(StructuralError):
    """A model file that cannot be read: missing, not a model, or of a newer format."""


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


_BASE = np.uint64(1_000_003)
#: Messages per batch in :func:`ngram_counts` (bounds memory: about 100 bytes per character).
BATCH_DOCS = 20_000


def _hash_text(text: str) -> int:
    """The polynomial hash (mod 2**64) of a string's code points, as :func:`ngram_counts` computes it."""
    h = np.uint64(0)
    with np.errstate(over="ignore"):
        for ch in text:
            h = h * _BASE + np.uint64(ord(ch))
    return int(h)


def _prepare(text: pd.Series):
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text.fillna("").astype("str").to_numpy(dtype=object), type=pa.large_string())
    # as scikit-learn's character analyzer: lower case, runs of whitespace as one space
    return pc.replace_substring_regex(pc.utf8_lower(arr), r"\s\s+", " ")


def ngram_counts(text: pd.Series, hashes: np.ndarray, feature_of: np.ndarray, lengths, n_features: int) -> sparse.csr_matrix:
    """Counts of the features (character n-grams of the given ``lengths``, known by their
    sorted ``hashes``) in each text, as a sparse matrix (rows × features). Every window of
    every length is hashed at once over the batch's code points (numpy), so no Python runs
    per message; windows that cross two messages are dropped."""
    import pyarrow.compute as pc

    rows_all, cols_all = [], []
    n = len(text)
    for lo in range(0, n, BATCH_DOCS):
        arr = _prepare(text.iloc[lo:lo + BATCH_DOCS])
        lens = pc.utf8_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
        total = int(lens.sum())
        if total == 0:
            continue
        joined = "".join(arr.to_pylist())
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc = np.repeat(np.arange(len(lens)), lens)
        ends = np.cumsum(lens)[doc]  # the end of each position's message
        pos = np.arange(total)
        with np.errstate(over="ignore"):
            for L in lengths:
                L = int(L)
                m = total - L + 1
                if m <= 0:
                    continue
                h = np.zeros(m, dtype=np.uint64)
                for k in range(L):
                    h = h * _BASE + cps[k:k + m]
                idx = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
                hit = (hashes[idx] == h) & (pos[:m] + L <= ends[:m])
                rows_all.append(doc[:m][hit] + lo)
                cols_all.append(feature_of[idx[hit]])
    r = np.concatenate(rows_all) if rows_all else np.empty(0, dtype=np.int64)
    c = np.concatenate(cols_all) if cols_all else np.empty(0, dtype=np.int64)
    X = sparse.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n_features)).tocsr()
    X.sum_duplicates()
    return X


@dataclass
class CategoryModel:
    """A linear category model over character n-grams (see the module docstring)."""

    kind: str
    classes: list[str]
    features: list[str]
    weights: np.ndarray  # (n_features, n_classes)
    intercept: np.ndarray  # (n_classes,)
    ngram_range: tuple[int, int] = (1, 3)
    idf: np.ndarray | None = None
    threshold: float = DEFAULT_THRESHOLD
    #: Cross-validated ``accuracy``, ``macro_f1``, ``confusion`` (rows: true class, columns:
    #: predicted, in ``classes`` order), ``folds``, ``rows``; or ``assumed_accuracy`` only.
    metrics: dict = field(default_factory=dict)
    package_version: str = __version__
    format_version: int = FORMAT_VERSION
    #: What the model was trained from: rows, label counts per class, text columns (never text).
    trained_on: dict = field(default_factory=dict)
    #: Where it came from: the model file's name, or ``built-in`` (never a folder path).
    source: str = ""

    # ------------------------------------------------------------------ prediction
    @functools.cached_property
    def _feature_hashes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sorted hashes, feature index of each, n-gram lengths) of the features."""
        h = np.array([_hash_text(f) for f in self.features], dtype=np.uint64)
        order = np.argsort(h, kind="stable")
        lengths = np.unique([len(f) for f in self.features])
        return h[order], order, lengths

    def features_matrix(self, text: pd.Series) -> sparse.csr_matrix:
        """The model's features of each text (rows × features): 0/1 keyword occurrence for
        the keyword model, sublinear TF-IDF (l2-normalized) for a trained one. The same as
        scikit-learn's character analyzer gives (lower case, whitespace runs as one space),
        computed on whole arrays (:func:`ngram_counts`) rather than message by message."""
        hashes, feature_of, lengths = self._feature_hashes
        X = ngram_counts(text, hashes, feature_of, lengths, len(self.features))
        if self.kind == "keywords":
            X.data[:] = 1.0
            return X
        X.data = 1.0 + np.log(X.data)
        X = X @ sparse.diags(np.asarray(self.idf, dtype=float))
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ X)

    def scores(self, text: pd.Series) -> np.ndarray:
        """Per-category scores of each text (rows × classes)."""
        if not len(text):
            return np.zeros((0, len(self.classes)))
        return np.asarray(self.features_matrix(text) @ self.weights) + self.intercept

    def predict(self, text: pd.Series, *, threshold: float | None = None) -> pd.DataFrame:
        """``category`` (a class, or ``other`` below the threshold or with no evidence),
        ``predicted`` (the best class whatever its confidence) and ``confidence`` (0–1)."""
        thr = self.threshold if threshold is None else float(threshold)
        s = self.scores(text)
        index = text.index
        if not len(s):
            return pd.DataFrame({"category": pd.Series([], dtype="str"), "predicted": pd.Series([], dtype="str"),
                                 "confidence": pd.Series([], dtype="float64")}, index=index)
        best = s.argmax(axis=1)
        if self.kind == "keywords":
            # Evidence shares: the best score against the runner-up and one pseudo-count,
            # so one matched keyword gives 0.5, and none gives 0.
            top = np.take_along_axis(s, best[:, None], axis=1)[:, 0]
            second = np.partition(s, -2, axis=1)[:, -2] if s.shape[1] > 1 else np.zeros(len(s))
            conf = np.where(top > 0, top / (top + np.maximum(second, 0) + 1.0), 0.0)
        else:
            conf = _softmax(s).max(axis=1)
        predicted = np.asarray(self.classes, dtype=object)[best]
        category = np.where(conf >= thr, predicted, "other")
        return pd.DataFrame({"category": pd.Series(category, index=index, dtype="str"),
                             "predicted": pd.Series(predicted, index=index, dtype="str"),
                             "confidence": pd.Series(conf.round(6), index=index, dtype="float64")})

    # ------------------------------------------------------------------ uncertainty
    def precision_matrix(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(classes, P, counts): ``P[p, t]``, the estimated probability that a message
        predicted as class ``p`` truly belongs to class ``t`` (columns of the
        cross-validated confusion matrix, normalized), and the counts behind each row (for
        the uncertainty of P itself). A model without a confusion matrix assumes
        :attr:`metrics`'s ``assumed_accuracy`` on the diagonal and spreads the rest evenly,
        backed by a notional 50 messages per class (:func:`petition_analysis.analysis.classified.category_counts`
        spreads it in proportion to the categories predicted in the data instead)."""
        k = len(self.classes)
        conf = self.metrics.get("confusion")
        if conf is not None:
            M = np.asarray(conf, dtype=float)  # rows true, columns predicted
            counts = M.T.copy()  # rows predicted, columns true
            P = (counts + 0.5) / (counts + 0.5).sum(axis=1, keepdims=True)
            return list(self.classes), P, counts
        acc = float(self.metrics.get("assumed_accuracy", DEFAULT_ASSUMED_ACCURACY))
        P = np.full((k, k), (1 - acc) / max(k - 1, 1))
        np.fill_diagonal(P, acc)
        return list(self.classes), P, P * 50.0

    # ------------------------------------------------------------------ record
    @functools.cached_property
    def sha256(self) -> str:
        """The SHA-256 of the model's content (its JSON, as :meth:`save` writes it, uncompressed)."""
        import hashlib

        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def record(self) -> dict:
        """What a clean table keeps of the model that predicted its categories (see
        :func:`model_record`): kind, source, versions, content hash, classes, threshold and
        the measured metrics with the confusion matrix; no features, weights or text."""
        keep = ("accuracy", "macro_f1", "confusion", "assumed_accuracy", "folds", "rows")
        return {"format": RECORD_FORMAT, "kind": self.kind, "source": self.source or "",
                "package_version": self.package_version, "format_version": self.format_version,
                "sha256": self.sha256, "classes": list(self.classes), "threshold": float(self.threshold),
                "metrics": json.loads(json.dumps({k: self.metrics[k] for k in keep if k in self.metrics}))}

    @classmethod
    def from_record(cls, rec: dict, origin: str = "the clean table's classifier record") -> CategoryModel:
        """The model a :meth:`record` describes, for the uncertainty of its predictions only
        (its confusion matrix): it has no features, so it cannot predict."""
        try:
            classes = [str(c) for c in rec["classes"]]
            known = set(taxonomy.load_taxonomy()["code"])
            if not classes or any(c not in known for c in classes):
                raise ValueError("unknown classes")
            m = cls(kind=str(rec["kind"]), classes=classes, features=[], weights=np.zeros((0, len(classes))),
                    intercept=np.zeros(len(classes)), threshold=float(rec.get("threshold", DEFAULT_THRESHOLD)),
                    metrics=dict(rec.get("metrics") or {}), package_version=str(rec.get("package_version")),
                    format_version=int(rec.get("format_version", FORMAT_VERSION)),
                    trained_on={"record": str(rec.get("sha256", ""))}, source=str(rec.get("source", "")))
            conf = m.metrics.get("confusion")
            if conf is not None and np.asarray(conf, dtype=float).shape != (len(classes), len(classes)):
                raise ValueError("confusion matrix of the wrong shape")
        except (KeyError, TypeError, ValueError):
            raise ModelFileError(origin, "the record of the model that predicted the categories is damaged",
                                 hint="Clean the export again with this version of petition-analysis.") from None
        m.__dict__["sha256"] = str(rec.get("sha256", ""))  # the recorded model's hash, not this stub's
        return m

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict:
        # weights that round to zero are not written (a model read back has none), so that a
        # model and its file have the same content (and hash)
        weights = np.asarray(self.weights, dtype=float)
        w = sparse.csr_matrix(np.where(np.round(weights, 6) == 0, 0.0, weights))
        return {
            "format": "petition-analysis category model",
            "format_version": self.format_version,
            "package_version": self.package_version,
            "kind": self.kind,
            "classes": list(self.classes),
            "class_labels_zh": [taxonomy.label(c, "zh") for c in self.classes],
            "ngram_range": list(self.ngram_range),
            "threshold": self.threshold,
            "metrics": self.metrics,
            "trained_on": self.trained_on,
            "features": list(self.features),
            "idf": None if self.idf is None else [round(float(x), 6) for x in self.idf],
            "intercept": [round(float(x), 6) for x in self.intercept],
            # sparse weights: (feature index, class index, weight) triplets
            "weights": {"shape": list(w.shape), "row": w.tocoo().row.tolist(), "col": w.tocoo().col.tolist(),
                        "value": [round(float(x), 6) for x in w.tocoo().data]},
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (gzip when the name ends in ``.gz``); same model, same bytes."""
        path = Path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        data = text.encode("utf-8")
        if path.suffix == ".gz":
            data = gzip.compress(data, mtime=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    @classmethod
    def from_dict(cls, d: dict, origin: str = "<model>") -> CategoryModel:
        if not isinstance(d, dict) or d.get("format") != "petition-analysis category model":
            raise ModelFileError(origin, "the file is not a petition-analysis category model",
                                 hint="Give a model written by 'petition-analysis classify train'.")
        if int(d.get("format_version", 0)) > FORMAT_VERSION:
            raise ModelFileError(origin, f"the model was written in format {d['format_version']} by "
                                         f"petition-analysis {d.get('package_version')}, newer than this version "
                                         f"({__version__}) reads",
                                 hint="Upgrade petition-analysis, or train the model again with this version.")
        unknown = [c for c in d["classes"] if c not in set(taxonomy.load_taxonomy()["code"])]
        if unknown:
            raise ModelFileError(origin, f"the model predicts {len(unknown)} class(es) that are not taxonomy codes",
                                 hint="Train the model again with this version.")
        w = d["weights"]
        weights = sparse.coo_matrix((w["value"], (w["row"], w["col"])), shape=tuple(w["shape"])).toarray()
        return cls(kind=d["kind"], classes=list(d["classes"]), features=list(d["features"]), weights=weights,
                   intercept=np.asarray(d["intercept"], dtype=float), ngram_range=tuple(d["ngram_range"]),
                   idf=None if d.get("idf") is None else np.asarray(d["idf"], dtype=float),
                   threshold=float(d.get("threshold", DEFAULT_THRESHOLD)), metrics=d.get("metrics") or {},
                   package_version=str(d.get("package_version")), format_version=int(d["format_version"]),
                   trained_on=d.get("trained_on") or {})


def load_model(model) -> CategoryModel:
    """A :class:`CategoryModel` from ``None`` (the default), ``"default"``, a model, a file
    path, or a model record (:func:`model_record`: for the uncertainty of its predictions only)."""
    if model is None or (isinstance(model, str) and model == "default"):
        return default_model()
    if isinstance(model, CategoryModel):
        return model
    if isinstance(model, dict) and model.get("format") == RECORD_FORMAT:
        return _from_record(json.dumps(model, sort_keys=True))
    path = Path(model)
    label = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(label, "the model file does not exist",
                             hint="Check the path, or train one with 'petition-analysis classify train'.") from None
    except (IsADirectoryError, PermissionError, OSError) as err:
        raise ModelFileError(label, f"the model file cannot be read ({getattr(err, 'strerror', None) or err})",
                             hint="Give the model file written by 'petition-analysis classify train'.") from None
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        d = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, EOFError):
        raise ModelFileError(label, "the file is not a petition-analysis category model (not JSON)",
                             hint="Give the model file written by 'petition-analysis classify train'.") from None
    try:
        m = CategoryModel.from_dict(d, label)
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(label, "the model file is damaged or incomplete",
                             hint="Train the model again with 'petition-analysis classify train'.") from None
    m.source = path.name  # the file's name only: a folder path can name a person or a place
    return m


#: The ``format`` of a model record (:func:`model_record`).
RECORD_FORMAT = "petition-analysis category model record"
#: The key of a clean table's ``attrs`` (and so of its Parquet metadata) holding the record.
ATTRS_KEY = "classifier"


def model_record(model=None, *, threshold: float | None = None) -> str:
    """The record of the model that predicted a clean table's categories, as cleaning keeps
    it in the table's ``attrs["classifier"]`` (written to the Parquet file's metadata with
    the table) and in the cleaning log: JSON text (so that pandas copies it for free) of its
    kind, source (file name or ``built-in``), package and format versions, content hash,
    classes, threshold, and measured metrics with the confusion matrix. ``threshold``: the
    confidence threshold the prediction used when the caller overrode the model's (the
    record keeps the one actually used; the content hash stays the model's).

    >>> import json
    >>> r = json.loads(model_record())
    >>> r["kind"], r["source"], r["metrics"], r["threshold"]
    ('keywords', 'built-in', {'assumed_accuracy': 0.7}, 0.4)
    >>> json.loads(model_record(threshold=0.6))["threshold"]
    0.6
    """
    rec = load_model(model).record()
    if threshold is not None:
        rec["threshold"] = float(threshold)
    return json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=8)
def _from_record(text: str) -> CategoryModel:
    return CategoryModel.from_record(json.loads(text))


def recorded_model(df) -> CategoryModel:
    """The model that predicted the categories of clean table ``df``, as cleaning recorded
    it (:func:`model_record`), for the uncertainty of its predictions; the built-in keyword
    model when the table carries no record (a register, or a table cleaned before the
    record was kept).

    >>> import pandas as pd
    >>> recorded_model(pd.DataFrame()).kind
    'keywords'
    """
    rec = getattr(df, "attrs", {}).get(ATTRS_KEY)
    if not rec:
        return default_model()
    if isinstance(rec, str):
        try:
            rec = json.loads(rec)
        except ValueError:
            rec = None
    if not isinstance(rec, dict) or rec.get("format") != RECORD_FORMAT:
        raise ModelFileError("the clean table's classifier record", "the record of the model that predicted "
                             "the categories is damaged", hint="Clean the export again with this version of "
                             "petition-analysis.")
    return load_model(rec)


@functools.cache
def _keyword_table() -> pd.DataFrame:
    with resources.files("petition_analysis").joinpath("resources/category_keywords.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    rows = []
    for code, weight, words in table[["code", "weight", "keywords"]].itertuples(index=False):
        for w in words.split("|"):
            if w.strip():
                rows.append((code, float(weight), w.strip().lower()))
    # The taxonomy's own labels and synonyms name their category too (subcategories their parent).
    tax = taxonomy.load_taxonomy()
    old = set(default_classes())
    for r in tax.itertuples(index=False):
        code = r.code if r.level == 1 else str(r.parent).split("|")[0]
        code = code if code in old else taxonomy._reverse_crosswalk().get(code, code)
        if code not in old:
            continue
        for name in [r.zh, *str(r.synonyms).split("|")]:
            name = taxonomy.normalize_label(name)
            if len(name) >= 2 and name.isascii() is False:
                rows.append((code, 2.0, name))
    kw = pd.DataFrame(rows, columns=["code", "weight", "keyword"])
    # One weight per (keyword, category): the largest.
    return kw.groupby(["keyword", "code"], as_index=False)["weight"].max()


def default_classes() -> list[str]:
    """The categories the default model predicts: the taxonomy's categories before the 2018
    reform, which every register year can express (later years are crosswalked forward)."""
    t = taxonomy.load_taxonomy()
    first = t[(t["level"] == 1) & t["year_from"].isna() & (t["code"] != "other")]
    return first["code"].tolist()


@functools.cache
def default_model() -> CategoryModel:
    """The default keyword model (see the module docstring): no training data needed."""
    kw = _keyword_table()
    classes = default_classes()
    features = sorted(kw["keyword"].unique())
    fi = {f: i for i, f in enumerate(features)}
    ci = {c: i for i, c in enumerate(classes)}
    W = np.zeros((len(features), len(classes)))
    W[kw["keyword"].map(fi).to_numpy(), kw["code"].map(ci).to_numpy()] = kw["weight"].to_numpy()
    longest = max(len(f) for f in features)
    return CategoryModel(kind="keywords", classes=classes, features=features, weights=W,
                         intercept=np.zeros(len(classes)), ngram_range=(1, longest),
                         metrics={"assumed_accuracy": DEFAULT_ASSUMED_ACCURACY},
                         trained_on={"source": "taxonomy labels and synonyms, and resources/category_keywords.csv"},
                         source="built-in")
