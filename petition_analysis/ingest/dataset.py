"""Registers too big for memory: a Parquet dataset partitioned by year, cleaned chunk by
chunk, and analysed through DuckDB without loading every row into pandas.

:func:`clean_to_dataset` reads a directory of raw files, a glob, or one huge CSV in chunks
of ``chunk_rows`` rows. Each chunk runs every row-local cleaning step of
:func:`petition_analysis.ingest.cleaning` and is written to a staging folder. A second pass, in
DuckDB, runs the steps that compare rows across chunks, in the same order as
:func:`~petition_analysis.ingest.cleaning.clean`: exact copies (``duplicate``), reused case numbers
(``duplicate_case_id``) and repeat linking (``is_repeat``). It writes

- ``DIR/year=YYYY/*.parquet``: the canonical rows (``source_file`` / ``source_row`` included);
- ``DIR/_rejects.parquet``: the rejects (:data:`~petition_analysis.ingest.cleaning.REJECT_COLUMNS`);
- ``DIR/_log.json``: rows read, clean and rejected by reason, per file; unmapped labels as
  counts per field (``{"category": {"labels": 3, "rows": 17}}``), never the labels. A run
  removes it first and writes it last: a folder without it is an unfinished run, which the
  loaders refuse.

Memory is bounded by the chunk size (pass 1) and by DuckDB's ``memory_limit`` (pass 2,
which spills to disk). :func:`quarterly_table` and :func:`counts` accept such a dataset
(or an in-memory frame) and give the same tables as the pandas functions.

>>> import petition_analysis as pa, tempfile
>>> df = pa.synth.generate(2018, 2019).data                                  # doctest: +SKIP
>>> t = quarterly_table(df)                                                  # doctest: +SKIP
>>> t.equals(quarterly_table(write_dataset(df, tempfile.mkdtemp())))        # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import cleaning as _cleaning, derive
from .. import schema, taxonomy
from .cleaning import (LABEL_MIN_ROWS, OTHER_REGION, CleanLog, REJECT_COLUMNS, _raw_columns, canonical_regions,
                       regions_to_group, row_hash, run_steps, split_result, work_chunks)
from .headers import load_mapping
from .io import expand_sources, normalize_text
from .privacy import resolve_key
from .reasons import REJECT_REASONS
from .sources import DATASET_LOG, DATASET_STAGING as _STAGING, _unfinished_dataset

__all__ = [
    "DatasetResult",
    "clean_to_dataset",
    "clean_file_to_staging",
    "finish_dataset",
    "write_dataset",
    "read_dataset",
    "quarterly_table",
    "partial_quarterly",
    "finish_quarterly",
    "counts",
    "connect",
    "DEFAULT_CHUNK_ROWS",
    "default_workers",
    "WorkerDied",
]

#: Rows per chunk in the first pass: about 1 GB of peak memory per million messy rows.
DEFAULT_CHUNK_ROWS = 500_000
_LAYOUT = ("blank_row", "total_row", "notes_row")
_KEYS = ["year", "quarter", "region", "category"]


@dataclass
class DatasetResult:
    """Where the dataset is, and what cleaning did (rows read, clean, rejected by reason)."""

    path: Path
    rows_read: int = 0
    rows_clean: int = 0
    rejected: Counter = field(default_factory=Counter)
    files: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Slices of petitioners the repeat-linking window ran in (pass 2).
    repeat_buckets: int = 1
    #: The label gate's counts (no label text): ``{"region": {"grouped_as_other": …}}``.
    grouped_labels: dict = field(default_factory=dict)

    @property
    def unmapped_labels(self) -> dict[str, dict[str, int]]:
        """Unmapped labels per field over every file, counts only: ``{"category": {"labels": 3,
        "rows": 17}}`` (``labels`` is counted per file and added up, so a label found in two
        files counts twice). See them masked with :func:`~petition_analysis.ingest.cleaning.unmapped_labels`."""
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            for fld, counts in (f.get("unmapped_labels") or {}).items():
                book = out.setdefault(fld, {"labels": 0, "rows": 0})
                book["labels"] += int(counts.get("labels", 0))
                book["rows"] += int(counts.get("rows", 0))
        return out

    def to_dict(self) -> dict:
        return {"path": str(self.path), "rows_read": self.rows_read, "rows_clean": self.rows_clean,
                "rejected": dict(self.rejected), "files": self.files, "seconds": self.seconds,
                "repeat_buckets": self.repeat_buckets, "grouped_labels": self.grouped_labels,
                "unmapped_labels": self.unmapped_labels}


# --------------------------------------------------------------------------- reading in chunks


def _expand(source) -> list[Path]:
    """Files of a directory (recursively, register files only: see
    :func:`~petition_analysis.ingest.sources.register_files`), a glob, a path or a list."""
    from .sources import register_files

    out = []
    for item in expand_sources(source):
        p = Path(item)
        if p.is_dir():
            out += register_files(p)
        else:
            out.append(p)
    return out


# --------------------------------------------------------------------------- pass 1


def _staging_frame(df: pd.DataFrame, headers: dict, seq0: int, file_no: int) -> pd.DataFrame:
    """Every row of a cleaned chunk, kept or not, with what the second pass needs."""
    log = CleanLog()
    kept = df["_reason"].isna()
    data, rejects = split_result(df, log, headers=headers, provenance=True)
    cols = _raw_columns(df)
    out = pd.DataFrame(index=df.index)
    # Canonical values for the kept rows; rejected rows carry their reject columns instead.
    for c in data.columns:
        out[c] = pd.Series(data[c].to_numpy(), index=df.index[kept.to_numpy()]).reindex(df.index) \
            if c not in ("source_file", "source_row") else None
    label = df["_file"].astype("str")
    out["source_file"] = label.where(df["_sheet"].isna(), label + "#" + df["_sheet"].astype("str"))
    out["source_row"] = df["_row"].astype("int64")
    out["_reason"] = df["_reason"].astype("str")
    out["_message"] = pd.Series(rejects["message"].to_numpy(), index=df.index[~kept.to_numpy()]).reindex(df.index)
    out["_preview"] = pd.Series(rejects["preview"].to_numpy(), index=df.index[~kept.to_numpy()]).reindex(df.index)
    raw_id = df["raw:case_id"] if "raw:case_id" in df else pd.Series("", index=df.index, dtype="str")
    out["_raw_case_id"] = raw_id.astype("str").str.slice(0, 40)
    out["_case_id_text"] = normalize_text(raw_id).fillna("")
    out["_hash"] = row_hash(df, cols).view("int64")
    out["_source_repeat"] = df["_source_repeat"].fillna(False).astype(bool).to_numpy() if "_source_repeat" in df else False
    out["_seq"] = np.arange(seq0, seq0 + len(df), dtype=np.int64)
    out["_file_no"] = file_no
    for c in ("region", "category", "subcategory", "channel", "level", "status", "satisfaction"):
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def _stage_chunk(df: pd.DataFrame, headers: dict, log: CleanLog, staging: Path, file_no: int, i: int, seq0: int, *,
                 m, secret: bytes, today, collective_threshold: int) -> CleanLog:
    """Pass 1 for one chunk: the row-local steps, then the chunk's staging file."""
    df = run_steps(df, m, log, collective_threshold=collective_threshold, pseudonym_key=secret, today=today,
                   progress=False, cross_row=False)
    _staging_frame(df, headers, seq0, file_no).to_parquet(staging / f"part-{file_no:06d}-{i:06d}.parquet", index=False)
    return log


