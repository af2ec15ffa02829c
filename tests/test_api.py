"""The researcher's API is consistent: modules list only their API, every figure function
takes region=, pa.load_reference() loads the bundled register."""

import inspect

import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis.analysis import compare, hotspots, models, petitioners, rates, registry, stats, validation, workdays
from petition_analysis.publish import plots
from petition_analysis import periods, reference, taxonomy

MODULES = [compare, hotspots, models, petitioners, rates, registry, stats, validation, workdays, plots, reference,
           periods, taxonomy]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_dir_shows_only_the_api(module):
    names = dir(module)
    assert names == sorted(module.__all__)
    for imported in ("np", "pd", "math", "warnings", "sps"):
        assert imported not in names
    for name in module.__all__:  # and everything listed exists
        assert hasattr(module, name), name


#: Every public function that computes figures from canonical rows.
FIGURE_FUNCTIONS = [pa.count, pa.compare_periods, pa.headline_figures, pa.five_declines, pa.visits_by_level,
                    pa.leapfrog_by_level, pa.channel_mix, pa.three_rates, pa.rank_categories, pa.emerging_hotspots,
                    pa.seasonal_peaks, pa.share_change_scan, pa.accumulated_cases, pa.repeat_concentration,
                    pa.build_registry]


@pytest.mark.parametrize("func", FIGURE_FUNCTIONS, ids=lambda f: f.__name__)
def test_region_everywhere(func):
    assert "region" in inspect.signature(func).parameters


def test_region_selects_the_county(reference_df):
    geng = reference_df[reference_df.region == "庚县"]
    r = pa.rank_categories(reference_df, year=2022, region="庚县")
    assert r["current"].sum() == (geng.received_date.dt.year == 2022).sum()
    rates_county = pa.three_rates(reference_df, "2022", region="庚县")
    rates_own = pa.three_rates(geng, "2022", as_of=reference_df.received_date.max())
    pd.testing.assert_frame_equal(rates_county, rates_own)
    conc = pa.repeat_concentration(reference_df, "2022", region="庚县")
    assert conc["items"].item() == geng.loc[(geng.received_date.dt.year == 2022) & geng.petitioner_id.notna()].shape[0]
    acc = pa.accumulated_cases(reference_df, region="庚县")
    assert set(acc.petitioner_id) <= set(geng.petitioner_id.dropna().astype(str))
    flags = pa.emerging_hotspots(reference_df, quarters=["2022Q3"], region="庚县")
    assert set(flags.region) == {"庚县"}
    scan = pa.share_change_scan(reference_df, years=[2022], region="庚县")
    assert scan["year"].unique().tolist() == [2022]


def test_unknown_region_and_years_outside_the_data(reference_df):
    with pytest.raises(ValueError, match="Did you mean '庚县'"):
        pa.rank_categories(reference_df, year=2022, region="庚")
    with pytest.raises(ValueError, match="compares 2014 with 2013"):
        pa.rank_categories(reference_df, year=2014)
    with pytest.raises(ValueError, match="no rows in 2013"):
        pa.share_change_scan(reference_df, years=[2014])
    with pytest.raises(ValueError, match="outside the data"):
        pa.repeat_concentration(reference_df, "2030")
    with pytest.raises(KeyError, match="Did you mean 'region'"):
        pa.three_rates(reference_df, "2022", by="county")


def test_load_reference():
    df = pa.load_reference()
    assert df is not pa.load_reference()  # a copy each time: callers may change it
    assert df.equals(pd.read_parquet(reference.reference_path()))  # (assert_frame_equal takes 30 s here)
    assert list(df.columns) == [c.name for c in pa.schema.COLUMNS]  # the canonical columns, in order
    assert (df["received_date"].dt.year.min(), df["received_date"].dt.year.max()) == (2014, 2023)
    assert "load_reference" in pa.__all__


def test_registry_refuses_periods_outside_the_data(reference_df):
    # before: 2014 against an empty 2013 was a "significant increase", 2024 Q1 a "decline" to zero
    with pytest.raises(ValueError, match="compares 2014 with 2013"):
        pa.build_registry(reference_df, year=2014)
    with pytest.raises(ValueError, match="2024 Q1 .* is outside the data"):
        pa.build_registry(reference_df, kind="quarterly", year=2024, quarter=1)
    with pytest.raises(ValueError, match="Did you mean '庚县'"):
        pa.build_registry(reference_df, year=2019, region="庚")


def test_emerging_hotspots_quarters_need_data_and_history(reference_df):
    with pytest.raises(ValueError, match="2030 Q1 .* is outside the data"):
        pa.emerging_hotspots(reference_df, quarters=["2030Q1"])
    with pytest.raises(ValueError, match=r"2015 Q3 is tested against the same quarter of the 3 years before it .* 2017 or later"):
        pa.emerging_hotspots(reference_df, quarters=["2015Q3"])
    assert set(pa.emerging_hotspots(reference_df, quarters=["2015Q3"], history_years=1)["period"]) == {"2015Q3"}


#: Every public call that takes a period, given one after the data end.
PERIOD_CALLS = {
    "count": lambda df: pa.count(df, "2030"),
    "compare_periods": lambda df: pa.compare_periods(df, "2030"),
    "headline_figures": lambda df: pa.headline_figures(df, year=2030),
    "five_declines": lambda df: pa.five_declines(df, year=2030),
    "visits_by_level": lambda df: pa.visits_by_level(df, year=2030),
    "leapfrog_by_level": lambda df: pa.leapfrog_by_level(df, year=2030),
    "channel_mix": lambda df: pa.channel_mix(df, year=2030),
    "rank_categories": lambda df: pa.rank_categories(df, year=2030),
    "emerging_hotspots": lambda df: pa.emerging_hotspots(df, quarters=["2030Q1"]),
    "share_change_scan": lambda df: pa.share_change_scan(df, years=[2030]),
    "repeat_concentration": lambda df: pa.repeat_concentration(df, "2030"),
    "build_registry": lambda df: pa.build_registry(df, year=2030),
}


