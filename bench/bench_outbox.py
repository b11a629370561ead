"""The outbox of a busy window after years: what the status bar's queue length costs, and pruning.

A replica with ``--rows`` outbox events (default 400,000: about a busy window's 3 years; 794k
after 6), 99 % pushed and acknowledged, most past the retention. Timed in one run:

- the queue length as the status bar reads it every 2 s: ``outbox_queue`` (maintained counters)
  against ``outbox_counts`` (a COUNT over the table, what it was before), medians of 20 calls;
  the idle share of a core each costs at one call every 2 s;
- ``prune_outbox`` with a 90-day retention: total time and the longest single transaction
  (the write lock a save could wait behind).

    python bench/bench_outbox.py            # 400,000 events
    python bench/bench_outbox.py --quick    # 5,000
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta

import benchlib

REFRESH_SECONDS = 2.0
TARGET_QUEUE_MS = 1.0  # a status-bar refresh should cost nothing noticeable
TARGET_PRUNE_TX_MS = 50.0  # a save never waits longer on a pruning transaction


def build(path, rows: int, now: datetime) -> None:
    from clerk_console.domain.ids import new_id
    from clerk_console.storage.db import connect
    from clerk_console.storage.replica import Replica

    Replica.open(path).close()
    payload = json.dumps({"case": {"case_no": "YT0101-20240101-0001", "items": ["X"]}})
    conn = connect(path)
    with conn:
        batch = []
        for i in range(rows):
            created = now - timedelta(days=3 * 365) + timedelta(seconds=i * (3 * 365 * 86400 // rows))
            status = "pending" if i >= rows - rows // 200 else ("refused" if i % 500 == 0 else "pushed")
            pushed = None if status == "pending" else created + timedelta(minutes=1)
            batch.append((new_id(), "case", f"c{i}", "upsert", payload, "h" * 64,
                          created.isoformat(" "), status, 1, "", pushed and pushed.isoformat(" ")))
            if len(batch) == 20_000:
                conn.executemany("INSERT INTO outbox (id, entity, entity_id, op, payload, "
                                 "payload_hash, created_at, status, attempts, last_error, "
                                 "pushed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
                batch.clear()
        if batch:
            conn.executemany("INSERT INTO outbox (id, entity, entity_id, op, payload, payload_hash, "
                             "created_at, status, attempts, last_error, pushed_at) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
    conn.close()


def timed(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return benchlib.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=400_000)
    p.add_argument("--quick", action="store_true", help="5,000 events (smoke test)")
    args = p.parse_args(argv)
    rows = 5_000 if args.quick else args.rows
    from clerk_console.storage.replica import Replica, outbox

    now = datetime(2026, 12, 1, 9, 0)
    folder = benchlib.scratch("outbox-bench")
    path = folder / "replica.sqlite3"
    t = time.perf_counter()
    build(path, rows, now)
    print(f"  {rows:,} outbox events written in {time.perf_counter() - t:.1f} s")
    replica = Replica.open(path)
    try:
        replica.outbox_queue()  # the one-time count that creates the counters
        assert replica.outbox_queue() == {s: replica.outbox_counts().get(s, 0) for s in outbox.COUNTED}
        counted = timed(replica.outbox_counts, 20)
        kept = timed(replica.outbox_queue, 20)
        size = dict(rows=rows)
        benchlib.result("outbox", "queue_by_count", counted, "ms", **size)
        benchlib.result("outbox", "queue_by_counter", kept, "ms", TARGET_QUEUE_MS, **size)
        benchlib.result("outbox", "ratio_counter_to_count", kept / counted, "x", **size)
        benchlib.result("outbox", "idle_core_share_count", counted / 1000 / REFRESH_SECONDS * 100,
                        "%", **size)
        benchlib.result("outbox", "idle_core_share_counter", kept / 1000 / REFRESH_SECONDS * 100,
                        "%", **size)

        longest = [0.0]
        original = replica.write

        def watched():
            class Timed:
                def __enter__(self):
                    self.cm = original()
                    self.t = time.perf_counter()
                    return self.cm.__enter__()

                def __exit__(self, *exc):
                    out = self.cm.__exit__(*exc)
                    longest[0] = max(longest[0], time.perf_counter() - self.t)
                    return out
            return Timed()

        replica.write = watched
        t = time.perf_counter()
        pruned = replica.prune_outbox(now - timedelta(days=90))
        total = time.perf_counter() - t
        replica.write = original
        left = replica.outbox_counts()
        print(f"  pruned {pruned:,} in {total:.2f} s; left {left}")
        benchlib.result("outbox", "pruned", pruned, "events", **size)
        benchlib.result("outbox", "prune_total", total, "s", **size)
        benchlib.result("outbox", "prune_longest_transaction", longest[0] * 1000, "ms",
                        TARGET_PRUNE_TX_MS, batch=outbox.PRUNE_BATCH, **size)
    finally:
        replica.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
