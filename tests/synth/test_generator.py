"""The reference data reproduces the seed's calibration figures, carries every planted
effect of its manifest, and looks like a real register. Planted effects are checked by
direct counts on the bundled Parquet file, not through the generator's own code."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from petition_analysis import reference, schema, synth, taxonomy
from petition_analysis.synth.write import write_reference_data

AS_OF = "12-20"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The bundled file read with plain pandas, as someone outside the project would."""
    return pd.read_parquet(reference.reference_path())


def _ytd(df: pd.DataFrame, year: int) -> pd.DataFrame:
    d = df["received_date"]
    return df[(d >= f"{year}-01-01") & (d <= f"{year}-{AS_OF}")]


# DESIGN.md §4, typed in by hand from the seed document.
SEED_TABLE = {
    2019: {"items": 28792, "nat": (80, 159), "leapfrog_city": (491, 2549)},
    2018: {"items": 29368, "nat": (150, 249), "leapfrog_city": (536, 3367)},
}


@pytest.mark.parametrize("year", [2019, 2018])
def test_calibration_table_with_plain_pandas(raw, year):
    d = _ytd(raw, year)
    want = SEED_TABLE[year]
    assert len(d) == want["items"]
    nat = d[(d["channel"] == "visit") & (d["level"] == "national")]
    assert (len(nat), int(nat["persons"].sum())) == want["nat"]
    lf = d[(d["channel"] == "visit") & (d["level"] == "city") & d["is_leapfrog"]]
    assert (len(lf), int(lf["persons"].sum())) == want["leapfrog_city"]


def test_calibration_percentages_match_the_seed(raw):
    a, b = _ytd(raw, 2019), _ytd(raw, 2018)
    assert round(100 * (len(a) / len(b) - 1), 2) == -1.96
    nat = lambda d: d[(d["channel"] == "visit") & (d["level"] == "national")]  # noqa: E731
    assert round(100 * (len(nat(a)) / len(nat(b)) - 1), 2) == -46.67
    assert round(100 * (nat(a)["persons"].sum() / nat(b)["persons"].sum() - 1), 2) == -36.14


def test_seed_total_person_times_is_not_reproduced_because_it_is_impossible(raw):
    # 28,797 person-times over 28,792 items leaves 5 extra persons; Beijing visits alone add 79.
    d = _ytd(raw, 2019)
    nat = d[(d["channel"] == "visit") & (d["level"] == "national")]
    assert int(nat["persons"].sum() - len(nat)) == 79
    assert int(d["persons"].sum()) > 28797


def test_manifest_describes_the_file(raw, reference_manifest):
    m = reference_manifest
    f = m["files"][reference.REFERENCE_FILE]
    assert f["rows"] == m["rows"] == len(raw)
    assert f["sha256"] == reference.sha256_of(reference.reference_path())
    assert m["seed"] == synth.DEFAULT_SEED and m["generator_version"]
    assert m["years"] == [2014, 2023]
    assert reference.reference_path().stat().st_size <= 15 * 2**20


def test_reference_data_is_canonical(reference_df):
    schema.validate(reference_df)
    assert reference_df["case_id"].str.fullmatch(r"XF\d{10}").all()


# --- planted effects, by direct counts ------------------------------------------------

def test_monthly_seasonality(raw, reference_manifest):
    p = reference_manifest["planted"]["seasonality"]
    month_factor = pd.Series({int(k): v for k, v in p["month_factors"].items()})
    wd = np.asarray(p["weekday_factors"])
    cat = taxonomy.crosswalk_series(raw["category"].astype("str"))
    base = raw[cat != "labour_social_security"]  # labour has its own year-end peak
    counts = base.groupby(base["received_date"].dt.month).size()
    days = pd.date_range("2014-01-01", "2023-12-31")
    exposure = pd.Series(wd[days.day_of_week], index=days).groupby(days.month).sum()
    observed = counts / exposure
    ratio = (observed / observed.mean()) / (month_factor / month_factor.mean())
    assert ratio.between(0.96, 1.04).all(), ratio.round(3).to_dict()
    assert observed.idxmin() == 2 and observed.idxmax() == 3  # Spring Festival dip, Two Sessions peak


def test_channel_shift_from_letters_to_online(raw, reference_manifest):
    expected = pd.DataFrame(reference_manifest["planted"]["channel_shift"]["shares_by_year"]).T
    expected.index = expected.index.astype(int)
    observed = pd.crosstab(raw["received_date"].dt.year, raw["channel"].astype("str"), normalize="index")
    assert (observed - expected[observed.columns]).abs().max().max() < 0.015
    assert observed["letter"].is_monotonic_decreasing
    assert observed["online"].is_monotonic_increasing
    assert observed.loc[2023, "online"] > 2.5 * observed.loc[2014, "online"]


