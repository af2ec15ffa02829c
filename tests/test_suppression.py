"""Suppression: a brute-force search over every table consistent with what is published
shows that no hidden cell can be worked out."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from petition_analysis.publish.suppression import suppress


def _solutions(shown: pd.DataFrame, k: int, cap: int) -> list[np.ndarray]:
    """Every full table (with margins) consistent with the published strings, with hidden
    values in 0..cap ("<k" cells in 1..k-1). Exhaustive over the free variables of the
    row/column equations (exact rational elimination), so it is a brute force over the
    whole lattice of solutions. Searching only up to ``cap`` can miss solutions but never
    invents one, so ambiguity found here is real."""
    s = shown.to_numpy(dtype=object)
    R, C = s.shape
    hidden = [(r, c) for r in range(R) for c in range(C) if s[r, c] in ("x", f"<{k}")]
    pos = {cell: i for i, cell in enumerate(hidden)}
    n = len(hidden)
    eqs = []
    lines = [[(r, c) for c in range(C)] for r in range(R)] + [[(r, c) for r in range(R)] for c in range(C)]
    for line in lines:  # interior cells sum to the line's last cell (its total)
        row, rhs = [Fraction(0)] * n, Fraction(0)
        for j, cell in enumerate(line):
            sign = -1 if j == len(line) - 1 else 1
            if cell in pos:
                row[pos[cell]] += sign
            else:
                rhs -= sign * int(s[cell])
        eqs.append(row + [rhs])
    # Reduced row echelon form with exact fractions.
    M, piv, r0 = [list(e) for e in eqs], [], 0
    for col in range(n):
        p = next((i for i in range(r0, len(M)) if M[i][col] != 0), None)
        if p is None:
            continue
        M[r0], M[p] = M[p], M[r0]
        M[r0] = [x / M[r0][col] for x in M[r0]]
        for i in range(len(M)):
            if i != r0 and M[i][col] != 0:
                M[i] = [a - M[i][col] * b for a, b in zip(M[i], M[r0])]
        piv.append(col)
        r0 += 1
    assert all(any(x != 0 for x in row[:n]) or row[n] == 0 for row in M), "published table inconsistent"
    free = [j for j in range(n) if j not in piv]
    bounds = [(1, k - 1) if s[cell] == f"<{k}" else (0, cap) for cell in hidden]
    size = np.prod([float(bounds[j][1] - bounds[j][0] + 1) for j in free]) if free else 1.0
    if size > 3e6:
        pytest.skip(f"{len(free)} free cells: {size:.1e} candidate tables, too many to enumerate")
    grids = np.meshgrid(*[np.arange(bounds[j][0], bounds[j][1] + 1) for j in free], indexing="ij")
    F = np.stack([g.ravel() for g in grids], axis=1) if free else np.zeros((1, 0))
    X = np.zeros((len(F), n))
    X[:, free] = F
    for i, col in enumerate(piv):
        X[:, col] = float(M[i][n]) - sum(float(M[i][j]) * F[:, f] for f, j in enumerate(free))
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    ok = np.all((np.abs(X - np.round(X)) < 1e-9) & (X >= lo - 1e-9) & (X <= hi + 1e-9), axis=1)
    out = []
    base = np.array([[0 if v in ("x", f"<{k}") else int(v) for v in row] for row in s])
    for x in np.round(X[ok]).astype(int):
        t = base.copy()
        for cell, val in zip(hidden, x):
            t[cell] = val
        out.append(t)
    return out


def _hidden_values_ambiguous(res, k):
    truth = res.values.to_numpy()
    sols = _solutions(res.table, k, cap=int(truth[-1, -1]))
    assert any((s == truth).all() for s in sols), "the true table must be consistent"
    hidden = res.hidden.to_numpy()
    for r, c in zip(*np.nonzero(hidden)):
        values = {int(s[r, c]) for s in sols}
        if len(values) < 2:
            return False, (r, c)
    return True, None


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_recoverable_bruteforce(seed):
    # Random small tables, many small cells; those whose solution lattice is too large to
    # enumerate are skipped (reported), never passed.
    rng = np.random.default_rng(seed)
    shape = [(3, 3), (2, 3), (3, 2), (4, 2)][seed % 4]
    vals = rng.choice([0, 1, 2, 4, 7, 10], size=shape, p=[0.1, 0.15, 0.1, 0.25, 0.2, 0.2])
    t = pd.DataFrame(vals, index=[f"r{i}" for i in range(shape[0])], columns=[f"c{j}" for j in range(shape[1])])
    res = suppress(t, k=3)
    shown = res.table.to_numpy(dtype=object)
    v = res.values.to_numpy()
    # Every count 1..k-1 is hidden ("<k", or "x" where even the bound would give it away);
    # every "<k" is a small count; zeros are shown.
    small = (v >= 1) & (v < 3)
    assert np.isin(shown[small], ["<3", "x"]).all()
    assert (small[shown == "<3"]).all()
    assert np.isin(shown[v == 0], ["0", "x"]).all()
    ok, cell = _hidden_values_ambiguous(res, 3)
    assert ok, f"hidden cell {cell} can be derived:\n{res.table}"


def test_the_check_can_fail_without_complementary_suppression():
    t = pd.DataFrame({"a": [2, 7], "b": [9, 8]}, index=["r0", "r1"])
    res = suppress(t, k=3)
    assert res.complementary.to_numpy().sum() >= 3  # one small cell needs three partners in a 2×2
    res.complementary.loc[:, :] = False  # publish the primary suppression alone
    s = res.table.to_numpy(dtype=object)
    s[(s == "x")] = res.values.to_numpy()[(s == "x")].astype(str)
    res.table = pd.DataFrame(s, index=res.table.index, columns=res.table.columns)
    ok, cell = _hidden_values_ambiguous(res, 3)
    assert not ok and cell == (0, 0)


def test_labels_and_arguments():
    t = pd.DataFrame({"A": [12, 3, 20], "B": [8, 9, 15]}, index=["r1", "r2", "r3"])
    res = suppress(t, k=5)
    assert res.table.loc["r2", "A"] == "<5" and res.table.loc["Total", "Total"] == "67"
    assert (res.table == "x").to_numpy().sum() == res.complementary.to_numpy().sum() >= 1
    with pytest.raises(ValueError):
        suppress(t, k=1)
