"""Validation by simulation: run the figure registry on many generated worlds whose truth is
known, and measure what its verdicts and intervals are worth.

For each world (:func:`petition_analysis.synth.worlds.simulate_world`) the registry of a
year-to-date annual report is built exactly as a report builds it; every comparison figure
is then checked against the world's true rate ratio (expected counts per working-day
exposure, without the random year shocks, which are noise and not change):

* **coverage** of the unadjusted 95 % intervals (``ci_low_95``–``ci_high_95``), by figure
  type (items or person-times, large or small counts);
* **false discoveries** per family: a figure called significant although its true rate ratio
  is 1 (within 0.5 %). The false-discovery proportion V/max(R, 1) is averaged over worlds
  (FDR, what Benjamini–Hochberg controls); FWER is the share of worlds with any;
* **false-coverage rate** of the family-adjusted intervals shown beside verdicts (FCR);
* **power**: how often a planted effect is called a significant change in its direction.

``make validate`` runs :data:`SCENARIOS` with many seeds and writes
``validation/results/validation.json``; the test suite runs a small version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Scenario", "SCENARIOS", "run_world", "run_scenario", "summarise"]


def __dir__():
    # dir() and tab completion show the module's API, not its imports (np, pd, math …)
    return sorted(__all__)

#: the campaign of the reference city: national-level visits fall to 53.3 % from 2019
CAMPAIGN = {"where": "visits_national", "from": "2019-01-01", "multiplier": 80 / 150}
#: a world's attribute shares give about 99 national-level visits a year; the reference city
#: had 150 before its campaign, so the campaign scenario raises them to that level throughout
CITY_NATIONAL_LEVEL = {"where": "visits_national", "multiplier": 150 / 98.8}


@dataclass(frozen=True)
class Scenario:
    """A family of worlds: the generator's knobs and the report that is run on them."""

    name: str
    description: str
    between_year_sd: float = 0.0
    cluster_mean: float = 0.5
    effects: tuple = ()
    trend: float = 1.0
    items_per_year: float = 29000
    years: tuple = (2014, 2019)
    as_of: str = "2019-12-20"

    def world(self, seed: int):
        from ..synth.worlds import simulate_world

        return simulate_world(seed, years=self.years, items_per_year=self.items_per_year,
                              cluster_mean=self.cluster_mean, between_year_sd=self.between_year_sd,
                              effects=self.effects, trend=self.trend)


SCENARIOS = {
    "null": Scenario("null", "no change at all; clustered counts (φ ≈ 1.8)"),
    "null_between_years": Scenario("null_between_years", "no change; whole years vary by 3 % (σ_b = 0.03)",
                                   between_year_sd=0.03),
    "campaign": Scenario("campaign", "the city's 2019 campaign: national-level visits 150 a year, then × 0.533 "
                         "(about 80); whole years vary by 3 %", between_year_sd=0.03,
                         effects=(CITY_NATIONAL_LEVEL, CAMPAIGN)),
    "campaign_unclustered": Scenario("campaign_unclustered", "the same campaign with visits arriving one by one "
                                     "(φ = 1, as estimated for national-level visits in the bundled data)",
                                     between_year_sd=0.03, cluster_mean=0.0, effects=(CITY_NATIONAL_LEVEL, CAMPAIGN)),
    "trend": Scenario("trend", "a steady fall of 1.96 % a year in every series; no other change",
                      trend=28792 / 29368),
}


def _truth(world, spec, period, comparison) -> float:
    filters = dict(spec.filters)
    return world.true_rate_ratio(spec.series, period, comparison, spec.measure, adjust="workdays", **filters)


def run_world(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One world: the registry's comparison figures with their truth, one row per figure."""
    from .registry import build_registry, figure_specs

    world = scenario.world(seed)
    reg = build_registry(world.data, as_of=scenario.as_of)
    specs = {s.figure: s for s in figure_specs("annual", regions=sorted(world.data["region"].astype("str").unique()),
                                                categories=sorted(world.data["category"].astype("str").unique()))}
    t = reg.figures[reg.figures["kind"] == "comparison"].copy()
    t["truth"] = [_truth(world, specs[f], reg.period, reg.comparison) for f in t.index]
    t["seed"] = seed
    t["scenario"] = scenario.name
    keep = ["scenario", "seed", "family", "measure", "method", "current", "previous", "rate_ratio", "truth",
            "ci_low", "ci_high", "ci_low_95", "ci_high_95", "p_value_raw", "p_value", "significant", "verdict", "flags"]
    return t[keep].rename_axis("figure").reset_index()


def run_scenario(scenario: Scenario, seeds, workers: int = 1, progress: bool = False) -> pd.DataFrame:
    """Every figure of every world of a scenario (``workers`` processes)."""
    seeds = list(seeds)
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            parts = list(_progress(pool.map(run_world, [scenario] * len(seeds), seeds), len(seeds), progress,
                                   scenario.name))
    else:
        parts = list(_progress((run_world(scenario, s) for s in seeds), len(seeds), progress, scenario.name))
    return pd.concat(parts, ignore_index=True)


def _progress(it, total, on, desc):
    if not on:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc, unit="world")


def _kind(row) -> str:
    small = "small" if row["method"] == "exact" else "large"
    return f"{row['measure']}_{small}"


def summarise(results: pd.DataFrame, tolerance: float = 0.005) -> dict:
    """Coverage, FDR, FWER, FCR and power from :func:`run_scenario` results.

    A figure is *null* when its true rate ratio is within ``tolerance`` of 1.
    """
    r = results[results["verdict"] != "not_tested"].copy()
    r["null"] = (r["truth"] - 1).abs() <= tolerance
    r["covered_95"] = (r["ci_low_95"] <= r["truth"]) & (r["truth"] <= r["ci_high_95"])
    r["covered_adj"] = (r["ci_low"] <= r["truth"]) & (r["truth"] <= r["ci_high"])
    r["false"] = r["significant"].astype(bool) & r["null"]
    r["type"] = r.apply(_kind, axis=1)
    out: dict = {"seeds": int(r["seed"].nunique()), "figures": int(len(r))}
    for name, g in r.groupby("type"):
        out[f"coverage_{name}"] = round(float(g["covered_95"].mean()), 4)
        out[f"coverage_{name}_n"] = int(len(g))
    out["coverage_all"] = round(float(r["covered_95"].mean()), 4)
    for fam, g in r.groupby("family"):
        per_world = g.groupby("seed").agg(v=("false", "sum"), rejected=("significant", "sum"),
                                          nulls=("null", "sum"),
                                          wrong=("covered_adj", lambda s: int((~s[g.loc[s.index, "significant"]
                                                                                 .astype(bool)]).sum())))
        fdp = per_world["v"] / per_world["rejected"].clip(lower=1)
        out[f"fdr_{fam}"] = round(float(fdp.mean()), 4)
        out[f"fwer_{fam}"] = round(float((per_world["v"] > 0).mean()), 4)
        out[f"fcr_{fam}"] = round(float((per_world["wrong"] / per_world["rejected"].clip(lower=1)).mean()), 4)
        out[f"null_figures_{fam}"] = round(float(per_world["nulls"].mean()), 2)
    nonnull = r[~r["null"]]
    for fid, g in nonnull.groupby("figure"):
        if g["seed"].nunique() < max(2, out["seeds"] // 2):
            continue
        direction = np.where(g["truth"] < 1, "decline", "increase")
        out[f"power_{fid}"] = round(float((g["verdict"].to_numpy() == direction).mean()), 4)
    return out

