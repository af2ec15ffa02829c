"""Disclosure control for public reports (统计披露控制): suppression that survives differencing.

A public report prints many counts that are linked: levels sum to visits, categories to
the total, regions to the city, quarters to the year, a year to date is part of the whole
year, person-times are at least the items, and a collective visit has at least as many
persons as the collective threshold. Hiding the small counts alone is not enough: a reader
can subtract. This module holds every published count as a sum over the register's rows,
so that *every* linear relation between published counts is known to it, not only the
ones someone thought of, and then

1. **primary suppression**: counts from 1 to k − 1 are hidden (shown as ``<k``);
2. **complementary suppression**: further counts are hidden (shown as ``x``) until
3. **the audit** proves the protection rule: for every hidden count, the whole range of
   values an attacker can still hold possible, over the integers, given everything the
   report prints, spans at least k − 1 consecutive values (``hi − lo ≥ k − 2``). A ``<k``
   count therefore stays anywhere in 1 … k − 1, exactly what ``<k`` says and no less.

The attacker modelled here knows more than a real one: rows are grouped by the set of
published counts they fall in (their *signature*), and only signatures that occur in the
register are variables, so the attacker knows which combinations exist at all. Each group
has an item count ``x ≥ 0`` and a person count ``y`` with ``y ≥ x`` (every item has a
person), ``y ≥ c·x`` for collective visits and ``y ≤ (c − 1)·x`` for other visits, where
``c`` is the collective threshold. The feasible ranges are found with the HiGHS solver (``highspy``): linear programmes,
whose duals say which published count pins a hidden one, and integer programmes where a
relaxation's optimum is not a whole number.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"level": ["county"] * 40 + ["city"] * 30 + ["province"] * 9 + ["national"] * 2,
...                      "persons": 1, "channel": "visit", "is_collective": False})
>>> cells = CellTable(rows)
>>> cells.add("visits", rows["level"].notna())
>>> for lv in ("county", "city", "province", "national"):
...     cells.add(lv, rows["level"] == lv)
>>> p = protect(cells, k=5)
>>> {key: p.display(key) for key in p.keys}
{'visits': '81', 'county': '40', 'city': '30', 'province': 'x', 'national': '<5'}
>>> p.audit.loc["national", ["lo", "hi"]].tolist()
[1, 4]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["CellTable", "Protection", "protect", "audit", "AuditFailed", "SHOWN", "PRIMARY", "COMPLEMENTARY"]

SHOWN, PRIMARY, COMPLEMENTARY = "shown", "primary", "complementary"
_log = logging.getLogger(__name__)
MEASURES = ("items", "person_times", "count")


class AuditFailed(RuntimeError):
    """The protection rule could not be proved for a set of public counts; nothing is written."""


@dataclass
class _Cell:
    key: str
    measure: str
    value: int
    rows: np.ndarray | None  # row positions in the universe; None for a standalone count


class CellTable:
    """The counts a public output prints, each a sum over rows of one register (``universe``).

    ``universe`` needs ``persons``; ``channel`` and ``is_collective`` (when present) tell the
    attacker's model which groups are collective visits. Cells with the same rows and measure
    are the same cell, whatever their keys: a region's row in the city's table and the
    region's own total are one number.
    """

    def __init__(self, universe: pd.DataFrame, collective_threshold: int | None = None):
        self.universe = universe
        n = len(universe)
        self.persons = universe["persons"].to_numpy(dtype="int64") if "persons" in universe else np.ones(n, "int64")
        visit = (universe["channel"].astype("str") == "visit").to_numpy() if "channel" in universe else np.zeros(n, bool)
        coll = universe["is_collective"].to_numpy(dtype=bool) if "is_collective" in universe else np.zeros(n, bool)
        #: 0: not a visit, 1: a visit below the collective threshold, 2: a collective visit
        self.kind = np.where(visit, np.where(coll, 2, 1), 0).astype("int8")
        if collective_threshold is None:
            collective_threshold = int(self.persons[coll].min()) if coll.any() else 5
        self.collective_threshold = int(collective_threshold)
        self.cells: list[_Cell] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.cells)

    def __contains__(self, key: str) -> bool:
        return key in self._index

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.cells]

    def add(self, key: str, mask, measure: str = "items") -> None:
        """A published count of the rows in ``mask`` (boolean, aligned with the universe):
        their number (``measure="items"``) or their persons (``"person_times"``)."""
        if measure not in MEASURES[:2]:
            raise ValueError(f"measure must be 'items' or 'person_times', not {measure!r}.")
        m = np.asarray(mask, dtype=bool)
        if len(m) != len(self.universe):
            raise ValueError(f"cell {key!r}: its mask has {len(m)} rows, the universe {len(self.universe)}.")
        rows = np.flatnonzero(m).astype(np.int64)
        value = len(rows) if measure == "items" else int(self.persons[rows].sum())
        self._put(_Cell(key, measure, int(value), rows))

    def add_count(self, key: str, value: int) -> None:
        """A published count that is not a sum of register rows (e.g. a number of
        petitioners): suppressed when small, linked to nothing."""
        self._put(_Cell(key, "count", int(value), None))

    def _put(self, cell: _Cell) -> None:
        if cell.key in self._index:
            old = self.cells[self._index[cell.key]]
            if old.value != cell.value or old.measure != cell.measure or (
                    old.rows is not None and not np.array_equal(old.rows, cell.rows)):
                raise ValueError(f"cell {cell.key!r} was added twice with different rows.")
            return
        self._index[cell.key] = len(self.cells)
        self.cells.append(cell)

    def value(self, key: str) -> int:
        return self.cells[self._index[key]].value

    def index(self, key: str) -> int:
        return self._index[key]

    # -- the attacker's model -------------------------------------------------------------

    def model(self) -> "_Model":
        """Distinct cells (same rows and measure → one variable set), row groups by signature,
        and the sparse cell × variable matrix."""
        linked = [i for i, c in enumerate(self.cells) if c.rows is not None]
        # one id per distinct (measure, rows): identical cells are one constraint
        ident: dict[tuple, int] = {}
        cell_of = np.full(len(self.cells), -1)
        distinct: list[int] = []
        rng = np.random.default_rng(20191220)
        row_keys = rng.integers(0, 2**63, size=(len(self.universe), 2), dtype=np.uint64)
        for i in linked:
            c = self.cells[i]
            h = tuple(np.bitwise_xor.reduce(row_keys[c.rows], axis=0).tolist()) if len(c.rows) else (0, 0)
            key = (c.measure, len(c.rows), h)
            if key not in ident:
                ident[key] = len(distinct)
                distinct.append(i)
            cell_of[i] = ident[key]
        # row signature: which distinct row sets (either measure) each row is in
        sets: dict[tuple, int] = {}
        set_rows: list[np.ndarray] = []
        for i in distinct:
            c = self.cells[i]
            k = (len(c.rows), tuple(np.bitwise_xor.reduce(row_keys[c.rows], axis=0).tolist()) if len(c.rows) else (0, 0))
            if k not in sets:
                sets[k] = len(set_rows)
                set_rows.append(c.rows)
        n = len(self.universe)
        sig = np.zeros((n, 2), dtype=np.uint64)
        set_keys = rng.integers(0, 2**63, size=(max(len(set_rows), 1), 2), dtype=np.uint64)
        for j, rows in enumerate(set_rows):
            sig[rows] += set_keys[j]  # wraps modulo 2**64: a random linear hash of the set
        in_any = np.zeros(n, bool)
        for rows in set_rows:
            in_any[rows] = True
        sig[:, 0] ^= self.kind.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        pos = np.flatnonzero(in_any)
        frame = pd.DataFrame({"a": sig[pos, 0], "b": sig[pos, 1]})
        codes, _ = pd.factorize(pd.MultiIndex.from_frame(frame))
        group = np.full(n, -1, dtype=np.int64)
        group[pos] = codes
        G = int(codes.max()) + 1 if len(codes) else 0
        items = np.bincount(codes, minlength=G).astype("int64")
        persons = np.bincount(codes, weights=self.persons[pos], minlength=G).astype("int64")
        kind = np.zeros(G, dtype="int8")
        kind[codes] = self.kind[pos]
        # distinct cell d → its groups, as a sparse row over 2G variables (x then y)
        indptr, indices = [0], []
        values = np.zeros(len(distinct), dtype="int64")
        for d, i in enumerate(distinct):
            c = self.cells[i]
            g = np.unique(group[c.rows])
            indices.append(g + (G if c.measure == "person_times" else 0))
            indptr.append(indptr[-1] + len(g))
            values[d] = c.value
        A = sparse.csr_matrix((np.ones(indptr[-1]), np.concatenate(indices) if indices else np.array([], int),
                               np.array(indptr)), shape=(len(distinct), 2 * G))
        return _Model(cell_of, A, values, items, persons, kind, self.collective_threshold)


@dataclass
class _Model:
    cell_of: np.ndarray      # cell → distinct cell (−1: standalone)
    A: sparse.csr_matrix     # distinct cells × (x_0..x_G−1, y_0..y_G−1)
    values: np.ndarray       # distinct cell values
    items: np.ndarray        # per group: the true x and y (a feasible point, for checks)
    persons: np.ndarray
    kind: np.ndarray
    threshold: int

    @property
    def n_groups(self) -> int:
        return len(self.items)


@dataclass
class Protection:
    """Which published counts are shown, and the audit that proves the rest are protected.

    ``status`` maps each key to :data:`SHOWN`, :data:`PRIMARY` (1 … k − 1, shown ``<k``) or
    :data:`COMPLEMENTARY` (hidden so that the others cannot be worked out, shown ``x``).
    ``audit`` has one row per hidden count: its value, the smallest and largest value the
    published numbers allow (``lo``, ``hi``) and whether the rule holds (``ok``).
    """

    k: int
    values: dict[str, int]
    status: dict[str, str]
    audit: pd.DataFrame
    rounds: int = 0
    stats: dict = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self.status)

    @property
    def ok(self) -> bool:
        return bool(self.audit["ok"].all()) if len(self.audit) else True

    def hidden(self, key: str) -> bool:
        return self.status.get(key, SHOWN) != SHOWN

    def display(self, key: str, fmt=lambda v: f"{v:,}") -> str:
        """The text to print for ``key``: the count, ``<k`` or ``x``."""
        s = self.status[key]
        if s == PRIMARY:
            return f"<{self.k}"
        if s == COMPLEMENTARY:
            return "x"
        return fmt(self.values[key])

    def json_value(self, key: str):
        """The value for a JSON output: the count, ``"<k"`` or ``"x"``."""
        s = self.status[key]
        return self.values[key] if s == SHOWN else ("x" if s == COMPLEMENTARY else f"<{self.k}")

    def counts(self) -> dict[str, int]:
        """How many counts were shown, hidden as small, and hidden to protect others."""
        s = pd.Series(self.status, dtype="str")
        return {name: int((s == name).sum()) for name in (SHOWN, PRIMARY, COMPLEMENTARY)}


class _Solver:
    """The attacker's programme over one :class:`CellTable`, kept in one HiGHS model whose row
    bounds follow the hidden set: published cells are equalities, ``<k`` cells lie in
    1 … k − 1, other hidden cells are free (≥ 0).

    Variables per group: items ``x`` and extra persons ``z = y − x ≥ 0`` (so "every item has
    a person" is a bound), with rows ``z ≥ (c − 1)·x`` for collective visits and
    ``z ≤ (c − 2)·x`` for other visits. Ranges are solved as linear programmes, warm-started
    from the last basis; where an optimum is not whole, a time-limited integer programme finds
    the extreme integer point. Only integer points are reported, so a range is one the
    attacker provably cannot narrow.

    Every point a solve finds is a *witness* for every hidden cell at once: the attacker must
    allow each cell's value at that point. The rule needs only a range k − 2 wide, so a cell
    whose witnesses already span that much needs no solve of its own. Solves whose objective
    pushes many cells at once (random up/down signs) prove most cells of a large series in a
    few solves; the rest get their own minimum and maximum. Hiding more cells only removes
    constraints, so witnesses stay valid while the hidden set grows.
    """

    MILP_SECONDS = 5.0
    SMALL_MILP_SECONDS = 1.0
    #: solves that push all unproved cells at once, before cells are solved one by one
    POOLED_ROUNDS = 8

    def __init__(self, model: _Model, k: int):
        import highspy

        self.m, self.k = model, k
        G, c = model.n_groups, model.threshold
        self.n_var = 2 * G
        A = model.A.tocsr()
        # persons cells: Σ (x + z) over their groups; items cells: Σ x
        is_person = np.zeros(A.shape[0], bool)
        cols = A.indices
        person_cols = cols >= G
        rows_of = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
        is_person[np.unique(rows_of[person_cols])] = True
        g = np.where(person_cols, cols - G, cols)
        r_idx = [rows_of, rows_of[person_cols]]
        c_idx = [g, g[person_cols] + G]  # x_g, and z_g for persons cells
        self.cells = sparse.csr_matrix((np.ones(sum(len(x) for x in r_idx)), (np.concatenate(r_idx), np.concatenate(c_idx))),
                                       shape=(A.shape[0], self.n_var))
        eye = sparse.identity(G, format="csr")
        coll, vis = np.flatnonzero(model.kind == 2), np.flatnonzero(model.kind == 1)
        blocks = [sparse.hstack([-(c - 1) * eye[coll], eye[coll]]), sparse.hstack([-(c - 2) * eye[vis], eye[vis]])]
        self.group_rows = sparse.vstack(blocks, format="csr")
        g_lo = np.concatenate([np.zeros(len(coll)), np.full(len(vis), -np.inf)])
        g_hi = np.concatenate([np.full(len(coll), np.inf), np.zeros(len(vis))])
        self.truth = np.concatenate([model.items, model.persons - model.items]).astype(float)

        h = _quiet_highs()
        # No presolve: the programme changes only in its costs and row bounds between
        # solves, and without presolve HiGHS starts each from the last basis.
        h.setOptionValue("presolve", "off")
        # Between solves mostly the costs change, which keeps the last basis primal feasible:
        # the primal simplex goes on from it (about 5 × faster here than the dual simplex).
        h.setOptionValue("simplex_strategy", 4)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        inf = highspy.kHighsInf
        self.inf = inf
        h.addCols(self.n_var, np.zeros(self.n_var), np.zeros(self.n_var), np.full(self.n_var, inf), 0,
                  np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        allrows = sparse.vstack([self.cells, self.group_rows], format="csr")
        nc = self.cells.shape[0]
        lo = np.concatenate([model.values.astype(float), np.where(np.isfinite(g_lo), g_lo, -inf)])
        hi = np.concatenate([model.values.astype(float), np.where(np.isfinite(g_hi), g_hi, inf)])
        h.addRows(allrows.shape[0], lo, hi, allrows.nnz, allrows.indptr[:-1].astype(np.int32),
                  allrows.indices.astype(np.int32), allrows.data.astype(float))
        self.h, self.n_cells = h, nc
        self._cost_cols = np.zeros(0, np.int32)
        # witnesses: the smallest and largest value of each cell seen at feasible points, for
        # the relaxation and over the integers (the true table is one integer point)
        v = model.values.astype(float)
        self._wit = {False: [v.copy(), v.copy()], True: [v.copy(), v.copy()]}
        self._hidden = np.zeros(nc, bool)
        self._primary = np.zeros(nc, bool)
        self.stats = {"solves": 0, "integer_solves": 0, "pooled_solves": 0}
        self._milp_status = None

    def set_hidden(self, hidden: np.ndarray, primary: np.ndarray) -> None:
        v = self.m.values.astype(float)
        # a witness stays feasible only while constraints are removed, never added
        if (self._hidden & ~hidden).any() or (primary & ~self._primary & self._hidden).any():
            self._wit = {False: [v.copy(), v.copy()], True: [v.copy(), v.copy()]}
        self._hidden, self._primary = hidden.copy(), primary.copy()
        self._rlo = np.where(hidden, np.where(primary, 1.0, 0.0), v)
        self._rhi = np.where(hidden, np.where(primary, self.k - 1.0, np.inf), v)
        lo = np.where(hidden, np.where(primary, 1.0, 0.0), v)
        hi = np.where(hidden, np.where(primary, self.k - 1.0, self.inf), v)
        idx = np.arange(self.n_cells, dtype=np.int32)
        self.h.changeRowsBounds(len(idx), idx, lo, hi)
        if getattr(self, "_near", None) is not None:
            base = self.cells @ self.truth
            self._near.changeRowsBounds(len(idx), idx, lo - base, hi - base)
        # columns of groups in no hidden cell (fixed when searching integer points)
        G = self.m.n_groups
        free = np.zeros(G, bool)
        free[self.cells[np.flatnonzero(hidden)].indices % G] = True
        g = np.flatnonzero(~free)
        self._fixed = np.concatenate([g, g + G]).astype(np.int32)
        self._hidden_groups = np.flatnonzero(free)

    def _solve(self, target: int, sign: float, integer: bool = True):
        """Optimise ``sign × cell[target]``; returns (value, LP duals, exact). With ``integer``
        the value is attained at an integer point; without, it is the relaxation's bound."""
        import highspy

        h = self.h
        row = self.cells[target]
        if len(self._cost_cols):
            h.changeColsCost(len(self._cost_cols), self._cost_cols, np.zeros(len(self._cost_cols)))
        cols = row.indices.astype(np.int32)
        h.changeColsCost(len(cols), cols, sign * row.data.astype(float))
        self._cost_cols = cols
        h.run()
        status = h.getModelStatus()
        if sign < 0 and status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            # nothing published bounds the cell from above: any large value is possible
            return float("inf"), np.zeros(self.n_cells), True
        if status != highspy.HighsModelStatus.kOptimal:
            raise AuditFailed(f"the attacker's programme could not be solved ({h.modelStatusToString(h.getModelStatus())}); "
                              "please report this as a bug.")
        self.stats["solves"] += 1
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        duals = np.asarray(sol.row_dual)[: self.n_cells]
        whole = self._witness(x)
        if whole:
            return float((row @ np.round(x))[0]), duals, True
        if not integer:
            return float((row @ x)[0]), duals, False
        # Not a whole-number vertex: look for an integer point that takes the cell as far as
        # the rule needs (k − 2 from the farthest value seen on the other side), not further:
        # a feasibility search, stopped at its first point, is much faster than an optimum.
        # Groups outside every hidden cell stay at their true counts. That restriction can
        # only lose points, so every point found is one the attacker must still allow.
        wlo, whi = self._wit[True]
        need = self.k - 2
        bound = float((row @ x)[0])
        if sign > 0:
            goal = max(np.ceil(bound - 1e-6), whi[target] - need)
        else:
            goal = min(np.floor(bound + 1e-6), wlo[target] + need)
        best = float(whi[target] if sign < 0 else wlo[target])
        if (sign > 0 and best <= goal) or (sign < 0 and best >= goal):
            return best, duals, False
        # First the integer programme with every group outside the hidden cells held at its
        # true count (a restriction: any point found is one the attacker must allow), as a
        # compact programme over the hidden cells' groups only: a search for any point at
        # the goal (no objective, so the first point found ends it). In a large series this
        # takes a tenth of a second where a programme over every group takes seconds.
        row_lo, row_hi = self._rlo[target], self._rhi[target]
        g = self._hidden_groups
        self._milp_status = None
        xi = self._small_milp(self.truth, g, np.zeros(self.n_var), seconds=self.MILP_SECONDS,
                              goal=(target, row_lo if sign > 0 else goal, goal if sign > 0 else row_hi)) if len(g) else None
        _log.debug("integer search over %d groups: found %s (status %s)", len(g), xi is not None, self._milp_status)
        if xi is None and self._milp_status != 2:
            # Not proved impossible there: the smallest change from the truth over every
            # group may pass through groups outside the hidden cells. (Where the restricted
            # search proved there is no such point, this search is skipped: a witness lost
            # can only hide more, never less.)
            xi = self._nearest_integer(target, sign, goal)
        if xi is not None:
            val = float((row @ xi)[0])
            best = min(best, val) if sign > 0 else max(best, val)
        return best, duals, False

    def ranges(self, hidden: np.ndarray, primary: np.ndarray, targets, *, want_duals: bool = False,
               integer: bool = True):
        """For each distinct cell in ``targets``: (lo, hi, pinned_by), ``lo`` and ``hi`` values
        of the cell at integer points consistent with everything published, and the published
        cells whose rows bind the relaxation (candidates for complementary suppression)."""
        self.set_hidden(hidden, primary)
        pub = ~hidden
        targets = list(targets)
        self._pool(targets, integer)
        wlo, whi = self._wit[integer]
        out = {}
        for t in targets:
            if whi[t] - wlo[t] >= self.k - 2 - 1e-9:  # proved by points already found
                out[t] = (int(np.floor(wlo[t] + 1e-6)), int(np.ceil(whi[t] - 1e-6)), [])
                continue
            lo, d1, _ = self._solve(t, 1.0, integer)
            hi, d2, _ = self._solve(t, -1.0, integer)
            pins = []
            if want_duals:  # published cells and "<k" bounds that bind the optimum
                binding = (np.abs(d1) > 1e-9) | (np.abs(d2) > 1e-9)
                pins = np.flatnonzero(binding & (pub | primary)).tolist()
            # an integer point's value is whole; a relaxation's bound rounds outwards
            lo, hi = min(lo, wlo[t]), max(hi, whi[t])
            out[t] = (int(np.floor(lo + 1e-6)), int(np.ceil(hi - 1e-6)) if np.isfinite(hi) else 10**9, pins)
        return out

    def _feasible(self, x: np.ndarray) -> bool:
        """Whether the whole-number point ``x`` satisfies every constraint exactly."""
        if (x < 0).any():
            return False
        v = self.cells @ x
        pub, prim = ~self._hidden, self._primary & self._hidden
        if not np.array_equal(v[pub], self.m.values[pub].astype(float)):
            return False
        if ((v[prim] < 1) | (v[prim] > self.k - 1)).any():
            return False
        G, c = self.m.n_groups, self.m.threshold
        xs, zs = x[:G], x[G:]
        coll, vis = self.m.kind == 2, self.m.kind == 1
        return bool((zs[coll] >= (c - 1) * xs[coll]).all() and (zs[vis] <= (c - 2) * xs[vis]).all())

    def _witness(self, x: np.ndarray, integer_only: bool = False) -> bool:
        """Record the values of every hidden cell at the feasible point ``x``; returns whether
        ``x`` is a whole-number point (then it is a witness over the integers too)."""
        whole = integer_only or np.abs(x - np.round(x)).max() <= 1e-7
        if whole:
            x = np.round(x)
            if not self._feasible(x):  # a solver tolerance is not a proof: check exactly
                return False
        hid = np.flatnonzero(self._hidden)
        vals = self.cells[hid] @ x
        for integer in ((False, True) if whole else (False,)):
            lo, hi = self._wit[integer]
            lo[hid] = np.minimum(lo[hid], vals)
            hi[hid] = np.maximum(hi[hid], vals)
        return whole

    def _pool(self, targets: list[int], integer: bool) -> None:
        """Solves that push every unproved target at once, up or down at random (seeded), so
        that one point witnesses many cells; stops when a round proves nothing new."""
        import highspy

        if len(targets) < 8:
            return
        h, rng = self.h, np.random.default_rng(len(targets))
        t = np.asarray(targets)
        all_cols = np.arange(self.n_var, dtype=np.int32)
        # a box keeps a pushed cell finite; points inside it are points of the programme
        box = self.truth * 4 + 10 * self.k
        h.changeColsBounds(self.n_var, all_cols, np.zeros(self.n_var), box)
        self._cost_cols = all_cols
        signs = None
        try:
            for r in range(self.POOLED_ROUNDS):
                lo, hi = self._wit[integer]
                open_ = t[hi[t] - lo[t] < self.k - 2 - 1e-9]
                if len(open_) < 8:
                    break
                # push each cell away from the side it already reached; else at random
                signs = np.where(hi[open_] > self.m.values[open_], 1.0,
                                 np.where(lo[open_] < self.m.values[open_], -1.0, rng.choice([-1.0, 1.0], len(open_))))
                if r % 2:
                    signs = -signs if r == 1 else rng.choice([-1.0, 1.0], len(open_))
                cost = np.asarray(self.cells[open_].T @ signs).ravel()
                h.changeColsCost(self.n_var, all_cols, cost)
                h.run()
                self.stats["pooled_solves"] += 1
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    continue
                x = np.asarray(h.getSolution().col_value)
                if not self._witness(x) and integer:
                    self._local_integer(x, cost)
                lo, hi = self._wit[integer]
                if (hi[open_] - lo[open_] < self.k - 2 - 1e-9).all():
                    break  # this round proved nothing new
        finally:
            h.changeColsCost(self.n_var, all_cols, np.zeros(self.n_var))
            h.changeColsBounds(self.n_var, all_cols, np.zeros(self.n_var), np.full(self.n_var, self.inf))

    def _near_model(self):
        """The attacker's programme in changes from the true table, ``x = truth + p − n``, with
        the total change as its objective: its optimum is the smallest change that takes a cell
        to a goal. Vertices of the programme in ``x`` are far from the truth and rarely whole in
        a many-way table; the smallest change is a short cycle of ±1 moves, usually whole, and
        when not, its few groups make a small integer programme."""
        if getattr(self, "_near", None) is not None:
            return self._near
        h = _quiet_highs()
        h.setOptionValue("presolve", "off")  # only row bounds change: the dual simplex goes on
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        inf, nv = self.inf, self.n_var
        box = self.truth * 4 + 10 * self.k
        h.addCols(2 * nv, np.ones(2 * nv), np.zeros(2 * nv), np.concatenate([box - self.truth, self.truth]), 0,
                  np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        allrows = sparse.vstack([self.cells, self.group_rows], format="csr")
        both = sparse.hstack([allrows, -allrows], format="csr")
        base = allrows @ self.truth
        G, c = self.m.n_groups, self.m.threshold
        coll, vis = np.flatnonzero(self.m.kind == 2), np.flatnonzero(self.m.kind == 1)
        g_lo = np.concatenate([np.zeros(len(coll)), np.full(len(vis), -inf)])
        g_hi = np.concatenate([np.full(len(coll), inf), np.zeros(len(vis))])
        lo = np.concatenate([self._rlo, g_lo]) - base
        hi = np.concatenate([np.where(np.isfinite(self._rhi), self._rhi, inf), g_hi]) - base
        h.addRows(both.shape[0], lo, hi, both.nnz, both.indptr[:-1].astype(np.int32), both.indices.astype(np.int32),
                  both.data.astype(float))
        self._near = h
        return h

    def _nearest_integer(self, target: int, sign: float, goal: float) -> np.ndarray | None:
        """A whole-number table that takes ``target`` to ``goal`` (down for ``sign > 0``) with the
        smallest change from the truth; ``None`` if none is found. Recorded as a witness."""
        import highspy

        h = self._near_model()
        v = float(self.m.values[target])
        lo, hi = self._rlo[target], self._rhi[target]
        h.changeRowBounds(target, (lo if sign > 0 else goal) - v, (goal if sign > 0 else min(hi, self.inf)) - v)
        try:
            h.run()
            self.stats["nearest_solves"] = self.stats.get("nearest_solves", 0) + 1
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            pn = np.asarray(h.getSolution().col_value)
        finally:
            h.changeRowBounds(target, lo - v, min(hi, self.inf) - v)
        x = self.truth + pn[: self.n_var] - pn[self.n_var:]
        if self._witness(x):
            return np.round(x)
        # Not whole: a small integer programme over the groups the change touches and the
        # groups of hidden cells (neither alone has room for a whole-number change).
        G = self.m.n_groups
        moved = np.abs(x - self.truth) > 1e-9
        g = np.union1d(np.flatnonzero(moved[:G] | moved[G:]), self._hidden_groups)
        if not len(g) or len(g) > self.LOCAL_GROUPS:
            return None
        cost = np.zeros(self.n_var)
        row = self.cells[target]
        cost[row.indices] = sign * row.data
        return self._small_milp(self.truth, g, cost)

    LOCAL_GROUPS = 6000  # larger moves go to the whole integer programme

    def _local_integer(self, x_lp: np.ndarray, cost: np.ndarray) -> np.ndarray | None:
        """An integer point near a point ``x_lp`` of the relaxation: :meth:`_small_milp` over the
        groups ``x_lp`` moves away from the truth (``None`` when it moves too many)."""
        G = self.m.n_groups
        moved = np.abs(x_lp - self.truth) > 1e-9
        g = np.flatnonzero(moved[:G] | moved[G:])
        if not len(g) or len(g) > self.LOCAL_GROUPS:
            return None
        return self._small_milp(self.truth, g, cost)

    def _small_milp(self, base: np.ndarray, g: np.ndarray, cost: np.ndarray, *, seconds: float | None = None,
                    goal: tuple[int, float, float] | None = None) -> np.ndarray | None:
        """Minimise ``cost`` over integer points equal to ``base`` outside the groups ``g`` (a
        restriction, so a point found is one the attacker must allow); recorded as a witness.
        ``goal``: (cell, lo, hi), bounds that cell's value (a search for a point that takes it
        there). ``seconds``: the time limit (default :attr:`SMALL_MILP_SECONDS`)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        G, c = self.m.n_groups, self.m.threshold
        free = np.concatenate([g, g + G])
        sub = self.cells[:, free]
        rows = np.flatnonzero(sub.getnnz(axis=1))
        A = sub[rows]
        rest = self.cells[rows] @ base - A @ base[free]
        n = len(g)
        kind = self.m.kind[g]
        coef = np.where(kind == 2, -(c - 1.0), -(c - 2.0))
        idx = np.flatnonzero(kind > 0)
        GA = sparse.csr_matrix((np.concatenate([coef[idx], np.ones(len(idx))]),
                                (np.concatenate([np.arange(len(idx))] * 2), np.concatenate([idx, idx + n]))),
                               shape=(len(idx), 2 * n))
        box = np.maximum(base[free], self.truth[free]) * 4 + 10 * self.k
        lo_b, hi_b = self._rlo[rows] - rest, self._rhi[rows] - rest
        if goal is not None:
            at = np.flatnonzero(rows == goal[0])
            if not len(at):  # the cell has no free group: it cannot move
                self._milp_status = 2
                return None
            lo_b[at], hi_b[at] = goal[1] - rest[at], min(goal[2], np.inf) - rest[at]
        cons = [LinearConstraint(A, lo_b, hi_b)]
        if len(idx):
            cons.append(LinearConstraint(GA, np.where(kind[idx] == 2, 0.0, -np.inf), np.where(kind[idx] == 2, np.inf, 0.0)))
        self.stats["integer_solves"] += 1
        # any point found is a witness: a short search, not a proof of the optimum
        res = milp(cost[free], integrality=np.ones(2 * n), bounds=Bounds(0, box), constraints=cons,
                   options={"time_limit": seconds or self.SMALL_MILP_SECONDS, "disp": False, "mip_rel_gap": 0.05})
        self._milp_status = res.status  # 2: proved infeasible
        if res.x is None:
            return None
        x = base.copy()
        x[free] = np.round(res.x)
        return x if self._witness(x, integer_only=True) else None


def _quiet_highs():
    """A HiGHS instance with its output off. Its constructor prints a banner on the C-level
    standard output, which a notebook would show in the report: it goes to /dev/null."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def _distinct_status(table: CellTable, model: _Model, status: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Hidden / primary flags per distinct cell (a distinct cell is hidden if any key of it is)."""
    nd = len(model.values)
    hidden, primary = np.zeros(nd, bool), np.zeros(nd, bool)
    for i, c in enumerate(table.cells):
        d = model.cell_of[i]
        if d < 0:
            continue
        s = status[c.key]
        hidden[d] |= s != SHOWN
        primary[d] |= s == PRIMARY
    return hidden, primary


def protect(table: CellTable, k: int = 5, *, hide: dict[str, str] | None = None, max_rounds: int = 500,
            seconds: float | None = None, on_round=None) -> Protection:
    """Suppress the counts of ``table`` for publication and prove the protection rule.

    ``hide``: statuses decided elsewhere (a series of reports shares one decision) that are
    kept; more cells may be hidden. ``seconds``: a time budget; when a round ends past it,
    the search stops with :class:`AuditFailed` (a proof that has not finished is no proof).
    ``on_round(round, phase, checked, failing)`` is called after each round (progress).
    Raises :class:`AuditFailed` when the rule cannot be proved, so that no unprotected
    public output is written.
    """
    import time

    started = time.monotonic()
    if k < 3:
        raise ValueError("k must be at least 3 (with k = 2, '<2' would publish the value 1).")
    model = table.model()
    solver = _Solver(model, k)
    status = {c.key: (PRIMARY if 0 < c.value < k else SHOWN) for c in table.cells}
    for key, s in (hide or {}).items():  # a series' decision stands (a small count is never shown)
        if key in status and s in (PRIMARY, COMPLEMENTARY):
            status[key] = s
    # identical cells share one status
    d_keys: dict[int, list[str]] = {}
    for i, c in enumerate(table.cells):
        if model.cell_of[i] >= 0:
            d_keys.setdefault(int(model.cell_of[i]), []).append(c.key)
    for keys in d_keys.values():
        if any(status[x] != SHOWN for x in keys):
            s = PRIMARY if any(status[x] == PRIMARY for x in keys) else COMPLEMENTARY
            for x in keys:
                status[x] = s
    # Search with the linear relaxation (fast; its ranges are at least as wide as the
    # integer ones), then prove every hidden cell over the integers, hiding more if needed.
    # Hiding a cell only removes a constraint, so a range never narrows: a cell once proved
    # stays proved, and only failing cells and new complements are solved again.
    proved: dict[int, tuple[int, int]] = {}
    to_check, integer, rounds = None, False, 0
    for rounds in range(1, max_rounds + 1):
        if seconds is not None and rounds > 1 and time.monotonic() - started > seconds:
            raise AuditFailed(
                f"the protection of these {len(model.values):,} distinct counts was not proved within the time "
                f"budget of {seconds:,.0f} s ({rounds - 1} rounds of complementary suppression and proof); "
                "nothing of it is written. Publish fewer reports together in one public series (for example the "
                "city's year and quarters, or one region's), or give the audit more time (disclosure_seconds in "
                "the batch plan).")
        hidden, primary = _distinct_status(table, model, status)
        targets = np.flatnonzero(hidden).tolist() if to_check is None else sorted(to_check)
        rng = solver.ranges(hidden, primary, [t for t in targets if hidden[t]], want_duals=True, integer=integer)
        failing = []
        for t, (lo, hi, pins) in rng.items():
            if hi - lo < k - 2:
                failing.append((t, pins))
            elif integer:
                proved[t] = (lo, hi)
        _log.debug("round %d (%s): %d cells checked, %d failing; solver %s", rounds,
                   "integers" if integer else "relaxation", len(targets), len(failing), solver.stats)
        if on_round is not None:
            on_round(rounds, "integers" if integer else "relaxation", len(targets), len(failing))
        if not failing:
            if integer:
                break
            integer, to_check = True, None
            continue
        picks, unbound = set(), set()
        for t, pins in failing:
            pick = _pick_partner(model, hidden, pins, k, t)
            if pick is not None:
                picks.add(pick)
                continue
            # Only "<k" bounds pin it (e.g. two "<5" parts of a "<5" total): print one of
            # them as "x", which says nothing about its size.
            bounds = [d for d in pins if primary[d]]
            if not bounds:
                raise AuditFailed(_fail_text(table, model, t, k))
            unbound.add(max(bounds, key=lambda d: (d != t, model.values[d], -d)))
        for d in picks | unbound:
            for x in d_keys[d]:
                status[x] = COMPLEMENTARY
        to_check = {t for t, _ in failing} | picks | unbound
    else:
        raise AuditFailed(f"complementary suppression did not converge in {max_rounds} rounds; "
                          "publish fewer tables or raise suppression_k.")
    prot = Protection(k, {c.key: c.value for c in table.cells}, status, pd.DataFrame(), rounds,
                      {"groups": model.n_groups, "distinct_cells": len(model.values), **solver.stats})
    prot.audit = _audit_table(table, model, prot, proved)
    if not prot.ok:
        bad = prot.audit.index[~prot.audit["ok"]][:5]
        raise AuditFailed(f"the audit could not prove the protection rule for {', '.join(bad)}; "
                          "the public output is not written.")
    return prot


def _pick_partner(model: _Model, hidden: np.ndarray, pins: list[int], k: int, target: int) -> int | None:
    """The published cell to hide next: among the cells that pin ``target`` (non-zero duals),
    the smallest non-zero one; else the smallest non-zero published cell sharing a group."""
    v = model.values
    cand = [d for d in pins if not hidden[d] and v[d] > 0]
    if not cand and not any(hidden[d] for d in pins):
        groups = model.A[target].indices
        share = np.flatnonzero((model.A[:, groups].getnnz(axis=1) > 0) & ~hidden & (v > 0))
        cand = share.tolist()
    if not cand:
        return None
    return min(cand, key=lambda d: (v[d], d))


def _fail_text(table: CellTable, model: _Model, d: int, k: int) -> str:
    keys = [c.key for i, c in enumerate(table.cells) if model.cell_of[i] == d]
    return (f"no published count is left to hide that would protect {keys[0]!r}; the public output is not "
            f"written. Publish fewer tables for this region and period, or raise suppression_k above {k}.")


def audit(table: CellTable, protection: Protection, *, model: _Model | None = None, solver=None) -> pd.DataFrame:
    """The feasible integer range of every hidden count given everything published, and
    whether the protection rule (``hi − lo ≥ k − 2``) holds for it. ``lo`` and ``hi`` are
    values the count takes at integer points consistent with what is published, so the
    attacker cannot rule them out."""
    model = model or table.model()
    hidden, primary = _distinct_status(table, model, protection.status)
    targets = np.flatnonzero(hidden).tolist()
    solver = solver or _Solver(model, protection.k)
    rng = solver.ranges(hidden, primary, targets) if targets else {}
    return _audit_table(table, model, protection, {t: r[:2] for t, r in rng.items()})


def _audit_table(table: CellTable, model: _Model, protection: Protection, ranges: dict) -> pd.DataFrame:
    k = protection.k
    rows = []
    for i, c in enumerate(table.cells):
        s = protection.status[c.key]
        if s == SHOWN:
            continue
        d = model.cell_of[i]
        lo, hi = (1, k - 1) if d < 0 else ranges[d]
        rows.append({"key": c.key, "status": s, "value": c.value, "lo": lo, "hi": hi,
                     "ok": bool(hi - lo >= k - 2 and lo <= c.value <= hi)})
    return pd.DataFrame(rows, columns=["key", "status", "value", "lo", "hi", "ok"]).set_index("key")
