"""The input of a report or an analysis: one or several files, globs and folders, read into
one canonical table.

``data`` is a path, a glob pattern (``exports/register_*.xlsx``), a folder, or a list of
them (``--data`` given several times). A folder gives every register file in it
(recursively: CSV, Excel and Parquet files; hidden files, Excel's ``~$`` lock files and
rejects files written by ``clean`` are skipped), or, when it is a dataset written by
``petition-analysis clean --out-dataset``, that dataset. Each file is read once, in sorted
order, whatever order the patterns named it in: the same files give the same table.

- **Clean canonical Parquet** files (without a mapping) are validated one by one and put
  together. A row found in two files (the same ``case_id`` with the same content: two
  exports that overlap) is kept once and counted as ``duplicate``; a ``case_id`` reused for
  another item keeps the first file's row and counts the other as ``duplicate_case_id``.
  Repeat visits are linked across the files (a January visit repeats a December one in
  last year's file), when the files were cleaned with the same pseudonym key; the quality
  summary counts ``repeats_linked_across_files`` and ``petitioners_in_several_files``.
- **Raw exports** (CSV, xlsx, or Parquet with a mapping) are cleaned *together*, as
  :func:`~petition_analysis.ingest.cleaning.clean` does with several files: copies across
  files are found, and repeat visits (重复访) link across the year boundary.
- A **dataset** folder is read as it is (:func:`~petition_analysis.ingest.dataset.read_dataset`),
  with its cleaning log.

Clean Parquet files cannot be mixed with raw exports in one input: their petitioner
pseudonyms and repeat flags were made in separate runs.

>>> import pandas as pd, tempfile, pathlib
>>> from petition_analysis.synth import generate
>>> df = generate(2018, 2019, scale=0.05).data
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for y in (2018, 2019):
...     df[df["received_date"].dt.year == y].to_parquet(folder / f"y{y}.parquet")
>>> src = load_sources(str(folder / "y*.parquet"))
>>> len(src.data) == len(df), [pathlib.Path(f["path"]).name for f in src.files], src.kind
(True, ['y2018.parquet', 'y2019.parquet'], 'canonical')
>>> sorted(src.data["received_date"].dt.year.unique().tolist())
[2018, 2019]
"""

from __future__ import annotations

import glob
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema
from ..errors import EmptyInputError, StructuralError, UnreadableFileError
from .io import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES

__all__ = ["Sources", "NotCanonicalError", "expand_data", "is_dataset", "load_sources", "cleaning_quality", "register_files", "sha256_of_files", "REGISTER_SUFFIXES"]

REGISTER_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
#: Files a folder may hold that are not registers: what ``clean`` and ``synth messy`` write beside them.
_NOT_REGISTERS = (".rejects.csv", ".expected_rejects.csv", "_rejects.parquet")


class NotCanonicalError(StructuralError):
    """A Parquet file given as clean data does not follow the canonical schema."""


@dataclass
class Sources:
    """The canonical table read from ``files`` and how it was read."""

    data: pd.DataFrame
    #: one dict per file (or dataset folder): ``path`` (absolute), ``sha256``, ``rows`` read
    files: list[dict]
    #: ``canonical`` (clean Parquet), ``raw`` (cleaned here) or ``dataset``
    kind: str
    #: rows read, clean, rejected by reason, unmapped labels (counts per field)
    quality: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """The input's SHA-256: the file's own for one file; for several, the SHA-256 of
        their sorted SHA-256s (moving or renaming the files does not change it)."""
        return sha256_of_files([f["sha256"] for f in self.files])

    @property
    def paths(self) -> list[str]:
        return [f["path"] for f in self.files]

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.data["received_date"].dt.year.unique()) if len(self.data) else []


def sha256_of_files(shas: list[str]) -> str:
    """One file's SHA-256, or the SHA-256 of several files' SHA-256s, sorted, one per line
    (so the same files give the same value whatever their names and order).

    >>> sha256_of_files(["ab"]), sha256_of_files(["ab", "cd"])[:12], sha256_of_files(["cd", "ab"])[:12]
    ('ab', '5141648ccbe9', '5141648ccbe9')
    """
    if len(shas) == 1:
        return shas[0]
    return hashlib.sha256("".join(s + "\n" for s in sorted(shas)).encode("ascii")).hexdigest()


