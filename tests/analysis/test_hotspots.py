"""Hotspots on small constructed registers: the expected count from a cell's own history,
the city-wide adjustment, the crosswalk and the exact one-sided test."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from petition_analysis.analysis import hotspots


def _register(counts: dict) -> pd.DataFrame:
    """Rows from {(region, category, year, quarter): n}; dates in the quarter's middle month."""
    rows = []
    for (region, cat, y, q), n in counts.items():
        rows += [(region, cat, pd.Timestamp(y, 3 * q - 1, 1 + i % 28)) for i in range(n)]
    df = pd.DataFrame(rows, columns=["region", "category", "received_date"])
    # Make the data cover whole years so every quarter counts as complete.
    pad = pd.DataFrame({"region": "R0", "category": "other",
                        "received_date": pd.to_datetime([f"{df.received_date.dt.year.min()}-01-01",
                                                         f"{df.received_date.dt.year.max()}-12-31"])})
    return pd.concat([df, pad], ignore_index=True)


def _base(years=range(2015, 2020), n=40, spike=None, city_factor=None):
    counts = {}
    for y in years:
        for q in (1, 2, 3, 4):
            for r in ("R1", "R2", "R3"):
                for c in ("education", "transport"):
                    k = n * (city_factor if city_factor and y == max(years) else 1)
                    counts[(r, c, y, q)] = int(k)
    if spike:
        counts[spike[0]] += spike[1]
    return counts


def test_spike_flagged_with_exact_p_value():
    df = _register(_base(spike=(("R2", "education", 2019, 3), 40)))
    out = hotspots.emerging_hotspots(df, history_years=3)
    hit = out.loc[out.flag]
    assert hit[["region", "category", "period"]].values.tolist() == [["R2", "education", "2019Q3"]]
    row = hit.iloc[0]
    assert row["observed"] == 80 and row["history"] == 120
    # Reference: the one-sided binomial test with the city-wide ratio.
    r = (40 * 6 + 40) / (40 * 6)  # the city's 2019Q3 count over its mean history quarter
    p_ref = sps.binomtest(80, 200, r / (r + 3), alternative="greater").pvalue
    assert row["expected"] == pytest.approx(r * 40)
    assert row["p_value"] == pytest.approx(p_ref)


def test_city_wide_rise_is_not_a_hotspot():
    df = _register(_base(city_factor=1.5))
    out = hotspots.emerging_hotspots(df)
    assert not out["flag"].any()
    cells = out[(out.year == 2019) & out.region.isin(["R1", "R2", "R3"]) & (out.category != "other") & out.quarter.isin([2, 3])]
    assert len(cells) == 12 and cells["expected"].round(6).eq(60).all()


def test_crosswalk_joins_old_and_new_codes():
    counts = _base(years=range(2015, 2020))
    # R3 natural resources: old code before 2019, new code from 2019, same level: no flag.
    for y in range(2015, 2020):
        for q in (1, 2, 3, 4):
            counts[("R3", "land_resources" if y <= 2018 else "natural_resources", y, q)] = 30
    out = hotspots.emerging_hotspots(_register(counts))
    nr = out[(out.region == "R3") & (out.category == "natural_resources") & (out.year == 2019)]
    assert len(nr) == 4 and (nr["history"] == 90).all() and not nr["flag"].any()
    assert "land_resources" not in set(out["category"])


def test_small_cells_never_flagged_and_fdr_over_all():
    counts = _base(spike=(("R1", "transport", 2019, 1), 0))
    counts[("R9", "education", 2019, 2)] = 4  # new region, no history: 4 vs 0
    out = hotspots.emerging_hotspots(_register(counts), min_observed=5)
    assert not out.loc[out.region == "R9", "flag"].any()
    np.testing.assert_allclose(out["p_adjusted"], hotspots.stats.fdr_bh(out["p_value"].to_numpy()))
    with pytest.raises(ValueError):
        hotspots.emerging_hotspots(_register(counts), history_years=0)


def test_rank_categories_share_test_carries_the_classifier_errors():
    # Review of issue 15 #2: with predicted categories the ranking's share test is the
    # classifier-aware one (as the registry's), using the model recorded with the data
    import petition_analysis as pa
    from petition_analysis import schema
    from petition_analysis.analysis import classified, stats
    from petition_analysis.classify.model import CategoryModel, model_record

    df = pa.synth.generate(2018, 2019, seed=4).data
    y2019 = (df["received_date"].dt.year == 2019).to_numpy()
    board = df.assign(category_source=pd.Categorical(np.where(y2019, "predicted", "given"),
                                                     categories=schema.CATEGORY_SOURCES))
    codes = ["transport", "economic_management", "urban_rural_construction"]
    model = CategoryModel("tfidf-linear", codes, [], np.zeros((0, 3)), np.zeros(3),
                          metrics={"confusion": [[100, 800, 100], [0, 200, 0], [0, 0, 1000]], "accuracy": 0.65})
    board.attrs["classifier"] = model_record(model)
    r = hotspots.rank_categories(board, year=2019).set_index("category")
    h = hotspots.harmonized(board)
    table = r[["previous", "current"]]
    windows = {"previous": ("2018-01-01", "2018-12-31"), "current": ("2019-01-01", "2019-12-31")}
    want = classified.share_change_test(table, classified.predicted_counts(h, windows), model=model).reindex(r.index)
    np.testing.assert_allclose(r["adj_residual"].to_numpy(float), want["adj_residual"].to_numpy(float))
    np.testing.assert_allclose(r["share_p_adjusted"].to_numpy(float), want["p_adjusted"].to_numpy(float))
    assert r["share_flag"].tolist() == want["flag"].tolist()
    usual = stats.share_change_test(table).cells.reindex(r.index)
    # economic_management's predicted rows are mostly transport: its tested change is not the counted one
    assert abs(r.at["transport", "adj_residual"] - usual.at["transport", "adj_residual"]) > 1
    # nothing predicted: exactly the usual test
    plain = hotspots.rank_categories(df, year=2019).set_index("category")
    np.testing.assert_allclose(plain["adj_residual"].to_numpy(float),
                               stats.share_change_test(plain[["previous", "current"]]).cells.reindex(plain.index)
                               ["adj_residual"].to_numpy(float))
