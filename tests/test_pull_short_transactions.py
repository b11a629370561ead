"""Sync never holds the replica's write lock for long (issue #17): a whole e-licence download is
staged and merged in short transactions, ending exactly where the one-transaction swap did;
a case save that meets a sync transaction waits for it (busy_timeout) instead of failing."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest
from sqlalchemy import text

from clerk_console.storage.replica import Replica
from clerk_console.storage.replica import pull as pull_mod
from clerk_console.sync import apply
from clerk_console.sync.protocol import Dataset, Page

from conftest import NOW
from support.cases import make_case


def lic(key: str, number: str) -> tuple[str, str]:
    return key, json.dumps({"holder_id": key.split("|")[0], "type_code": "yyzz", "name": "营业执照",
                            "number": number, "issued": "2024-01-02", "expires": ""})


def live(replica) -> list[tuple]:
    with replica.tx.read() as s:
        return s.execute(text("SELECT key, holder_id, number, issued FROM elicence ORDER BY key")).all()


def download(replica, pages: list[Page]) -> None:
    replica.restart_pull("elicence")
    for page in pages:
        apply.apply(replica, Dataset.ELICENCE, page, staging=True)


def scenario(seed: int) -> tuple[list[tuple[str, str]], list[Page]]:
    """Live rows, then a download that changes, deletes, keeps and adds keys; a number comes
    under a second key too (a second holder: a row of its own)."""
    rnd = random.Random(seed)
    before = [lic(f"H{i:03d}|yyzz|{i}", f"N{i}") for i in range(40)]
    rows = [lic(f"H{i:03d}|yyzz|{i}", f"N{i}" if i % 3 else f"N{i}-new") for i in range(10, 60)]
    rows += [lic("H900|yyzz|x", "N11")]  # N11 under another key too
    rnd.shuffle(rows)
    tombs = [f"H{i:03d}|yyzz|{i}" for i in (15, 16, 70)]
    pages = [Page(rows=rows[:20], cursor=20, more=True),
             Page(rows=rows[20:], tombstones=tombs, cursor=60, more=True),
             Page(rows=[lic("H016|yyzz|16", "N16-back")], cursor=61)]
    return before, pages


def test_the_merge_ends_where_the_one_transaction_swap_did(replica, tmp_path, monkeypatch) -> None:
    before, pages = scenario(17)
    replica.apply_page("elicence", [{"key": k, "payload": json.loads(p)} for k, p in before], [], 5)
    other = Replica.open(tmp_path / "other.sqlite3")
    try:
        other.apply_page("elicence", [{"key": k, "payload": json.loads(p)} for k, p in before], [], 5)
        monkeypatch.setattr(pull_mod, "STAGE_CHUNK", 7)
        monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 3)
        download(replica, pages)  # merged by key, 3 keys a transaction
        with other.write():  # inside a caller's write: the one-transaction swap, as before
            download(other, pages)
        assert live(replica) == live(other)
        assert ("H016|yyzz|16", "H016", "N16-back", "2024-01-02") in live(replica)
        numbers = {k: n for k, _h, n, _i in live(replica)}
        assert numbers["H011|yyzz|11"] == numbers["H900|yyzz|x"] == "N11"  # two holders
        assert replica.cursor("elicence") == other.cursor("elicence") == 61
        with replica.tx.read() as s:
            assert s.execute(text("SELECT count(*) FROM sync_stage")).scalar() == 0
            assert s.execute(text("SELECT count(*) FROM kv WHERE key LIKE 'sync_stage_%'")).scalar() == 0
    finally:
        other.close()


@pytest.mark.parametrize("max_runs", [pull_mod.MAX_RUNS, 1])  # 1: too many runs, SQLite sorts
def test_staged_runs_merge_to_the_newest_row_of_each_key(replica, tmp_path, monkeypatch,
                                                         max_runs) -> None:
    """Pages staged in key order are merged as runs (no sort of the whole copy): a page staged
    twice (a kill after part of it), rows an older console staged unsorted, and tombstones
    end where the one-transaction swap does."""
    before, pages = scenario(29)
    monkeypatch.setattr(pull_mod, "MAX_RUNS", max_runs)
    monkeypatch.setattr(pull_mod, "STAGE_CHUNK", 5)
    other = Replica.open(tmp_path / "other.sqlite3")
    try:
        for r in (replica, other):
            r.apply_page("elicence", [{"key": k, "payload": json.loads(p)} for k, p in before], [], 5)
            r.restart_pull("elicence")
        legacy = [*pages[0].rows]
        random.Random(5).shuffle(legacy)
        with replica.write() as s:  # an older console's staging: the page's rows as they came
            for key, payload in legacy:
                s.execute(text("INSERT INTO sync_stage (dataset, key, payload) "
                               "VALUES ('elicence', :k, :p)"), {"k": key, "p": payload})
        half = Page(rows=pages[1].rows[:9], cursor=40, more=True)
        apply.apply(replica, Dataset.ELICENCE, half, staging=True)  # staged, then staged again
        for page in pages[1:]:
            apply.apply(replica, Dataset.ELICENCE, page, staging=True)
        with other.write():
            for page in pages:
                apply.apply(other, Dataset.ELICENCE, page, staging=True)
        assert live(replica) == live(other)
        assert ("H016|yyzz|16", "H016", "N16-back", "2024-01-02") in live(replica)
        assert not any(k.startswith("H070") for k, *_ in live(replica))  # a tombstone
    finally:
        other.close()


def test_a_merge_stopped_half_way_merges_again(replica, tmp_path, monkeypatch) -> None:
    before, pages = scenario(3)
    replica.apply_page("elicence", [{"key": k, "payload": json.loads(p)} for k, p in before], [], 5)
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 3)
    calls = {"n": 0}
    real = pull_mod.Pull.background_write

    def failing_write(self):
        calls["n"] += 1
        if calls["n"] == 8:  # in the middle of the merge
            raise OSError("killed (test)")
        return real(self)

    download(replica, pages[:2])
    monkeypatch.setattr(pull_mod.Pull, "background_write", failing_write)
    try:
        apply.apply(replica, Dataset.ELICENCE, pages[2], staging=True)
    except OSError:
        pass
    monkeypatch.setattr(pull_mod.Pull, "background_write", real)
    assert replica.cursor("elicence") == 5  # not moved: the download is not done
    apply.apply(replica, Dataset.ELICENCE, pages[2], staging=True)  # the last page again
    assert replica.cursor("elicence") == 61
    clean = Replica.open(tmp_path / "clean.sqlite3")
    try:
        clean.apply_page("elicence", [{"key": k, "payload": json.loads(p)} for k, p in before], [], 5)
        download(clean, pages)
        assert live(replica) == live(clean)
    finally:
        clean.close()


def test_a_save_waits_for_a_sync_transaction_instead_of_failing(replica) -> None:
    """The sync thread has its own connection; while it holds the write lock a save waits
    (busy_timeout) and then commits: never 'database is locked' / 办件未保存."""
    sync_side = Replica.open(replica.path)
    holding = threading.Event()

    def sync_transaction() -> None:
        with sync_side.write() as s:
            s.execute(text("UPDATE kv SET value = value WHERE key = 'none'"))
            holding.set()
            time.sleep(0.3)

    t = threading.Thread(target=sync_transaction)
    t.start()
    try:
        assert holding.wait(5)
        saved = replica.save_case(make_case("YT0101-20261127-0001"), clerk_id="c1", action="x",
                                  at=NOW)
    finally:
        t.join()
        sync_side.close()
    assert replica.get_case(saved.case_no) is not None


def test_background_writes_let_a_waiting_clerks_write_go_first(replica) -> None:
    """SQLite's lock is not fair; sync's short transactions start only when no clerk's write is
    waiting or running (in this process, per file)."""
    sync_side = Replica.open(replica.path)
    order: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def clerk_write() -> None:  # a clerk's save waiting for (or holding) the lock
        with replica.tx._gate.foreground_write():
            inside.set()
            release.wait(5)
            order.append("clerk")

    t = threading.Thread(target=clerk_write)
    t.start()
    try:
        assert inside.wait(5)
        threading.Timer(0.2, release.set).start()  # the clerk's write ends a moment later
        with sync_side.background_write():  # waits for it instead of racing it for the lock
            order.append("sync")
    finally:
        release.set()
        t.join()
        sync_side.close()
    assert order == ["clerk", "sync"]