@pytest.mark.parametrize(
    "series, level, leapfrog",
    [("visits_national", "national", None), ("visits_province", "province", None), ("leapfrog_city_visits", "city", True)],
)
def test_campaign_lowers_higher_level_visits_from_2019(raw, reference_manifest, series, level, leapfrog):
    camp = reference_manifest["planted"]["campaign"]
    assert camp["start"] == "2019-01-01"
    spec = camp["series"][series]
    sel = raw[(raw["channel"] == "visit") & (raw["level"] == level)]
    if leapfrog:
        sel = sel[sel["is_leapfrog"]]
    per_year = pd.Series({y: len(_ytd(sel, y)) for y in range(2014, 2024)})
    pre, post = per_year.loc[:2018], per_year.loc[2019:]
    ratio = post.mean() / pre.mean()
    assert ratio == pytest.approx(spec["rate_ratio"], rel=0.12)
    assert pre.mean() == pytest.approx(spec["expected_items_ytd_pre"], rel=0.1)
    if spec["rate_ratio"] < 0.8:
        assert post.max() < pre.min()


def test_year_end_wage_arrears_peak(raw, reference_manifest):
    p = reference_manifest["planted"]["wage_arrears_peak"]
    cat = taxonomy.crosswalk_series(raw["category"].astype("str"))
    month = raw["received_date"].dt.month
    labour = (cat == p["category"]).groupby(month).sum()
    others = (cat != p["category"]).groupby(month).sum()
    ratio = labour / others
    base = ratio.loc[[2, 3, 4, 5, 6, 7, 8, 9, 10]].mean()
    for m, mult in p["month_multipliers"].items():
        assert ratio.loc[int(m)] / base == pytest.approx(1 + float(mult), rel=0.08)
    assert ratio.idxmax() == 12
    wage = raw[raw["subcategory"] == "wage_arrears"]
    assert wage["received_date"].dt.month.value_counts().idxmax() == 12


def test_regional_hotspot_has_its_excess(raw, reference_manifest):
    h = reference_manifest["planted"]["regional_hotspot"]
    cat = taxonomy.crosswalk_series(raw["category"].astype("str"))
    d = raw["received_date"]
    cell = (raw["region"] == h["region"]) & (cat == h["category"]) & (d.dt.quarter == h["quarter"])
    by_year = cell.groupby(d.dt.year).sum()
    assert by_year.loc[h["year"]] == h["observed"]
    others = by_year.drop(h["year"])
    assert others.mean() == pytest.approx(h["expected_without_excess"], rel=0.15)
    assert by_year.loc[h["year"]] - others.mean() == pytest.approx(h["excess"], abs=4 * np.sqrt(others.mean()))
    assert by_year.loc[h["year"]] > others.max() + 30


def test_stable_categories_keep_their_shares(raw, reference_manifest):
    stable = reference_manifest["planted"]["stable_categories"]
    cat = taxonomy.crosswalk_series(raw["category"].astype("str"))
    table = pd.crosstab(raw["received_date"].dt.year, cat)
    total = table.sum(axis=1)
    for c in stable:
        obs = np.column_stack([table[c], total - table[c]])
        p = stats.chi2_contingency(obs).pvalue
        assert p > 0.001, f"{c} share changes across years (p={p:.2g})"
    assert "labour_social_security" not in stable and "natural_resources" not in stable


def _accumulated(df: pd.DataFrame, more_than: int, window_days: int, levels) -> set[str]:
    hi = df[df["level"].isin(levels) & df["petitioner_id"].notna()]
    hi = hi.sort_values(["petitioner_id", "received_date"])
    pid = pd.factorize(hi["petitioner_id"])[0].astype(np.int64)
    day = (hi["received_date"] - pd.Timestamp("2000-01-01")).dt.days.to_numpy().astype(np.int64)
    key = pid * 100_000 + day
    first = np.searchsorted(key, key - (window_days - 1))
    in_window = np.arange(len(key)) - first + 1
    return set(hi["petitioner_id"].to_numpy()[in_window > more_than])


def test_accumulated_case_petitioners_are_exactly_the_planted_ones(raw, reference_manifest):
    p = reference_manifest["planted"]["accumulated_cases"]
    rule = p["rule"]
    found = _accumulated(raw, rule["more_than"], rule["window_days"], rule["levels"])
    assert found == set(p["petitioners"])
    assert len(found) == 20
    # the rule is sharp: nobody else comes close to a third higher-level visit in a year
    assert not _accumulated(raw, rule["more_than"], 365, rule["levels"]) - found


# --- realism --------------------------------------------------------------------------

def test_regions_are_thirteen_and_unequal(raw):
    share = raw["region"].value_counts(normalize=True)
    assert len(share) == 13
    assert share.max() / share.min() > 4