#: A dataset folder's log and staging folder (written by :mod:`.dataset`): a run removes the
#: log first and writes it last, and keeps its staging folder until then.
DATASET_LOG = "_log.json"
DATASET_STAGING = "_staging"


def is_dataset(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``clean --out-dataset`` (``year=*/`` parts)."""
    p = Path(path)
    return p.is_dir() and (p / DATASET_LOG).is_file() and any(p.glob("year=*/*.parquet"))


def _unfinished_dataset(folder: Path) -> None:
    """Refuse a dataset folder whose run stopped before the end: ``clean --out-dataset``
    removes ``_log.json`` first and writes it last, and its staging folder is there until
    the end, so year parts beside a staging folder without the log may be a previous run's
    or some of the new years, never a whole register. (A dataset written from a frame has
    neither the log nor a staging folder.)"""
    if (folder / DATASET_STAGING).is_dir() and not (folder / DATASET_LOG).is_file():
        raise StructuralError(str(folder), "this dataset folder is unfinished: the run that wrote it stopped before "
                              "the end (it has no _log.json), so its years may be incomplete",
                              hint="Run `petition-analysis clean ... --out-dataset` (or clean_to_dataset) into it "
                                   "again; the run replaces what is there.")


def register_files(folder: Path) -> list[Path]:
    """The register files in ``folder`` and below, sorted: CSV, Excel and Parquet files, but
    not hidden files or folders, Excel's ``~$`` lock files, or the rejects files that
    ``clean`` and ``synth messy`` write beside the exports."""
    return sorted(f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in REGISTER_SUFFIXES
                  and not f.name.startswith(("~$", ".")) and not f.name.endswith(_NOT_REGISTERS)
                  and not any(part.startswith(".") for part in f.relative_to(folder).parts[:-1]))


def expand_data(data) -> list[Path]:
    """The files (and dataset folders) named by ``data``: paths, glob patterns and folders,
    or a list of them; each once, sorted. Raises
    :class:`~petition_analysis.errors.StructuralError` for a path that does not exist, a
    pattern or folder with no register file, or no input at all.

    >>> expand_data([])
    Traceback (most recent call last):
    ...
    petition_analysis.errors.EmptyInputError: No input was given. Give a file, a folder or a glob pattern such as 'exports/register_*.xlsx'; several may be given.
    """
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    items = [i for i in items if i is not None and str(i).strip()]
    if not items:
        raise EmptyInputError("", "No input was given", hint="Give a file, a folder or a glob pattern such as "
                              "'exports/register_*.xlsx'; several may be given.")
    out: list[Path] = []
    for item in items:
        text = str(item).strip()
        p = Path(text).expanduser()
        if p.exists():
            if p.is_dir():
                _unfinished_dataset(p)
            found = [p] if not p.is_dir() or is_dataset(p) else register_files(p)
            if not found:
                raise EmptyInputError(text, "the folder holds no register file (CSV, xlsx, xls or Parquet)",
                                      hint="Give the folder that holds the exports, or the files themselves.")
        elif any(ch in text for ch in "*?["):
            found = []
            for m in sorted(glob.glob(str(p), recursive=True)):
                mp = Path(m)
                if mp.is_file() and not mp.name.endswith(_NOT_REGISTERS):
                    found.append(mp)
                elif mp.is_dir():
                    _unfinished_dataset(mp)
                    found += [mp] if is_dataset(mp) else register_files(mp)
            if not found:
                raise EmptyInputError(text, "the pattern matches no file",
                                      hint="Check the pattern and the folder you run the command from; quote it "
                                           "so that the shell does not expand it first.")
        else:
            raise UnreadableFileError(text, "the file does not exist",
                                      hint="Check the path, or leave the data out for the bundled reference data.")
        out += found
    unique = {str(f.resolve()): f.resolve() for f in out}
    return [unique[k] for k in sorted(unique)]


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _dataset_sha(folder: Path) -> str:
    """SHA-256 over a dataset's part files (relative path and content), in sorted order."""
    h = hashlib.sha256()
    for part in sorted(folder.glob("year=*/*.parquet")):
        h.update(part.relative_to(folder).as_posix().encode("utf-8") + b"\n" + _file_sha(part).encode("ascii") + b"\n")
    return h.hexdigest()


def _is_canonical_file(path: Path, mapping) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES and mapping is None


def load_sources(data, mapping=None, *, progress: bool | None = False) -> Sources:
    """Read ``data`` (see the module docstring) into one canonical table.

    Raises :class:`~petition_analysis.errors.StructuralError` when an input cannot be
    read or cleaned, and :class:`~petition_analysis.schema.SchemaError` (naming the file)
    when a Parquet file is not a clean canonical table.
    """
    paths = expand_data(data)
    datasets = [p for p in paths if p.is_dir()]
    canonical = [p for p in paths if p.is_file() and _is_canonical_file(p, mapping)]
    raw = [p for p in paths if p.is_file() and not _is_canonical_file(p, mapping)]
    if raw and (canonical or datasets):
        clean_one = canonical[0] if canonical else datasets[0]
        raise StructuralError(
            "", f"the input mixes clean data ({clean_one.name}) with raw exports ({raw[0].name})",
            hint="Their petitioner pseudonyms and repeat flags would not match. Give only raw exports (they are "
                 "cleaned together), or clean the raw exports first with `petition-analysis clean` and give the "
                 "clean Parquet files.")
    for p in paths:
        if p.is_file() and p.stat().st_size == 0:
            raise EmptyInputError(str(p), "the file is empty", hint="Export the register again.")
    if raw:
        return _load_raw(raw, mapping, progress)
    return _load_canonical(canonical, datasets)


def _load_raw(paths: list[Path], mapping, progress) -> Sources:
    from .cleaning import clean

    result = clean([str(p) for p in paths], mapping=mapping, progress=progress)
    read = {}
    for f in result.log.files:
        read[f["source_file"]] = read.get(f["source_file"], 0) + int(f.get("rows_read", 0) or 0)
    files = [{"path": str(p), "sha256": _file_sha(p), "rows": read.get(str(p))} for p in paths]
    quality = cleaning_quality(result)
    if len(paths) > 1:
        quality["source"] = f"{len(paths)} raw exports, cleaned together"
    return Sources(result.data, files, "raw", quality)


def cleaning_quality(result) -> dict:
    """The quality summary of a :class:`~petition_analysis.ingest.cleaning.CleanResult`: rows
    read, clean, rejected by reason, and unmapped labels as rows per field, never the labels
    themselves (a name or number typed into the wrong column must not reach a report)."""
    rejects = result.rejects
    by_reason = rejects["reason"].value_counts().sort_index().to_dict() if len(rejects) else {}
    return {
        "rows_read": int(result.log.rows_read),
        "rows_clean": int(len(result.data)),
        "rows_rejected": int(len(rejects)),
        "rejected_by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "unmapped_labels": {str(k): int(v["rows"]) for k, v in result.log.unmapped_labels.items() if v},
        "source": "raw export, cleaned",
    }


def _validation_key(sha: str) -> str:
    """What a schema check's verdict depends on: the file's content and the code and
    versions that read and check it (schema, taxonomy, patterns, their resources)."""
    import pyarrow

    from .. import _version, patterns, taxonomy

    h = hashlib.sha256(f"{sha}\n{_version.__version__}\n{pd.__version__}\n{np.__version__}\n{pyarrow.__version__}\n"
                       .encode("ascii"))
    root = Path(schema.__file__).parent
    for src in (Path(schema.__file__), Path(taxonomy.__file__), Path(patterns.__file__),
                *sorted((root / "resources").glob("*.csv"))):
        h.update(src.name.encode("utf-8") + b"\n" + src.read_bytes())
    return h.hexdigest()


def _validated_marker(sha: str) -> Path | None:
    """The marker file saying that a file of this content passed the schema check, in the
    user's cache folder (``~/.cache/petition-analysis/validated``). The parent process that
    checks a report's parameters and the report's kernel read the same file: the second
    skips the check (about 1 s for the bundled register)."""
    import os

    try:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "petition-analysis" / "validated" / _validation_key(sha)
    except OSError:
        return None


def _mark_validated(marker: Path | None) -> None:
    import os
    import tempfile

    if marker is None:
        return
    try:  # atomic: a half-written marker is never read; a read-only cache only costs time
        marker.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=marker.parent, prefix=".tmp-")
        os.close(fd)
        os.replace(tmp, marker)
    except OSError:
        pass


