"""The scale path on a Dask cluster, for offices whose data outgrows one machine.

Per-file cleaning runs as one task per raw file (:func:`clean_files`), and the
partitioned aggregations as one task per Parquet file of the dataset, whose partial
tables are added up (:func:`quarterly_table`). Results are identical to the in-memory
path. Files and the output folder must be on storage that every worker can read.

>>> from dask.distributed import Client, LocalCluster                        # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))         # doctest: +SKIP
>>> res = clean_files("exports/", "clean/", client, pseudonym_key="...")     # doctest: +SKIP
>>> quarterly_table("clean/", client)                                        # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .ingest import dataset

__all__ = ["clean_files", "quarterly_table"]

_COLUMNS = ["received_date", "region", "category", "persons"]


def clean_files(source, out: str | Path, client, mapping=None, **kwargs) -> dataset.DatasetResult:
    """:func:`petition_analysis.ingest.dataset.clean_to_dataset` with pass 1 (every file, chunk by
    chunk) on the cluster; the cross-row second pass runs in DuckDB on this machine."""
    return dataset.clean_to_dataset(source, out, mapping, client=client, **kwargs)


def _partial(path: str) -> pd.DataFrame:
    return dataset.partial_quarterly(pd.read_parquet(path, columns=_COLUMNS))


def quarterly_table(data: str | Path, client) -> pd.DataFrame:
    """:func:`petition_analysis.ingest.dataset.quarterly_table` of a dataset folder, one task per
    Parquet file; the small partial tables are added up here."""
    files = sorted(str(p) for p in Path(data).glob("year=*/*.parquet"))
    parts = client.gather(client.map(_partial, files, pure=False))
    return dataset.finish_quarterly(pd.concat(parts, ignore_index=True))
