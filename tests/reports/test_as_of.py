"""A report reads the register as it stood on its as-of date, and refuses a period the data
do not cover to its end: no row after as_of, no half year set against a whole one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from petition_analysis.publish.reports import ReportParameterError, prepare


@pytest.fixture(scope="module")
def cut_2023(reference_df) -> pd.DataFrame:
    """The reference register as if extracted on 2023-06-30."""
    return reference_df[reference_df["received_date"] <= "2023-06-30"]


@pytest.fixture(scope="module")
def cut_parquet(cut_2023, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cut") / "cut_2023-06-30.parquet"
    cut_2023.to_parquet(path)
    return path


# (a) ---------------------------------------------------------------------------------------

def test_year_to_date_report_has_no_row_after_as_of(reference_df):
    ctx = prepare("annual", year=2019, as_of="2019-12-20")
    assert ctx.data["received_date"].max() <= pd.Timestamp("2019-12-20")
    assert ctx.data["received_date"].max().normalize() == pd.Timestamp("2019-12-20")
    assert ctx.extraction_date == pd.Timestamp("2019-12-20")
    assert isinstance(ctx.extraction_date, pd.Timestamp)
    after = int((reference_df["received_date"] > "2019-12-20").sum())
    assert after > 0 and ctx.quality["rows_after_as_of"] == after
    assert len(ctx.data) + after == len(reference_df)
    # the regional view is cut too
    assert prepare("annual", year=2019, as_of="2019-12-20", region="庚县").region_data["received_date"].max() \
        <= pd.Timestamp("2019-12-20")


def test_extraction_date_without_as_of_is_the_last_received_date(reference_df):
    last = reference_df["received_date"].max()
    for ctx in (prepare("annual", year=2019), prepare("quarterly", year=2019, quarter=3), prepare("hotspots")):
        assert ctx.extraction_date == last
        assert len(ctx.data) == len(reference_df)
        assert "rows_after_as_of" not in ctx.quality


def test_cutting_leaves_the_cached_input_whole(reference_df):
    prepare("annual", year=2019, as_of="2019-06-30")
    assert len(prepare("annual", year=2019).data) == len(reference_df)


# (b) ---------------------------------------------------------------------------------------

def test_full_data_with_as_of_equals_data_cut_at_as_of(reference_df):
    full = prepare("annual", year=2019, as_of="2019-12-20")
    cut = reference_df[reference_df["received_date"] <= "2019-12-20"]
    given = prepare("annual", year=2019, as_of="2019-12-20", frame=cut)
    pd.testing.assert_frame_equal(full.data, given.data)
    assert full.extraction_date == given.extraction_date
    assert given.quality["rows_after_as_of"] == 0


# (c) ---------------------------------------------------------------------------------------

def test_annual_on_data_that_end_early_is_refused(cut_2023):
    with pytest.raises(ReportParameterError) as info:
        prepare("annual", year=2023, frame=cut_2023)
    message = str(info.value)
    assert "2023-06-30" in message and "--as-of" in message and "2023-12-31" in message
    assert "\n" not in message


def test_annual_year_to_date_on_data_that_end_early_works(cut_2023):
    ctx = prepare("annual", year=2023, as_of="2023-06-30", frame=cut_2023)
    assert ctx.extraction_date == pd.Timestamp("2023-06-30")
    assert ctx.data["received_date"].max() == pd.Timestamp("2023-06-30")


def test_default_year_is_a_covered_one(cut_2023):
    assert prepare("annual", frame=cut_2023).year == 2022


def test_as_of_after_the_data_end_is_refused(cut_2023):
    with pytest.raises(ReportParameterError, match=r"The data end on 2023-06-30, before the as-of date 2023-08-01"):
        prepare("annual", year=2023, as_of="2023-08-01", frame=cut_2023)


def test_quarterly_needs_the_quarter_covered(cut_2023):
    with pytest.raises(ReportParameterError) as info:
        prepare("quarterly", year=2023, quarter=3, frame=cut_2023)
    assert "2023-06-30" in str(info.value) and "2023 Q2" in str(info.value)
    assert prepare("quarterly", year=2023, quarter=2, frame=cut_2023).quarter == 2


def test_hotspots_need_the_end_year_covered(cut_2023):
    with pytest.raises(ReportParameterError) as info:
        prepare("hotspots", start_year=2016, end_year=2023, frame=cut_2023)
    assert "2023-06-30" in str(info.value) and "end_year 2022" in str(info.value)
    assert prepare("hotspots", frame=cut_2023).end_year == 2022  # the default is a covered year


def test_a_few_days_off_at_the_end_of_the_year_still_cover_it(reference_df):
    # 30 and 31 December without rows (a weekend, the New Year holiday): still the whole year.
    d = reference_df[reference_df["received_date"] <= "2023-12-29"]
    assert prepare("annual", year=2023, frame=d).extraction_date == pd.Timestamp("2023-12-29")
    assert prepare("annual", frame=d).year == 2023


# (d) ---------------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "petition-analysis"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "petition_analysis.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)


def test_cli_headline_refuses_a_year_the_data_do_not_cover(cut_parquet):
    res = _cli("headline", "--data", str(cut_parquet), "--year", "2023")
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert "2023-06-30" in res.stderr and "--as-of" in res.stderr
    assert res.stdout == ""


def test_cli_headline_year_to_date_works(cut_parquet):
    res = _cli("headline", "--data", str(cut_parquet), "--year", "2023", "--as-of", "2023-06-30", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "2023" in res.stdout and "Traceback" not in res.stderr


def test_cli_headline_passes_on_the_data_cut_at_as_of(monkeypatch, capsys):
    from petition_analysis import cli
    from petition_analysis.publish import headline

    seen = {}

    def fake_table(df, *args, **kwargs):
        seen["last"] = df["received_date"].max()
        return pd.DataFrame()

    monkeypatch.setattr(headline, "headline_table", fake_table)
    monkeypatch.setattr(headline, "format_headline", lambda *args, **kwargs: "")
    assert cli.main(["headline", "--year", "2019", "--as-of", "2019-12-20"]) == 0
    assert seen["last"] == pd.Timestamp("2019-12-20")


def test_cli_headline_refuses_as_of_after_the_data_end(cut_parquet):
    res = _cli("headline", "--data", str(cut_parquet), "--year", "2023", "--as-of", "2023-07-15")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "The data end on 2023-06-30, before the as-of date 2023-07-15" in res.stderr
