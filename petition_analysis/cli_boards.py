"""Command-line subcommands for message boards: ``classify train``, ``classify apply`` and
``hot-issues`` (registered by :func:`petition_analysis.cli.build_parser`).

A module of the package's top level, not of :mod:`petition_analysis.classify`: every command
builds this parser, and importing a submodule of ``classify`` would import that package
(pandas, scipy.sparse; about 0.5 s) before the command even starts."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_commands"]


def _confidence(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give a confidence between 0 and 1, e.g. 0.4") from None
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"{v} is not between 0 and 1; give e.g. 0.4")
    return v


def _problem(text: str):
    from .cli import UsageProblem

    return UsageProblem(text)


def _cmd_train(args: argparse.Namespace) -> int:
    from .cli import _output
    from .errors import StructuralError
    from .classify import read_labelled, train

    out = _output(args.output, "the model file")
    try:
        data = read_labelled(args.labelled, args.mapping, sheet=args.sheet, encoding=args.encoding)
    except StructuralError as err:
        raise _problem(f"{err} (no model was written)") from None
    try:
        model = train(data, folds=args.folds, threshold=args.threshold)
    except ValueError as err:
        raise _problem(f"{args.labelled}: {err} (no model was written)") from None
    model.save(out)
    m = model.metrics
    print(f"trained on {m['rows']:,} labelled messages in {len(model.classes)} categories; "
          f"{m['folds']}-fold cross-validation:")
    print(f"  accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}; above the threshold {model.threshold:g}: "
          f"{m['coverage']:.1%} of messages, accuracy {m['accuracy_above_threshold'] or 0:.3f}")
    print(_confusion_text(model.classes, m["confusion"]))
    print(f"wrote {out} (model format {model.format_version}, petition-analysis {model.package_version}; "
          "no message text is stored)")
    return 0


def _confusion_text(classes: list[str], confusion: list[list[int]]) -> str:
    """The confusion matrix as a small table (rows: labelled, columns: predicted)."""
    from . import taxonomy

    names = [taxonomy.label(c, "zh") for c in classes]
    width = max(6, *(len(n) * 2 for n in names))
    head = "  labelled \\ predicted".ljust(width + 2) + " ".join(f"{i + 1:>5}" for i in range(len(classes)))
    lines = ["confusion matrix (rows: labelled category, columns: predicted, numbered as the rows):", head]
    for i, (name, row) in enumerate(zip(names, confusion)):
        lines.append(f"  {i + 1:>2} {name}".ljust(width + 2 - len(name)) + " ".join(f"{v:>5}" for v in row))
    return "\n".join(lines)


def _cmd_apply(args: argparse.Namespace) -> int:
    """Predict the categories of a clean Parquet file's rows without one (or of every row)."""
    from .cli import _output
    from .errors import StructuralError
    from .synth.write import write_parquet
    from .ingest.sources import _read_canonical
    from .classify import classify

    src = Path(args.data)
    if not src.exists() or src.suffix.lower() != ".parquet":
        raise _problem(f"{src}: give a clean Parquet file (from `petition-analysis clean`).")
    out = _output(args.output, "the output")
    try:  # a clean table: readable, and of the canonical schema
        df = _read_canonical(src)
        res = classify(df, args.model, threshold=args.threshold, overwrite=args.all)
    except StructuralError as err:
        raise _problem(f"{err} (nothing was written)") from None
    write_parquet(res, out)
    counts = res["category_source"].value_counts()
    print(f"categories: {', '.join(f'{k} {int(v):,}' for k, v in counts.items() if v)}; "
          f"predicted below the threshold (left 'other'): "
          f"{int(((res['category_source'] == 'predicted') & (res['category'] == 'other')).sum()):,}")
    print(f"wrote {out} ({len(res):,} rows)")
    return 0


def _cmd_hot_issues(args: argparse.Namespace) -> int:
    from .analysis.hot_issues import hot_issues
    from .errors import StructuralError
    from .ingest.cleaning import clean
    from .ingest.sources import _read_canonical

    src = [Path(p) for p in args.inputs]
    try:
        if len(src) == 1 and src[0].suffix.lower() == ".parquet" and args.mapping is None:
            df = _read_canonical(src[0])
        else:
            df = clean([str(p) for p in src], args.mapping, classifier=args.classifier, progress=False).data
    except StructuralError as err:
        raise _problem(f"{err} (nothing was written)") from None
    if "summary" not in df and "subject" not in df:
        raise _problem("the export has no message text (留言详情, 留言主题 or 诉求): hot issues are found in the text. "
                       "Map its text column to summary in the mapping file ('columns: {内容: summary}').")
    hi = hot_issues(df, window_days=args.window_days, similarity=args.similarity, min_messages=args.min_messages,
                    top=args.top)
    if args.public:
        hi = hi.public(args.k)
    a, b = hi.to_csv(args.out)
    print(f"{len(hi.table)} hot issue(s) in {len(df):,} messages"
          + (f" (public: only issues raised by at least {args.k} users)" if args.public else ""))
    for r in hi.table.head(10).itertuples(index=False):
        print(f"  {r.rank:>3}. heat {r.heat:5.2f}  {r.messages:>4} messages, {r.users:>4} users  "
              f"{r.first_date:%Y-%m-%d}–{r.last_date:%Y-%m-%d}  {r.label}")
    print(f"wrote {a} and {b} (case_id per issue; no user names)")
    return 0


