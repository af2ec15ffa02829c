"""Write the bundled data: ``data/reference`` (Parquet + manifest) and ``data/raw``
(small messy exports made from the reference rows)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

from .._version import __version__
from ..reference import MANIFEST_FILE, REFERENCE_FILE, sha256_of
from .generator import DEFAULT_SEED, generate

__all__ = ["write_parquet", "write_reference_data"]


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` deterministically: no index, zstd, fixed row groups, no timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd", row_group_size=1 << 17)
    return path


def write_reference_data(out_dir: str | Path, *, seed: int = DEFAULT_SEED, raw_samples: bool = True) -> dict:
    """Generate XX City 2014–2023 and write ``reference/`` (and ``raw/``) under ``out_dir``.

    Returns the manifest written to ``reference/manifest.json``.
    """
    out = Path(out_dir)
    result = generate(2014, 2023, seed=seed)
    path = write_parquet(result.data, out / "reference" / REFERENCE_FILE)
    manifest = dict(result.manifest)
    manifest["files"] = {
        REFERENCE_FILE: {"sha256": sha256_of(path), "bytes": path.stat().st_size, "rows": int(len(result.data))}
    }
    manifest["versions"] = {
        "petition_analysis": __version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": np.__version__,
    }
    (out / "reference" / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, default=_json_default) + "\n", encoding="utf-8"
    )
    if raw_samples:
        try:
            from .messy import write_raw_samples
        except ImportError:  # the messy-export module is optional while it is being built
            write_raw_samples = None
        if write_raw_samples is not None:
            write_raw_samples(result.data, out / "raw")
    return manifest


def _json_default(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    raise TypeError(f"not JSON serializable: {type(obj)}")
