"""Fault drills with real processes on loopback: the console killed with SIGKILL during push
and pull, the back office killed mid-batch, answers lost after the server committed, batches
duplicated and reordered, a proxy that drops connections and adds latency.

After every drill: each case is on the server exactly once (same id, same version as the
window), every outbox event was received once, and every cursor matches what was applied.
"""
from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, text

from clerk_console.backoffice import service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.tables import ChangeLog, ReceivedEvent, ServerCase
from clerk_console.storage.replica import Replica
from clerk_console.sync.client import SyncClient
from clerk_console.commands.embedded import enroll_replica
from support.loopback import (BackofficeProcess, FaultProxy, child_context,
                                         kill_sync_child)
from clerk_console.sync.protocol import Dataset, ItemStatus, PushItem
from clerk_console.sync.runner import KV_URL, client_for, sync_once
from clerk_console.sync.token_store import window_token
from support.synthetic import add_cases

DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
REGION = "370602"


@pytest.fixture()
def backoffice(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    engine = make_engine(db_url)  # schema first, so the child and the test share it
    proc = BackofficeProcess(db_url, home=tmp_path).start()
    yield proc, engine
    proc.stop()


@pytest.fixture()
def replica(tmp_path, backoffice):
    proc, engine = backoffice
    r = Replica.open(tmp_path / "window" / "replica.sqlite3")
    r.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    enroll_replica(engine, r, proc.url, region=REGION)
    yield r
    r.close()


def licences(start: int, stop: int) -> dict:
    return {(REGION, f"H{i}|yyzz|N{i}"): {"holder_id": f"H{i}", "type_code": "yyzz",
                                          "name": "营业执照", "number": f"N{i}"}
            for i in range(start, stop)}


def sync_until_settled(replica, url=None, rounds=30, **kw):
    for _ in range(rounds):
        with client_for(replica, attempts=3, max_wait=0.5) as client:
            if url:
                client.http.base_url = url + "/v1"
            report = sync_once(replica, client, **kw)
        if report.online and not report.error and report.queued == 0:
            return report
    raise AssertionError(f"sync did not settle: {report.error}")


def assert_consistent(replica, engine):
    """Exactly once on the server; every cursor equals what was applied."""
    with replica.tx.read() as s:
        local_cases = dict(s.execute(text("SELECT id, version FROM \"case\"")).all())
        outbox = s.execute(text("SELECT id, status FROM outbox")).all()
        local_lic = {r[0] for r in s.execute(text("SELECT key FROM elicence"))}
        staged = s.execute(text("SELECT count(*) FROM sync_stage")).scalar()
        stage_kv = s.execute(text("SELECT count(*) FROM kv WHERE key LIKE 'sync_stage_%'")
                             ).scalar()
        cursor = s.execute(text("SELECT cursor FROM sync_cursor WHERE dataset='elicence'")
                           ).scalar()
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with reading(engine) as conn:
        server_cases = dict(conn.execute(select(ServerCase.id, ServerCase.version)).all())
        received = conn.execute(select(ReceivedEvent.event_id)).scalars().all()
        log = ChangeLog.__table__
        live = set(conn.execute(select(log.c.key).where(
            (log.c.dataset == "elicence") & (log.c.scope == REGION) & ~log.c.deleted)).scalars())
        top = conn.execute(select(func.max(log.c.seq)).where(
            (log.c.dataset == "elicence") & (log.c.scope == REGION))).scalar()
    assert server_cases == local_cases
    assert all(status == "pushed" for _id, status in outbox)
    assert sorted(received) == sorted(i for i, _s in outbox)  # each event received once
    assert local_lic == live and (int(cursor) if cursor is not None else None) == top
    assert staged == 0 and stage_kv == 0


@pytest.mark.slow
def test_kill_9_console_during_push_and_pull(replica, backoffice):
    proc, engine = backoffice
    rng = random.Random(20261127)
    ctx = child_context()
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, licences(0, 400))
    add_cases(replica, 40, window_code="YT0101", day=DAY)
    limits = {Dataset.ELICENCE: 40}
    killed = 0
    for trial in range(50):
        if trial % 2:  # pull side: new, changed and deleted licences; now and then a reset
            with engine.begin() as conn:
                base = 400 + trial * 10
                service.put_records(conn, Dataset.ELICENCE,
                                    {**licences(trial * 5, trial * 5 + 350),
                                     **licences(base, base + 60)}, replace_scopes=[REGION])
                if trial % 10 == 9:
                    service.compact(conn, Dataset.ELICENCE, keep=20)
        else:  # push side: more cases queued at the window
            add_cases(replica, 6, window_code="YT0101", day=DAY)
        killed += kill_sync_child(ctx, str(replica.path), rng, limits=limits, longest=0.6)
    assert killed >= 10  # many trials really were cut mid-round
    sync_until_settled(replica, limits=limits)
    assert_consistent(replica, engine)


