"""Publication safety for count tables (小数抑制): small-cell and complementary suppression.

Counts from 1 to ``k − 1`` are shown as ``"<k"`` (primary suppression); zeros are shown.
Then complementary suppression hides further cells, shown as ``"x"``, until no hidden
cell can be worked out from what the table shows: the row and column totals, the grand
total, the other cells, and the fact that a ``"<k"`` cell lies between 1 and ``k − 1``.

The check is exact for this kind of table: for every hidden cell a linear programme finds
its smallest and largest value consistent with what is shown. The constraint matrix of row
and column sums is totally unimodular, so both bounds are integers, and a cell is safe when
they differ. Otherwise the smallest visible cell in its row or column is hidden too, and the
check repeats. Small margins (a row total below ``k``) are suppressed as well.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"A": [12, 3, 20], "B": [8, 9, 15]}, index=["r1", "r2", "r3"])
>>> res = suppress(t, k=5)
>>> res.table
          A   B  Total
r1        x   x     20
r2       <5   x     12
r3       20  15     35
Total    35  32     67
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

__all__ = ["suppress", "Suppressed", "TOTAL", "with_margins"]

TOTAL = "Total"


@dataclass
class Suppressed:
    """Result of :func:`suppress`.

    ``table``: strings for publication, with margins; ``primary`` / ``complementary``:
    boolean masks over the table with margins; ``values``: the original counts with margins.
    """

    table: pd.DataFrame
    values: pd.DataFrame
    primary: pd.DataFrame
    complementary: pd.DataFrame

    @property
    def hidden(self) -> pd.DataFrame:
        return self.primary | self.complementary


def with_margins(t: pd.DataFrame, total: str = TOTAL) -> pd.DataFrame:
    """``t`` with a row and a column of totals labelled ``total``."""
    out = t.copy()
    out[total] = out.sum(axis=1)
    out.loc[total] = out.sum(axis=0)
    return out


def _bounds(values: np.ndarray, hidden: np.ndarray, primary: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest feasible value of each hidden cell (grid with margins, the last
    row and column being totals)."""
    R, C = values.shape
    idx = {cell: i for i, cell in enumerate(zip(*np.nonzero(hidden)))}
    n = len(idx)
    if n == 0:
        return np.array([]), np.array([])
    A, b = [], []
    # Each row: interior cells − row total = 0; each column the same; with the grand total.
    lines = [[(r, c) for c in range(C)] for r in range(R)] + [[(r, c) for r in range(R)] for c in range(C)]
    for cells in lines:  # the last cell of each line is its total
        A_row, rhs = np.zeros(n), 0.0
        for j, cell in enumerate(cells):
            sign = -1.0 if j == len(cells) - 1 else 1.0
            if cell in idx:
                A_row[idx[cell]] += sign
            else:
                rhs -= sign * values[cell]
        A.append(A_row)
        b.append(rhs)
    A, b = np.array(A), np.array(b)
    keep = np.abs(A).sum(axis=1) > 0
    A, b = A[keep], b[keep]
    upper = values.max() * 2 + k
    bnds = [((1, k - 1) if primary[cell] else (0, upper)) for cell in idx]
    lo, hi = np.empty(n), np.empty(n)
    for i in range(n):
        cvec = np.zeros(n)
        cvec[i] = 1.0
        r1 = linprog(cvec, A_eq=A if len(A) else None, b_eq=b if len(b) else None, bounds=bnds, method="highs")
        r2 = linprog(-cvec, A_eq=A if len(A) else None, b_eq=b if len(b) else None, bounds=bnds, method="highs")
        lo[i], hi[i] = r1.fun, -r2.fun
    return lo, hi


