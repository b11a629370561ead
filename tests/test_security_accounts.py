"""Issue #10, the window's accounts: attacks on PINs and sign-in, each reproduced.

- a stolen replica: the PIN hash must be expensive offline (argon2id, 6+ digits), and hashes
  of older consoles (scrypt) are replaced at the next right PIN;
- user enumeration by timing: an unknown id is refused after the same work as a known one.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import extract_parameters
from sqlalchemy import update

from conftest import NOW
from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS, lock_after
from clerk_console.services import ServiceError, accounts
from clerk_console.services.audit import login
from clerk_console.storage.replica import ReplicaError
from clerk_console.storage.tables import ClerkRow


def _stored(replica, clerk_id: str) -> ClerkRow:
    with replica.tx.read() as s:
        row = s.get(ClerkRow, clerk_id)
        return row.pin_hash, row.pin_salt


def test_a_stolen_hash_is_argon2id_at_the_measured_cost(replica):
    pin_hash, salt = _stored(replica, "c1")
    assert pin_hash.startswith(b"$argon2id$") and salt == b""
    params = extract_parameters(pin_hash.decode())
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert b"111111" not in pin_hash


@pytest.mark.parametrize("pin", ["1234", "12345", "0000"])
def test_short_pins_are_refused(replica, pin):
    with pytest.raises(ReplicaError, match="6 到 12 位数字"):
        replica.set_pin("c1", pin)


def test_an_old_scrypt_hash_still_signs_in_and_is_rehashed(replica):
    salt = secrets.token_bytes(16)
    old = hashlib.scrypt(b"2468", salt=salt, n=2**14, r=8, p=1, dklen=32)  # a 0.8 console's
    with replica.write() as s:
        s.execute(update(ClerkRow).where(ClerkRow.id == "c1")
                  .values(pin_hash=old, pin_salt=salt))
    assert replica.verify_pin("c1", "246800", NOW) is None  # a wrong PIN leaves the old hash
    assert _stored(replica, "c1") == (old, salt)
    assert login(replica, "c1", "2468").id == "c1"
    pin_hash, salt = _stored(replica, "c1")
    assert pin_hash.startswith(b"$argon2id$") and salt == b""
    assert replica.verify_pin("c1", "2468", NOW) is not None  # the same PIN, now under argon2id
    assert replica.get_clerk("c1").failed_attempts == 0


def _refusal_work(replica, monkeypatch, clerk_id: str) -> tuple[int, int, int]:
    """What one refused sign-in costs: PIN hashes verified, write commits, audit entries."""
    from sqlalchemy import event

    from clerk_console.storage import pins as clerks

    hashes, commits = [], []
    real = clerks.pin_matches
    monkeypatch.setattr(clerks, "pin_matches", lambda *a: hashes.append(1) or real(*a))
    engine = replica.tx.engine

    def count(_conn):
        commits.append(1)

    before = replica.audit_count()
    event.listen(engine, "commit", count)
    try:
        with pytest.raises(ServiceError, match="工号或 PIN 错误"):
            login(replica, clerk_id, "999999", now=NOW)
    finally:
        event.remove(engine, "commit", count)
        monkeypatch.setattr(clerks, "pin_matches", real)
    return len(hashes), len(commits), replica.audit_count() - before


def test_an_unknown_id_costs_what_a_known_one_does(replica, monkeypatch):
    """The attack: time the refusal of `nobody` and of `c1` with a wrong PIN. Before, the
    unknown id came back at once (no hash); then after one hash but no write, while a known
    id's wrong PIN was counted and audited in two commits (each an fsync: 30 ms apart under
    load). Now each refusal is one hash and one commit holding one audit entry; the time
    itself is measured by bench/bench_attacks.py (no timed assertion here)."""
    replica.add_clerk("c2", "孙丽", "222222")
    replica.set_active("c2", False)
    known = _refusal_work(replica, monkeypatch, "c1")
    assert known == (1, 1, 1)
    assert _refusal_work(replica, monkeypatch, "nobody") == known
    assert _refusal_work(replica, monkeypatch, "c2") == known
    actions = [e.action for e in replica.audit_entries(limit=3)]
    assert actions == ["clerk.login_disabled", "clerk.login_unknown", "clerk.login_failed"]


def _gate_refusal_work(gate, replica, monkeypatch, clerk_id: str) -> tuple[int, int, int]:
    """As _refusal_work, for a sign-in through the gate (its commits read off its SQL)."""
    from clerk_console.storage import pins

    hashes, statements = [], []
    real = pins.pin_matches
    monkeypatch.setattr(pins, "pin_matches", lambda *a: hashes.append(1) or real(*a))
    gate._conn.set_trace_callback(statements.append)
    before = replica.audit_count()
    try:
        with pytest.raises(ServiceError, match="工号或 PIN 错误"):
            login(gate, clerk_id, "999999", now=NOW)
    finally:
        gate._conn.set_trace_callback(None)
        monkeypatch.setattr(pins, "pin_matches", real)
    return len(hashes), statements.count("COMMIT"), replica.audit_count() - before


def test_through_the_sign_in_gate_a_refusal_costs_the_same_whatever_the_id(replica,
                                                                           monkeypatch):
    """The console checks a PIN before its replica is open through the sign-in gate
    (storage/gate.py): the same one hash and one commit holding one audit entry for an
    unknown, a disabled, a locked and a known id."""
    from clerk_console.storage.gate import SignInGate

    replica.add_clerk("c2", "孙丽", "222222")
    replica.set_active("c2", False)
    replica.add_clerk("c3", "周强", "333333")
    _wrong(replica, "c3", MAX_PIN_ATTEMPTS, NOW)
    gate = SignInGate.open(replica.path)
    try:
        known = _gate_refusal_work(gate, replica, monkeypatch, "c1")
        assert known == (1, 1, 1)
        for other in ("nobody", "c2", "c3"):
            assert _gate_refusal_work(gate, replica, monkeypatch, other) == known
    finally:
        gate.close()
    actions = [e.action for e in replica.audit_entries(limit=4)]
    assert actions == ["clerk.login_locked", "clerk.login_disabled", "clerk.login_unknown",
                       "clerk.login_failed"]


# ---------------------------------------------------------------------------- the lock


def _wrong(replica, clerk_id: str, times: int, at) -> None:
    for _ in range(times):
        with pytest.raises(ServiceError, match="工号或 PIN 错误"):
            login(replica, clerk_id, "999999", now=at)


def test_the_lock_grows_and_runs_out_instead_of_lasting_forever(replica):
    """The attack: five wrong PINs locked an account forever (a denial of service on any
    clerk, supervisors included). Now 5 min, then 10, 20 … at most a day."""
    _wrong(replica, "c1", 5, NOW)
    assert replica.get_clerk("c1").locked_until == NOW + timedelta(minutes=5)
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):  # the same answer when locked
        login(replica, "c1", "111111", now=NOW + timedelta(minutes=4))
    assert login(replica, "c1", "111111", now=NOW + timedelta(minutes=5)).id == "c1"
    assert replica.get_clerk("c1").locked_until is None
    later = NOW + timedelta(minutes=6)
    _wrong(replica, "c1", 5, later)
    _wrong(replica, "c1", 5, later + timedelta(minutes=5))
    assert replica.get_clerk("c1").locked_until == later + timedelta(minutes=15)
    assert [lock_after(n * MAX_PIN_ATTEMPTS) for n in (1, 2, 3, 12, 10**6)] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20),
        timedelta(hours=24), timedelta(hours=24)]
    assert lock_after(MAX_PIN_ATTEMPTS + 1) is None
    actions = [e.action for e in replica.audit_entries(subject="c1", limit=100)]
    assert actions.count("clerk.login_failed") == 15 and "clerk.login_locked" in actions


def test_a_supervisor_cannot_unlock_himself_another_one_can(replica):
    boss = accounts.authorise(replica, "boss", "654321")
    accounts.add(replica, "boss2", "王副主任", "555555", supervisor=True, by=boss)
    with pytest.raises(ServiceError, match="不能为自己的账号解锁"):
        accounts.unlock(replica, "boss", by=boss)
    _wrong(replica, "boss", 5, datetime.now())
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):  # a locked one cannot authorise
        accounts.authorise(replica, "boss", "654321")
    boss2 = accounts.authorise(replica, "boss2", "555555")
    assert not accounts.unlock(replica, "boss", by=boss2).locked
    assert accounts.authorise(replica, "boss", "654321").id == "boss"


def _enrolled(replica, tmp_path):
    from clerk_console.backoffice import service
    from clerk_console.backoffice.db import make_engine
    from clerk_console.sync.token_store import store_window_token

    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    utc = datetime.now(timezone.utc)
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0101", region="370602", now=utc)
    with engine.begin() as conn:
        token = service.enroll(conn, otc, now=utc)[1]
    store_window_token(replica, token)
    return engine, hashlib.sha256(token.encode()).digest()


def test_a_back_office_code_unlocks_a_window_whose_supervisors_are_all_locked(replica, tmp_path):
    from clerk_console.backoffice import service

    engine, key = _enrolled(replica, tmp_path)
    now = datetime.now()
    _wrong(replica, "boss", 5, now)
    assert replica.get_clerk("boss").locked_at(now)
    with engine.begin() as conn:
        code = service.issue_unlock_code(conn, "yt0101", "boss", now=datetime.now(timezone.utc))
        other = service.issue_unlock_code(conn, "YT0101", "c1", now=datetime.now(timezone.utc))
    unlock = lambda clerk_id, c, at=now: accounts.unlock_with_code(  # noqa: E731
        replica, clerk_id, c, key=key, window_code="YT0101", now=at)
    with pytest.raises(ServiceError, match="解锁码不对或已过期"):
        unlock("boss", other)  # c1's code does not unlock boss
    with pytest.raises(ServiceError, match="解锁码不对或已过期"):
        unlock("boss", code, now + timedelta(days=2))  # expired
    with pytest.raises(ServiceError, match="解锁码不对或已过期"):  # another window's key
        accounts.unlock_with_code(replica, "boss", code, key=bytes(32), window_code="YT0101",
                                  now=now)
    assert not unlock("boss", code).locked
    assert login(replica, "boss", "654321").id == "boss"
    with pytest.raises(ServiceError, match="已经用过"):
        unlock("boss", code)  # one time
    for _ in range(3):  # with the 2 wrong ones today above: 5
        with pytest.raises(ServiceError, match="解锁码不对"):
            unlock("c1", other[:-1] + str((int(other[-1]) + 1) % 10))  # guessing
    with pytest.raises(ServiceError, match="今天已输错 5 次"):
        unlock("c1", other)  # after 5 wrong codes, even the right one waits a day
    actions = [e.action for e in replica.audit_entries(limit=100)]
    assert actions.count("clerk.unlock_code") == 1 and actions.count("clerk.unlock_code_failed") == 6


def test_an_account_locked_by_an_older_console_stays_locked_until_unlocked(replica):
    with replica.write() as s:  # as 0.8 left it: five wrong PINs, no end time
        s.execute(update(ClerkRow).where(ClerkRow.id == "c1")
                  .values(failed_attempts=MAX_PIN_ATTEMPTS, locked_until=None))
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):
        login(replica, "c1", "111111", now=NOW + timedelta(days=30))
    replica.unlock_clerk("c1")
    assert login(replica, "c1", "111111", now=NOW).id == "c1"
