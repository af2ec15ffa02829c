"""Benchmark: ``clean()`` of a messy CSV against the fastest read of the same file as text
(Arrow's CSV reader, through pandas or directly; pandas' C parser is recorded too), and
peak memory against the clean frame's size.

Each size runs ``--repeat`` rounds (default 3); a round measures the baselines and
``clean()``, each in a fresh process, one after the other, so that a round's ratio shares
the machine's load of the moment. The ratios reported are the medians over the rounds,
with their range.

    python benchmarks/bench_clean.py --sizes 100000 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from common import DATA, isolated, save, table, target


def make_input(rows: int, encoding: str = "utf-8-sig", seed: int = 1):
    path = DATA / f"messy_{rows}_{encoding}.csv"
    if path.exists():
        return path
    from petition_analysis import synth
    from petition_analysis.synth import messy

    DATA.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    # 2019 at scale 1 has about 30k rows: scale up to reach the row count, then trim.
    scale = math.ceil(rows / 29_000 * 1.02)
    clean_rows = synth.generate(2019, 2019, seed=seed, scale=scale).data.head(rows)
    mx = messy.make_messy_export(clean_rows, seed=seed)
    mx.write_csv(path, encoding=encoding)
    print(f"generated {path.name}: {len(mx.raw):,} raw rows in {time.perf_counter() - t:.1f} s")
    return path


def read_only(path):
    """pandas' C parser, every cell as text (the baseline of the first round of issue 14)."""
    import pandas as pd

    df = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    return {"rows": len(df)}


def read_arrow_pandas(path):
    """The fastest read as text through pandas: ``engine="pyarrow"``."""
    import pandas as pd

    df = pd.read_csv(path, header=None, dtype=str, engine="pyarrow")
    return {"rows": len(df)}


def read_arrow(path):
    """``pyarrow.csv`` straight to an Arrow table of strings."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding="utf-8-sig") as fh:
        width = len(fh.readline().split(","))
    names = [f"c{i}" for i in range(width)]
    t = pacsv.read_csv(path, read_options=pacsv.ReadOptions(column_names=names),
                       convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))
    return {"rows": t.num_rows}


def run_clean(path):
    from petition_analysis import clean

    res = clean(path, pseudonym_key="bench", progress=False, today="2024-01-01")
    data = res.data
    no_summary = data.drop(columns=["summary", "source_file", "source_row"])
    return {"rows": res.log.rows_read, "clean_rows": len(data), "rejects": len(res.rejects),
            "frame_mb": data.memory_usage(deep=True).sum() / 2**20,
            "bytes_per_row_no_summary": no_summary.memory_usage(deep=True).sum() / max(len(data), 1)}


BASELINES = (("pandas read_csv, C parser", read_only), ("pandas read_csv, engine=pyarrow", read_arrow_pandas),
             ("pyarrow.csv.read_csv", read_arrow))


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="rounds per size (medians are reported)")
    args = ap.parse_args(argv)
    rows, targets = [], []
    for n in args.sizes:
        path = make_input(n)
        rounds = []
        for _ in range(args.repeat):
            base = {name: isolated(func, path) for name, func in BASELINES}
            rounds.append((base, isolated(run_clean, path)))
        for name, _ in BASELINES:
            walls = [b[name]["wall_s"] for b, _ in rounds]
            rows.append({"size": n, "what": f"{name} (baseline)", "wall_s": statistics.median(walls),
                         "wall_s_all": walls, "rows_per_s": n / statistics.median(walls),
                         "cpu_s": statistics.median(b[name]["cpu_s"] for b, _ in rounds),
                         "peak_rss_mb": max(b[name]["peak_rss_mb"] for b, _ in rounds)})
        # The fastest read of the file as text, per round: the ratio's denominator.
        fastest = [min(b[name]["wall_s"] for name, _ in BASELINES[1:]) for b, _ in rounds]
        walls = [r["wall_s"] for _, r in rounds]
        ratios = [w / f for w, f in zip(walls, fastest)]
        ratios_c = [w / b[BASELINES[0][0]]["wall_s"] for w, (b, _) in zip(walls, rounds)]
        res = rounds[-1][1]
        nets = [r["peak_rss_mb"] - r["start_rss_mb"] for _, r in rounds]
        net = statistics.median(nets)
        cpu_ratio = [r["cpu_s"] / min(b[name]["cpu_s"] for name, _ in BASELINES[1:]) for b, r in rounds]
        rows.append({"size": n, "what": "clean()", "wall_s": statistics.median(walls), "wall_s_all": walls,
                     "cpu_s": statistics.median(r["cpu_s"] for _, r in rounds),
                     "cpu_ratio": statistics.median(cpu_ratio), "cpu_ratios_all": cpu_ratio,
                     "rows_per_s": res["rows"] / statistics.median(walls), "peak_rss_mb": res["peak_rss_mb"],
                     "ratio": statistics.median(ratios), "ratios_all": ratios,
                     "fastest_read_s": statistics.median(fastest), "ratio_vs_c_parser": statistics.median(ratios_c),
                     "net_peak_mb": net, "net_peak_mb_all": nets, "frame_mb": res["frame_mb"],
                     "peak_over_frame": net / res["frame_mb"],
                     "bytes_per_row_no_summary": res["bytes_per_row_no_summary"]})
    print(table(rows, ["size", "what", "wall_s", "cpu_s", "rows_per_s", "peak_rss_mb", "ratio", "cpu_ratio",
                       "ratio_vs_c_parser"]))
    for r in rows:
        if r["what"] == "clean()" and r["size"] == max(args.sizes):
            spread = f"(rounds {min(r['ratios_all']):.2f}–{max(r['ratios_all']):.2f})"
            print(f"clean {r['size']:,}: {r['wall_s']:.2f} s against the fastest read's {r['fastest_read_s']:.2f} s {spread}")
            targets.append(target(f"clean {r['size']:,}-row messy CSV vs the fastest read as text (median of "
                                  f"{args.repeat} rounds)", r["ratio"], 8))
            targets.append(target(f"peak memory cleaning {r['size']:,} rows (above the process's start) vs clean frame",
                                  r["peak_over_frame"], 4))
    save("clean", rows, targets, "ratio = clean() / the faster of pandas engine=pyarrow and pyarrow.csv in the same round "
         "(wall time; cpu_ratio the same with CPU seconds of all the process's threads); "
         "medians over the rounds (wall_s_all, ratios_all). peak_over_frame = (peak RSS - RSS at start of the "
         "process, after imports) / clean frame memory_usage(deep=True)")
    return rows


if __name__ == "__main__":
    main()
