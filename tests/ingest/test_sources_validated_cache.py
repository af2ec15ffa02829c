"""The schema check of a canonical Parquet file is skipped when a file of the same content
passed it before (a marker keyed on the content's SHA-256 and the checking code, in the
user's cache): the report's parent process and its kernel no longer both check the register.
A changed file, or one that failed, is always checked."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from petition_analysis import schema
from petition_analysis.ingest import sources
from petition_analysis.ingest.sources import NotCanonicalError, load_sources


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "petition-analysis" / "validated"


@pytest.fixture()
def counted(monkeypatch):
    calls = []
    real = schema.validate

    def validate(df, **kw):
        calls.append(len(df))
        return real(df, **kw)

    monkeypatch.setattr(schema, "validate", validate)
    return calls


def _year(reference_df, tmp_path, year=2019):
    path = tmp_path / f"y{year}.parquet"
    reference_df[reference_df["received_date"].dt.year == year].to_parquet(path)
    return path


def test_a_file_checked_once_is_not_checked_again(reference_df, tmp_path, cache, counted):
    path = _year(reference_df, tmp_path)
    first = load_sources(path)
    assert len(counted) == 1 and len(list(cache.iterdir())) == 1
    second = load_sources(path)
    assert len(counted) == 1  # the marker of this content
    pd.testing.assert_frame_equal(first.data, second.data)
    assert first.files == second.files


def test_a_changed_file_is_checked(reference_df, tmp_path, cache, counted):
    path = _year(reference_df, tmp_path)
    load_sources(path)
    df = pd.read_parquet(path)
    df.loc[df.index[0], "persons"] = 0  # breaks the schema (at least one person)
    df.to_parquet(path)
    with pytest.raises(NotCanonicalError):
        load_sources(path)
    assert len(counted) == 2
    with pytest.raises(NotCanonicalError):  # a failure leaves no marker: checked again
        load_sources(path)
    assert len(counted) == 3 and len(list(cache.iterdir())) == 1


def test_a_file_that_changes_while_read_is_checked(reference_df, tmp_path, cache, counted, monkeypatch):
    path = _year(reference_df, tmp_path)
    load_sources(path)
    real_read = pd.read_parquet

    def read_then_touch(p, *a, **kw):
        out = real_read(p, *a, **kw)
        st = os.stat(p)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        return out

    monkeypatch.setattr(pd, "read_parquet", read_then_touch)
    load_sources(path)
    assert len(counted) == 2


def test_the_key_follows_the_checking_code(monkeypatch):
    a = sources._validation_key("ab" * 32)
    monkeypatch.setattr(pd, "__version__", "0.0-other")
    assert sources._validation_key("ab" * 32) != a
    assert sources._validation_key("cd" * 32) != sources._validation_key("ab" * 32)


def test_an_unwritable_cache_only_costs_the_check(reference_df, tmp_path, monkeypatch, counted):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    path = _year(reference_df, tmp_path)
    load_sources(path)
    load_sources(path)
    assert len(counted) == 2