def add_commands(sub, at_least) -> None:
    """Register ``classify`` and ``hot-issues`` on the CLI's subparsers."""
    cl = sub.add_parser("classify", help="train or apply a category model for messages without a category",
                        description="Category models for message boards (docs/classification.md). Without a "
                                    "model, `clean` predicts missing categories with the built-in keyword model.")
    csub = cl.add_subparsers(dest="classify_command", metavar="{train,apply}")
    t = csub.add_parser("train", help="learn a model from your own labelled export, with cross-validated accuracy",
                        description="Train a category model (TF-IDF of character n-grams + a linear SVM) on a "
                                    "labelled export: a category column (一级分类, 问题分类 …) and text (留言主题, "
                                    "留言详情, 留言 …). Prints stratified cross-validated accuracy, macro-F1 and the "
                                    "confusion matrix, then writes the model as a JSON file.",
                        epilog="example:\n  petition-analysis classify train labelled.csv -o board.model.json.gz\n"
                               "  petition-analysis clean board.csv -o clean.parquet --mapping m.yaml "
                               "--classifier board.model.json.gz",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("labelled", metavar="LABELLED", help="labelled export (CSV, xlsx)")
    t.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file (.json, or .json.gz compressed)")
    t.add_argument("--mapping", metavar="YAML", help="mapping file: header renames, your labels → taxonomy codes")
    t.add_argument("--folds", type=at_least(2), default=5, metavar="K", help="cross-validation folds (default 5)")
    t.add_argument("--threshold", type=_confidence, default=0.4, metavar="P",
                   help="confidence below which a prediction stays 'other' (default 0.4)")
    t.add_argument("--sheet", help="read only this sheet")
    t.add_argument("--encoding", help="CSV encoding (default: detected)")
    t.set_defaults(func=_cmd_train)
    a = csub.add_parser("apply", help="predict the categories of a clean Parquet file",
                        description="Predict the category of the rows of a clean table that have none "
                                    "(--all: every row), adding category_source and category_confidence.")
    a.add_argument("data", metavar="PARQUET")
    a.add_argument("-o", "--output", required=True, metavar="PARQUET")
    a.add_argument("--model", metavar="MODEL", help="model file (default: the built-in keyword model)")
    a.add_argument("--threshold", type=_confidence, metavar="P", help="override the model's confidence threshold")
    a.add_argument("--all", action="store_true", help="predict every row, also those with a category")
    a.set_defaults(func=_cmd_apply)
    cl.set_defaults(func=lambda _a: (cl.print_help(), 2)[1])

    h = sub.add_parser("hot-issues", help="find hot issues (热点问题) in a message-board export",
                       description="Group messages about the same concrete problem at the same place within a "
                                   "time window, rank them by the heat index (docs/classification.md) and write "
                                   "DIR/hot_issues.csv and DIR/hot_issue_members.csv (issue rank, case_id).",
                       epilog="example:\n  petition-analysis hot-issues board.csv --mapping board.yaml -o hot/",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    h.add_argument("inputs", nargs="+", metavar="EXPORT", help="raw export(s), or one clean Parquet file")
    h.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    h.add_argument("--mapping", metavar="YAML", help="mapping file for the export (docs/mapping.md)")
    h.add_argument("--classifier", metavar="MODEL", help="category model for messages without a category")
    h.add_argument("--window-days", type=at_least(0), default=60, metavar="DAYS",
                   help="messages further apart are not grouped (default 60)")
    h.add_argument("--similarity", type=_confidence, default=0.3, metavar="S",
                   help="text similarity that links two messages (cosine, default 0.3)")
    h.add_argument("--min-messages", type=at_least(2), default=5, metavar="N", help="smallest issue (default 5)")
    h.add_argument("--top", type=at_least(1), metavar="N", help="keep the N hottest issues")
    h.add_argument("--public", action="store_true",
                   help="only issues raised by at least --k distinct users (disclosure control)")
    h.add_argument("--k", type=at_least(2), default=5, help="the public threshold (default 5)")
    h.set_defaults(func=_cmd_hot_issues)
