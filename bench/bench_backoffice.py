"""The back office in operation, on PostgreSQL (127.0.0.1:5432/test, a schema of its own):

    .venv/bin/python bench/bench_backoffice.py [--cases 1000000] [--windows 200]
        [--batches 10] [--batch 20] [--only dashboard|push] [--quick]

``dashboard``: 1,000,000 cases over a year from 200 windows (1.1 items each, half of them
rated, the bad ratings with follow-ups) bulk-generated with SQL (``generate_series``, never the ORM); the
generated rows bypass the write paths, so every day is then marked (``facts.mark_all_dirty``)
and the rollup's cold rebuild of the whole year (``dashboard.rollup.refresh``) timed once on
its own; then the dashboard's figures (``dashboard.service.dashboard``, the server's whole
work for the page but rendering, on the built rollup) timed over one month and over the
whole year, medians of 7. Target ≤ 1 s.

``push``: ``serve --workers 2`` on the same database; 200 windows push at once, each
``--batches`` batches of ``--batch`` cases, then every window sends its last batch again (a
retry whose answer was lost). Throughput (cases/s), p50/p99 push latency, and the check that
nothing was lost or doubled: every case stored once, every event once, every retry answered
as a duplicate.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import median, percentile, result  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 27, 1, tzinfo=timezone.utc)
DEPTS = 10
ITEMS = 50


def schema_url(base: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{base}?options=-csearch_path%3D{schema}"


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


GENERATE = """
INSERT INTO bo_window (id, code, region, created_at, hostname)
SELECT 'w' || g, 'YT' || lpad(g::text, 4, '0'), '370602', now(), '' FROM generate_series(1, :windows) g;

INSERT INTO bo_case (id, case_no, window_id, version, status, payload, updated_at, outcome,
                     taken_on, promised_date, item_codes, decided_on)
SELECT 'c' || g, 'YT' || lpad(w::text, 4, '0') || '-' || to_char(day, 'YYYYMMDD') || '-'
       || lpad(g::text, 8, '0'), 'w' || w, 1, st, '{}', now(), oc, day, day + 10, items,
       CASE WHEN st IN ('decided', 'delivered') THEN day + (r % 14) END
FROM (SELECT g, w, day, r, items,
        CASE WHEN r < 30 THEN 'delivered' WHEN r < 50 THEN 'decided' WHEN r < 60 THEN 'accepted'
             WHEN r < 66 THEN 'deferred' WHEN r < 72 THEN 'completed' WHEN r < 75 THEN 'voided'
             WHEN r < 82 THEN 'approved_on_commitment' WHEN r < 84 THEN 'voided'
             WHEN r < 94 THEN 'notified' ELSE 'signposted' END AS st,
        CASE WHEN r < 60 THEN 'accepted' WHEN r < 75 THEN 'deferred'
             WHEN r < 84 THEN 'approved_on_commitment' WHEN r < 94 THEN 'notified'
             ELSE 'signposted' END AS oc
      FROM (SELECT g, 1 + g % :windows AS w, date '2026-01-01' + (g % 365)::int AS day,
                   (((g * 2654435761) % 4294967296) % 100)::int AS r,
                   CASE WHEN g % 10 = 0
                        THEN 'I' || lpad((((g * 40503) % 65536) % 50)::text, 2, '0') || ',I'
                             || lpad(((((g * 40503) % 65536) + 7) % 50)::text, 2, '0')
                        ELSE 'I' || lpad((((g * 40503) % 65536) % 50)::text, 2, '0') END
                   AS items
            FROM generate_series(1::bigint, :cases) g) s) t;

INSERT INTO bo_case_item (case_id, item, dept, open, case_no, window_id, window_code, bundle,
                          item_name, applicant, accepted_on, due, case_status, verdict,
                          decision, decided_at, updated_at)
SELECT c.id, it, 'D' || (substr(it, 2)::int % 10),
       c.decided_on IS NULL AND c.status IN ('accepted', 'deferred', 'approved_on_commitment',
                                             'completed'),
       c.case_no, c.window_id, '', '', it, '', c.taken_on, c.taken_on + 8 + (length(c.id) % 5),
       c.status, CASE WHEN c.decided_on IS NOT NULL THEN 'approve' ELSE '' END, '',
       c.decided_on + time '10:00', now()
