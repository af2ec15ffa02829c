"""Equivalence of cleaning before and after a change: fingerprints of ``clean()``'s data,
rejects and log for every bundled raw sample (whole, and in small chunks), and optionally
for the benchmark files, so that a speed-up can be shown to change nothing.

    # fingerprints of the working tree
    python benchmarks/equivalence.py record after.json [--bench 100000 1000000]
    # fingerprints of an older commit, from an exported copy of its package
    git archive bb08274 petition_analysis | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python benchmarks/equivalence.py record before.json [--bench ...]
    python benchmarks/equivalence.py compare before.json after.json

A fingerprint holds, per table, the row count, the dtypes and the SHA-256 of each column's
values (as Arrow IPC bytes), and the SHA-256 of the log's ``to_dict()``: equal fingerprints
mean byte-identical results. ``tests/ingest/test_clean_equivalence.py`` checks the bundled
samples against the committed ``tests/ingest/clean_fingerprints.json``; after an intended
change of the output, rewrite it with ``record --golden``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLDEN = ROOT / "tests" / "ingest" / "clean_fingerprints.json"
#: Fixed inputs of every run: same key, same "today", so that the bytes can be compared.
KEY, TODAY = "equivalence-key", "2024-01-01"


def frame_fingerprint(df) -> dict:
    """Rows, dtypes and a SHA-256 per column of a DataFrame (values as Arrow IPC bytes)."""
    import pyarrow as pa

    cols = {}
    for c in df.columns:
        t = pa.Table.from_pandas(df[[c]], preserve_index=False).replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as w:
            w.write_table(t.combine_chunks())
        cols[str(c)] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]
    return {"rows": len(df), "dtypes": {str(c): str(t) for c, t in df.dtypes.items()}, "columns": cols}


def result_fingerprint(res) -> dict:
    log = json.dumps(res.log.to_dict(), ensure_ascii=False, sort_keys=True, default=str)
    return {"data": frame_fingerprint(res.data), "rejects": frame_fingerprint(res.rejects),
            "log": hashlib.sha256(log.encode()).hexdigest()[:16], "log_rows": [res.log.rows_read, res.log.rows_clean]}


def samples() -> list[tuple[str, dict]]:
    """(name, clean() keyword arguments) of every bundled raw sample, whole and in chunks
    of 50 rows (CSV files only: workbooks are read whole)."""
    out = []
    for path in sorted(RAW.iterdir()):
        if path.suffix not in (".csv", ".xlsx") or "expected_rejects" in path.name:
            continue
        kw = {"source": str(path)}
        mapping = path.with_name(path.stem + ".mapping.yaml")
        if mapping.exists():
            kw["mapping"] = str(mapping)
        out.append((path.name, kw))
        if path.suffix == ".csv":
            out.append((f"{path.name} chunks of 50", {**kw, "chunk_rows": 50}))
    return out


def run(kw: dict):
    """``clean()`` of one input, run from the input's folder with bare file names: the clean
    table and the log record the path as given, and a fingerprint must not depend on where
    the repository was cloned."""
    import contextlib

    from petition_analysis import clean

    kw = dict(kw)
    source = Path(kw.pop("source"))
    if "mapping" in kw:
        kw["mapping"] = str(Path(kw["mapping"]).relative_to(source.parent))
    with contextlib.chdir(source.parent):
        return clean(source.name, pseudonym_key=KEY, today=TODAY, progress=False, **kw)


def record(bench: list[int]) -> dict:
    out = {name: result_fingerprint(run(kw)) for name, kw in samples()}
    for n in bench:
        path = ROOT / "benchmarks" / "data" / f"messy_{n}_utf-8-sig.csv"
        if not path.exists():
            sys.exit(f"{path} is missing: run benchmarks/bench_clean.py --sizes {n} first")
        out[path.name] = result_fingerprint(run({"source": str(path)}))
        print(f"recorded {path.name}", file=sys.stderr)
    return out


def differences(a: dict, b: dict) -> list[str]:
    """What differs between two sets of fingerprints (only inputs present in both)."""
    diffs = []
    for name in sorted(set(a) & set(b)):
        x, y = a[name], b[name]
        for part in ("data", "rejects"):
            if x[part]["rows"] != y[part]["rows"]:
                diffs.append(f"{name}: {part} has {y[part]['rows']} rows, not {x[part]['rows']}")
            for c in sorted(set(x[part]["columns"]) | set(y[part]["columns"])):
                if x[part]["columns"].get(c) != y[part]["columns"].get(c) or x[part]["dtypes"].get(c) != y[part]["dtypes"].get(c):
                    diffs.append(f"{name}: {part} column {c!r} differs")
        if x["log"] != y["log"]:
            diffs.append(f"{name}: the log differs")
    return diffs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record", help="write fingerprints of this code's results")
    r.add_argument("out", nargs="?", help="JSON file to write")
    r.add_argument("--golden", action="store_true", help=f"write {GOLDEN.relative_to(ROOT)} (the test's reference)")
    r.add_argument("--bench", type=int, nargs="*", default=[], help="also the benchmark files of these sizes")
    c = sub.add_parser("compare", help="compare two fingerprint files")
    c.add_argument("before")
    c.add_argument("after")
    args = ap.parse_args(argv)
    if args.cmd == "record":
        if not args.out and not args.golden:
            ap.error("give an output file or --golden")
        doc = record(args.bench)
        path = GOLDEN if args.golden else Path(args.out)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(f"{len(doc)} fingerprints → {path}")
        return 0
    a, b = (json.loads(Path(p).read_text()) for p in (args.before, args.after))
    common = set(a) & set(b)
    diffs = differences(a, b)
    for d in diffs:
        print(d)
    print(f"{len(common)} inputs compared: {'identical' if not diffs else f'{len(diffs)} difference(s)'}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
