"""Writing tables that people open in spreadsheet programs, safely.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and WPS (CSV or formula injection: ``=HYPERLINK(…)`` sends a
click to an attacker, ``=cmd|…`` once ran programs). Raw register text reaches the
rejects table (the case number, the masked preview), so every CSV the package writes goes
through :func:`neutralise_formulas`: such a cell gets a leading ``'``, as OWASP recommends,
and shows as the text it was.

>>> import pandas as pd
>>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "甲区", "-2", None], "n": [1, 2, 3, 4]}))["a"].tolist()
["'=1+1", '甲区', "'-2", nan]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_START", "neutralise_formulas", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells that a spreadsheet would run as a formula start
    with ``'`` (numbers, dates and empty cells are left alone)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("str")
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            continue
        text = s.astype("str")
        risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
        if risky.any():
            s = s.astype("object").copy()
            s[risky] = "'" + text[risky]
            out[col] = s
    return out


def write_csv(df: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """``df.to_csv`` without formula injection (UTF-8 with BOM by default: Excel opens it
    in the right encoding)."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("encoding", "utf-8-sig")
    neutralise_formulas(df).to_csv(path, **kwargs)
    return Path(path)