def _file_info(path: Path, file_no: int, rows: int, log: CleanLog) -> dict:
    # Unmapped labels as counts only (distinct labels and rows per field), never the text.
    return {"source_file": str(path), "file_no": file_no, "rows_read": rows, "warnings": log.warnings[:20],
            "unmapped_labels": log.unmapped_labels}


def clean_file_to_staging(path: str | Path, staging: str | Path, file_no: int, *, mapping=None, secret: bytes,
                          today, chunk_rows: int = DEFAULT_CHUNK_ROWS, encoding: str | None = None,
                          collective_threshold: int = derive.DEFAULT_COLLECTIVE_THRESHOLD, sheet=None,
                          on_chunk=None) -> dict:
    """Pass 1 for one file: clean it chunk by chunk (row-local steps only) and write each
    chunk to ``staging``. Returns the file's log (runs on a Dask worker as it is).
    ``on_chunk(rows)`` is called after each chunk (a progress bar's ``update``)."""
    path, staging = Path(path), Path(staging)
    m = load_mapping(mapping)
    file_log, rows = CleanLog(), 0
    # A CSV is streamed in chunks; a workbook or Parquet file is one chunk (all its sheets).
    for i, (df, headers, log) in enumerate(work_chunks([path], m, chunk_rows, sheet=sheet if sheet is not None else m.sheet,
                                                       encoding=encoding or m.encoding)):
        if len(df) == 0:
            continue
        n = len(df)
        file_log.merge(_stage_chunk(df, headers, log, staging, file_no, i, rows, m=m, secret=secret, today=today,
                                    collective_threshold=collective_threshold))
        del df
        rows += n
        if on_chunk is not None:
            on_chunk(n)
    return _file_info(path, file_no, rows, file_log)


