"""The ``petition-analysis`` command line.

Each subcommand is a ``_cmd_*`` function registered in :func:`build_parser`. :func:`main` is
the one exception boundary: every error ends in one paragraph on stderr that names the
problem and the fix, never a traceback. Exit codes: 0 done, 2 bad input or parameters
(a structural problem in a file, a bad option value, a path that cannot be read or
written), 1 a report that failed, or an internal error (a bug: its traceback goes to the
error log, :data:`ERROR_LOG_ENV_VAR`; ``--debug`` or ``PETITION_DEBUG=1`` re-raises it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from ._version import __version__

__all__ = ["main", "build_parser", "UsageProblem", "ERROR_LOG_ENV_VAR", "DEBUG_ENV_VAR"]

#: Where the traceback of an internal error is written (default: petition-analysis-errors.log
#: in the temporary folder).
ERROR_LOG_ENV_VAR = "PETITION_ERROR_LOG"
#: Set to 1 to let internal errors raise with their traceback (as ``--debug`` does).
DEBUG_ENV_VAR = "PETITION_DEBUG"

EPILOG = """\
examples:
  petition-analysis report annual                     # the annual report for the latest complete year
  petition-analysis report annual --year 2019 --as-of 2019-12-20 --lang zh
  petition-analysis report annual --data y2022.parquet --data y2023.parquet --city 西安市   # your own city
  petition-analysis batch plan.yaml                   # a grid of reports, in parallel
  petition-analysis clean register.xlsx -o clean.parquet --mapping mapping.yaml
  petition-analysis headline                          # headline table in the terminal
  petition-analysis headline --year 2019 --as-of 2019-12-20
  petition-analysis synth reference --out data/        # regenerate the bundled data
  petition-analysis synth generate --years 2014-2023 --scale 3 -o big.parquet
  petition-analysis synth messy --year 2019 --rows 500 -o register_2019.xlsx
  petition-analysis clean data/raw/*.csv -o clean.parquet --rejects rejects.csv
"""


class UsageProblem(Exception):
    """A problem the user can fix: printed as one paragraph, exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2019-12-20") from None


def _at_least(low: int, what: str = "a whole number"):
    """An argparse type: a whole number of at least ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}; give a whole number of at least {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is too small; give a whole number of at least {low}")
        return value

    parse.__name__ = "int"
    return parse


def _city(text: str) -> str:
    """An argparse type: the city's name, not blank."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the city's name is blank; give it in Chinese, e.g. --city 西安市")
    return text.strip()


def _region(text: str) -> str:
    """An argparse type: a region name, not blank."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the region is blank; leave --region out for the whole city, or name one")
    return text.strip()


def _memory(text: str) -> str:
    import re

    if not re.fullmatch(r"\s*\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)?\s*", text, flags=re.IGNORECASE):
        raise argparse.ArgumentTypeError(f"{text!r} is not a memory size; give e.g. 6GB or 512MB")
    return text.strip()


def _output(path: str, what: str) -> Path:
    """An output file path whose folder exists (made if missing) and is a folder; fails
    before any work is done."""
    p = Path(path)
    if p.is_dir():
        raise UsageProblem(f"{what} {p} is a folder; give a file name, e.g. {p / 'clean.parquet'}.")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageProblem(f"cannot write {what} {p}: its folder {p.parent} cannot be made ({err.strerror or err}). "
                           "Give a path in a folder you can write to.") from None
    if not os.access(p.parent, os.W_OK):
        raise UsageProblem(f"cannot write {what} {p}: the folder {p.parent} is not writable. "
                           "Give a path in a folder you can write to.")
    return p


def _year_range(text: str) -> tuple[int, int]:
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            return int(a), int(b)
        return int(text), int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year range; use e.g. 2014-2023 or 2019") from None


def _load_data(path: str | None):
    import pandas as pd

    from . import reference

    if path is None:
        try:
            return reference.load_reference()
        except reference.ReferenceDataMissing as err:
            raise UsageProblem(str(err)) from None
    p = Path(path)
    if not p.exists():
        raise UsageProblem(f"The data file {p} does not exist. Pass the path of a clean Parquet file "
                           "(see `petition-analysis clean --help` to make one from a raw export).")
    if p.suffix.lower() != ".parquet":
        raise UsageProblem(f"{p} is not a Parquet file. Clean a raw export first with "
                           "`petition-analysis clean INPUT -o clean.parquet`, then pass clean.parquet.")
    try:
        return pd.read_parquet(p)
    except Exception as err:  # pyarrow raises several types for unreadable files
        raise UsageProblem(f"{p} could not be read as Parquet ({err}). Is it a complete file?") from None


def _report_data(args: argparse.Namespace):
    """The canonical table of ``--data`` (repeated, globs, folders; the bundled data by
    default) with ``--mapping``, as a report reads it; and its paths."""
    from .publish.reports.params import load_sources

    src = load_sources(args.data, getattr(args, "mapping", None))
    if src.data.empty:
        raise UsageProblem("the data have no clean rows; see the cleaning report with `petition-analysis clean`.")
    return src.data, src.paths


def _cmd_headline(args: argparse.Namespace) -> int:
    from .publish.headline import format_headline, headline_table, latest_complete_year
    from .publish.reports.params import previous_year_hint

    df, paths = _report_data(args)
    years = sorted(df["received_date"].dt.year.unique().tolist())
    year = args.year if args.year is not None else latest_complete_year(df)
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    if args.year is None and year not in years:  # no year the data cover to its end
        last = years[-1]
        end = df["received_date"].max().date().isoformat()
        raise UsageProblem(f"The data cover {span}, up to {end}: no whole year to compare with the year before. "
                           f"Compare {last} to date with --year {last} --as-of {end}, and add the {last - 1} "
                           f"register: {previous_year_hint(paths, last)}")
    if year not in years or (year - 1) not in years:
        hint = f" Add the {year - 1} register: {previous_year_hint(paths, year)}" if year in years else ""
        which = f"--year {year}" if args.year is not None else f"The latest complete year, {year},"
        raise UsageProblem(f"{which} needs data for {year} and {year - 1}; the data covers {span}.{hint}")
    if args.as_of is not None and args.as_of.year != year:
        raise UsageProblem(f"--as-of {args.as_of} is not in {year}; give a date in {year}, e.g. {year}-12-20.")
    from . import periods

    try:  # the year to its end, or the data up to --as-of: never part of a year against a whole one
        periods.require_covered(df, periods.year(year) if args.as_of is None else periods.ytd(args.as_of))
    except periods.PeriodNotCovered as err:
        raise UsageProblem(str(err)) from None
    if args.as_of is not None:  # the register as it stood on --as-of: no later row
        df = df[df["received_date"].dt.normalize() <= periods.ytd(args.as_of).end]
    region = getattr(args, "region", None)
    if region is not None:  # as in the data, or its English name or slug
        from .office import make_office
        from .publish.reports.params import _region_in

        region = _region_in(region, sorted(df["region"].astype("str").unique()), make_office(data=df))
    table = headline_table(df, year=year, as_of=args.as_of, region=region)
    if args.json:
        import json

        reg = table.attrs["registry"]
        print(json.dumps({"period": {"start": reg.period.start.date().isoformat(), "end": reg.period.end.date().isoformat()},
                          "figures": reg.to_json()}, ensure_ascii=False, indent=2, default=str))
        return 0
    print(format_headline(table, year, args.as_of, lang=args.lang))
    return 0


def _cmd_synth_reference(args: argparse.Namespace) -> int:
    from .synth.write import write_reference_data

    manifest = write_reference_data(args.out, seed=args.seed, raw_samples=not args.no_raw)
    f = next(iter(manifest["files"].items()))
    print(f"wrote {Path(args.out) / 'reference' / f[0]}: {f[1]['rows']:,} rows, sha256 {f[1]['sha256'][:12]}…")
    return 0


def _cmd_synth_generate(args: argparse.Namespace) -> int:
    import json

    from .synth import generate
    from .synth.write import write_parquet

    start, end = args.years
    if end < start:
        raise UsageProblem(f"--years {start}-{end}: the first year must not be after the last.")
    if args.scale <= 0:
        raise UsageProblem(f"--scale must be positive, not {args.scale}.")
    res = generate(start, end, seed=args.seed, scale=args.scale)
    out = write_parquet(res.data, Path(args.output))
    if args.manifest:
        Path(args.manifest).write_text(json.dumps(res.manifest, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    print(f"wrote {out}: {len(res.data):,} rows ({start}–{end}, seed {args.seed}, scale {args.scale})")
    return 0


def _cmd_synth_messy(args: argparse.Namespace) -> int:
    from .synth import messy

    out = Path(args.output)
    fmt = args.format or {".xlsx": "xlsx", ".csv": "csv"}.get(out.suffix.lower())
    if fmt is None:
        raise UsageProblem(f"Cannot tell the format of {out}; name it .csv or .xlsx, or pass --format csv|gbk|xlsx|board.")
    if args.rows < 1:
        raise UsageProblem(f"--rows must be at least 1, not {args.rows}.")
    df = _load_data(args.data)
    years = sorted(df["received_date"].dt.year.unique().tolist())
    if args.year not in years:
        raise UsageProblem(f"--year {args.year} is not in the data, which covers {years[0]}–{years[-1]}.")
    rows = messy.sample_rows(df, args.rows, seed=args.seed, year=args.year,
                             channel="online" if fmt == "board" else None)
    if fmt == "board":
        outcome = messy.write_board_csv(messy.make_message_board(rows, seed=args.seed), out)
    else:
        mx = messy.make_messy_export(rows, seed=args.seed)
        outcome = mx.write_xlsx(out) if fmt == "xlsx" else mx.write_csv(out, encoding="gbk" if fmt == "gbk" else "utf-8-sig")
    rejects = outcome.write_rejects(out.with_name(out.stem + ".expected_rejects.csv"))
    print(f"wrote {out}: {outcome.rows_read} raw rows, {len(outcome.rejects)} to be rejected (listed in {rejects})")
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    from .ingest.cleaning import clean
    from .errors import StructuralError
    from .synth.write import write_parquet

    from .ingest.export import write_csv

    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise UsageProblem(f"--chunk-rows {args.chunk_rows}: give a number of rows of at least 1, e.g. 100000.")
    if args.out_dataset:
        return _clean_to_dataset(args)
    if args.workers is not None:
        raise UsageProblem("--workers applies to --out-dataset only (with -o the input is cleaned in this process).")
    if not args.output:
        raise UsageProblem("give -o OUTPUT.parquet, or --out-dataset DIR for data too big for memory.")
    out = Path(args.output)
    if out.suffix.lower() != ".parquet":
        raise UsageProblem(f"-o {out}: the clean table is written as Parquet; name the output .parquet.")
    out = _output(args.output, "the output")
    rejects = _output(args.rejects or out.with_name(out.stem + ".rejects.csv"), "the rejects file")
    try:
        res = clean(_inputs(args.inputs), args.mapping, sheet=args.sheet, encoding=args.encoding,
                    collective_threshold=args.collective_threshold, repeat_window_days=args.repeat_window_days,
                    progress=None if not args.no_progress else False, chunk_rows=args.chunk_rows,
                    classifier=args.classifier, classifier_threshold=args.classifier_threshold)
    except StructuralError as err:
        raise UsageProblem(f"{err} (nothing was written)") from None
    write_parquet(res.data, out)
    write_csv(res.rejects, rejects)  # BOM: opens cleanly in Excel; no cell runs as a formula
    print(res.log.summary())
    print(f"wrote {out} ({len(res.data):,} rows) and {rejects} ({len(res.rejects):,} rejects; no personal data)")
    return 0


def _inputs(items) -> list[str]:
    """``clean``'s inputs with each folder replaced by the register files in it (as given,
    relative paths stay relative: they are the rows' ``source_file``)."""
    from .ingest.sources import register_files

    out = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = register_files(p)
            if not found:
                raise UsageProblem(f"{item}: the folder holds no register file (CSV, xlsx, xls or Parquet). Give the "
                                   "folder that holds the exports, or the files themselves.")
            out += [str(f) for f in found]
        else:
            out.append(item)
    return out


def _clean_to_dataset(args: argparse.Namespace) -> int:
    from .ingest.cleaning import UNMAPPED_HINT
    from .ingest.dataset import DEFAULT_CHUNK_ROWS, WorkerDied, clean_to_dataset
    from .errors import StructuralError

    target = Path(args.out_dataset)
    if target.exists() and not target.is_dir():
        raise UsageProblem(f"--out-dataset {target} is a file; give a folder for the dataset.")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageProblem(f"--out-dataset {target}: the folder cannot be made ({err.strerror or err}). "
                           "Give a folder you can write to.") from None
    try:
        res = clean_to_dataset(list(args.inputs), args.out_dataset, args.mapping, encoding=args.encoding,
                               sheet=args.sheet,
                               collective_threshold=args.collective_threshold,
                               repeat_window_days=args.repeat_window_days,
                               chunk_rows=args.chunk_rows or DEFAULT_CHUNK_ROWS,
                               progress=None if not args.no_progress else False,
                               memory_limit=args.memory_limit, workers=args.workers)
    except (StructuralError, WorkerDied) as err:
        raise UsageProblem(f"{err}") from None
    print(f"rows read {res.rows_read:,}, clean {res.rows_clean:,}, rejected {sum(res.rejected.values()):,} "
          f"({', '.join(f'{k} {v:,}' for k, v in res.rejected.most_common())})")
    unmapped = res.unmapped_labels  # counts per field only: a label can be a name typed into the column
    for fld, counts in unmapped.items():
        print(f"unmapped {fld} labels: {counts['labels']:,} label(s) in {counts['rows']:,} row(s)")
    if unmapped:
        print(UNMAPPED_HINT)
    print(f"wrote {res.path}/year=*/ (Parquet, partitioned by year), _rejects.parquet and _log.json")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .errors import ReportParameterError  # not through publish.reports: its params module loads pandas
    from .publish.reports import ReportFailed, run

    params = {"data": args.data, "lang": args.lang, "public": args.public, "region": args.region,
              "mapping": args.mapping, "city": args.city, "office": args.office}
    if args.kind == "annual":  # no --year: the latest complete year in the data
        params.update(year=args.year, as_of=args.as_of)
    elif args.kind == "quarterly":
        if args.year is None or args.quarter is None:
            raise UsageProblem("a quarterly report needs --year and --quarter, e.g. --year 2023 --quarter 4.")
        params.update(year=args.year, quarter=args.quarter)
    else:
        params.update(start_year=args.start_year, end_year=args.end_year)
    try:
        res = run(args.kind, args.out, timeout=args.timeout, progress=not args.no_progress, **params)
    except ReportParameterError as err:
        raise UsageProblem(f"{err}") from None
    except ReportFailed as err:
        print(f"petition-analysis: report failed. {err}", file=sys.stderr)
        return 1
    print(f"wrote {res.html}\n      {res.ipynb}\n      {res.json}")
    print("phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in res.timings.items()))
    if not (res.summary.get("city") or {}).get("named", True):
        print("note: the city is not named, so the report says 全市 / \"the city\" and files are named 'city'; "
              "give --city NAME (e.g. --city 西安市) or --office office.yaml.")
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from .publish.reports import ReportParameterError, format_batch, load_plan, run_batch

    try:
        plan = load_plan(args.plan)
        table = run_batch(plan, workers=args.workers, timeout=args.timeout, out_dir=args.out,
                          progress=not args.no_progress)
    except ReportParameterError as err:
        raise UsageProblem(str(err)) from None
    print(format_batch(table))
    return 0 if (table["status"] == "ok").all() else 1  # one failure does not stop the others: 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petition-analysis",
        description="Load, clean and analyse Chinese petition (信访) registers, and run the reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help=f"show the Python traceback of an internal error (also {DEBUG_ENV_VAR}=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("headline", help="print the headline year-on-year table",
                       description="Print the headline year-on-year (同比) table: items, person-times, "
                                   "channels, national-level and leapfrog visits, collective and repeat visits. "
                                   "The figures, p-values and verdicts are those of the annual report for the "
                                   "same year, as-of date and region.")
    p.add_argument("--data", metavar="PATH", action="append",
                   help="clean Parquet files or raw exports: a file, folder or glob pattern; repeat it for several "
                        "(e.g. two years' exports); default: the bundled reference data")
    p.add_argument("--mapping", metavar="YAML", help="mapping file for raw exports (docs/mapping.md)")
    p.add_argument("--year", type=int, help="the year to report (default: the latest complete year)")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="year to date: compare 1 Jan … this day in both years")
    p.add_argument("--region", metavar="NAME", type=_region, help="one county or district (问题属地): its name in the "
                   "data, its English name or its slug; default: the whole city")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="labels (default: zh)")
    p.add_argument("--json", action="store_true",
                   help="print every figure as the report JSON's `figures` (same keys, p-values and verdicts)")
    p.set_defaults(func=_cmd_headline)

    synth = sub.add_parser("synth", help="generate synthetic data for XX City",
                           description="Generate synthetic registers with planted, known effects.")
    ssub = synth.add_subparsers(dest="synth_command", metavar="WHAT")
    r = ssub.add_parser("reference", help="(re)write the bundled data/reference and data/raw")
    r.add_argument("--out", default="data", metavar="DIR", help="the data folder (default: data)")
    r.add_argument("--seed", type=int, default=None, help="random seed (default: the reference seed)")
    r.add_argument("--no-raw", action="store_true", help="skip the messy raw samples")
    r.set_defaults(func=_cmd_synth_reference)
    g = ssub.add_parser("generate", help="a canonical table for any years, seed and scale")
    g.add_argument("--years", type=_year_range, default=(2014, 2023), metavar="FIRST-LAST", help="default 2014-2023")
    g.add_argument("--seed", type=int, default=None, help="random seed (default: the reference seed)")
    g.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 ≈ 30k items a year)")
    g.add_argument("-o", "--output", required=True, metavar="PARQUET", help="output Parquet file")
    g.add_argument("--manifest", metavar="JSON", help="also write the ground-truth manifest here")
    g.set_defaults(func=_cmd_synth_generate)
    m = ssub.add_parser("messy", help="a messy raw export made from clean rows, with its expected rejects",
                        description="Write a messy register export (title row, 合计 row, mixed dates, synonyms, "
                                    "fake personal data, invalid and duplicated rows) made from clean rows, and "
                                    "its expected rejects as OUTPUT.expected_rejects.csv.")
    m.add_argument("-o", "--output", required=True, metavar="FILE", help="output .csv or .xlsx")
    m.add_argument("--format", choices=["csv", "gbk", "xlsx", "board"],
                   help="csv (UTF-8 with BOM), gbk, xlsx (a sheet per quarter) or board (message-board CSV); "
                        "default from the file name")
    m.add_argument("--data", metavar="PARQUET", help="clean rows to start from (default: the reference data)")
    m.add_argument("--year", type=int, default=2019, help="year to sample rows from (default 2019)")
    m.add_argument("--rows", type=int, default=500, help="rows to sample (default 500)")
    m.add_argument("--seed", type=int, default=None, help="random seed (default: the reference seed)")
    m.set_defaults(func=_cmd_synth_messy)
    synth.set_defaults(func=lambda a: _help(synth))

    c = sub.add_parser("clean", help="clean raw register exports into the canonical table",
                       description="Clean raw register exports (CSV in UTF-8/GBK/GB18030, xlsx, xls, Parquet) into "
                                   "the canonical table. Prints a reconciliation table: rows read = clean + rejected "
                                   "by reason. Petitioner pseudonyms are keyed by the environment variable "
                                   "PETITION_PSEUDONYM_KEY (a random per-run key without it).")
    c.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders (the register files in them) or glob "
                   "patterns, cleaned together")
    c.add_argument("-o", "--output", metavar="PARQUET", help="clean output (.parquet)")
    c.add_argument("--out-dataset", metavar="DIR", help="instead of -o: clean in chunks (bounded memory) into a Parquet "
                   "dataset partitioned by year; INPUT may be a folder of raw files or one huge CSV (docs/performance.md)")
    c.add_argument("--chunk-rows", type=_at_least(1), metavar="N", help="rows per chunk of a CSV (default: 500,000 with "
                   "--out-dataset; with -o, files over 32 MB are read in chunks of 100,000 rows, which bounds memory "
                   "and gives the same result)")
    c.add_argument("--memory-limit", metavar="SIZE", type=_memory, help="DuckDB memory limit for the second pass, e.g. 6GB")
    c.add_argument("--workers", type=_at_least(1), metavar="N", help="with --out-dataset: processes that clean the "
                   "chunks (default: the CPU cores, at most 4; each holds one chunk in memory)")
    c.add_argument("--mapping", metavar="YAML", help="mapping file for unknown headers and values (docs/mapping.md)")
    c.add_argument("--rejects", metavar="CSV", help="rejected rows (default: OUTPUT.rejects.csv)")
    c.add_argument("--sheet", help="clean only this sheet of each workbook (default: all sheets)")
    c.add_argument("--encoding", help="CSV encoding (default: detected; utf-8, gbk or gb18030)")
    c.add_argument("--classifier", metavar="MODEL", help="category model for rows without a category (default: the "
                   "built-in keyword model; train one with `classify train`; docs/classification.md)")
    c.add_argument("--classifier-threshold", type=float, metavar="P",
                   help="confidence below which a predicted category stays 'other' (default: the model's)")
    c.add_argument("--collective-threshold", type=_at_least(2), default=5, metavar="N",
                   help="集体访: persons >= N (default 5; at least 2)")
    c.add_argument("--repeat-window-days", type=_at_least(1), default=365, metavar="DAYS",
                   help="重复访 window (default 365; at least 1)")
    c.add_argument("--no-progress", action="store_true", help="no progress bar")
    c.set_defaults(func=_cmd_clean)

    rp = sub.add_parser(
        "report", help="run a report notebook: ipynb, HTML (no code) and JSON",
        description="Run a parameterized report notebook with papermill and write NAME.ipynb (executed), "
                    "NAME.html (no code cells, images embedded) and NAME.json (headline figures with their "
                    "tests) under --out, e.g. reports/annual/2019/annual_2019_xx-city_zh.html.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  petition-analysis report annual                                # latest complete year\n"
               "  petition-analysis report annual --year 2019 --as-of 2019-12-20 --lang zh\n"
               "  petition-analysis report annual --year 2023 --region 庚县 --public\n"
               "  petition-analysis report quarterly --year 2023 --quarter 4\n"
               "  petition-analysis report hotspots --start-year 2014 --end-year 2023\n"
               "  petition-analysis report annual --year 2023 --data y2022.parquet --data y2023.parquet --city 西安市\n"
               "  petition-analysis report annual --data 'exports/register_*.xlsx' --mapping mapping.yaml --year 2019\n"
               "  petition-analysis report annual --office office.yaml --region 鄠邑区 --lang en --data exports/\n"
               "\n"
               "office file (--office, YAML; every key optional):\n"
               "  name: {zh: 西安市, en: Xi'an City}     # the city; default en and slug from pinyin\n"
               "  slug: xian                            # in file names (default: xian-shi)\n"
               "  lang: en                              # default report language\n"
               "  regions:                              # English names of regions; default from pinyin\n"
               "    鄠邑区: Huyi District                # (鄠邑区 → Huyi District, slug huyi-qu)\n"
               "    长安区: {en: Chang'an District, slug: changan}\n")
    rp.add_argument("kind", choices=["annual", "quarterly", "hotspots"], help="which report")
    rp.add_argument("--data", metavar="PATH", action="append",
                    help="clean canonical Parquet files, or raw CSV/xlsx exports (cleaned together, with --mapping if "
                         "their headers need one): a file, a folder or a glob pattern; repeat it for several, e.g. "
                         "the previous year's file too; default: the bundled reference data")
    rp.add_argument("--mapping", metavar="YAML", help="mapping file for raw exports (docs/mapping.md)")
    rp.add_argument("--city", type=_city, metavar="NAME",
                    help="the city's name in Chinese, e.g. 西安市: titles, text and file names (English name and "
                         "slug from pinyin); default: XX市 for the bundled data")
    rp.add_argument("--office", metavar="YAML",
                    help="office file: the city's names in zh and en, its regions' English names and slugs, the "
                         "default language (see below)")
    rp.add_argument("--year", type=int, help="annual: default the latest complete year; quarterly: required")
    rp.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="annual: year to date, e.g. 2019-12-20")
    rp.add_argument("--quarter", type=int, help="quarterly: 1-4")
    rp.add_argument("--start-year", type=int, help="hotspots: first year (default: the first in the data)")
    rp.add_argument("--end-year", type=int, help="hotspots: last year (default: the last year the data cover to its end)")
    rp.add_argument("--region", type=_region, help="one county or district (问题属地): its name in the data, its "
                    "English name or its slug (鄠邑区, 'Huyi District' or huyi-qu); default: the whole city")
    rp.add_argument("--lang", choices=["zh", "en"],
                    help="language of text, tables and plots (default: the office file's, else zh)")
    rp.add_argument("--public", action="store_true", help="public mode: suppress counts below 5 (shown as <5)")
    rp.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    rp.add_argument("--timeout", type=_at_least(1), default=600, metavar="SECONDS",
                    help="per-cell execution timeout (default 600)")
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    rp.set_defaults(func=_cmd_report)

    from .cli_boards import add_commands

    add_commands(sub, _at_least)  # classify train|apply, hot-issues (message boards)

    b = sub.add_parser(
        "batch", help="run a grid of reports from a YAML plan, in parallel",
        description="Run a grid of reports (years x quarters x regions x languages) from a YAML plan in "
                    "parallel worker processes. One failure does not stop the others; the exit code is 1 "
                    "when any report failed. See docs/batch.md for the plan format.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="plan example:\n"
               "  out_dir: reports\n  workers: 2\n  timeout: 600\n"
               "  # data, mapping, city and office are defaults for every report (as in `report`);\n"
               "  # data may be a list of files, folders and glob patterns; leave them out for the bundled data\n"
               "  # data: [exports/register_2022.xlsx, exports/register_2023.xlsx]\n"
               "  # mapping: mapping.yaml\n  # city: 西安市\n  # office: office.yaml\n"
               "  reports:\n"
               "    - kind: annual\n      years: [2022, 2023]\n      regions: [null, 庚县]\n      langs: [zh, en]\n"
               "    - kind: quarterly\n      years: [2023]\n      quarters: [1, 2, 3, 4]\n")
    b.add_argument("plan", metavar="PLAN.yaml")
    b.add_argument("--workers", type=_at_least(1), help="worker processes (default: the plan's, else 2)")
    b.add_argument("--timeout", type=_at_least(1), help="per-cell timeout in seconds (default: the plan's, else 600)")
    b.add_argument("--out", metavar="DIR", help="output folder (default: the plan's out_dir, else reports)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.set_defaults(func=_cmd_batch)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _skip_slow_optional_imports() -> None:
    """jsonschema, which nbformat imports for papermill and nbconvert, imports the optional
    package rfc3987_syntax when it is installed, and that package builds its IRI grammars at
    import: 1.4 s of every report command, for "iri" formats no notebook schema uses
    (python-jsonschema/jsonschema#1428). The process of a ``report`` or ``batch`` command
    goes without it (its batch workers are forked from it); jsonschema then skips those two
    formats. Nothing changes once jsonschema is imported."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" fails


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) in ("report", "batch"):  # the commands that run papermill
        _skip_slow_optional_imports()
    if getattr(args, "seed", "absent") is None:
        from .synth import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    debug = bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV_VAR, "") not in ("", "0")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # pragma: no cover
        print("petition-analysis: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`… | head`): not an error of ours
        try:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Exception as err:  # noqa: BLE001 - the one exception boundary of the command line
        if debug:
            raise
        code, text = _explain(err, argv)
        print(f"petition-analysis: {text}", file=sys.stderr)
        return code


def _explain(err: Exception, argv) -> tuple[int, str]:
    """Exit code and one paragraph for an error that reached :func:`main`."""
    from .errors import StructuralError
    from .publish.reports.params import ReportParameterError

    if isinstance(err, (UsageProblem, StructuralError, ReportParameterError)):
        return 2, " ".join(str(err).split("\n")) if isinstance(err, StructuralError) else str(err)
    if isinstance(err, OSError) and err.filename is not None:
        what = err.strerror or type(err).__name__
        return 2, (f"{err.filename}: {what}. Check the path: it must exist for an input and be in a folder you can "
                   "write to for an output (nothing more was written).")
    if isinstance(err, MemoryError):
        return 1, ("the input does not fit in memory. Clean it in chunks with `petition-analysis clean INPUT "
                   "--out-dataset DIR` (bounded memory; docs/performance.md), or give smaller --chunk-rows.")
    log = _log_bug(err, argv)
    return 1, (f"internal error ({type(err).__name__}: {str(err).strip()[:200]}). This is a bug in petition-analysis, "
               f"not a problem with your input as far as it can tell; the details were written to {log}. Please "
               f"report it with that file (run with --debug or {DEBUG_ENV_VAR}=1 to see the traceback).")


def _log_bug(err: Exception, argv) -> str:
    """Append the traceback of an internal error to the error log; returns its path."""
    import tempfile
    import traceback

    path = Path(os.environ.get(ERROR_LOG_ENV_VAR) or Path(tempfile.gettempdir()) / "petition-analysis-errors.log")
    try:
        # only the user may read it: an exception's text can hold a value from the data
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} petition-analysis {__version__} "
                     f"argv={list(argv) if argv is not None else sys.argv[1:]}\n")
            fh.write("".join(traceback.format_exception(err)))
        return str(path)
    except OSError:
        return "nowhere (the error log could not be written; run with --debug)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