@pytest.mark.parametrize("name", sorted(PERIOD_CALLS))
def test_a_period_after_the_data_is_an_error_everywhere(reference_df, name):
    with pytest.raises(ValueError) as err:
        PERIOD_CALLS[name](reference_df)
    msg = str(err.value)
    assert "2030" in msg and "\n" not in msg  # one paragraph that names the period
    assert "2023" in msg  # and what the data do cover


def test_tables_are_long_with_a_plain_index_and_their_documented_columns(reference_df):
    """Issue 12: no index of rate names, no MultiIndex, no Series: every table is long, the
    groups are columns, and the docstring lists each column."""
    tables = {
        pa.count: pa.count(reference_df, "2022", by=["region", "channel"]),
        pa.three_rates: pa.three_rates(reference_df, "2022", by="region"),
        pa.repeat_concentration: pa.repeat_concentration(reference_df, "2022"),
        pa.channel_mix: pa.channel_mix(reference_df, year=2022),
        pa.rank_categories: pa.rank_categories(reference_df, year=2022),
    }
    for func, t in tables.items():
        assert isinstance(t, pd.DataFrame) and isinstance(t.index, pd.RangeIndex), func.__name__
        documented = _documented_columns(func)
        for col in t.columns:
            if col not in ("region", "channel") or func is pa.channel_mix:  # by= columns are named by the caller
                assert col in documented, (func.__name__, col)
    c = tables[pa.count]
    assert list(c.columns) == ["region", "channel", "items", "person_times"]
    assert c["items"].sum() == (reference_df.received_date.dt.year == 2022).sum()
    assert list(tables[pa.three_rates].columns[:2]) == ["region", "rate_name"]
    assert len(tables[pa.repeat_concentration]) == 1
    assert tables[pa.channel_mix]["channel"].astype("str").tolist() == ["letter", "visit", "online", "phone"]
    r = tables[pa.rank_categories]
    assert r.columns[0] == "category" and r["category"].is_unique
    assert r["current"].is_monotonic_decreasing and r["current"].sum() == (reference_df.received_date.dt.year == 2022).sum()


def _documented_columns(func) -> set[str]:
    """The column names in the first cell of each row of the docstring's Markdown column table
    (``| current, previous | …`` names two)."""
    import re

    names = set()
    for line in func.__doc__.splitlines():
        cells = line.strip().split("|")
        if len(cells) >= 3 and cells[1].strip() not in ("column", "---", ""):
            names.update(n.strip() for n in re.split(r",| and ", cells[1]) if n.strip())
    return names


def _named_columns(func) -> set[str]:
    """The columns a docstring names: its column table's, every ``name`` in double backquotes,
    and, where it says it has "the columns of compare", those of :func:`compare_periods`."""
    import re

    names = _documented_columns(func) | set(re.findall(r"``([A-Za-z_][A-Za-z0-9_]*)``", func.__doc__))
    if "the columns of :func:`compare`" in func.__doc__:
        names |= _documented_columns(pa.compare_periods)
    return names


#: Every other public table of figures, as a researcher calls it.
OTHER_TABLES = {
    "compare_periods": lambda df: pa.compare_periods(df, "2022"),
    "compare_periods_by": lambda df: pa.compare_periods(df, "2022", by="category", where="visits"),
    "headline_figures": lambda df: pa.headline_figures(df, year=2022),
    "five_declines": lambda df: pa.five_declines(df, year=2022),
    "visits_by_level": lambda df: pa.visits_by_level(df, year=2022),
    "leapfrog_by_level": lambda df: pa.leapfrog_by_level(df, year=2022),
    "emerging_hotspots": lambda df: pa.emerging_hotspots(df, quarters=["2022Q3"]),
    "seasonal_peaks": lambda df: pa.seasonal_peaks(df),
    "share_change_scan": lambda df: pa.share_change_scan(df, years=[2022]),
    "accumulated_cases": lambda df: pa.accumulated_cases(df),
}


@pytest.mark.parametrize("name", sorted(OTHER_TABLES))
def test_every_other_table_is_long_and_names_its_columns(reference_df, name):
    t = OTHER_TABLES[name](reference_df)
    func = getattr(pa, name.removesuffix("_by"))
    assert isinstance(t, pd.DataFrame) and isinstance(t.index, pd.RangeIndex), name
    named = _named_columns(func)
    by = {"category"} if name.endswith("_by") else set()  # by= columns are named by the caller
    assert not [c for c in t.columns if c not in named and c not in by], name


def test_documented_column_tables_name_no_column_the_function_lacks(reference_df):
    """And the other way: a documented column that the table does not have is stale documentation."""
    tables = {pa.channel_mix: pa.channel_mix(reference_df, year=2022),
              pa.rank_categories: pa.rank_categories(reference_df, year=2022)}
    for func, t in tables.items():
        assert _documented_columns(func) == set(t.columns), func.__name__


def test_rates_of_an_empty_period_are_nan_not_zero(reference_df):
    t = pa.three_rates(reference_df, "2030")
    assert t["denominator"].eq(0).all() and t["rate"].isna().all()