@pytest.mark.slow
def test_backoffice_killed_and_restarted_mid_batch(replica, backoffice):
    proc, engine = backoffice
    add_cases(replica, 120, window_code="YT0101", day=DAY)

    def killer():
        for delay in (0.3, 0.5):
            time.sleep(delay)
            proc.kill()
            time.sleep(0.3)
            proc.start()

    t = threading.Thread(target=killer)
    t.start()
    try:
        for _ in range(40):
            with client_for(replica, attempts=4, max_wait=0.5) as client:
                report = sync_once(replica, client, batch=20)
            if not t.is_alive() and report.online and report.queued == 0:
                break
    finally:
        t.join()
    sync_until_settled(replica)
    assert_consistent(replica, engine)


def test_server_committed_but_answer_lost(replica, backoffice):
    proc, engine = backoffice
    add_cases(replica, 10, window_code="YT0101", day=DAY)
    with FaultProxy(proc.port, lose_answers=1) as proxy:
        replica.set_kv(KV_URL, proxy.url)
        with client_for(replica, attempts=3, max_wait=0.2) as client:
            report = sync_once(replica, client)
        assert proxy.dropped == 1
    assert report.duplicates == 10 and report.pushed == 0 and report.queued == 0
    replica.set_kv(KV_URL, proc.url)
    assert_consistent(replica, engine)


def test_duplicated_and_reordered_batches(replica, backoffice):
    proc, engine = backoffice
    add_cases(replica, 30, window_code="YT0101", day=DAY)
    events = replica.outbox_pending(100)
    items = [PushItem(id=e.id, entity=e.entity, entity_id=e.entity_id, op=e.op,
                      payload=e.payload, payload_hash=e.payload_hash) for e in events]
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    answers = []

    def send(batch):
        with SyncClient(proc.url, window_token(replica)) as client:
            answers.append(client.push(batch))

    threads = [threading.Thread(target=send, args=(b,)) for b in (items, shuffled, items[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [r.status for a in answers for r in a.results]
    assert statuses.count(ItemStatus.ACCEPTED) == 30
    assert statuses.count(ItemStatus.DUPLICATE) == 60
    for a in answers:
        replica.mark_pushed(a.results)
    assert_consistent(replica, engine)


@pytest.mark.slow
def test_proxy_dropping_connections_with_latency(replica, backoffice):
    proc, engine = backoffice
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, licences(0, 400))
    add_cases(replica, 60, window_code="YT0101", day=DAY)
    with FaultProxy(proc.port, latency=1.0, drop_rate=0.3, seed=3) as proxy:
        replica.set_kv(KV_URL, proxy.url)
        sync_until_settled(replica, batch=20, limits={Dataset.ELICENCE: 100})
        assert proxy.dropped > 0
    replica.set_kv(KV_URL, proc.url)
    assert_consistent(replica, engine)
