"""Applying e-licence deltas against a fresh download, per row (target: delta ≤ 1.5× fresh).

One run, one replica: ``--rows`` e-licences downloaded whole (staged in pages of 20,000, then
merged in), then every row changed once and applied as incremental pages of 20,000 in a
shuffled key order (a window back after days offline). Both figures include making the
pages' JSON, which is the same for both. Wall time is the target's figure; the process's CPU
time is printed too (it moves less with the machine's other load).

    python bench/bench_delta.py            # 200,000 rows
    python bench/bench_delta.py --quick    # 20,000 rows
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time

import benchlib

TARGET_RATIO = 1.5
PAGE = 20_000


def rows(keys: list[int], tag: str) -> list[tuple[str, str]]:
    return [(f"H{i:07d}|yyzz|{i}", json.dumps({
        "holder_id": f"H{i:07d}", "type_code": "yyzz", "name": "营业执照", "number": f"N{i}{tag}",
        "issued": "2024-01-02", "expires": ""})) for i in keys]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--quick", action="store_true", help="20,000 rows (smoke test)")
    args = p.parse_args(argv)
    n = 20_000 if args.quick else args.rows
    from clerk_console.storage.replica import Replica
    from clerk_console.sync import apply
    from clerk_console.sync.protocol import Dataset, Page

    folder = benchlib.scratch("delta-bench")
    rnd = random.Random(17)
    keys = list(range(n))
    rnd.shuffle(keys)
    replica = Replica.open(folder / "replica.sqlite3")
    try:
        replica.restart_pull("elicence")
        t, c = time.perf_counter(), time.process_time()
        for s in range(0, n, PAGE):
            apply.apply(replica, Dataset.ELICENCE, Page(rows=rows(keys[s:s + PAGE], ""),
                                                        cursor=s + PAGE, more=s + PAGE < n),
                        staging=True)
        fresh = (time.perf_counter() - t) / n * 1e6
        fresh_cpu = (time.process_time() - c) / n * 1e6
        rnd.shuffle(keys)
        t, c = time.perf_counter(), time.process_time()
        for s in range(0, n, PAGE):
            apply.apply(replica, Dataset.ELICENCE, Page(rows=rows(keys[s:s + PAGE], "-2"),
                                                        cursor=n + s + PAGE), staging=False)
        delta = (time.perf_counter() - t) / n * 1e6
        delta_cpu = (time.process_time() - c) / n * 1e6
        assert replica.elicences(f"H{keys[0]:07d}")[0].number.endswith("-2")
    finally:
        replica.close()
    shutil.rmtree(folder, ignore_errors=True)
    benchlib.result("delta", "fresh_per_row", fresh, "us", rows=n)
    benchlib.result("delta", "delta_per_row", delta, "us", rows=n)
    benchlib.result("delta", "ratio_delta_to_fresh", delta / fresh, "x", TARGET_RATIO, rows=n)
    # CPU time of this process (the machine's other load counts less; fsync waits not at all)
    benchlib.result("delta", "fresh_cpu_per_row", fresh_cpu, "us", rows=n)
    benchlib.result("delta", "delta_cpu_per_row", delta_cpu, "us", rows=n)
    benchlib.result("delta", "ratio_cpu_delta_to_fresh", delta_cpu / fresh_cpu, "x", rows=n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
