"""`make data` is reproducible: the bundled raw samples regenerate byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from petition_analysis import reference
from petition_analysis.synth.messy import write_raw_samples

RAW = reference.data_dir() / "raw"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_raw_samples_are_present():
    names = {p.name for p in RAW.iterdir()}
    assert any(n.endswith(".xlsx") for n in names)
    assert sum(n.endswith(".csv") and "expected_rejects" not in n for n in names) >= 3
    assert any(n.endswith(".expected_rejects.csv") for n in names)


@pytest.mark.slow
def test_raw_samples_regenerate_identically(tmp_path, reference_df):
    written = write_raw_samples(reference_df, tmp_path)
    assert written
    for path in sorted(tmp_path.iterdir()):
        bundled = RAW / path.name
        assert bundled.exists(), f"{path.name} is generated but not bundled; run `make data`"
        assert _digest(path) == _digest(bundled), f"{path.name} differs from the bundled copy; run `make data`"
    assert {p.name for p in RAW.iterdir()} == {p.name for p in tmp_path.iterdir()}


@pytest.mark.slow
def test_raw_samples_do_not_depend_on_the_clock(tmp_path, reference_df, monkeypatch):
    """Another 'today' writes the same bytes: nothing generated reads the clock."""
    import datetime
    import time
    import types

    import pandas as pd

    from petition_analysis.synth import messy

    first = tmp_path / "first"
    write_raw_samples(reference_df, first)

    later = datetime.datetime(2041, 7, 3, 12, 0)

    class LaterDate(datetime.date):
        @classmethod
        def today(cls):
            return later.date()

    class LaterDateTime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return later if tz is None else later.replace(tzinfo=tz)

        @classmethod
        def today(cls):
            return later

    monkeypatch.setattr(messy, "dt", types.SimpleNamespace(date=LaterDate, datetime=LaterDateTime,
                                                           timedelta=datetime.timedelta))
    monkeypatch.setattr(time, "time", lambda: later.timestamp())
    monkeypatch.setattr(pd.Timestamp, "today", classmethod(lambda cls, tz=None: pd.Timestamp(later)))
    monkeypatch.setattr(pd.Timestamp, "now", classmethod(lambda cls, tz=None: pd.Timestamp(later)))
    second = tmp_path / "second"
    write_raw_samples(reference_df, second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert _digest(first / name) == _digest(second / name), f"{name} depends on today's date"