def test_persons_have_a_long_tail_and_collective_visits(raw):
    visits = raw[raw["channel"] == "visit"]
    assert (visits["persons"] == 1).mean() > 0.5
    assert visits["persons"].max() >= 30
    assert 0.03 < visits["is_collective"].mean() < 0.2
    assert (raw.loc[raw["channel"] != "visit", "persons"] == 1).mean() > 0.95


def test_petitioner_activity_is_heavy_tailed(raw):
    counts = raw["petitioner_id"].value_counts()
    top1 = counts.head(max(1, len(counts) // 100)).sum() / counts.sum()
    assert top1 > 0.05
    assert (counts == 1).mean() > 0.4
    assert 0.2 < raw["is_repeat"].mean() < 0.5
    assert raw["petitioner_id"].isna().mean() < 0.2  # most items have an identified petitioner


def test_handling_mostly_within_legal_limits(raw):
    accepted = raw["accepted_date"].notna()
    lag = (raw["accepted_date"] - raw["received_date"]).dt.days
    timely = (lag <= 15) & accepted
    assert 0.8 < timely.mean() < 0.95
    done = raw[raw["status"] == "concluded"]
    duration = (done["concluded_date"] - done["accepted_date"]).dt.days
    limit = np.where(done["extended"], 90, 60)
    overdue = (duration > limit).mean()
    assert 0.02 < overdue < 0.12
    assert set(raw["satisfaction"].astype("str")) == set(schema.SATISFACTION)
    assert set(raw["status"].astype("str")) == set(schema.STATUSES)


def test_old_labels_before_the_reform_and_new_after(raw):
    year = raw["received_date"].dt.year
    cats_2018 = set(raw.loc[year == 2018, "category"].astype("str"))
    cats_2019 = set(raw.loc[year == 2019, "category"].astype("str"))
    assert "land_resources" in cats_2018 and "natural_resources" not in cats_2018
    assert "natural_resources" in cats_2019 and "land_resources" not in cats_2019


def test_summaries_carry_only_masked_personal_data(raw):
    s = raw["summary"]
    assert s.str.contains(r"\[姓名\]", regex=True).any() and s.str.contains(r"\[电话\]", regex=True).any()
    assert not s.str.contains(r"\d{11}", regex=True).any()


# --- determinism, ranges and scale ---------------------------------------------------------

@pytest.mark.slow
def test_regenerating_gives_identical_data(tmp_path, raw, reference_manifest):
    manifest = write_reference_data(tmp_path, raw_samples=False)
    again = pd.read_parquet(tmp_path / "reference" / reference.REFERENCE_FILE)
    pd.testing.assert_frame_equal(again, raw)
    strip = lambda m: {k: v for k, v in m.items() if k not in ("files", "versions")}  # noqa: E731
    assert json.loads(json.dumps(strip(manifest), default=float)) == strip(reference_manifest)
    if manifest["versions"] == reference_manifest["versions"]:
        assert manifest["files"] == reference_manifest["files"], "same library versions must give identical bytes"


def test_any_year_range_and_scale():
    small = synth.generate(2020, 2021, seed=7, scale=0.1)
    schema.validate(small.data)
    years = small.data["received_date"].dt.year
    assert set(years) == {2020, 2021}
    assert 4000 < len(small.data) < 8000
    assert small.manifest["calibration"]["figures"] == {}
    again = synth.generate(2020, 2021, seed=7, scale=0.1)
    pd.testing.assert_frame_equal(small.data, again.data)
    other = synth.generate(2020, 2021, seed=8, scale=0.1)
    assert not small.data["persons"].equals(other.data["persons"])


def test_calibration_holds_for_a_shorter_range():
    d = synth.generate(2019, 2019).data
    assert len(_ytd(d, 2019)) == 28792


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="must not be before"):
        synth.generate(2020, 2019)
    with pytest.raises(ValueError, match="positive"):
        synth.generate(2019, 2019, scale=0)


def test_the_city_alone_imports_no_generator_or_scipy_stats():
    """A report's parameter check needs the city's regions only (synth.city); the package
    loads its other names on first use (PEP 562)."""
    import subprocess
    import sys

    code = ("import sys; from petition_analysis.synth import city; import petition_analysis.synth as s; "
            "listed = {'generate', 'World', 'make_messy_export', 'CITY'} <= set(dir(s)); "
            "print(listed, sorted(m for m in ('scipy.stats', 'petition_analysis.synth.worlds', "
            "'petition_analysis.synth.generator', 'petition_analysis.synth.messy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True []"  # dir() lists the names without importing them
    from petition_analysis import synth

    assert synth.generate.__module__ == "petition_analysis.synth.generator"
    assert synth.World.__module__ == "petition_analysis.synth.worlds"
    with pytest.raises(AttributeError, match="no_such_name"):
        synth.no_such_name  # noqa: B018