def default_workers() -> int:
    """Processes for pass 1 by default: the CPU cores this process may use, at most 4
    (each holds one chunk: about 1.1 GB per 500,000 messy rows)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


_WORKER: dict = {}


def _init_worker(m, secret: bytes, today, collective_threshold: int, label_hash_key: str) -> None:
    import signal

    # Ctrl-C is the main process's to handle: it stops the pool, and no worker prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's key for counting distinct unmapped labels, so that the chunks' counts unite.
    _cleaning._LABEL_HASH_KEY = label_hash_key
    _WORKER.update(m=m, secret=secret, today=today, collective_threshold=collective_threshold)


def _stage_chunk_in_worker(df, headers, log, staging, file_no, i, seq0) -> CleanLog:
    try:
        return _stage_chunk(df, headers, log, Path(staging), file_no, i, seq0, **_WORKER)
    finally:
        del df
        _cleaning._release_memory()  # hand the chunk's memory back before the next one arrives


class WorkerDied(RuntimeError):
    """A pass-1 worker process died (usually stopped by the system for want of memory)."""


WORKER_DIED = ("a pass-1 worker process died (most often the system ran out of memory and stopped it): "
               "run again with fewer workers (workers=, --workers) or smaller chunks (chunk_rows=, --chunk-rows). "
               "From a Python script, also check that the call is under `if __name__ == \"__main__\":` (the workers "
               "are started fresh and import the script).")

UNGUARDED_SCRIPT = ("clean_to_dataset was called while a worker process was starting: the script that calls it runs "
                    "again in each worker. Put the call under `if __name__ == \"__main__\":` (or pass workers=1).")


def _pass1_in_processes(files: list[Path], staging: Path, *, mapping, secret: bytes, today, chunk_rows: int,
                        encoding, sheet, collective_threshold: int, workers: int, on_chunk=None) -> list[dict]:
    """Pass 1 over every file with ``workers`` processes: this process reads the chunks in
    order (a notes block goes on across chunks) and the workers clean them, each chunk on
    its own. At most ``workers`` + 1 chunks are in flight (this process keeps each until its
    worker is done, and each worker holds its own copy), so memory stays bounded; the
    staging files and logs are the same as one process writes. A single chunk is cleaned
    here, without starting any process."""
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    m = load_mapping(mapping)
    logs = [CleanLog() for _ in files]
    rows = [0] * len(files)
    held: list[tuple] = []  # the first chunk, until a second one shows a pool is worth starting
    pending: deque = deque()
    pool = None

    def finish(file_no: int, n: int, fut) -> None:
        try:
            logs[file_no].merge(fut.result())
        except BrokenProcessPool:
            raise WorkerDied(WORKER_DIED) from None
        if on_chunk is not None:
            on_chunk(n)

    def submit(job: tuple) -> None:
        df, headers, log, file_no, i, seq0 = job
        try:
            fut = pool.submit(_stage_chunk_in_worker, df, headers, log, str(staging), file_no, i, seq0)
        except BrokenProcessPool:  # a worker died while this process was reading the chunk
            raise WorkerDied(WORKER_DIED) from None
        pending.append((file_no, len(df), fut))

    try:
        for file_no, path in enumerate(files):
            for i, (df, headers, log) in enumerate(work_chunks(
                    [path], m, chunk_rows, sheet=sheet if sheet is not None else m.sheet, encoding=encoding or m.encoding)):
                if len(df) == 0:
                    continue
                job = (df, headers, log, file_no, i, rows[file_no])
                rows[file_no] += len(df)
                del df
                if pool is None and not held:
                    held.append(job)
                    continue
                if pool is None:
                    # spawn: the workers start clean, without this process's threads (Arrow, DuckDB)
                    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                               initializer=_init_worker,
                                               initargs=(m, secret, today, collective_threshold,
                                                         _cleaning._LABEL_HASH_KEY))
                    submit(held.pop())
                submit(job)
                del job
                while len(pending) > workers:  # one chunk waits ready for the next free worker
                    finish(*pending.popleft())
        if held:  # one chunk in all: cleaned here
            df, headers, log, file_no, i, seq0 = held.pop()
            n = len(df)
            logs[file_no].merge(_stage_chunk(df, headers, log, staging, file_no, i, seq0, m=m, secret=secret,
                                             today=today, collective_threshold=collective_threshold))
            if on_chunk is not None:
                on_chunk(n)
        while pending:
            finish(*pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return [_file_info(path, no, rows[no], logs[no]) for no, path in enumerate(files)]


# --------------------------------------------------------------------------- pass 2


def connect(memory_limit: str | None = None, threads: int | None = None, temp_directory: str | None = None):
    """A DuckDB connection with limits (DuckDB spills to ``temp_directory`` above them)."""
    import duckdb

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if temp_directory:
        con.execute(f"SET temp_directory = '{temp_directory}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _crosswalk_values() -> str:
    pairs = taxonomy._crosswalk_map()
    return ", ".join(f"('{a}', '{b}')" for a, b in pairs.items())


#: Kept rows per bucket of the repeat-linking window in pass 2 (buckets split petitioners by hash).
ROWS_PER_BUCKET = 8_000_000


def _optional_sql(con) -> list[tuple[str, str]]:
    """(name, SELECT expression) of the optional columns (:data:`~petition_analysis.schema.OPTIONAL_COLUMNS`)
    in the staging rows, in schema order; a chunk without one gets the value in-memory
    cleaning gives it (``given``, 1.0, 0 likes)."""
    from .cleaning import _OPTIONAL_DEFAULTS

    have = {r[0] for r in con.execute("DESCRIBE SELECT * FROM st").fetchall()}
    names = [c.name for c in schema.OPTIONAL_COLUMNS if c.name in have]
    if "category_confidence" not in names:  # nothing was predicted: no prediction columns (data_table)
        names = [c for c in names if c != "category_source"]
    out = []
    for name in names:
        kind = schema.OPTIONAL_COLUMNS[[c.name for c in schema.OPTIONAL_COLUMNS].index(name)].kind
        default = _OPTIONAL_DEFAULTS.get(name)
        expr = name if default is None else f"coalesce({name}, {default!r})"
        if kind == "int":
            expr = f"CAST({expr} AS BIGINT)"
        elif kind == "float":
            expr = f"CAST({expr} AS DOUBLE)"
        out.append((name, f"{expr} AS {name}"))
    return out


def finish_dataset(out: str | Path, *, repeat_window_days: int = derive.DEFAULT_REPEAT_WINDOW_DAYS,
                   memory_limit: str | None = None, keep_staging: bool = False, buckets: int | None = None,
                   canonical: set[str] | None = None, label_min_rows: int = LABEL_MIN_ROWS) -> dict:
    """Pass 2 in DuckDB over ``out/_staging``: duplicates, duplicate case numbers and repeat
    linking across every chunk, in the order :func:`~petition_analysis.ingest.cleaning.clean` runs
    them; then the year-partitioned dataset and the rejects file.

    Only narrow columns (row key, hash, case number, petitioner, category, date) take part
    in the cross-row steps, as group-bys and one window; their verdicts are small key
    tables, joined back to the wide staging rows as these stream to the output. The repeat
    window runs in ``buckets`` slices of petitioners (by default one per
    :data:`ROWS_PER_BUCKET` rows) and each year is sorted on its own, so memory and spill
    stay bounded at any input size."""
    out = Path(out)
    staging = out / _STAGING
    tmp = out / "_duckdb_tmp"
    con = connect(memory_limit=memory_limit, temp_directory=str(tmp))
    layout = ", ".join(f"'{r}'" for r in _LAYOUT)
    con.execute(f"CREATE TEMP TABLE cw(code VARCHAR, harmonized VARCHAR); INSERT INTO cw VALUES {_crosswalk_values()}")
    # (_file_no, _seq) is the row's position in the input; one BIGINT orders it the same way.
    # union_by_name: a chunk where nothing was predicted (or a file without 点赞数) lacks optional columns
    con.execute(f"""CREATE VIEW st AS SELECT *, _file_no::BIGINT * 1000000000000 + _seq AS _key
                    FROM read_parquet('{staging}/*.parquet', union_by_name = true)""")
    # 1. Exact copies: the hash repeats an earlier row's (any row), and the row is not a layout row.
    con.execute(f"""
        CREATE TEMP TABLE dup AS
        WITH f AS (SELECT _hash, min(_key) AS k0 FROM st GROUP BY _hash HAVING count(*) > 1)
        SELECT st._key FROM st JOIN f USING (_hash)
        WHERE st._key <> f.k0 AND (st._reason IS NULL OR st._reason NOT IN ({layout}))""")
    # 2. Reused case numbers among the rows still kept: every use after the first.
    con.execute("""
        CREATE TEMP TABLE dupcase AS
        WITH k AS (SELECT _key, case_id FROM st WHERE _reason IS NULL AND _key NOT IN (SELECT _key FROM dup)),
             f AS (SELECT case_id, min(_key) AS k0 FROM k GROUP BY case_id HAVING count(*) > 1)
        SELECT k._key FROM k JOIN f ON k.case_id IS NOT DISTINCT FROM f.case_id WHERE k._key <> f.k0""")
    con.execute("""CREATE TEMP TABLE gone AS SELECT _key, 'duplicate' AS reason FROM dup
                   UNION ALL SELECT _key, 'duplicate_case_id' FROM dupcase""")
    n_read, n_kept = con.execute("SELECT count(*), count(*) FILTER (WHERE _reason IS NULL) FROM st").fetchone()
    n_clean = n_kept - con.execute("SELECT count(*) FROM gone").fetchone()[0]
    # 3. Repeat linking over the kept rows (derive.flag_repeats: same petitioner, crosswalked
    #    category, previous item within the window; same-day items ordered by case_id).
    n_buckets = int(buckets) if buckets else max(1, -(-n_clean // ROWS_PER_BUCKET))
    con.execute("CREATE TEMP TABLE rep(_key BIGINT)")
    for b in range(n_buckets):
        con.execute(f"""
            INSERT INTO rep
            WITH k AS (
                SELECT _key, petitioner_id, received_date, case_id, coalesce(cw.harmonized, st.category) AS _h
                FROM st LEFT JOIN cw ON cw.code = st.category
                WHERE st._reason IS NULL AND st.petitioner_id IS NOT NULL
                  AND hash(st.petitioner_id) % {n_buckets} = {b}
                  AND st._key NOT IN (SELECT _key FROM gone)),
            l AS (
                SELECT _key, received_date - lag(received_date) OVER (
                    PARTITION BY petitioner_id, _h ORDER BY received_date, case_id) AS _gap FROM k)
            SELECT _key FROM l WHERE _gap IS NOT NULL AND _gap <= INTERVAL {int(repeat_window_days)} DAY""")
    # 4. The label gate (cleaning.gate_regions) over the clean rows: regions neither
    #    canonical nor in label_min_rows rows are grouped; only counts reach the log.
    counts = con.execute("""SELECT region, count(*) AS n FROM st WHERE _reason IS NULL AND _key NOT IN (SELECT _key FROM gone)
                            GROUP BY region""").df()
    drop, grouped = regions_to_group(pd.Series(counts["n"].to_numpy(), index=counts["region"].astype("str")),
                                     canonical=canonical, min_rows=label_min_rows)
    con.execute("CREATE TEMP TABLE rg(region VARCHAR)")
    if drop:
        con.executemany("INSERT INTO rg VALUES (?)", [[r] for r in drop])
    region_sql = f"CASE WHEN region IN (SELECT region FROM rg) THEN '{OTHER_REGION}' ELSE region END AS region"
    # 5. The kept rows, streamed out by year, then each year sorted on its own.
    cols = [c if c != "persons" else "CAST(persons AS INTEGER) AS persons" for c in schema.column_names() if c != "is_repeat"]
    cols = [region_sql if c == "region" else c for c in cols]
    # The optional columns (message boards, predicted categories) any chunk has, as in-memory
    # cleaning keeps them (cleaning.align_optional: a chunk without one gets its default)
    optional = _optional_sql(con)
    cols += [sql for _, sql in optional]
    cols += ["source_file", "CAST(source_row AS INTEGER) AS source_row"]
    order = schema.column_names() + [name for name, _ in optional] + ["source_file", "source_row"]
    unsorted = out / "_unsorted"
    for old in [*out.glob("year=*"), unsorted]:
        shutil.rmtree(old, ignore_errors=True)
    con.execute(f"""
        COPY (SELECT {", ".join(cols)}, _key IN (SELECT _key FROM rep) OR _source_repeat AS is_repeat,
                     year(received_date) AS year
              FROM st WHERE _reason IS NULL AND _key NOT IN (SELECT _key FROM gone))
        TO '{unsorted}' (FORMAT parquet, PARTITION_BY (year))""")
    for part in sorted(unsorted.glob("year=*")):
        (out / part.name).mkdir()
        con.execute(f"""COPY (SELECT {", ".join(order)} FROM read_parquet('{part}/*.parquet')
                              ORDER BY received_date, source_file, source_row)
                        TO '{out / part.name / "data_0.parquet"}' (FORMAT parquet)""")
    shutil.rmtree(unsorted, ignore_errors=True)
    msgs = ", ".join(f"('{k}', '{v.replace(chr(39), chr(39) * 2)}')" for k, v in REJECT_REASONS.items())
    con.execute(f"CREATE TEMP TABLE rr(reason VARCHAR, text VARCHAR); INSERT INTO rr VALUES {msgs}")
    # Rejects found in pass 2 have no raw preview (the raw values are gone by then).
    rejects = con.execute("""
        WITH r AS (
            -- only the columns the rejects need: a materialized CTE of st.* would copy every staged column
            SELECT st._key, st.source_file, st.source_row, st._reason, st._message, st._case_id_text, st._preview,
                   coalesce(gone.reason, st._reason) AS _final FROM st LEFT JOIN gone USING (_key)
            WHERE st._reason IS NOT NULL OR gone.reason IS NOT NULL)
        SELECT source_file, NULL AS sheet, source_row, _final AS reason,
               coalesce(CASE WHEN _final = _reason THEN _message END,
                        rr.text || CASE WHEN _final = 'duplicate_case_id' THEN ' (field: case_id)' ELSE '' END, '')
                   AS message,
               coalesce(_case_id_text, '') AS case_id, coalesce(_preview, '') AS preview
        FROM r LEFT JOIN rr ON rr.reason = r._final
        ORDER BY _key""").df()
    from .privacy import mask_text

    for c in ("message", "case_id"):
        rejects[c] = mask_text(rejects[c].astype("str"))
    rejects["sheet"] = rejects["sheet"].astype("str")
    rejects["reason"] = rejects["reason"].astype("str")
    rejects = rejects[REJECT_COLUMNS]
    rejects.to_parquet(out / "_rejects.parquet", index=False)
    con.close()
    shutil.rmtree(tmp, ignore_errors=True)
    if n_read != n_clean + len(rejects):  # rows in = clean + rejected, always
        # the staging folder stays: with no _log.json, the loaders refuse this folder as unfinished
        raise RuntimeError(f"pass 2 accounted for {n_clean + len(rejects):,} of {n_read:,} staged rows; "
                           f"the staging folder {staging} is incomplete or was changed during the run.")
    if not keep_staging:
        shutil.rmtree(staging, ignore_errors=True)
    return {"rows_read": int(n_read), "rows_clean": int(n_clean), "rejected": rejects["reason"].value_counts().to_dict(),
            "buckets": n_buckets, "grouped_labels": {"region": grouped} if grouped else {}}


def clean_to_dataset(source, out: str | Path, mapping=None, *, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                     pseudonym_key: str | bytes | None = None, today=None, encoding: str | None = None, sheet=None,
                     collective_threshold: int = derive.DEFAULT_COLLECTIVE_THRESHOLD,
                     repeat_window_days: int = derive.DEFAULT_REPEAT_WINDOW_DAYS, memory_limit: str | None = None,
                     client=None, keep_staging: bool = False, progress: bool | None = None,
                     label_min_rows: int = LABEL_MIN_ROWS, workers: int | None = None) -> DatasetResult:
    """Clean a directory of raw files, a glob, or one huge CSV into a year-partitioned
    Parquet dataset at ``out``, in bounded memory (see the module docstring).

    ``progress``: a progress bar on stderr (rows cleaned in pass 1, files done on a
    cluster); by default only when stderr is a terminal.

    ``workers``: processes that clean the chunks of pass 1 (default :func:`default_workers`:
    the cores, at most 4); ``1`` cleans them in this process. The result is the same
    either way. Each worker holds one chunk, and this process the chunks in flight, so
    memory grows with ``workers`` × ``chunk_rows`` (about 1.1 GB per worker at 500,000
    messy rows, plus the raw chunks in flight here, about 0.25 GB each). A script that
    calls this with more than one worker needs the usual ``if __name__ == "__main__":``
    guard (the workers are started fresh and import it).

    With a Dask ``client``, pass 1 runs one task per file on the cluster (the files and
    ``out`` must be on storage every worker sees); pass 2 runs here, in DuckDB.
    """
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}.")
    import multiprocessing

    # A script without the __main__ guard runs again in every spawned worker: stop there,
    # before this call would clear the staging folder the main process is filling.
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(UNGUARDED_SCRIPT)
    out = Path(out)
    staging = out / _STAGING
    files = _expand(source)  # a missing input is told before the folder is touched
    # _log.json marks a finished dataset: gone until this run ends, so that a run stopped
    # half-way leaves a folder no loader takes for whole (sources refuses it in one paragraph)
    (out / DATASET_LOG).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # One key and one "today" for every chunk, so that pseudonyms link across chunks.
    key, _ = resolve_key(pseudonym_key)
    today = pd.Timestamp(today) if today is not None else pd.Timestamp.today().normalize()
    kw = dict(mapping=mapping, secret=key, today=today, chunk_rows=chunk_rows, encoding=encoding, sheet=sheet,
              collective_threshold=collective_threshold)
    from tqdm.auto import tqdm

    disable = not progress if progress is not None else not sys.stderr.isatty()
    t0 = time.perf_counter()
    if client is None:
        with tqdm(desc=f"pass 1: cleaning {len(files)} file(s)", unit=" rows", unit_scale=True, file=sys.stderr,
                  disable=disable) as bar:
            if workers == 1:
                logs = [clean_file_to_staging(f, staging, i, on_chunk=bar.update, **kw) for i, f in enumerate(files)]
            else:
                logs = _pass1_in_processes(files, staging, workers=workers, on_chunk=bar.update, **kw)
    else:
        from dask.distributed import as_completed

        futures = [client.submit(clean_file_to_staging, str(f), str(staging), i, pure=False, **kw)
                   for i, f in enumerate(files)]
        with tqdm(total=len(futures), desc="pass 1 on the cluster", unit="file", file=sys.stderr,
                  disable=disable) as bar:
            for _ in as_completed(futures):
                bar.update()
        logs = client.gather(futures)
    t1 = time.perf_counter()
    if not disable:
        print("pass 2: duplicates, reused case numbers and repeats across all rows (DuckDB) …", file=sys.stderr,
              flush=True)
    summary = finish_dataset(out, repeat_window_days=repeat_window_days, memory_limit=memory_limit,
                             keep_staging=keep_staging, canonical=canonical_regions(load_mapping(mapping)),
                             label_min_rows=label_min_rows)
    t2 = time.perf_counter()
    res = DatasetResult(out, summary["rows_read"], summary["rows_clean"], Counter(summary["rejected"]), logs,
                        {"pass1_chunks": round(t1 - t0, 2), "pass2_cross_row": round(t2 - t1, 2)},
                        summary["buckets"], summary.get("grouped_labels", {}))
    (out / DATASET_LOG).write_text(json.dumps(res.to_dict(), ensure_ascii=False, indent=1, default=str))
    return res


# --------------------------------------------------------------------------- reading and analysis


def write_dataset(df: pd.DataFrame, out: str | Path) -> Path:
    """Write a canonical frame as a year-partitioned dataset (what :func:`clean_to_dataset` writes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out)
    frame = df.copy()
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].astype("str")
    frame["year"] = frame["received_date"].dt.year.astype("int32")
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), out, partition_cols=["year"],
                        existing_data_behavior="delete_matching")
    # the record of the model that predicted categories (classify.model_record) travels
    # with the data, as it does in a Parquet file's metadata
    record = out / _CLASSIFIER_FILE
    if df.attrs.get("classifier"):
        record.write_text(json.dumps(df.attrs["classifier"], ensure_ascii=False, default=str), encoding="utf-8")
    elif record.exists():
        record.unlink()
    return out


