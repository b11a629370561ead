"""The workbench's queue page for a department with 100,000 open items:

    .venv/bin/python bench/bench_workbench.py [--items 100000] [--requests 40]
        [--db sqlite|postgres|both] [--postgres URL] [--quick]

The department's items (plus 10% more in another department) are written straight into
``bo_case_item`` (what push fills through ``service.review.index_cases``), due dates spread
over four months around today so a third are overdue. The back office runs as a real uvicorn
on loopback; a signed-in reviewer asks for the queue's first page, a page deep in (page 500),
the overdue filter and a search. Figures: the median server time of the page (the app's
``Server-Timing`` header: session, queries, rendering), with the whole HTTP round trip on
loopback beside it, and of ``review.queue`` alone; target ≤ 200 ms median for the page.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import median, result, scratch  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 27, 1, tzinfo=timezone.utc)
TARGET_MS = 200.0
DEPT = "SCJG"


def fill(engine, n: int) -> None:
    """``n`` open items of DEPT (and n/10 of XF), one per case, straight into the table."""
    from clerk_console.backoffice.service.review import search_text
    from clerk_console.backoffice.tables import CaseItem

    table = CaseItem.__table__
    start = date(2026, 9, 1)
    rows = []
    for i in range(n + n // 10):
        accepted = start + timedelta(days=i % 90)
        rows.append(dict(case_id=f"c{i}", item="3706134010020005000" if i < n else "XF1",
                         dept=DEPT if i < n else "XF", open=True,
                         case_no=f"YT{i % 50:04d}-{accepted:%Y%m%d}-{i:06d}",
                         window_id=f"w{i % 50}", window_code=f"YT{i % 50:04d}",
                         bundle="YZZY-KFD" if i % 3 == 0 else "", item_name="食品经营许可",
                         applicant=f"烟台第{i}号咖啡有限公司", accepted_on=accepted,
                         search=search_text(f"YT{i % 50:04d}-{accepted:%Y%m%d}-{i:06d}",
                                            f"烟台第{i}号咖啡有限公司", "食品经营许可"),
                         due=accepted + timedelta(days=30),
                         case_status="deferred" if i % 7 == 0 else "accepted",
                         verdict="correct" if i % 11 == 0 else "", decision="",
                         decided_at=None, updated_at=NOW))
    with engine.begin() as conn:
        for k in range(0, len(rows), 5000):
            conn.execute(table.insert(), rows[k:k + 5000])


def measure(label: str, engine, n: int, requests: int) -> None:
    import httpx

    from clerk_console.backoffice import loaders, service
    from clerk_console.backoffice.app import create_app
    from clerk_console.backoffice.db import reading
    from clerk_console.backoffice.service import accounts, review
    from clerk_console.backoffice.workbench.auth import COOKIE
    from clerk_console.sync.protocol import Dataset
    from support.loopback import AppServer

    root = Path(__file__).resolve().parent.parent
    with engine.begin() as conn:
        service.put_records(conn, Dataset.CATALOGUE,
                            loaders.catalogue_records(root / "data" / "catalogue"))
        accounts.add_account(conn, "scjg.bench", name="压测", role="reviewer", dept=DEPT,
                             password="bench-pass-2026", actor="bench", now=NOW)
        token, _ = accounts.open_session(conn, "scjg.bench", NOW)
    t0 = time.perf_counter()
    fill(engine, n)
    if engine.dialect.name == "postgresql":  # what autovacuum does after a big load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE bo_case_item")
    print(f"{label}: {n:,} open items of {DEPT} (+{n // 10:,} of another) written in "
          f"{time.perf_counter() - t0:.1f} s")
    pages = {"first_page": "", "page_500": "?page=500", "overdue": "?kind=overdue",
             "search": "?q=%E7%AC%AC4242%E5%8F%B7"}
    with AppServer(create_app(engine, clock=lambda: NOW)) as server, \
            httpx.Client(base_url=server.url, cookies={COOKIE: token}, timeout=30) as client:
        for name, query in pages.items():
            times, server_times = [], []
            for _ in range(requests):
                t = time.perf_counter()
                resp = client.get("/wb/queue" + query)
                times.append((time.perf_counter() - t) * 1000)
                assert resp.status_code == 200 and "row-link" in resp.text, resp.text[:300]
                server_times.append(float(resp.headers["server-timing"].split("dur=")[1]))
            result("workbench", f"{label}_{name}_server", median(server_times[1:]), "ms",
                   TARGET_MS, items=n, http_round_trip_ms=round(median(times[1:]), 1))
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        with reading(engine) as conn:
            page = review.queue(conn, DEPT, now=NOW)
        times.append((time.perf_counter() - t) * 1000)
    assert page.total == n and page.rows[0]["overdue"]
    result("workbench", f"{label}_queue_service", median(times[1:]), "ms", TARGET_MS, items=n)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--postgres", default=PG)
    ap.add_argument("--quick", action="store_true", help="small sizes (the smoke test)")
    args = ap.parse_args()
    if args.quick:
        args.items, args.requests = 30_000, 5
    from clerk_console.backoffice.db import make_engine

    if args.db in ("sqlite", "both"):
        folder = scratch("workbench")
        engine = make_engine(f"sqlite:///{folder / 'bo.sqlite3'}")
        measure("sqlite", engine, args.items, args.requests)
        engine.dispose()
    if args.db in ("postgres", "both"):
        try:
            import psycopg

            psycopg.connect(args.postgres, connect_timeout=3).close()
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL unreachable ({exc}); PostgreSQL not measured")
            return 0
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            engine = make_engine(f"{args.postgres}?options=-csearch_path%3D{schema}")
            measure("postgres", engine, args.items, args.requests)
            engine.dispose()
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