FROM bo_case c, unnest(string_to_array(c.item_codes, ',')) AS it;

INSERT INTO bo_rating (id, window_id, case_no, level, payload, received_at, rated_on, item_codes)
SELECT 'r' || id, window_id, case_no, 1 + (length(id) * 13 + ascii(right(id, 1))) % 5, '{}',
       now(), taken_on, item_codes
FROM bo_case WHERE right(id, 1) IN ('0', '2', '4', '6', '8');

INSERT INTO bo_followup (id, window_id, case_no, step, status, due, version, payload, updated_at)
SELECT 'f' || id, window_id, case_no,
       (ARRAY['verify', 'fix', 'answer', 'closed', 'closed'])[1 + ascii(right(id, 1)) % 5],
       CASE WHEN ascii(right(id, 1)) % 5 >= 3 THEN 'closed' ELSE 'open' END,
       rated_on + 5, 1, '{}', now()
FROM bo_rating WHERE level >= 4 AND right(id, 2) <> '00';
ANALYZE;
"""


def catalogue() -> dict:
    return {"departments": [{"code": f"D{d}", "name": f"部门{d}", "short_name": f"部门{d}"}
                            for d in range(DEPTS)],
            "items": [{"code": f"I{i:02d}", "dept": f"D{i % DEPTS}"} for i in range(ITEMS)]}


def bench_dashboard(base: str, cases: int, windows: int, keep: bool = False) -> None:
    from datetime import date

    from sqlalchemy import text

    from clerk_console.backoffice import service
    from clerk_console.backoffice.dashboard.rollup import refresh
    from clerk_console.backoffice.dashboard.service import dashboard
    from clerk_console.backoffice.service.facts import mark_all_dirty
    from clerk_console.backoffice.db import make_engine, reading
    from clerk_console.sync.protocol import Dataset

    schema, url = schema_url(base)
    try:
        engine = make_engine(url)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            for statement in GENERATE.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement), {"cases": cases, "windows": windows})
            service.put_records(conn, Dataset.CATALOGUE, {("", "catalogue"): catalogue()})
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            n_ratings = conn.execute(text("SELECT count(*) FROM bo_rating")).scalar_one()
        print(f"generated {cases:,} cases, {n_ratings:,} ratings in "
              f"{time.perf_counter() - t0:.1f} s")
        t = time.perf_counter()
        with engine.begin() as conn:
            n_days = mark_all_dirty(conn)
        marked = time.perf_counter() - t
        t = time.perf_counter()
        with engine.begin() as conn:
            assert refresh(conn) == n_days
        cold = time.perf_counter() - t
        print(f"  marked {n_days} days in {marked:.2f} s; cold rebuild of the rollup "
              f"{cold:.2f} s")
        result("backoffice", "dashboard_rollup_cold", cold, "s", None, cases=cases, days=n_days)
        print("  load average %.2f %.2f %.2f" % os.getloadavg())
        today = date(2026, 12, 31)
        for label, start, end in (("month", date(2026, 6, 1), date(2026, 6, 30)),
                                  ("year", date(2026, 1, 1), date(2026, 12, 31))):
            times = []
            for _ in range(7):
                t = time.perf_counter()
                with reading(engine) as conn:
                    d = dashboard(conn, start, end, today=today)
                times.append(time.perf_counter() - t)
            print(f"  {label}: {d.total.taken:,} cases taken, {d.total.rated:,} rated, "
                  f"{len(d.windows)} windows, {len(d.departments)} departments")
            result("backoffice", f"dashboard_{label}", median(times), "s", 1.0, cases=cases,
                   taken=d.total.taken)
        engine.dispose()
    finally:
        if keep:
            print(f"schema kept: {schema}")
        else:
            drop_schema(base, schema)


def _payload(code: str, n: int) -> dict:
    return {"id": f"{code}-{n}", "case_no": f"{code}-20261127-{n:04d}", "window_code": code,
            "version": 1, "status": "accepted", "outcome": "accepted", "items": ["I01"],
            "accepted_at": "2026-11-27T09:30:00", "promised_date": "2026-12-11"}


async def _windows_push(url: str, tokens: dict[str, str], batches: int,
                        batch: int) -> tuple[list[float], dict[str, int], float]:
    import httpx

    from clerk_console.sync.protocol import PushItem, PushRequest, payload_hash

    latencies: list[float] = []
    answers: dict[str, int] = {}
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))

    async def window(client, code: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = b""
        for b in range(batches):
            items = []
            for n in range(b * batch + 1, (b + 1) * batch + 1):
                p = _payload(code, n)
                items.append(PushItem(id=f"ev-{code}-{n}", entity="case", entity_id=p["id"],
                                      op="save", payload=p, payload_hash=payload_hash(p)))
            body = PushRequest(items=items).model_dump_json().encode()
            await send(client, headers, body)
        await send(client, headers, body)  # the last batch again: its answer "lost"

    async def send(client, headers, body) -> None:
        t = time.perf_counter()
        r = await client.post(url + "/v1/push", content=body, headers=headers)
        latencies.append(time.perf_counter() - t)
        r.raise_for_status()
        for item in r.json()["results"]:
            answers[item["status"]] = answers.get(item["status"], 0) + 1

    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(window(client, c, t) for c, t in tokens.items()))
        return latencies, answers, time.perf_counter() - t0


def bench_push(base: str, windows: int, batches: int, batch: int) -> None:
    from sqlalchemy import func, select

    from clerk_console.backoffice.db import make_engine, reading
    from clerk_console.backoffice.service.common import CASE, EV
    from clerk_console.backoffice import service
    from support.loopback import BackofficeProcess

    def enroll_window(engine, code: str, now: datetime) -> str:
        with engine.begin() as conn:
            otc = service.issue_enrollment_code(conn, code, region="370602", now=now)
        with engine.begin() as conn:
            return service.enroll(conn, otc, now=now)[1]

    schema, url = schema_url(base)
    try:
        engine = make_engine(url)
        tokens = {f"YT{i:04d}": enroll_window(engine, f"YT{i:04d}", now=NOW)
                  for i in range(1, windows + 1)}
        with BackofficeProcess(url, workers=2) as server:
            latencies, answers, wall = asyncio.run(
                _windows_push(server.url, tokens, batches, batch))
        with reading(engine) as conn:
            stored = conn.execute(select(func.count()).select_from(CASE)).scalar_one()
            events = conn.execute(select(func.count()).select_from(EV)).scalar_one()
            distinct = conn.execute(select(func.count(func.distinct(CASE.c.case_no)))
                                    ).scalar_one()
        engine.dispose()
        sent = windows * batches * batch
        ok = (stored == events == distinct == sent and answers.get("accepted") == sent
              and answers.get("duplicate") == windows * batch)
        print(f"  {windows} windows x {batches} batches x {batch} cases via 2 workers: "
              f"{sent:,} cases in {wall:.1f} s; stored {stored:,}, events {events:,}, "
              f"answers {answers}; nothing lost or doubled: {ok}")
        result("backoffice", "push_throughput_inverse", 1 / (sent / wall) * 1000, "ms/case",
               None, cases_per_s=round(sent / wall, 1))
        result("backoffice", "push_p50", median(latencies) * 1000, "ms", None)
        result("backoffice", "push_p99", percentile(latencies, 99) * 1000, "ms", None)
        result("backoffice", "push_lost_or_doubled", 0 if ok else 1, "count", None)
    finally:
        drop_schema(base, schema)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--windows", type=int, default=200)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--postgres", default=PG)
    ap.add_argument("--only", choices=("dashboard", "push"))
    ap.add_argument("--quick", action="store_true", help="small sizes (the smoke test)")
    ap.add_argument("--keep", action="store_true", help="keep the dashboard's schema")
    args = ap.parse_args()
    if args.quick:
        args.cases, args.windows, args.batches, args.batch = 20_000, 10, 2, 5
    try:
        import psycopg

        psycopg.connect(args.postgres, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL unreachable ({exc}); nothing measured")
        return 0
    if args.only in (None, "dashboard"):
        bench_dashboard(args.postgres, args.cases, args.windows, args.keep)
    if args.only in (None, "push"):
        bench_push(args.postgres, args.windows, args.batches, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
