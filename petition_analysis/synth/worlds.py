"""Simulated worlds with known truth, for validating the statistics by simulation.

:func:`simulate_world` draws a canonical register (``schema.COLUMNS``) from a fully
specified data-generating process (DGP) and returns a :class:`World` that knows the exact
expected count of any series in any period, so that a test run on many worlds can measure
false-flag rates, interval coverage and power. Unlike :func:`petition_analysis.synth.generate`
(the bundled reference data, with calibrated years and planted stories) a world has knobs for
null worlds: no trend, no effects, pure Poisson or clustered counts, with or without
between-year variation.

Data-generating process
-----------------------
Days ``d`` run from 1 January of the first year to 31 December of the last.

1. *Systematic intensity* (expected items per day)::

       λ_d = base · w_d · s_month(d) · trend ** t_d

   ``w_d`` is 1 on working days and ``other_day_weight`` on weekends and public holidays
   (:func:`petition_analysis.analysis.workdays.working_days`, 调休 make-up days included);
   ``s_month`` is :data:`MONTH_FACTORS` (Spring Festival dip in February, Two Sessions peak
   in March, National Day dip in October); ``t_d = (year − first year) + (day of year − 1) /
   days in year`` (fractional years since 1 January of the first year). ``base`` is chosen so
   that the first year's expected items (before effects) equal ``items_per_year`` exactly;
   with ``trend=1`` the other years differ from it only by their calendars (< 0.5 %).

2. *Between-year variation*: year ``y`` gets a city-wide multiplier ``exp(u_y)``,
   ``u_y = between_year_sd · z_y``, ``z_y ~ N(0, 1)``, applied to every series (base and
   effect events alike). It is **not** part of the truth: :meth:`World.expected` excludes it
   (pass ``shocks=True`` to include the drawn ``u_y``). Note ``E[exp(u_y)] = exp(sd²/2)``.

3. *Clustering (overdispersion)*: events arrive on day ``d`` as Poisson with mean
   ``λ_d · exp(u_y) / E[K]``; each event yields ``K = 1 + Poisson(cluster_mean)`` items on the
   same day that share every event attribute (channel, level, leapfrog, repeat, region,
   category, subcategory): one issue raised by several related people. Persons are drawn per
   item. Any count over a set of days is then compound Poisson: for a series whose filter
   depends only on event attributes, ``Var = φ · mean`` with::

       φ = E[K²] / E[K] = 1 + μ + μ / (1 + μ),      μ = cluster_mean

   (``cluster_mean=0.5`` → φ = 1.8333; ``cluster_mean=0`` → pure Poisson, φ = 1).
   Person-times and per-item filters (collective visits) have their own φ;
   :meth:`World.dispersion` gives the exact value for any series and period.

4. *Attributes*, from time-invariant distributions (shares as in the reference data):
   channel ~ :data:`CHANNEL_SHARES`; level | channel ~ :data:`LEVEL_SHARES` (higher levels
   are mostly visits); is_leapfrog | channel, level ~ Bernoulli(:data:`LEAPFROG_P`), never at
   county level; is_repeat | channel ~ Bernoulli(:data:`REPEAT_P`) – a plain coin, there is no
   petitioner history in a world; region ~ ``city.regions()`` weights (13 regions); category
   and subcategory ~ :data:`CATEGORY_SHARES` / :data:`SUBCATEGORY_SHARES` (harmonized,
   post-2018 codes in every year: no taxonomy switch). Persons: 1 for letters, online items
   and calls; for a visit ``min(1 + NegBin(r, mean − 1), 200)`` with ``(mean, r)`` from
   :data:`VISIT_PERSONS` by level and leapfrog (heavy tail: about 9 % of visits have ≥ 5
   persons). ``is_collective = visit & persons ≥ 5`` (``derive.DEFAULT_COLLECTIVE_THRESHOLD``).
   Handling (status, accepted/concluded dates, extension, satisfaction) follows the reference
   generator's lags and shares; data are extracted on 31 December of the last year, so late
   items are still open. ``petitioner_id`` is a pseudonym-like string drawn from a pool with
   no structure (anonymous items are null); ``summary`` is null; ``leader_received`` is
   False; ``case_id`` is ``XF<year><seq>``, unique.

5. *Planted effects*: each effect has a filter (``where`` = a name in
   :data:`petition_analysis.analysis.compare.SERIES`, ``None`` or a function of a frame, plus optional
   ``region``/``category``/``subcategory``/``channel``/``level``), a window (``from``/``to``,
   inclusive; default the whole world) and a ``multiplier``. Effects multiply: an item's
   multiplier is ``m = Π m_j`` over the effects whose filter and window match it.
   ``m < 1``: the item is kept with probability ``m``; the uniform is shared by the items of
   one event, so an event is kept or dropped whole when its items share ``m`` (clustering and
   φ are preserved). ``m > 1``: extra events of that kind are added with expected
   ``λ_d · exp(u_y) · P(attrs) · (m − 1)`` items, their attributes drawn from the matching
   attribute cells and their persons from the persons distribution within the cell.
   ``hotspots`` are effects on a region × category cell with ``start``/``end``.

6. *Truth*::

       expected(F, start, end, items)        = Σ_d λ_d · Σ_cells P(cell) · 1_F(cell) · m(d, cell)
       expected(F, start, end, person_times) = Σ_d λ_d · Σ_cells P(cell) · E[persons | cell] · 1_F · m

   A cell is a combination of channel × level × leapfrog × repeat × region ×
   (category, subcategory) × collective class (persons < 5 or ≥ 5), 38,272 cells. The
   attributes are products of independent categorical draws and the persons distribution
   is a finite table (1..200), so every ``P(cell)`` and ``E[persons | cell]`` is computed
   exactly – no Monte Carlo. Filters are evaluated on a frame of the cells, so any filter
   over ``channel``, ``level``, ``region``, ``category``, ``subcategory``, ``is_leapfrog``,
   ``is_repeat`` and ``is_collective`` (every name in ``compare.SERIES``) works.
   :meth:`World.true_rate_ratio` is ``expected(period) / expected(comparison)``: a ratio of
   expected *counts*, so two full years differ by their calendars (2019 vs 2018: 0.99938)
   even with no effect; ``adjust="calendar"`` divides each by its calendar exposure
   ``Σ_d w_d · s_month(d)`` and returns exactly the planted multiplier × trend ratio.

Everything is vectorized; Python loops run over effects, patterns of active effects and the
eight visit persons tables only. Nothing reads the clock; the same seed and arguments give
the same frame. A world of 8 years × 30,000 items (≈ 240,000 rows) takes 0.1–0.25 s on two cores.

>>> w = simulate_world(1, years=(2018, 2019), items_per_year=5000,
...                    effects=[{"where": "visits_national", "from": "2019-01-01", "multiplier": 0.5}])
>>> from petition_analysis import periods
>>> round(w.true_rate_ratio("visits_national", periods.year(2019), periods.year(2018), adjust="calendar"), 12)
0.5
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats as _st

from .. import periods as _periods
from .. import schema, taxonomy
from ..analysis.workdays import working_days
from ..analysis.compare import SERIES
from ..ingest.derive import DEFAULT_COLLECTIVE_THRESHOLD
from .city import regions

__all__ = [
    "World",
    "simulate_world",
    "WORLDS_VERSION",
    "FILTER_COLUMNS",
    "MONTH_FACTORS",
    "CHANNEL_SHARES",
    "LEVEL_SHARES",
    "LEAPFROG_P",
    "REPEAT_P",
    "VISIT_PERSONS",
    "CATEGORY_SHARES",
    "SUBCATEGORY_SHARES",
]

WORLDS_VERSION = "1"

# --- the attribute distributions (frozen copies: changing the reference generator must not
# --- change a world) ---------------------------------------------------------------------
#: Seasonal profile of the systematic intensity, by month (as in the reference generator).
MONTH_FACTORS = {1: 0.90, 2: 0.65, 3: 1.20, 4: 1.05, 5: 1.00, 6: 1.05,
                 7: 1.00, 8: 0.95, 9: 1.00, 10: 0.80, 11: 1.05, 12: 1.10}
#: Channel shares (the reference data around 2019; time-invariant here).
CHANNEL_SHARES = {"letter": 0.22, "visit": 0.32, "online": 0.32, "phone": 0.14}
#: Level shares (county, city, province, national) for visits and for the other channels.
LEVEL_SHARES = {"visit": (0.647, 0.305, 0.037, 0.011), "other": (0.700, 0.290, 0.008, 0.002)}
#: P(is_leapfrog) by level (county, city, province, national), visits and other channels.
LEAPFROG_P = {"visit": (0.0, 0.19, 0.56, 0.80), "other": (0.0, 0.05, 0.20, 0.30)}
#: P(is_repeat) by channel: a Bernoulli flag, no petitioner history.
REPEAT_P = {"letter": 0.36, "visit": 0.38, "online": 0.34, "phone": 0.25}
#: Persons per visit: 1 + negative binomial with this (mean, r), by (level, is_leapfrog).
VISIT_PERSONS = {
    ("county", False): (1.9, 0.3),
    ("city", False): (1.9, 0.3),
    ("city", True): (5.5, 0.5),
    ("province", False): (2.3, 0.5),
    ("province", True): (2.3, 0.5),
    ("national", False): (1.8, 0.6),
    ("national", True): (1.8, 0.6),
}
PERSONS_CAP = 200
#: Top-level category shares (harmonized codes), as in the reference generator.
CATEGORY_SHARES = {
    "urban_rural_construction": 0.19, "labour_social_security": 0.15, "natural_resources": 0.12,
    "civil_affairs_emergency": 0.08, "agriculture_rural": 0.07, "politics_law": 0.09, "health": 0.04,
    "education": 0.04, "economic_management": 0.04, "transport": 0.03, "market_regulation": 0.03,
    "science_technology_it": 0.01, "ecology_environment": 0.04, "party_government": 0.02,
    "organisation_personnel": 0.01, "discipline_inspection": 0.01, "other": 0.03,
}
#: Subcategory shares within a category; the rest has no subcategory.
SUBCATEGORY_SHARES = {
    "labour_social_security": {"wage_arrears": 0.30, "social_insurance": 0.35},
    "natural_resources": {"land_acquisition": 0.40},
    "urban_rural_construction": {"housing_demolition": 0.30, "property_disputes": 0.20},
    "civil_affairs_emergency": {"subsistence_allowance": 0.40},
}
_ANONYMOUS_P = {"letter": 0.06, "visit": 0.0, "online": 0.12, "phone": 0.35}

#: Columns a filter may use (in ``where`` functions or as keyword filters).
FILTER_COLUMNS = ("channel", "level", "region", "category", "subcategory", "is_leapfrog", "is_repeat", "is_collective")
_KW_FILTERS = ("region", "category", "subcategory", "channel", "level")
_MEASURES = {"items": "items", "person_times": "person_times", "person-times": "person_times", "persons": "person_times"}


# --- the cell table ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cells:
    """Every attribute combination with its exact probability and persons moments.

    Event cells ``e`` (channel × level × leapfrog × repeat × region × category/subcategory)
    in C order; full cells ``2e + k`` add the collective class ``k`` (persons < or ≥ 5).
    """

    frame: pd.DataFrame           # one row per full cell, canonical-like columns for filters
    p_event: np.ndarray           # P(event cell)
    cdf_event: np.ndarray
    a0: np.ndarray                # per full cell: P(class | event cell)
    a1: np.ndarray                # E[persons · 1_class | event cell]
    a2: np.ndarray                # E[persons² · 1_class | event cell]
    ch: np.ndarray                # per event cell: channel code, level code, ...
    lv: np.ndarray
    lf: np.ndarray
    rp: np.ndarray
    rg: np.ndarray
    cat: np.ndarray               # category code (in taxonomy.category_codes())
    sub: np.ndarray               # subcategory code (taxonomy.subcategory_codes()) or -1
    persons_group: np.ndarray     # per event cell: index of its visit persons table, -1 = 1 person
    persons_cdf: tuple            # cdf over persons 1..cap, one per visit group
    region_names: tuple


def _visit_groups() -> tuple[list[tuple[int, int]], list[np.ndarray]]:
    keys, pmfs = [], []
    for (level, leap), (mean, r) in VISIT_PERSONS.items():
        mu = mean - 1.0
        k = np.arange(PERSONS_CAP - 1)  # persons 1..cap-1
        pmf = _st.nbinom.pmf(k, r, r / (r + mu))
        pmf = np.append(pmf, max(0.0, 1.0 - pmf.sum()))  # the capped tail → persons = cap
        keys.append((schema.LEVELS.index(level), int(leap)))
        pmfs.append(pmf / pmf.sum())
    return keys, pmfs


@functools.cache
def _cells() -> _Cells:
    region_df = regions()
    region_names = tuple(region_df["zh"])
    p_rg = region_df["weight"].to_numpy(float)
    p_rg = p_rg / p_rg.sum()

    cat_codes = taxonomy.category_codes()
    sub_codes = taxonomy.subcategory_codes()
    total = sum(CATEGORY_SHARES.values())
    sc_cat, sc_sub, p_sc = [], [], []
    for c, share in CATEGORY_SHARES.items():
        subs = SUBCATEGORY_SHARES.get(c, {})
        for s, ss in subs.items():
            sc_cat.append(cat_codes.index(c)); sc_sub.append(sub_codes.index(s)); p_sc.append(share / total * ss)
        sc_cat.append(cat_codes.index(c)); sc_sub.append(-1); p_sc.append(share / total * (1.0 - sum(subs.values())))
    sc_cat, sc_sub, p_sc = np.array(sc_cat), np.array(sc_sub), np.array(p_sc)

    nch, nlv = len(schema.CHANNELS), len(schema.LEVELS)
    visit = schema.CHANNELS.index("visit")
    p_ch = np.array([CHANNEL_SHARES[c] for c in schema.CHANNELS])
    p_ch = p_ch / p_ch.sum()
    p_lv = np.array([LEVEL_SHARES["visit" if c == visit else "other"] for c in range(nch)])
    p_lv = p_lv / p_lv.sum(axis=1, keepdims=True)
    q_lf = np.array([LEAPFROG_P["visit" if c == visit else "other"] for c in range(nch)])
    p_lf = np.stack([1.0 - q_lf, q_lf], axis=-1)                      # ch × lv × lf
    q_rp = np.array([REPEAT_P[c] for c in schema.CHANNELS])
    p_rp = np.stack([1.0 - q_rp, q_rp], axis=-1)                      # ch × rp

    shape = (nch, nlv, 2, 2, len(p_rg), len(p_sc))
    p = (p_ch[:, None, None, None, None, None] * p_lv[:, :, None, None, None, None]
         * p_lf[:, :, :, None, None, None] * p_rp[:, None, None, :, None, None]
         * p_rg[None, None, None, None, :, None] * p_sc[None, None, None, None, None, :])
    p_event = p.ravel()
    ch, lv, lf, rp, rg, sc = (a.ravel() for a in np.indices(shape))

    # Persons: one table per visit (level, leapfrog); 1 person for the other channels.
    keys, pmfs = _visit_groups()
    group_of = {k: i for i, k in enumerate(keys)}
    n_ev = len(p_event)
    persons_group = np.full(n_ev, -1, dtype=np.int64)
    thr = DEFAULT_COLLECTIVE_THRESHOLD
    mom = np.zeros((len(keys) + 1, 2, 3))  # group (last = one person) × class × (P, E[P·1], E[P²·1])
    persons = np.arange(1, PERSONS_CAP + 1, dtype=float)
    for i, pmf in enumerate(pmfs):
        for k, sel in enumerate((persons < thr, persons >= thr)):
            mom[i, k] = (pmf[sel].sum(), (pmf * persons)[sel].sum(), (pmf * persons**2)[sel].sum())
    mom[-1, 0] = (1.0, 1.0, 1.0)
    is_visit = ch == visit
    for (lvl, leap), i in group_of.items():
        persons_group[is_visit & (lv == lvl) & (lf == leap)] = i
    g = np.where(persons_group >= 0, persons_group, len(keys))
    a0 = mom[g, :, 0].ravel()
    a1 = mom[g, :, 1].ravel()
    a2 = mom[g, :, 2].ravel()
    persons_cdf = tuple(np.concatenate([np.cumsum(pmf)[:-1], [1.0]]) for pmf in pmfs)

    full = lambda a: np.repeat(a, 2)  # noqa: E731 - per event cell → per full cell
    dt = schema.canonical_dtypes(region_categories=list(region_names))
    collective = np.tile([False, True], n_ev) & full(is_visit)
    frame = pd.DataFrame({
        "channel": pd.Categorical.from_codes(full(ch), dtype=dt["channel"]),
        "level": pd.Categorical.from_codes(full(lv), dtype=dt["level"]),
        "region": pd.Categorical.from_codes(full(rg), dtype=dt["region"]),
        "category": pd.Categorical.from_codes(full(sc_cat[sc]), dtype=dt["category"]),
        "subcategory": pd.Categorical.from_codes(full(sc_sub[sc]), dtype=dt["subcategory"]),
        "is_leapfrog": full(lf.astype(bool)),
        "is_repeat": full(rp.astype(bool)),
        "is_collective": collective,
    })
    cdf_event = np.cumsum(p_event)
    cdf_event = cdf_event / cdf_event[-1]
    return _Cells(frame, p_event, cdf_event, a0, a1, a2, ch, lv, lf, rp, rg, sc_cat[sc], sc_sub[sc],
                  persons_group, persons_cdf, region_names)


# --- filters and effects -------------------------------------------------------------------
def _filter(frame: pd.DataFrame, where=None, filters: dict | None = None) -> np.ndarray:
    """Boolean mask over ``frame`` (data rows or cells): a named series (``compare.SERIES``),
    ``None`` (all rows) or a function of the frame, and keyword filters (value or list)."""
    if where is None:
        mask = np.ones(len(frame), dtype=bool)
    elif isinstance(where, str):
        if where not in SERIES:
            raise ValueError(f"unknown series {where!r}; known: {', '.join(SERIES)}")
        mask = np.asarray(SERIES[where](frame), dtype=bool)
    elif callable(where):
        try:
            mask = np.asarray(where(frame), dtype=bool)
        except KeyError as err:
            raise ValueError(f"a 'where' function may use only the columns {', '.join(FILTER_COLUMNS)}; "
                             f"it used {err}") from None
    else:
        raise TypeError(f"where must be a series name, None or a function, not {type(where).__name__}")
    for key, value in (filters or {}).items():
        if key not in _KW_FILTERS:
            raise ValueError(f"unknown filter {key!r}; use {', '.join(_KW_FILTERS)}")
        if value is None:
            continue
        values = [value] if isinstance(value, str) else list(value)
        mask = mask & frame[key].astype("str").isin([str(v) for v in values]).to_numpy()
    return mask


def _norm_effect(spec: dict, kind: str) -> dict:
    spec = dict(spec)
    if "multiplier" not in spec:
        raise ValueError(f"{kind} {spec!r} has no multiplier")
    mult = float(spec.pop("multiplier"))
    if not (math.isfinite(mult) and mult >= 0):
        raise ValueError(f"{kind} multiplier must be a finite number >= 0, not {mult}")
    start = spec.pop("from", None) if "from" in spec else spec.pop("start", None)
    end = spec.pop("to", None) if "to" in spec else spec.pop("end", None)
    where = spec.pop("where", None)
    filters = {k: spec.pop(k) for k in _KW_FILTERS if k in spec}
    if spec:
        raise ValueError(f"{kind}: unknown keys {sorted(spec)}")
    if kind == "hotspot" and not filters:
        raise ValueError("a hotspot needs a region and/or category")
    return {"where": where, "filters": filters, "multiplier": mult,
            "start": None if start is None else pd.Timestamp(start).normalize(),
            "end": None if end is None else pd.Timestamp(end).normalize()}


# --- the world -----------------------------------------------------------------------------
@dataclass
class World:
    """A simulated register and its exact truth (see the module docstring for the DGP).

    ``params`` are the arguments of :func:`simulate_world` (``simulate_world(**params)``
    regenerates the frame); ``year_shocks`` the drawn ``u_y`` (log scale).
    """

    data: pd.DataFrame
    params: dict
    year_shocks: dict = field(default_factory=dict)
    _days: pd.DatetimeIndex = field(default=None, repr=False)
    _lam: np.ndarray = field(default=None, repr=False)          # systematic λ_d
    _calendar: np.ndarray = field(default=None, repr=False)     # w_d · s_month(d)
    _shock_d: np.ndarray = field(default=None, repr=False)      # exp(u_y(d))
    _day_pattern: np.ndarray = field(default=None, repr=False)  # pattern of active effects per day
    _mult: np.ndarray = field(default=None, repr=False)         # pattern × full cell multiplier
    _cache: dict = field(default_factory=dict, repr=False)

    # -- helpers ------------------------------------------------------------------------
    def _span(self, start, end) -> slice:
        first, last = self._days[0], self._days[-1]
        s = first if start is None else pd.Timestamp(start).normalize()
        e = last if end is None else pd.Timestamp(end).normalize()
        if s < first or e > last:
            raise ValueError(f"{s.date()}..{e.date()} is outside the world ({first.date()}..{last.date()})")
        if e < s:
            raise ValueError(f"period ends ({e.date()}) before it starts ({s.date()})")
        return slice((s - first).days, (e - first).days + 1)

    @staticmethod
    def _measure(measure: str) -> str:
        try:
            return _MEASURES[measure]
        except KeyError:
            raise ValueError(f"measure must be 'items' or 'person_times', not {measure!r}") from None

    def _cell_mask(self, where, filters) -> np.ndarray:
        key = ("mask", where, tuple(sorted((k, v if isinstance(v, (str, type(None))) else tuple(v))
                                          for k, v in filters.items())))
        if key not in self._cache:
            self._cache[key] = _filter(_cells().frame, where, filters)
        return self._cache[key]

    def _per_pattern(self, where, measure, filters) -> np.ndarray:
        """Σ_cells P(cell) · E[m | cell] · 1_F · mult, per pattern of active effects."""
        cells = _cells()
        f = self._cell_mask(where, filters)
        p_ev = np.repeat(cells.p_event, 2)
        weight = p_ev * (cells.a0 if self._measure(measure) == "items" else cells.a1) * f
        return self._mult @ weight

    # -- truth --------------------------------------------------------------------------
    def expected_daily(self, where=None, measure: str = "items", *, shocks: bool = False, **filters) -> pd.Series:
        """Expected count per day (systematic truth; ``shocks=True`` multiplies by exp(u_y))."""
        c = self._per_pattern(where, measure, filters)
        daily = self._lam * c[self._day_pattern]
        if shocks:
            daily = daily * self._shock_d
        return pd.Series(daily, index=self._days, name=self._measure(measure))

    def expected(self, where=None, start=None, end=None, measure: str = "items", *,
                 shocks: bool = False, **filters) -> float:
        """Expected items (or person-times) of a series from ``start`` to ``end`` inclusive.

        ``where``: a name in ``compare.SERIES``, ``None`` (all rows) or a function of a frame
        using only :data:`FILTER_COLUMNS`; keyword filters ``region``, ``category``,
        ``subcategory``, ``channel``, ``level`` take a value or a list. Excludes the year
        shocks unless ``shocks=True``. Exact (no Monte Carlo).
        """
        span = self._span(start, end)
        daily = self.expected_daily(where, measure, shocks=shocks, **filters).to_numpy()
        return float(daily[span].sum())

    def expected_series(self, where=None, freq: str = "MS", measure: str = "items", *,
                        shocks: bool = False, **filters) -> pd.Series:
        """Expected counts per period of ``freq`` (``"MS"`` months, ``"YS"`` years, ...)."""
        daily = self.expected_daily(where, measure, shocks=shocks, **filters)
        return daily.resample(freq).sum()

    def calendar_exposure(self, start=None, end=None) -> float:
        """``Σ_d w_d · s_month(d)``: the model's own exposure of the days (no trend)."""
        return float(self._calendar[self._span(start, end)].sum())

    def true_rate_ratio(self, where, period, comparison, measure: str = "items", *,
                        adjust: str | None = None, **filters) -> float:
        """``expected(period) / expected(comparison)`` (periods: ``Period`` objects, a
        ``(start, end)`` pair or anything :func:`petition_analysis.periods.parse` reads).

        ``adjust=None`` compares expected counts (what a test on raw counts estimates);
        ``"calendar"`` divides each by :meth:`calendar_exposure` (the planted multiplier ×
        trend, free of calendar differences); ``"workdays"`` divides each by
        ``workdays.exposure(start, end, other_day_weight)`` (working days plus the weight of
        the other days, without the seasonal profile).
        """
        a, b = _as_span(period), _as_span(comparison)
        num = self.expected(where, *a, measure=measure, **filters)
        den = self.expected(where, *b, measure=measure, **filters)
        if adjust == "calendar":
            num, den = num / self.calendar_exposure(*a), den / self.calendar_exposure(*b)
        elif adjust == "workdays":
            from ..analysis.workdays import exposure

            odw = self.params["other_day_weight"]
            num, den = num / exposure(*a, odw), den / exposure(*b, odw)
        elif adjust is not None:
            raise ValueError(f"adjust must be None, 'calendar' or 'workdays', not {adjust!r}")
        return num / den if den > 0 else math.nan

    def dispersion(self, where=None, start=None, end=None, measure: str = "items", **filters) -> float:
        """Exact φ = Var / mean of the count of a series over ``start..end`` given the year
        shocks (the compound-Poisson dispersion from clustering; planted effects included).

        For items of a series that depends only on event attributes this is
        ``E[K²]/E[K] = 1 + μ + μ/(1 + μ)``; person-times and collective visits differ.
        """
        cells = _cells()
        mu = self.params["cluster_mean"]
        ek, ekk = 1.0 + mu, 2.0 * mu + mu * mu
        f = self._cell_mask(where, filters).reshape(-1, 2)
        items = self._measure(measure) == "items"
        m1 = (cells.a0 if items else cells.a1).reshape(-1, 2) * f
        m2 = (cells.a0 if items else cells.a2).reshape(-1, 2) * f
        a0 = cells.a0.reshape(-1, 2)
        pe = cells.p_event
        span = self._span(start, end)
        lam = self._lam[span]
        pats = self._day_pattern[span]
        mean = var = 0.0
        for p in np.unique(pats):
            w = float(lam[pats == p].sum())
            m = self._mult[p].reshape(-1, 2)
            keep = np.minimum(m, 1.0)
            single = (m2 * keep).sum(axis=1)
            pair = (m1[:, 0] ** 2 * keep[:, 0] + m1[:, 1] ** 2 * keep[:, 1]
                    + 2.0 * m1[:, 0] * m1[:, 1] * np.minimum(keep[:, 0], keep[:, 1]))
            v_base = (pe * (ek * single + ekk * pair)).sum()
            extra = np.maximum(m - 1.0, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                cond = np.where(a0 > 0, m1**2 / a0, 0.0)
            v_extra = (pe[:, None] * extra * (ek * m2 + ekk * cond)).sum()
            var += w / ek * (v_base + v_extra)
            mean += w * (pe[:, None] * m1 * m).sum()
        return var / mean if mean > 0 else math.nan

    # -- observations -------------------------------------------------------------------
    def observed(self, where=None, start=None, end=None, measure: str = "items", **filters) -> int:
        """The count of a series in the data from ``start`` to ``end`` inclusive."""
        span = self._span(start, end)
        d = self.data
        mask = _filter(d, where, filters)
        day = (d["received_date"].to_numpy() - self._days[0].to_datetime64()) // np.timedelta64(1, "D")
        mask = mask & (day >= span.start) & (day < span.stop)
        if self._measure(measure) == "items":
            return int(mask.sum())
        return int(d["persons"].to_numpy()[mask].sum())

    def observed_series(self, where=None, freq: str = "MS", measure: str = "items", **filters) -> pd.Series:
        """Observed counts per period of ``freq``, on the same index as :meth:`expected_series`."""
        d = self.data
        mask = _filter(d, where, filters)
        values = np.ones(int(mask.sum())) if self._measure(measure) == "items" else d["persons"].to_numpy()[mask]
        s = pd.Series(values, index=pd.DatetimeIndex(d["received_date"].to_numpy()[mask]))
        daily = s.groupby(level=0).sum().reindex(self._days, fill_value=0)
        return daily.resample(freq).sum().astype("int64")


def _as_span(p) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(p, tuple) and len(p) == 2:
        return pd.Timestamp(p[0]), pd.Timestamp(p[1])
    if not hasattr(p, "start"):
        p = _periods.parse(p)
    return p.start, p.end


# --- generation ----------------------------------------------------------------------------
_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def _pseudonyms(ids: np.ndarray, seed: int) -> np.ndarray:
    """16 base32 characters from a 64-bit mix of (seed, id): pseudonym-like, no PII pattern."""
    with np.errstate(over="ignore"):
        x = ids.astype(np.uint64) + np.uint64(seed % (1 << 63)) * np.uint64(0x9E3779B97F4A7C15)
        out = np.empty((len(ids), 16), dtype=np.uint8)
        for half in range(2):
            z = x + np.uint64(half + 1) * np.uint64(0xD1B54A32D192ED03)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            for i in range(8):
                out[:, half * 8 + i] = _B32[((z >> np.uint64(5 * i)) & np.uint64(31)).astype(np.intp)]
    return out.view("S16").ravel()


def _sample_persons(rng, group: np.ndarray, lo: np.ndarray | None = None, hi: np.ndarray | None = None) -> np.ndarray:
    """Persons by inverse cdf; ``lo``/``hi`` restrict the uniform (a collective class)."""
    cells = _cells()
    n = len(group)
    u = rng.random(n)
    if lo is not None:
        u = lo + u * (hi - lo)
    persons = np.ones(n, dtype=np.int32)
    for g, cdf in enumerate(cells.persons_cdf):
        sel = group == g
        if sel.any():
            persons[sel] = np.minimum(np.searchsorted(cdf, u[sel], side="right"), PERSONS_CAP - 1) + 1
    return persons


def _class_bounds(group: np.ndarray, klass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uniform range of the collective class within each visit group's cdf."""
    cells = _cells()
    thr = DEFAULT_COLLECTIVE_THRESHOLD
    f_cut = np.array([cdf[thr - 2] for cdf in cells.persons_cdf] + [1.0])  # P(persons < thr)
    g = np.where(group >= 0, group, len(cells.persons_cdf))
    lo = np.where(klass == 1, f_cut[g], 0.0)
    hi = np.where(klass == 1, 1.0, f_cut[g])
    return lo, hi


def _handling(rng, received: np.ndarray, extraction: np.datetime64) -> dict:
    """Status, dates, extension and satisfaction, as the reference generator's lags."""
    n = len(received)
    u = rng.random(n)
    not_accepted = u < 0.05
    late = (u >= 0.05) & (u < 0.12)
    accept_lag = np.minimum(rng.poisson(3.0, size=n), 15)
    accept_lag = np.where(late, rng.integers(16, 46, size=n), accept_lag)
    accepted = received + accept_lag.astype("timedelta64[D]")
    v = rng.random(n)
    extended = (v >= 0.84) & (v < 0.93)
    overdue = v >= 0.93
    duration = np.minimum(1 + rng.negative_binomial(3, 3 / (3 + 24), size=n), 60)
    duration = np.where(extended, rng.integers(61, 91, size=n), duration)
    duration = np.where(overdue, rng.integers(61, 151, size=n), duration)
    extended = extended | (overdue & (rng.random(n) < 0.3))
    concluded = accepted + duration.astype("timedelta64[D]")

    st = {s: i for i, s in enumerate(schema.STATUSES)}
    status = np.full(n, st["concluded"], dtype=np.int8)
    status[concluded > extraction] = st["accepted"]
    status[accepted > extraction] = st["registered"]
    status[not_accepted] = st["not_accepted"]
    nat = np.datetime64("NaT", "s")
    has_accept = (status == st["accepted"]) | (status == st["concluded"])
    done = status == st["concluded"]
    sat_codes = {s: i for i, s in enumerate(schema.SATISFACTION)}
    evaluated = done & (rng.random(n) < 0.82)
    w = rng.random(n)
    sat = np.full(n, sat_codes["not_evaluated"], dtype=np.int8)
    sat[evaluated & (w < 0.68)] = sat_codes["satisfied"]
    sat[evaluated & (w >= 0.68) & (w < 0.90)] = sat_codes["basically_satisfied"]
    sat[evaluated & (w >= 0.90)] = sat_codes["dissatisfied"]
    return {
        "status": status,
        "accepted_date": np.where(has_accept, accepted, nat),
        "concluded_date": np.where(done, concluded, nat),
        "extended": extended & done,
        "satisfaction": sat,
    }


def simulate_world(
    seed: int,
    *,
    years: tuple[int, int] = (2016, 2023),
    items_per_year: float = 30000,
    other_day_weight: float = 0.3,
    cluster_mean: float = 0.5,
    between_year_sd: float = 0.0,
    trend: float = 1.0,
    effects=(),
    hotspots=(),
    validate: bool = False,
) -> World:
    """Simulate a register with known truth (the DGP is in the module docstring).

    ``years``: first and last year (inclusive). ``items_per_year``: expected items of the
    first year before effects. ``other_day_weight``: intensity of a weekend or holiday
    relative to a working day. ``cluster_mean``: mean extra items per event (0 = Poisson).
    ``between_year_sd``: sd of the yearly log shock (not part of the truth). ``trend``:
    multiplier per year of the systematic intensity. ``effects``: dicts with ``where``,
    optional ``region``/``category``/``subcategory``/``channel``/``level``, ``from``/``to``
    and ``multiplier``. ``hotspots``: dicts with ``region``, ``category``, ``start``,
    ``end`` and ``multiplier``. ``validate=True`` runs :func:`schema.validate` on the frame.
    """
    y0, y1 = (int(years[0]), int(years[1])) if not isinstance(years, int) else (int(years), int(years))
    if y1 < y0:
        raise ValueError(f"years must be (first, last), not {years!r}")
    if not items_per_year > 0 or not other_day_weight >= 0 or not cluster_mean >= 0 or not between_year_sd >= 0 or not trend > 0:
        raise ValueError("items_per_year and trend must be > 0; other_day_weight, cluster_mean and between_year_sd >= 0")
    effects = tuple(dict(e) for e in effects)
    hotspots = tuple(dict(h) for h in hotspots)
    params = {"seed": int(seed), "years": (y0, y1), "items_per_year": float(items_per_year),
              "other_day_weight": float(other_day_weight), "cluster_mean": float(cluster_mean),
              "between_year_sd": float(between_year_sd), "trend": float(trend),
              "effects": effects, "hotspots": hotspots}
    specs = [_norm_effect(e, "effect") for e in effects] + [_norm_effect(h, "hotspot") for h in hotspots]
    cells = _cells()

    # Systematic intensity.
    days = pd.date_range(f"{y0}-01-01", f"{y1}-12-31", freq="D")
    n_days = len(days)
    year_of = days.year.to_numpy() - y0
    days_in_year = np.where(days.is_leap_year, 366.0, 365.0)
    t = year_of + (days.day_of_year.to_numpy() - 1) / days_in_year
    with warnings.catch_warnings():
        # workdays.py still uses DatetimeIndex.dayofweek (deprecated in pandas 3.1); harmless
        warnings.filterwarnings("ignore", message="DatetimeIndex.dayofweek is deprecated")
        w = np.where(working_days(days), 1.0, float(other_day_weight))
    calendar = w * np.array([0.0] + [MONTH_FACTORS[m] for m in range(1, 13)])[days.month.to_numpy()]
    shape = calendar * float(trend) ** t
    base = float(items_per_year) / shape[year_of == 0].sum()
    lam = base * shape

    # Patterns of active effects and the multiplier of every full cell under each.
    active = np.zeros((n_days, len(specs)), dtype=bool)
    for j, s in enumerate(specs):
        lo = 0 if s["start"] is None else max(0, (s["start"] - days[0]).days)
        hi = n_days if s["end"] is None else min(n_days, (s["end"] - days[0]).days + 1)
        active[lo:hi, j] = True
    patterns, day_pattern = np.unique(active, axis=0, return_inverse=True)
    day_pattern = day_pattern.ravel()
    n_full = len(cells.a0)
    mult = np.ones((len(patterns), n_full))
    for j, s in enumerate(specs):
        f = _filter(cells.frame, s["where"], s["filters"])
        factor = np.where(f, s["multiplier"], 1.0)
        mult[patterns[:, j]] *= factor

    root = np.random.SeedSequence([int(seed), 0x57D])
    r_shock, r_base, r_extra, r_handle, r_ids = (np.random.default_rng(s) for s in root.spawn(5))
    z = r_shock.standard_normal(y1 - y0 + 1)
    u_year = float(between_year_sd) * z
    shock_d = np.exp(u_year)[year_of]
    ek = 1.0 + float(cluster_mean)

    # Base events: Poisson per day, attributes per event, K items each, persons per item.
    n_ev = r_base.poisson(lam * shock_d / ek)
    ev_day = np.repeat(np.arange(n_days), n_ev)
    n_events = len(ev_day)
    ev_cell = np.minimum(np.searchsorted(cells.cdf_event, r_base.random(n_events), side="right"), len(cells.p_event) - 1)
    ev_u = r_base.random(n_events)
    k = 1 + r_base.poisson(cluster_mean, n_events) if cluster_mean > 0 else np.ones(n_events, dtype=np.int64)
    it_ev = np.repeat(np.arange(n_events), k)
    it_day, it_cell = ev_day[it_ev], ev_cell[it_ev]
    group = cells.persons_group[it_cell]
    persons = _sample_persons(r_base, group)
    klass = (group >= 0) & (persons >= DEFAULT_COLLECTIVE_THRESHOLD)
    if specs:
        m_item = mult[day_pattern[it_day], 2 * it_cell + klass]
        keep = ev_u[it_ev] < m_item
        it_day, it_cell, persons = it_day[keep], it_cell[keep], persons[keep]

    # Extra events where the multiplier exceeds 1, drawn from the matching full cells.
    p_full = np.repeat(cells.p_event, 2) * cells.a0
    excess = p_full[None, :] * np.maximum(mult - 1.0, 0.0)
    x_tot = excess.sum(axis=1)
    if (x_tot > 0).any():
        n_x = r_extra.poisson(lam * shock_d * x_tot[day_pattern] / ek)
        x_day = np.repeat(np.arange(n_days), n_x)
        x_full = np.zeros(len(x_day), dtype=np.int64)
        u = r_extra.random(len(x_day))
        for p in np.flatnonzero(x_tot > 0):
            sel = day_pattern[x_day] == p
            cdf = np.cumsum(excess[p])
            cdf = cdf / cdf[-1]
            x_full[sel] = np.minimum(np.searchsorted(cdf, u[sel], side="right"), n_full - 1)
        kx = 1 + r_extra.poisson(cluster_mean, len(x_day)) if cluster_mean > 0 else np.ones(len(x_day), dtype=np.int64)
        xi = np.repeat(np.arange(len(x_day)), kx)
        x_day_i, x_full_i = x_day[xi], x_full[xi]
        x_cell = x_full_i // 2
        xg = cells.persons_group[x_cell]
        lo, hi = _class_bounds(xg, x_full_i % 2)
        x_persons = _sample_persons(r_extra, xg, lo, hi)
        it_day = np.concatenate([it_day, x_day_i])
        it_cell = np.concatenate([it_cell, x_cell])
        persons = np.concatenate([persons, x_persons])
        order = np.argsort(it_day, kind="stable")
        it_day, it_cell, persons = it_day[order], it_cell[order], persons[order]

    data = _frame(cells, days, it_day, it_cell, persons, y1, r_handle, r_ids, int(seed))
    if validate:
        schema.validate(data)
    return World(data=data, params=params,
                 year_shocks={y0 + i: float(v) for i, v in enumerate(u_year)},
                 _days=days, _lam=lam, _calendar=calendar, _shock_d=shock_d,
                 _day_pattern=day_pattern, _mult=mult)


def _frame(cells: _Cells, days, it_day, it_cell, persons, last_year, r_handle, r_ids, seed) -> pd.DataFrame:
    n = len(it_day)
    dt = schema.canonical_dtypes(region_categories=list(cells.region_names))
    day_values = days.to_numpy().astype("datetime64[s]")
    received = day_values[it_day]
    year = days.year.to_numpy()[it_day]
    # Case numbers in date order within each year.
    first_of_year = np.r_[0, np.flatnonzero(np.diff(year)) + 1]
    seq = np.arange(n) - np.repeat(first_of_year, np.diff(np.r_[first_of_year, n])) + 1
    width = max(6, len(str(int(seq.max())))) if n else 6
    case_id = "XF" + pd.Series(year * 10**width + seq, dtype="int64").astype("str")

    ch = cells.ch[it_cell]
    lv = cells.lv[it_cell]
    channel_names = np.asarray(schema.CHANNELS)
    anon_p = np.array([_ANONYMOUS_P[c] for c in channel_names])[ch]
    anonymous = r_ids.random(n) < anon_p
    pool = max(1, int(0.6 * n))
    pid_num = r_ids.integers(0, pool, size=n)
    pid_bytes = _pseudonyms(pid_num, seed)
    pid_arr = pa.array(pid_bytes, type=pa.binary(16), mask=anonymous).cast(pa.string())

    handling = _handling(r_handle, received, np.datetime64(f"{last_year}-12-31", "s"))
    is_visit = ch == schema.CHANNELS.index("visit")
    out = pd.DataFrame({
        "case_id": case_id,
        "received_date": received,
        "channel": pd.Categorical.from_codes(ch, dtype=dt["channel"]),
        "persons": persons.astype(np.int32),
        "level": pd.Categorical.from_codes(lv, dtype=dt["level"]),
        "region": pd.Categorical.from_codes(cells.rg[it_cell], dtype=dt["region"]),
        "category": pd.Categorical.from_codes(cells.cat[it_cell], dtype=dt["category"]),
        "subcategory": pd.Categorical.from_codes(cells.sub[it_cell], dtype=dt["subcategory"]),
        "is_leapfrog": cells.lf[it_cell].astype(bool),
        "is_collective": is_visit & (persons >= DEFAULT_COLLECTIVE_THRESHOLD),
        "is_repeat": cells.rp[it_cell].astype(bool),
        "leader_received": np.zeros(n, dtype=bool),
        "petitioner_id": pd.Series(pid_arr, dtype="str"),
        "status": pd.Categorical.from_codes(handling["status"], dtype=dt["status"]),
        "accepted_date": handling["accepted_date"].astype("datetime64[s]"),
        "concluded_date": handling["concluded_date"].astype("datetime64[s]"),
        "extended": handling["extended"],
        "satisfaction": pd.Categorical.from_codes(handling["satisfaction"], dtype=dt["satisfaction"]),
        "summary": pd.Series(np.full(n, None, dtype=object), dtype="str"),
    })
    return out[schema.column_names()]
