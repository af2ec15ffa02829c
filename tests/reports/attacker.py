"""An integer-programming differencing attacker that reads only what public reports print.

It is written apart from the package's disclosure control, as an outsider would: it knows
the report's documented definitions (levels sum to visits, leapfrog levels to leapfrog
visits, channels and categories to the total, regions to the city, quarters to the year, a
year to date is part of the year, person-times are at least the items and a collective
visit has at least 5 persons) and the numbers in the JSON and the HTML tables; it then asks
scipy's MILP for the smallest and largest value of every hidden count.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

LEVELS = ("county", "city", "province", "national")


class _Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def html_rows(path: Path) -> list[list[str]]:
    """Every table row of a rendered report."""
    p = _Cells()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p.rows


def _value(text):
    """A printed count: an int, or bounds for a hidden one."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    t = str(text).replace(",", "").strip()
    if re.fullmatch(r"\d+", t):
        return int(t)
    m = re.fullmatch(r"<(\d+)", t)
    if m:
        return (1, int(m.group(1)) - 1)
    return (0, None)  # "x": hidden, any size


def _after_qoq_header(rows, i) -> bool:
    """Whether row ``i`` is in a table headed "previous quarter" (上期)."""
    for row in reversed(rows[:i]):
        if any(h in ("上期", "previous quarter") for h in row):
            return True
        if any(h in ("上年同期", "previous") for h in row):
            return False
    return False