_CLASSIFIER_FILE = "_classifier.json"


def _glob(dataset: str | Path) -> str:
    return str(Path(dataset) / "year=*" / "*.parquet")


def read_dataset(dataset: str | Path, columns: list[str] | None = None, where: str | None = None) -> pd.DataFrame:
    """Rows of a dataset as a canonical frame (``where``: a DuckDB SQL condition, e.g.
    ``"received_date >= DATE '2019-01-01'"``, so that only those rows are loaded)."""
    _unfinished_dataset(Path(dataset))
    con = connect()
    src = f"read_parquet('{_glob(dataset)}', hive_partitioning = true)"
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    cols = ", ".join(columns) if columns else "* EXCLUDE (year)"
    order = [c for c in ("received_date", "source_file", "source_row", "case_id") if c in names
             and (not columns or c in columns)]
    sql = f"SELECT {cols} FROM {src}" + (f" WHERE {where}" if where else "")
    df = con.execute(sql + (f" ORDER BY {', '.join(order)}" if order else "")).df()
    con.close()
    df = schema.coerce(df)
    record = Path(dataset) / _CLASSIFIER_FILE
    if record.exists():
        df.attrs["classifier"] = json.loads(record.read_text(encoding="utf-8"))
    return df


def _source_sql(data, con) -> str:
    if isinstance(data, pd.DataFrame):
        con.register("_frame", data)
        return "_frame"
    _unfinished_dataset(Path(data))
    return f"read_parquet('{_glob(data)}', hive_partitioning = true)"