def _read_canonical(path: Path, sha: str | None = None, stamp: tuple | None = None) -> pd.DataFrame:
    """Read a canonical Parquet file and check it against the schema. ``sha``: the file's
    SHA-256, taken after ``stamp`` (:func:`_stat_stamp`); a file of that content that passed
    the check before (see :func:`_validated_marker`) is not checked again, unless the file
    changed between the stamp and the end of the read."""
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises several types for unreadable files
        raise UnreadableFileError(str(path), f"the file could not be read as Parquet ({str(err).strip()[:200]})",
                                  hint="Is it a complete file?") from None
    marker = _validated_marker(sha) if sha and stamp is not None and _stat_stamp(path) == stamp else None
    if marker is not None and marker.is_file():
        return df
    try:
        schema.validate(df)
    except schema.SchemaError as err:
        raise NotCanonicalError(str(path), f"not a clean canonical table: {err}".rstrip("."),
                                hint="Clean a raw export with `petition-analysis clean` first, or pass it with a "
                                     "mapping file (then it is cleaned as a raw export).") from None
    _mark_validated(marker)
    return df


def _stat_stamp(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _link_repeats(data: pd.DataFrame, origin: np.ndarray) -> dict:
    """Repeat visits (重复访) across files cleaned one by one: an item whose earlier item
    from the same petitioner on the same category (within the default 365 days) sits in
    another file is a repeat too; ``is_repeat`` is set in place. Pseudonyms link only when
    the files were cleaned with the same key, so the count of petitioners found in more than
    one file tells whether they did."""
    from .derive import flag_repeats

    linked = flag_repeats(data, source_flag=data["is_repeat"])
    added = int((linked & ~data["is_repeat"].astype(bool)).sum())
    data["is_repeat"] = linked.to_numpy()
    ids = pd.DataFrame({"p": data["petitioner_id"], "f": origin}).dropna().drop_duplicates()
    shared = int(ids.loc[ids["p"].duplicated(keep=False), "p"].nunique())
    return {"repeats_linked_across_files": added, "petitioners_in_several_files": shared}


def _classifier_record(frames: list[pd.DataFrame], names: list[str]) -> str | None:
    """The record of the model that predicted the categories (``attrs["classifier"]``, see
    :func:`~petition_analysis.classify.model.model_record`) of files put together: pandas
    keeps ``attrs`` through a concatenation only when every frame's agree, and the counts'
    intervals must not fall back to the keyword model's errors unnoticed.

    Only files with predicted rows count. The same record everywhere is kept; records of the
    same model at different thresholds keep the model's record with ``thresholds`` (the
    thresholds used, sorted; ``threshold`` is the first file's). Different models, or
    predicted rows without a record next to a record, raise a StructuralError."""
    from ..classify.model import ATTRS_KEY

    def parsed(rec):
        if isinstance(rec, str):
            try:
                return json.loads(rec)
            except ValueError:
                return rec  # damaged: recorded_model says so; here only compared as text
        return rec

    predicted = [bool("category_source" in f and (f["category_source"].astype("str") == "predicted").any())
                 for f in frames]
    counted = [i for i in range(len(frames)) if predicted[i]] or list(range(len(frames)))
    recs = {i: parsed(frames[i].attrs.get(ATTRS_KEY)) for i in counted if frames[i].attrs.get(ATTRS_KEY)}
    if not recs:
        return None
    first = min(recs)
    bare = [i for i in counted if i not in recs and predicted[i]]

    def model_of(rec):
        return {k: v for k, v in rec.items() if k != "threshold"} if isinstance(rec, dict) else rec

    other = next((i for i in recs if model_of(recs[i]) != model_of(recs[first])), None)
    if other is not None or bare:
        j = other if other is not None else bare[0]
        what = (f"the categories of {names[first]} and {names[j]} were predicted by different models"
                if other is not None else f"{names[j]} has predicted categories but no record of the model that "
                                          f"predicted them, while {names[first]} records its model")
        raise StructuralError(
            "", f"the files cannot be put together: {what}, so no one confusion matrix gives the uncertainty "
                "of their counts",
            hint="Clean all the files with one model: predict their categories again with "
                 "`petition-analysis clean --classifier MODEL` on each raw export, then give the clean files.")
    if not any(isinstance(r, dict) for r in recs.values()) or not any(predicted):
        # damaged records, or nothing predicted: keep a record only where all agree (as pandas does)
        same = len({json.dumps(r, sort_keys=True) for r in recs.values()}) == 1
        return frames[first].attrs[ATTRS_KEY] if same else None
    rec = dict(recs[first])
    used = sorted({float(r.get("threshold")) for r in recs.values() if r.get("threshold") is not None})
    if len(used) > 1:
        rec["thresholds"] = used
    return json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _load_canonical(paths: list[Path], datasets: list[Path]) -> Sources:
    frames, files, rejected = [], [], {}
    quality = {"rows_read": 0, "unmapped_labels": {}}
    for p in sorted([*paths, *datasets]):
        if p.is_dir():
            from .dataset import read_dataset

            df = read_dataset(p)
            log = json.loads((p / DATASET_LOG).read_text(encoding="utf-8"))
            quality["rows_read"] += int(log.get("rows_read", len(df)))
            for reason, n in (log.get("rejected") or {}).items():
                rejected[reason] = rejected.get(reason, 0) + int(n)
            for fld, counts in (log.get("unmapped_labels") or {}).items():
                rows = counts.get("rows", 0) if isinstance(counts, dict) else int(counts)
                quality["unmapped_labels"][fld] = quality["unmapped_labels"].get(fld, 0) + int(rows)
            files.append({"path": str(p), "sha256": _dataset_sha(p), "rows": int(len(df))})
        else:
            stamp = _stat_stamp(p)  # then the hash, then the read: a change in between is seen
            sha = _file_sha(p)
            df = _read_canonical(p, sha, stamp)
            quality["rows_read"] += len(df)
            files.append({"path": str(p), "sha256": sha, "rows": int(len(df))})
        frames.append(df)
    if len(frames) == 1:
        data = frames[0]
    else:
        cols = schema.column_names()
        record = _classifier_record(frames, [Path(f["path"]).name for f in files])
        data = schema.coerce(pd.concat([f[[c for c in f.columns if c in cols or c in ("source_file", "source_row")]]
                                        for f in frames], ignore_index=True))
        origin = np.repeat(np.arange(len(frames)), [len(f) for f in frames])  # which file each row came from
        # Overlapping exports: the same item twice is one item; a case number reused for another
        # item keeps the first file's row (as cleaning does within one run).
        # Only rows whose case number occurs twice can be copies: compare those in full.
        same = pd.Series(False, index=data.index)
        twice = data["case_id"].duplicated(keep=False).to_numpy()
        if twice.any():
            same[twice] = data.loc[twice].duplicated(subset=cols, keep="first").to_numpy()
        reused = pd.Series(False, index=data.index)
        reused[~same] = data.loc[~same, "case_id"].duplicated(keep="first").to_numpy()
        for reason, mask in (("duplicate", same), ("duplicate_case_id", reused)):
            if mask.any():
                rejected[reason] = rejected.get(reason, 0) + int(mask.sum())
        origin = origin[~(same | reused).to_numpy()]
        data = data.loc[~(same | reused)].reset_index(drop=True)
        data.attrs = {k: v for k, v in data.attrs.items() if k != "classifier"}  # not pandas' guess
        if record is not None:
            data.attrs["classifier"] = record
        quality.update(_link_repeats(data, origin))
        # Each file passed the schema on its own; together only case numbers could clash.
        if not data["case_id"].is_unique:  # an invariant of the two steps above, never the data
            raise AssertionError("case numbers are not unique after putting the files together; please report this.")
    quality.update(rows_clean=int(len(data)), rows_rejected=int(sum(rejected.values())),
                   rejected_by_reason=dict(sorted(rejected.items())),
                   source="canonical Parquet" if not datasets else "cleaned dataset")
    return Sources(data, files, "dataset" if datasets else "canonical", quality)
