"""A case save never waits long on sync (issue #17): the in-process gate hands a waiting save
the lock the moment sync's transaction ends (not SQLite's busy handler, which sleeps in growing
steps), sync's long transactions commit early when a save is waiting, and the sync worker
shortens the interpreter's switch interval so sync's Python does not hold the save up."""
from __future__ import annotations

import json
import sys
import threading

import pytest
from sqlalchemy import text

from clerk_console.storage import cipher
from clerk_console.storage.replica import Replica
from clerk_console.storage.replica import pull as pull_mod
from clerk_console.sync import apply
from clerk_console.sync import worker as worker_mod
from clerk_console.sync.protocol import Dataset, Page

from conftest import NOW
from support.cases import make_case


def lic(i: int, tag: str = "") -> tuple[str, str]:
    return f"H{i:04d}|yyzz|{i}", json.dumps({
        "holder_id": f"H{i:04d}", "type_code": "yyzz", "name": "营业执照", "number": f"N{i}{tag}",
        "issued": "2024-01-02", "expires": ""})


def live(replica) -> list[tuple]:
    with replica.tx.read() as s:
        return s.execute(text("SELECT key, number FROM elicence ORDER BY key")).all()


def test_a_waiting_save_gets_the_lock_from_the_gate_not_from_sqlites_busy_handler(
        tmp_path, monkeypatch) -> None:
    """With SQLite's busy timeout at 0, a save that reached SQLite while sync held the lock
    would fail at once ("database is locked"); the gate makes it wait for sync's transaction
    to end and then begin, so it commits."""
    monkeypatch.setattr(cipher, "BUSY_TIMEOUT_MS", 0)  # every connection opened from here on
    clerk = Replica.open(tmp_path / "r.sqlite3")
    sync = Replica.open(tmp_path / "r.sqlite3")
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def sync_transaction() -> None:
        with sync.background_write() as s:
            s.execute(text("UPDATE kv SET value = value WHERE key = 'none'"))
            holding.set()
            release.wait(5)
            order.append("sync")

    t = threading.Thread(target=sync_transaction)
    t.start()
    try:
        assert holding.wait(5)
        # the save's thread must be waiting on the gate before sync lets go
        threading.Thread(target=lambda: (wait_for_clerk(clerk), release.set())).start()
        saved = clerk.save_case(make_case("YT0101-20261127-0001"), clerk_id="c1", action="x",
                                at=NOW)
        order.append("clerk")
    finally:
        release.set()
        t.join()
        sync.close()
    assert order == ["sync", "clerk"]
    assert clerk.get_case(saved.case_no) is not None
    clerk.close()


def wait_for_clerk(replica) -> None:
    """Until a clerk's write is waiting on the replica's gate (bounded)."""
    done = threading.Event()
    for _ in range(500):
        if replica.tx.clerk_waiting():
            return
        done.wait(0.01)
    raise AssertionError("the save never reached the gate")


def counting(monkeypatch, replica) -> list[int]:
    """Count the replica's background transactions."""
    n = [0]
    real = replica.background_write

    def counted():
        n[0] += 1
        return real()

    monkeypatch.setattr(replica, "background_write", counted)
    return n


@pytest.mark.parametrize("waiting", [False, True], ids=["alone", "a-save-waits"])
def test_a_long_delta_page_commits_early_while_a_save_waits_and_ends_the_same(
        replica, tmp_path, monkeypatch, waiting) -> None:
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 60)
    monkeypatch.setattr(pull_mod, "DELTA_CHUNK", 60)
    monkeypatch.setattr(pull_mod, "TURN", 10)
    before = Page(rows=[lic(i) for i in range(0, 150, 2)], cursor=5)
    page = Page(rows=[lic(i, "-2") for i in range(150)], tombstones=[lic(4)[0]], cursor=9)
    other = Replica.open(tmp_path / "other.sqlite3")
    try:
        for r in (replica, other):
            apply.apply(r, Dataset.ELICENCE, before, staging=False)
        with other.write():  # one transaction: the reference end
            apply.apply(other, Dataset.ELICENCE, page, staging=False)
        monkeypatch.setattr(replica.tx, "clerk_waiting", lambda: waiting)
        n = counting(monkeypatch, replica)
        apply.apply(replica, Dataset.ELICENCE, page, staging=False)
        # 150 writes (key 4's tombstone and row are one): chunks of 60 (3 transactions)
        # alone, one batch of 10 each (15) behind a waiting save
        assert n[0] == (15 if waiting else 3)
        assert live(replica) == live(other)
        assert replica.cursor("elicence") == other.cursor("elicence") == 9
    finally:
        other.close()