def finish_quarterly(g: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk the categories of (year, quarter, region, category) counts, re-add, and
    put each row next to the same quarter a year before (同比)."""
    g = g.assign(category=g["category"].astype("str").map(taxonomy._crosswalk_map()).fillna(g["category"].astype("str")),
                 region=g["region"].astype("str"))
    g = g.groupby(_KEYS, sort=True, as_index=False)[["items", "person_times"]].sum()
    prev = g.assign(year=g["year"] + 1).rename(columns={"items": "items_prev", "person_times": "person_times_prev"})
    out = g.merge(prev, on=_KEYS, how="left")
    for m in ("items", "person_times"):
        out[f"{m}_prev"] = out[f"{m}_prev"].fillna(0).astype("int64")
        out[m] = out[m].astype("int64")
        prevs = out[f"{m}_prev"]
        out[f"{m}_yoy_pct"] = ((out[m] - prevs) / prevs.where(prevs > 0) * 100).astype("float64")
    out["year"] = out["year"].astype("int64")
    out["quarter"] = out["quarter"].astype("int64")
    return out.sort_values(_KEYS, kind="stable").reset_index(drop=True)


def partial_quarterly(df: pd.DataFrame) -> pd.DataFrame:
    """(year, quarter, region, category) counts of one frame or partition, before the
    crosswalk; partial tables add up (what the Dask path sums)."""
    # One integer code per (year, quarter, region, category), then np.bincount: no hashing
    # of string keys, a single pass over the rows.
    if not len(df):
        return pd.DataFrame({k: [] for k in _KEYS + ["items", "person_times"]})
    # quarter of each row through its day: days are an integer division of the timestamps, and
    # the few distinct days get their calendar quarter from a table (half the time of
    # converting every row to a calendar month)
    days = df["received_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    d0 = int(days.min())
    months = np.arange(d0, int(days.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    yq = ((months // 12) * 4 + (months % 12) // 3)[days - d0]
    yq0 = int(yq.min())
    region = df["region"].astype("category") if not isinstance(df["region"].dtype, pd.CategoricalDtype) else df["region"]
    cat = df["category"].astype("category") if not isinstance(df["category"].dtype, pd.CategoricalDtype) else df["category"]
    nr, nc = len(region.cat.categories), len(cat.cat.categories)
    code = ((yq - yq0) * nr + region.cat.codes.to_numpy()) * nc + cat.cat.codes.to_numpy()
    size = int(code.max()) + 1 if len(code) else 0
    items = np.bincount(code, minlength=size)
    persons = np.bincount(code, weights=df["persons"].to_numpy(), minlength=size)
    hit = np.flatnonzero(items)
    yq_h, rest = np.divmod(hit, nr * nc)
    r_h, c_h = np.divmod(rest, nc)
    yq_h = yq_h + yq0
    g = pd.DataFrame({"year": yq_h // 4 + 1970, "quarter": yq_h % 4 + 1,
                      "region": region.cat.categories.to_numpy()[r_h], "category": cat.cat.categories.to_numpy()[c_h],
                      "items": items[hit], "person_times": persons[hit].round().astype(np.int64)})
    return g


def _quarterly_pandas(df: pd.DataFrame) -> pd.DataFrame:
    return finish_quarterly(partial_quarterly(df))


_QUARTERLY_SQL = """
    SELECT year(received_date) AS year, quarter(received_date) AS quarter, CAST(region AS VARCHAR) AS region,
           CAST(category AS VARCHAR) AS category, count(*) AS items, sum(persons) AS person_times
    FROM {src} GROUP BY ALL"""


def quarterly_table(data, engine: str | None = None, con=None) -> pd.DataFrame:
    """Items and person-times by year × quarter × region × crosswalked category, with the
    same quarter of the previous year (``*_prev``) and the change in percent (``*_yoy_pct``,
    NaN when the previous count is 0).

    ``data`` is a canonical frame or a dataset folder. ``engine``: ``"pandas"`` (frames
    only; the default for frames) or ``"duckdb"`` (the default for datasets, which are
    never loaded whole).

    >>> df = pd.DataFrame({"received_date": pd.to_datetime(["2018-02-01", "2019-01-05", "2019-03-01"]),
    ...                    "region": ["甲区"] * 3, "category": ["land_resources", "natural_resources", "natural_resources"],
    ...                    "persons": [1, 2, 3]})
    >>> quarterly_table(df)[["year", "category", "items", "items_prev", "items_yoy_pct"]].values.tolist()
    [[2018, 'natural_resources', 1, 0, nan], [2019, 'natural_resources', 2, 1, 100.0]]
    """
    engine = engine or ("pandas" if isinstance(data, pd.DataFrame) else "duckdb")
    if engine == "pandas":
        if not isinstance(data, pd.DataFrame):
            raise ValueError("engine='pandas' needs a DataFrame; use engine='duckdb' for a dataset folder.")
        return _quarterly_pandas(data)
    if engine != "duckdb":
        raise ValueError(f"engine must be 'pandas' or 'duckdb', not {engine!r}.")
    own = con is None
    con = con or connect()
    g = con.execute(_QUARTERLY_SQL.format(src=_source_sql(data, con))).df()
    if own:
        con.close()
    return finish_quarterly(g)


def counts(dataset, period=None, by=None) -> pd.DataFrame:
    """:func:`petition_analysis.analysis.compare.counts` on a dataset folder, through DuckDB (only
    the period's partitions are read): the same long table (the ``by`` columns as text,
    ``items``, ``person_times``), with the groups that have items.

    >>> import petition_analysis as pa, tempfile                      # doctest: +SKIP
    >>> counts(write_dataset(df, tempfile.mkdtemp()), pa.periods.year(2019), by="channel")  # doctest: +SKIP
    """
    from .. import periods

    keys = [by] if isinstance(by, str) else list(by or [])
    con = connect()
    where = ""
    if period is not None:
        p = periods.parse(period)
        where = (f"WHERE received_date BETWEEN DATE '{p.start:%Y-%m-%d}' AND DATE '{p.end:%Y-%m-%d}'"
                 f" AND year BETWEEN {p.start.year} AND {p.end.year}")
    sel = ", ".join(f"CAST({k} AS VARCHAR) AS {k}" for k in keys)
    sql = (f"SELECT {sel + ', ' if sel else ''}count(*) AS items, coalesce(sum(persons), 0) AS person_times "
           f"FROM {_source_sql(dataset, con)} {where} {'GROUP BY ALL' if keys else ''}")
    out = con.execute(sql).df()
    con.close()
    if not keys:
        return out.astype("int64")
    # The long table of compare.counts: the group columns, then items and person_times.
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return out.astype({"items": "int64", "person_times": "int64"})
