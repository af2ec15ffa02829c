"""The bundled reference data: a synthetic register for the fictional XX City, 2014–2023.

It is made by :func:`petition_analysis.synth.generate` with a fixed seed and stored in
``data/reference/`` as Parquet with a manifest (generator version, seed, row count,
SHA-256 and the planted ground truth). Plain pandas reads it too::

    pd.read_parquet("data/reference/xx_city_2014_2023.parquet")
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import pandas as pd

__all__ = [
    "REFERENCE_FILE",
    "MANIFEST_FILE",
    "DATA_DIR_ENV_VAR",
    "data_dir",
    "reference_path",
    "load_reference",
    "load_manifest",
    "sha256_of",
    "ReferenceDataMissing",
]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

REFERENCE_FILE = "xx_city_2014_2023.parquet"
MANIFEST_FILE = "manifest.json"
#: Set this to a folder with ``reference/`` and ``raw/`` to use data outside the repo.
DATA_DIR_ENV_VAR = "PETITION_DATA_DIR"


class ReferenceDataMissing(FileNotFoundError):
    """The reference data file is not where it should be."""


def data_dir() -> Path:
    """The project's ``data/`` folder (or ``$PETITION_DATA_DIR``)."""
    env = os.environ.get(DATA_DIR_ENV_VAR)
    if env:
        return Path(env)
    # Flat layout: the package sits beside data/ in the repository.
    return Path(__file__).resolve().parent.parent / "data"


def reference_path() -> Path:
    """Path of the bundled reference Parquet file."""
    return data_dir() / "reference" / REFERENCE_FILE


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_reference(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The bundled reference register (``pa.load_reference()``): the synthetic XX City
    (XX市), 2014–2023, one row per petition item in the canonical columns (``docs/schema.md``),
    about 300,000 rows. Each call returns a fresh copy (the file is read once per session),
    so a notebook may change it freely. ``path``: another canonical Parquet file.

    >>> import petition_analysis as pa
    >>> df = pa.load_reference()
    >>> len(df), df["region"].nunique()
    (301851, 13)
    >>> int(df["received_date"].dt.year.min()), int(df["received_date"].dt.year.max())
    (2014, 2023)
    """
    p = Path(path) if path is not None else reference_path()
    if not p.exists():
        raise ReferenceDataMissing(
            f"The reference data file {p} does not exist. Regenerate it with `make data` "
            f"(or `petition-analysis synth reference --out data/`), or set {DATA_DIR_ENV_VAR}."
        )
    return _read(str(p), p.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=2)
def _read(path: str, _mtime: int) -> pd.DataFrame:
    return pd.read_parquet(path)


def load_manifest(path: str | os.PathLike | None = None) -> dict:
    """The reference data's manifest: generator, seed, rows, SHA-256, planted ground truth."""
    p = Path(path) if path is not None else data_dir() / "reference" / MANIFEST_FILE
    if not p.exists():
        raise ReferenceDataMissing(f"The manifest {p} does not exist. Regenerate it with `make data`.")
    return json.loads(p.read_text(encoding="utf-8"))