def _partner(v: np.ndarray, hidden: np.ndarray, interior: np.ndarray, r: int, c: int, interior_only: bool = False):
    """The cell to hide next so that cell (r, c) stops being determined: the smallest visible
    non-zero interior cell in its row or column; else the row's or column's total; else any
    visible cell. Cells in an all-zero row or column never help and are never chosen."""
    R, C = v.shape
    row_zero = v[:, -1] == 0
    col_zero = v[-1, :] == 0

    def usable(i, j):
        return not hidden[i, j] and not row_zero[i] and not col_zero[j]

    line = [(i, c) for i in range(R) if i != r] + [(r, j) for j in range(C) if j != c]
    tiers = [
        [x for x in line if interior[x] and usable(*x)],
        [x for x in ((r, C - 1), (R - 1, c)) if not hidden[x] and v[x] > 0 and x != (r, c)],
        [(i, j) for i in range(R) for j in range(C) if interior[i, j] and usable(i, j)],
        [(i, j) for i in range(R) for j in range(C) if not hidden[i, j] and not interior[i, j] and v[i, j] > 0],
    ]
    for tier in tiers[:1] if interior_only else tiers:
        if tier:
            return min(tier, key=lambda x: (v[x] == 0, v[x]))
    return None


def _bound_to_drop(primary: np.ndarray, interior: np.ndarray, cell) -> tuple | None:
    """A "<k" cell in the line of ``cell`` (a total first) whose bound should not be shown."""
    r, c = cell
    R, C = primary.shape
    line = [(i, c) for i in range(R)] + [(r, j) for j in range(C)]
    cand = [x for x in line if primary[x] and not interior[x]] + [x for x in line if primary[x] and x != (r, c)]
    cand += [cell] if primary[cell] else []
    return cand[0] if cand else None


def suppress(table: pd.DataFrame, k: int = 5, *, margins: bool = True, max_rounds: int = 1000) -> Suppressed:
    """Suppress a table of counts for publication (rows × columns, no margins).

    ``k``: counts ``1..k−1`` are primary suppressions shown as ``"<k"``. Complementary
    suppressions (``"x"``) are added until every hidden cell has at least two values
    consistent with the published table. ``margins=True`` publishes row, column and grand totals.
    """
    if k < 3:
        raise ValueError("k must be at least 3 (with k = 2, '<2' would publish the value 1).")
    counts = table.astype("int64")
    if (counts.to_numpy() < 0).any():
        raise ValueError("counts must be non-negative.")
    full = with_margins(counts) if margins else counts.copy()
    v = full.to_numpy()
    primary = (v >= 1) & (v < k)
    hidden = primary.copy()
    R, C = v.shape
    interior = np.zeros_like(hidden)
    interior[: R - 1 if margins else R, : C - 1 if margins else C] = True
    for _ in range(max_rounds):
        if not margins:
            break  # without margins, hidden cells are not linked to anything shown
        lo, hi = _bounds(v, hidden, primary, k)
        cells = list(zip(*np.nonzero(hidden)))
        exposed = [cell for cell, a, b in zip(cells, lo, hi) if b - a < 0.5]
        if not exposed:
            break
        # Prefer a visible interior cell in the line of any exposed cell; margins last.
        picks = [_partner(v, hidden, interior, r, c, interior_only=True) for r, c in exposed]
        picks = [x for x in picks if x is not None]
        pick = min(picks, key=lambda x: (v[x] == 0, v[x])) if picks else _partner(v, hidden, interior, *exposed[0])
        if pick is None:
            # Nothing left to hide: a "<k" bound itself gives the cell away (e.g. two "<3"
            # cells in a row whose total is "<3"). Publish one of those bounds as "x".
            blur = _bound_to_drop(primary, interior, exposed[0])
            if blur is None:
                break
            primary[blur] = False
            continue
        hidden[pick] = True
    shown = full.astype("str")
    s = shown.to_numpy(dtype=object)
    s[primary] = f"<{k}"
    s[hidden & ~primary] = "x"
    out = pd.DataFrame(s, index=full.index, columns=full.columns)
    mk = lambda m: pd.DataFrame(m, index=full.index, columns=full.columns)  # noqa: E731
    return Suppressed(out, full, mk(primary), mk(hidden & ~primary))
