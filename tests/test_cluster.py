"""The Dask path on a LocalCluster of 2 workers gives the in-memory tables."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("dask.distributed")

from dask.distributed import Client, LocalCluster  # noqa: E402

from petition_analysis import clean, cluster, synth
from petition_analysis.ingest import dataset  # noqa: E402
from petition_analysis.synth import messy  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, Client(lc) as c:
        yield c


def test_dask_cleaning_and_aggregation_equal_the_in_memory_path(tmp_path, client):
    ref = synth.generate(2018, 2019, seed=4, scale=0.1).data
    raw = tmp_path / "raw"
    raw.mkdir()
    for y in (2018, 2019):
        messy.make_messy_export(ref[ref["received_date"].dt.year == y], seed=y).write_csv(raw / f"{y}.csv")
    mem = clean(str(raw / "*.csv"), pseudonym_key="k", today="2024-01-01")
    res = cluster.clean_files(raw, tmp_path / "ds", client, pseudonym_key="k", today="2024-01-01", chunk_rows=2_000)
    assert res.rows_clean == len(mem.data) > 0
    got = dataset.read_dataset(tmp_path / "ds").sort_values(["source_file", "source_row"]).reset_index(drop=True)
    want = mem.data.sort_values(["source_file", "source_row"]).reset_index(drop=True)
    for c in ("case_id", "petitioner_id", "received_date", "persons", "is_repeat", "is_collective"):
        assert got[c].tolist() == want[c].tolist(), c
    # The three engines give one table: pandas in memory, DuckDB on the dataset, Dask.
    table = dataset.quarterly_table(mem.data)
    assert table.equals(dataset.quarterly_table(tmp_path / "ds"))
    assert table.equals(cluster.quarterly_table(tmp_path / "ds", client))
    assert len(table) > 50 and table["items_yoy_pct"].notna().any()