class Attacker:
    def __init__(self):
        self.vars: dict[str, int] = {}
        self.bounds: list[tuple] = []
        self.known: dict[int, int] = {}
        self.eq: list[dict] = []
        self.ge: list[dict] = []

    def var(self, name: str) -> int:
        if name not in self.vars:
            self.vars[name] = len(self.vars)
            self.bounds.append((0, None))
        return self.vars[name]

    def observe(self, name: str, printed) -> None:
        v = _value(printed)
        i = self.var(name)
        if isinstance(v, int):
            if i in self.known and self.known[i] != v:
                raise AssertionError(f"{name} printed as {self.known[i]} and {v}")
            self.known[i] = v
        else:
            lo, hi = self.bounds[i]
            self.bounds[i] = (max(lo, v[0]), v[1] if hi is None else (hi if v[1] is None else min(hi, v[1])))

    def equal(self, total: str, parts) -> None:
        row = {self.var(total): 1.0}
        for p in parts:
            row[self.var(p)] = row.get(self.var(p), 0.0) - 1.0
        self.eq.append(row)

    def at_least(self, big: str, small: str, factor: float = 1.0) -> None:
        self.ge.append({self.var(big): 1.0, self.var(small): -factor})

    def read_report(self, tag: str, summary: dict, html_path: Path | None = None) -> None:
        """The JSON's figures (and the HTML tables' counts, matched by label)."""
        figs = summary["figures"]
        label_of = {}
        for fid, f in figs.items():
            if f.get("kind") == "rate":
                for part in ("numerator", "denominator", "censored"):
                    self.observe(f"{tag}|{fid}|{part}", f[part])
                continue
            for part in ("current", "previous"):
                self.observe(f"{tag}|{fid}|{part}", f[part])
            if not fid.startswith("qoq_"):  # the quarter-on-quarter table repeats the labels
                label_of[f.get("label_zh")] = fid
                label_of[f.get("label_en")] = fid
        if html_path is not None:
            rows = html_rows(html_path)
            for i, row in enumerate(rows):
                if len(row) >= 3 and row[0] in label_of and not _after_qoq_header(rows, i):
                    fid = label_of[row[0]]
                    self.observe(f"{tag}|{fid}|current", row[1])
                    self.observe(f"{tag}|{fid}|previous", row[2])
            if (summary.get("region") or {}).get("name"):
                self.read_context(tag, rows, summary["city"], summary["region"])
        self._relations(tag, figs)

    def read_context(self, tag: str, rows: list[list[str]], city: dict, region: dict) -> None:
        """A county report's context table: a header, the county's row, then the city's
        (found by their labels; the counts by the header's column names). The city has at
        least the county's items."""
        cities = {city.get("zh"), city.get("en")} - {None}
        regions = {region.get("label_zh"), region.get("label_en"), region.get("label")} - {None}
        for i in range(1, len(rows) - 1):
            header, mine, whole = rows[i - 1], rows[i], rows[i + 1]
            if not (mine and whole and mine[0] in regions and whole[0] in cities and len(header) == len(mine)):
                continue
            col = {h: j for j, h in enumerate(header)}
            for part, heads in (("current", ("本期", "current")), ("previous", ("上年同期", "previous"))):
                j = next(col[h] for h in heads if h in col)
                self.observe(f"{tag}|items|{part}", mine[j])
                self.observe(f"{tag}|city|{part}", whole[j])
            for part in ("current", "previous"):
                self.at_least(f"{tag}|city|{part}", f"{tag}|items|{part}")

    def _relations(self, tag: str, figs: dict) -> None:
        def has(fid):
            return fid in figs

        for part in ("current", "previous"):
            def n(fid):
                return f"{tag}|{fid}|{part}"

            for m in ("items", "person_times"):
                vis = [f"visits_{lv}_{m}" for lv in LEVELS]
                if has(f"visits_{m}") and all(has(v) for v in vis):
                    self.equal(n(f"visits_{m}"), [n(v) for v in vis])
                lf = [f"leapfrog_{lv}_{m}" for lv in ("city", "province", "national")]
                if has(f"leapfrog_visits_{m}") and all(has(v) for v in lf):
                    self.equal(n(f"leapfrog_visits_{m}"), [n(v) for v in lf])
                total = "items" if m == "items" else "person_times"
                ch = [f"{c}_{m}" for c in ("letters", "visits", "online", "phone")]
                if all(has(c) for c in ch):
                    self.equal(n(total), [n(c) for c in ch])
            cats = [fid for fid in figs if fid.startswith("category_")]
            if cats:
                self.equal(n("items"), [n(c) for c in cats])
            regs = [fid for fid in figs if fid.startswith("region_")]
            if regs:
                self.equal(n("items"), [n(r) for r in regs])
            for fid in figs:
                if fid.endswith("_items") and has(fid[: -len("_items")] + "_person_times"):
                    pt = fid[: -len("_items")] + "_person_times"
                    self.at_least(n(pt), n(fid), 5.0 if fid.startswith("collective") else 1.0)
            if has("items") and has("person_times"):
                self.at_least(n("person_times"), n("items"))
        if has("rate_timely_acceptance"):
            self.equal(f"{tag}|items|current", [f"{tag}|rate_timely_acceptance|denominator",
                                               f"{tag}|rate_timely_acceptance|censored"])

    def link(self, total: str, parts) -> None:
        """A relation between reports, e.g. the year = its quarters, the city's region row =
        the region's own total."""
        self.equal(total, parts)

    def ranges(self) -> dict[str, tuple[int, int | None]]:
        """Smallest and largest integer value of every count that was not printed."""
        n = len(self.vars)
        lo = np.array([b[0] for b in self.bounds], float)
        hi = np.array([np.inf if b[1] is None else b[1] for b in self.bounds], float)
        for i, v in self.known.items():
            lo[i] = hi[i] = v
        rows, lb, ub = [], [], []
        for row in self.eq + self.ge:
            a = np.zeros(n)
            for i, c in row.items():
                a[i] += c
            rows.append(a)
        lb = [0.0] * len(self.eq) + [0.0] * len(self.ge)
        ub = [0.0] * len(self.eq) + [np.inf] * len(self.ge)
        cons = LinearConstraint(np.array(rows), lb, ub) if rows else None
        out = {}
        names = {i: k for k, i in self.vars.items()}
        for i in range(n):
            if i in self.known:
                continue
            c = np.zeros(n)
            c[i] = 1.0
            r1 = milp(c, constraints=cons, integrality=np.ones(n), bounds=Bounds(lo, hi))
            r2 = milp(-c, constraints=cons, integrality=np.ones(n), bounds=Bounds(lo, hi))
            assert r1.status == 0, (names[i], r1.message)
            top = None if r2.status != 0 else int(round(-r2.fun))
            out[names[i]] = (int(round(r1.fun)), top)
        return out


def load(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
