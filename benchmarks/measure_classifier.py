"""Measure the category classifiers on a labelled message-board export.

    .venv/bin/python benchmarks/measure_classifier.py LABELLED.csv [--folds 5] [--json OUT]

LABELLED is any export with a category column (一级分类, 问题分类 …) and message text
(留言, 留言详情, 留言主题 …), read as ``petition-analysis classify train`` reads it. Prints
the default keyword model's accuracy and macro-F1 (codes compared after the 2018
crosswalk) and the trained model's cross-validated accuracy, macro-F1 and confusion
matrix. The file's text is read only in memory; nothing of it is written.
"""

from __future__ import annotations

import argparse
import json
import time

from petition_analysis.classify import evaluate, read_labelled, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labelled")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    data = read_labelled(args.labelled)
    t0 = time.perf_counter()
    default = evaluate(data, model="default")
    t1 = time.perf_counter()
    model = train(data, folds=args.folds)
    t2 = time.perf_counter()
    out = {"rows": len(data), "default": default, "default_seconds": round(t1 - t0, 1),
           "trained": {k: model.metrics[k] for k in ("accuracy", "macro_f1", "folds", "rows", "coverage",
                                                     "accuracy_above_threshold")},
           "trained_classes": model.classes, "trained_confusion": model.metrics["confusion"],
           "train_seconds": round(t2 - t1, 1)}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
