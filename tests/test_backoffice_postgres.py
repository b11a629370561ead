"""The back office on PostgreSQL (this machine's server: 127.0.0.1:5432, database ``test``).

Skipped when the server is unreachable, except in CI (CLERK_REQUIRE_POSTGRES=1), where an
unreachable server is a failure. Each test works in its own schema.
"""
from __future__ import annotations

import threading
from datetime import date

import pytest

from clerk_console.backoffice import service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.sync.protocol import Dataset, ItemStatus, PushItem, payload_hash

from support.postgres import NOW
from support.postgres import enroll_window as _window

pytestmark = pytest.mark.postgres


def _item(window_code, n, version=1):
    p = {"id": f"{window_code}-{n}", "case_no": f"{window_code}-20261127-{n:04d}",
         "window_code": window_code, "version": version, "status": "accepted"}
    return PushItem(id=f"ev-{window_code}-{n}-{version}", entity="case", entity_id=p["id"],
                    op="save", payload=p, payload_hash=payload_hash(p))


def test_exactly_once_under_concurrent_duplicate_batches(pg_url):
    engine = make_engine(pg_url)
    window = _window(engine, "YT0101")
    items = [_item("YT0101", n) for n in range(1, 201)]
    answers = []

    def send(batch):
        with engine.begin() as conn:
            answers.append(service.push(conn, window, batch, now=NOW))

    threads = [threading.Thread(target=send, args=(b,)) for b in (items, items[::-1], items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [r.status for a in answers for r in a]
    assert statuses.count(ItemStatus.ACCEPTED) == 200
    assert statuses.count(ItemStatus.DUPLICATE) == 400
    with reading(engine) as conn:
        assert service.count_cases(conn) == 200


def test_readers_never_skip_rows_committed_late(pg_url):
    """Writers in parallel threads, a reader following its cursor: it sees every record."""
    engine = make_engine(pg_url)
    window = _window(engine, "YT0101")
    n_writers, per_writer = 4, 30
    done = threading.Event()

    def writer(w):
        for i in range(per_writer):
            with engine.begin() as conn:
                service.put_records(conn, Dataset.BLACKLIST,
                                    {("", f"W{w}-{i}"): {"subject_id": f"W{w}-{i}"}})

    seen: set[str] = set()
    cursor = 0

    def read_once():
        nonlocal cursor
        with reading(engine) as conn:
            page = service.pull(conn, window, {Dataset.BLACKLIST: cursor},
                                {Dataset.BLACKLIST: 7})[Dataset.BLACKLIST]
        seen.update(k for k, _p in page.rows)
        cursor = page.cursor
        return page.more

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(n_writers)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        read_once()
    done.set()
    while read_once():
        pass
    assert len(seen) == n_writers * per_writer


def _push_from_windows(engine, urls, tmp_path, *, windows, cases=25):
    """``windows`` consoles, spread over ``urls``, push ``cases`` cases each at once: every
    case and every event arrives exactly once."""
    from sqlalchemy import func, select

    from clerk_console.backoffice.service.common import EV
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.storage.replica import Replica
    from clerk_console.sync.runner import client_for, sync_once
    from support.synthetic import add_cases

    replicas = []
    for i in range(windows):
        r = Replica.open(tmp_path / f"w{i}" / "replica.sqlite3")
        r.set_window(f"YT01{i:02d}", f"{i}号窗口", "烟台市政务服务中心")
        enroll_replica(engine, r, urls[i % len(urls)])
        add_cases(r, cases, window_code=f"YT01{i:02d}", day=date(2026, 11, 27))
        replicas.append(r)
    reports = []
    threads = [threading.Thread(target=lambda r=r: reports.append(
        sync_once(r, client_for(r), batch=5))) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in replicas:
        r.close()
    assert len(reports) == windows and all(rep.online and rep.pushed == cases for rep in reports)
    with reading(engine) as conn:
        assert service.count_cases(conn) == windows * cases
        per_window = conn.execute(select(EV.c.window_id, func.count()).group_by(EV.c.window_id)
                                  ).all()
    assert sorted(n for _w, n in per_window) == [cases] * windows


def test_two_server_processes_share_one_database(pg_url, tmp_path):
    from support.loopback import BackofficeProcess

    engine = make_engine(pg_url)
    servers = [BackofficeProcess(pg_url, home=tmp_path).start() for _ in range(2)]
    try:
        _push_from_windows(engine, [s.url for s in servers], tmp_path, windows=6)
    finally:
        for s in servers:
            s.stop()
    engine.dispose()


def test_serve_with_two_workers_takes_pushes_from_many_windows(pg_url, tmp_path):
    """`serve --workers 2`: uvicorn's supervisor and two worker processes on one port."""
    from pathlib import Path

    from support.loopback import BackofficeProcess

    engine = make_engine(pg_url)
    with BackofficeProcess(pg_url, home=tmp_path, workers=2) as server:
        children = [int(c) for t in Path(f"/proc/{server.proc.pid}/task").iterdir()
                    for c in (t / "children").read_text().split()]
        workers = [c for c in children
                   if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(workers) == 2, children
        _push_from_windows(engine, [server.url], tmp_path, windows=8)
    engine.dispose()


def test_twenty_concurrent_enrolls_with_one_code_get_exactly_one_token(pg_url):
    """The attack: 20 enrolls with one code at once got 3-10 working-looking tokens."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0909", region="370602", now=NOW)
    barrier = threading.Barrier(20)
    tokens, refusals = [], []

    def enroll(i):
        barrier.wait()
        try:
            with engine.begin() as conn:
                tokens.append(service.enroll(conn, otc, now=NOW, install_id=f"pc-{i}")[1])
        except service.BackofficeError as exc:
            refusals.append(exc.status)

    threads = [threading.Thread(target=enroll, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == 1 and refusals == [403] * 19
    with reading(engine) as conn:
        assert service.authenticate(conn, tokens[0]).code == "YT0909"
    engine.dispose()


def test_health_is_503_with_a_chinese_reason_while_the_database_is_down(pg_url, tmp_path):
    """The server reaches PostgreSQL through a proxy; stopping the proxy takes the database
    away from a running server: /v1/health says so, /v1/ping (no database) still answers."""
    import httpx

    from support.loopback import BackofficeProcess, FaultProxy

    proxy = FaultProxy(5432).start()
    url = pg_url.replace("127.0.0.1:5432/", f"127.0.0.1:{proxy.port}/")
    server = BackofficeProcess(url, home=tmp_path).start()
    try:
        assert httpx.get(server.url + "/v1/health", timeout=10).status_code == 200
        proxy.stop()
        r = httpx.get(server.url + "/v1/health", timeout=30)
        assert r.status_code == 503
        assert r.json()["status"] == "down" and "数据库无法连接" in r.json()["detail"]
        assert httpx.get(server.url + "/v1/ping", timeout=10).status_code == 200
    finally:
        server.stop()


def test_a_retry_through_the_other_server_process_is_not_doubled(pg_url, tmp_path):
    """20 windows each send one batch to both server processes at once (a retry that a
    load balancer sent to the other process): every event is accepted by exactly one of
    them and answered as a duplicate by the other; every case is stored once."""
    import asyncio

    import httpx
    from sqlalchemy import func, select

    from clerk_console.backoffice.service.common import CASE, EV
    from clerk_console.sync.protocol import PushRequest
    from support.loopback import BackofficeProcess

    engine = make_engine(pg_url)
    tokens = {}
    for i in range(20):
        with engine.begin() as conn:
            otc = service.issue_enrollment_code(conn, f"YT02{i:02d}", region="370602", now=NOW)
        with engine.begin() as conn:
            tokens[f"YT02{i:02d}"] = service.enroll(conn, otc, now=NOW)[1]
    servers = [BackofficeProcess(pg_url, home=tmp_path).start() for _ in range(2)]

    async def run():
        async with httpx.AsyncClient(timeout=60) as client:
            async def window(code, token):
                body = PushRequest(items=[_item(code, n) for n in range(1, 11)]
                                   ).model_dump_json()
                answers = await asyncio.gather(*(client.post(
                    s.url + "/v1/push", content=body,
                    headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"}) for s in servers))
                return [r.json()["results"] for r in answers]
            return await asyncio.gather(*(window(c, t) for c, t in tokens.items()))

    try:
        per_window = asyncio.run(run())
    finally:
        for s in servers:
            s.stop()
    for answers in per_window:
        for a, b in zip(*answers, strict=True):  # one event, as each process answered it
            assert sorted((a["status"], b["status"])) == ["accepted", "duplicate"]
    with reading(engine) as conn:
        assert conn.execute(select(func.count()).select_from(CASE)).scalar_one() == 200
        assert conn.execute(select(func.count()).select_from(EV)).scalar_one() == 200
    engine.dispose()
