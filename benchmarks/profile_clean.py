"""Profile of ``clean()`` by step: CPU and wall seconds of each cleaning step (and of
reading, the clean and rejects tables and the final schema check), summed over the chunks
of a messy CSV, in one process. Shows where the time of the cleaning benchmark goes.

    python benchmarks/profile_clean.py --rows 1000000
"""

from __future__ import annotations

import argparse
import collections
import functools
import time

from common import save, table

#: What is timed: the steps of cleaning.run_steps and the stages around them.
STEPS = ["work_frame", "mark_layout_rows", "mark_duplicates", "parse_received_date", "parse_channel", "parse_persons",
         "parse_level", "parse_region", "parse_categories", "parse_handling", "assign_case_ids",
         "mark_duplicate_case_ids", "protect_case_ids", "pseudonymize_petitioners", "mask_summary",
         "parse_board_fields", "predict_categories", "derive_flags", "data_table", "reject_table", "gate_regions"]


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    from bench_clean import make_input

    import petition_analysis.ingest.cleaning as cleaning
    import petition_analysis.ingest.derive as derive
    import petition_analysis.schema as schema

    path = make_input(args.rows)
    cpu, wall = collections.defaultdict(float), collections.defaultdict(float)

    def timed(module, name):
        func = getattr(module, name)

        @functools.wraps(func)
        def run(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return func(*a, **k)
            finally:
                cpu[name] += time.process_time() - c
                wall[name] += time.perf_counter() - t
        setattr(module, name, run)

    for name in STEPS:
        timed(cleaning, name)
    timed(derive, "flag_repeats")
    timed(schema, "validate")
    t, c = time.perf_counter(), time.process_time()
    cleaning.clean(str(path), pseudonym_key="bench", progress=False, today="2024-01-01")
    total_wall, total_cpu = time.perf_counter() - t, time.process_time() - c
    cpu["other (reading, joining chunks, …)"] = total_cpu - sum(cpu.values())
    wall["other (reading, joining chunks, …)"] = total_wall - sum(wall.values())
    rows = [{"what": k, "cpu_s": v, "cpu_share": v / total_cpu, "wall_s": wall[k]}
            for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])]
    rows.insert(0, {"what": "clean() total", "cpu_s": total_cpu, "cpu_share": 1.0, "wall_s": total_wall})
    print(table(rows, ["what", "cpu_s", "cpu_share", "wall_s"]))
    save("clean_profile", rows, [], f"clean() of the {args.rows:,}-row messy CSV in one process, each step timed "
         "(CPU seconds of the process, summed over the chunks); 'work_frame' includes finding the layout rows of "
         "each chunk, 'other' is reading the CSV, joining the chunks, repeat linking outside 'flag_repeats', and "
         "the timers' own cost")
    return rows


if __name__ == "__main__":
    main()