@pytest.mark.parametrize("waiting", [False, True], ids=["alone", "a-save-waits"])
def test_a_whole_download_commits_early_while_a_save_waits_and_ends_the_same(
        replica, tmp_path, monkeypatch, waiting) -> None:
    monkeypatch.setattr(pull_mod, "STAGE_CHUNK", 50)
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 50)
    monkeypatch.setattr(pull_mod, "TURN", 10)
    pages = [Page(rows=[lic(i) for i in range(0, 100)], cursor=100, more=True),
             Page(rows=[lic(i, "-2") for i in range(50, 120)], tombstones=[lic(7)[0]],
                  cursor=170)]
    other = Replica.open(tmp_path / "other.sqlite3")
    try:
        with other.write():
            other.restart_pull("elicence")
            for page in pages:
                apply.apply(other, Dataset.ELICENCE, page, staging=True)
        monkeypatch.setattr(replica.tx, "clerk_waiting", lambda: waiting)
        n = counting(monkeypatch, replica)
        replica.restart_pull("elicence")
        for page in pages:
            apply.apply(replica, Dataset.ELICENCE, page, staging=True)
        assert live(replica) == live(other) and len(live(replica)) == 119
        assert replica.cursor("elicence") == other.cursor("elicence") == 170
        with replica.tx.read() as s:
            assert s.execute(text("SELECT count(*) FROM sync_stage")).scalar() == 0
        alone = n[0]
        if waiting:  # every transaction gave way after one batch of 10: many more of them
            assert alone > 20
        else:  # staged 100 + 71 in chunks of 50, merged in chunks of 50, cleaned up
            assert alone <= 12
    finally:
        other.close()


def test_the_sync_worker_shortens_the_switch_interval_but_never_lengthens_it(
        monkeypatch) -> None:
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        worker_mod.share_the_interpreter()
        assert sys.getswitchinterval() == pytest.approx(worker_mod.SWITCH_INTERVAL_S)
        sys.setswitchinterval(0.0002)
        worker_mod.share_the_interpreter()
        assert sys.getswitchinterval() == pytest.approx(0.0002)
    finally:
        sys.setswitchinterval(before)


def test_sync_pauses_its_python_while_a_clerks_save_runs(replica) -> None:
    """Between steps of its Python (a page's rows parsed, writes built) sync calls
    ``give_way``: while a clerk's write waits or runs it sleeps, so the write has the
    interpreter to itself."""
    order: list[str] = []
    gate = replica.tx._gate
    with gate.foreground_write():
        t = threading.Thread(target=lambda: (replica.tx.give_way(), order.append("sync")))
        t.start()
        t.join(0.2)  # the clerk's write is still running: sync must not have gone on
        order.append("clerk")
    t.join(5)
    assert order == ["clerk", "sync"]


def test_give_way_inside_a_write_of_ones_own_returns_at_once(replica, monkeypatch) -> None:
    """A page applied inside the caller's write (one transaction) must not wait for that
    very write: it would sleep BACKGROUND_YIELD_S at every pause."""
    from clerk_console.storage import db

    monkeypatch.setattr(db, "BACKGROUND_YIELD_S", 60.0)
    done = threading.Event()

    def inside() -> None:
        with replica.write():
            replica.tx.give_way()
        done.set()

    t = threading.Thread(target=inside, daemon=True)
    t.start()
    assert done.wait(10), "give_way waited for the caller's own write"
