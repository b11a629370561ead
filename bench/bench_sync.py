"""Sync benchmarks on loopback; prints figures and their ratio to the targets.

    .venv/bin/python bench/bench_sync.py [--events 10000] [--licences 1000000] [--windows 50]
        [--per-window 40] [--postgres postgresql://postgres@127.0.0.1/test] [--only push|pull|windows]

Targets (issue): 10,000 queued events pushed in <= 10 s; 1,000,000 e-licence rows pulled and
applied in <= 60 s with console RSS <= 200 MB; a sync with nothing new = 1 request, <= 2 KB;
50 windows syncing at once: throughput on SQLite and on PostgreSQL.

Besides wall time each figure gives the CPU seconds of the console(s) and of the back office
(``/proc``), which load on the shared machine does not inflate. The e-licences are published in
a fixed shuffled order, as an import from a CSV would be, not in key order.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import result  # noqa: E402
from clerk_console.backoffice import service  # noqa: E402
from clerk_console.backoffice.db import make_engine  # noqa: E402
from clerk_console.storage.replica import Replica  # noqa: E402
from clerk_console.commands.embedded import enroll_replica  # noqa: E402
from support.loopback import BackofficeProcess, child_context  # noqa: E402
from clerk_console.sync.protocol import Dataset  # noqa: E402
from clerk_console.sync.runner import client_for, sync_once  # noqa: E402
from support.synthetic import add_cases  # noqa: E402

DAY = date(2026, 11, 27)
REGION = "370602"


def cpu_of(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def window(tmp: Path, engine, url: str, code: str, region: str = REGION) -> Replica:
    r = Replica.open(tmp / code / "replica.sqlite3")
    r.set_window(code, f"{code}窗口", "烟台市政务服务中心")
    enroll_replica(engine, r, url, region=region)
    return r


def bench_push(tmp: Path, engine, url: str, n: int, server_pid: int) -> None:
    r = window(tmp, engine, url, "YT0101")
    t = time.perf_counter()
    add_cases(r, n, window_code="YT0101", day=DAY)
    setup = time.perf_counter() - t
    with client_for(r) as c:
        server0, cpu0, t = cpu_of(server_pid), time.process_time(), time.perf_counter()
        rep = sync_once(r, c)
        took = time.perf_counter() - t
        cpu, server = time.process_time() - cpu0, cpu_of(server_pid) - server0
    scale = 10_000 / n
    print(f"push: {rep.pushed} events in {took:.2f} s ({rep.pushed / took:.0f}/s; "
          f"setup {setup:.1f} s); CPU console {cpu:.2f} s, back office {server:.2f} s")
    result("sync", "push_10k", took * scale, "s", 10, events=rep.pushed,
           console_cpu_s=round(cpu * scale, 2), backoffice_cpu_s=round(server * scale, 2))
    with client_for(r) as c:
        idle = sync_once(r, c)
    size = idle.bytes_sent + idle.bytes_received
    result("sync", "nothing_new_bytes", size, "B", 2048, requests=idle.requests)
    r.close()


def _pull_child(path: str, out: str) -> None:
    replica = Replica.open(Path(path))
    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    with client_for(replica) as c:
        rep = sync_once(replica, c)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rss = after.ru_maxrss / 1024
    Path(out).write_text(f"{took} {cpu} {rss} {rep.pulled.get('elicence', 0)} {rep.error}")


def licence(i: int) -> tuple[tuple[str, str], dict]:
    holder = f"37060219900101{i:07d}"
    return (REGION, f"{holder}|yyzz|N{i}"), {
        "holder_id": holder, "type_code": "yyzz", "name": "营业执照", "number": f"N{i}",
        "issued": "2020-01-01", "expires": ""}


def bench_pull(tmp: Path, engine, url: str, n: int, server_pid: int) -> None:
    t = time.perf_counter()
    # the server publishes in import order, which is not key order (a CSV is not sorted by
    # holder): a fixed shuffle, so the console cannot profit from keys arriving sorted
    order = list(range(n))
    random.Random(2026).shuffle(order)
    chunk = 100_000
    for start in range(0, n, chunk):
        with engine.begin() as conn:
            service.put_records(conn, Dataset.ELICENCE,
                                dict(licence(i) for i in order[start:start + chunk]))
    print(f"(server loaded {n} licences in {time.perf_counter() - t:.1f} s)")
    r = window(tmp, engine, url, "YT0202")
    r.close()
    out = tmp / "pull.txt"
    proc = child_context().Process(target=_pull_child, args=(str(r.path), str(out)))
    server0 = cpu_of(server_pid)
    proc.start()
    proc.join()
    server = cpu_of(server_pid) - server0
    took, cpu, rss, rows, *err = out.read_text().split(" ", 4)
    took, cpu, rss = float(took), float(cpu), float(rss)
    scale = 1_000_000 / n
    print(f"pull: {rows} rows pulled and applied in {took:.1f} s, console peak RSS {rss:.0f} MB,"
          f" CPU console {cpu:.1f} s, back office {server:.1f} s {' '.join(err)}")
    result("sync", "pull_1m", took * scale, "s", 60, rows=int(rows),
           console_cpu_s=round(cpu * scale, 1), backoffice_cpu_s=round(server * scale, 1))
    result("sync", "pull_rss", rss, "MB", 200, rows=int(rows))


def bench_windows(tmp: Path, engine, url: str, windows: int, per_window: int, label: str,
                  server_pid: int):
    # another region than the pull benchmark's: each window pushes its cases, pulls no index
    reps = [window(tmp, engine, url, f"W{label[:1].upper()}{i:03d}", "370211")
            for i in range(windows)]
    for r in reps:
        add_cases(r, per_window, window_code=r.window().code, day=DAY)
    results = []

    def run(r):
        with client_for(r) as c:
            results.append(sync_once(r, c, batch=100))

    threads = [threading.Thread(target=run, args=(r,)) for r in reps]
    server0, cpu0, t = cpu_of(server_pid), time.process_time(), time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t
    cpu, server = time.process_time() - cpu0, cpu_of(server_pid) - server0
    pushed = sum(x.pushed for x in results)
    failed = sum(1 for x in results if x.error)
    print(f"{windows} windows at once on {label}: {pushed} events in {took:.1f} s = "
          f"{pushed / took:.0f} events/s, {windows / took:.1f} window rounds/s, "
          f"{failed} rounds with errors; CPU consoles {cpu:.1f} s, back office {server:.1f} s")
    result("sync", f"windows_{label.lower()}", pushed / took, "events/s", None,
           windows=windows, rounds_with_errors=failed, consoles_cpu_s=round(cpu, 2),
           backoffice_cpu_s=round(server, 2))
    for r in reps:
        r.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--licences", type=int, default=1_000_000)
    ap.add_argument("--windows", type=int, default=50)
    ap.add_argument("--per-window", type=int, default=40)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--only", choices=("push", "pull", "windows"))
    args = ap.parse_args()
    run = {k: args.only in (None, k) for k in ("push", "pull", "windows")}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db = f"sqlite:///{tmp / 'bo.sqlite3'}"
        engine = make_engine(db)
        with BackofficeProcess(db, home=tmp) as bo:
            if run["push"]:
                bench_push(tmp, engine, bo.url, args.events, bo.proc.pid)
            if run["pull"]:
                bench_pull(tmp, engine, bo.url, args.licences, bo.proc.pid)
            if run["windows"]:
                bench_windows(tmp / "sqlite-windows", engine, bo.url, args.windows,
                              args.per_window, "SQLite", bo.proc.pid)
        if args.postgres and run["windows"]:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            try:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'CREATE SCHEMA "{schema}"')
            except psycopg.Error as exc:
                print(f"PostgreSQL skipped: {exc}")
                return 0
            url = f"{args.postgres}?options=-csearch_path%3D{schema}"
            try:
                pg = make_engine(url)
                with BackofficeProcess(url, home=tmp) as bo:
                    bench_windows(tmp / "pg-windows", pg, bo.url, args.windows,
                                  args.per_window, "PostgreSQL", bo.proc.pid)
                pg.dispose()
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
