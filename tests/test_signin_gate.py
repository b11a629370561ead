"""The sign-in gate (storage/gate.py): the PIN checked on the raw connection before the full
replica is open, with the replica's own rules and records (#17).

Each rule is run on two copies of one window, once through the gate and once through the
replica, and must leave the same rows behind; what the gate writes reads back and chains
through the full replica; a file the gate must not touch (plaintext, not at the head, no key
on this PC) gets no gate and is left to the full open."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from conftest import NOW
from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS
from clerk_console.services import ServiceError
from clerk_console.services.audit import login
from clerk_console.storage import migrations
from clerk_console.storage.cipher import connect, replica_key
from clerk_console.storage.gate import SignInGate
from clerk_console.storage.replica import Replica


def _twin(replica, tmp_path):
    """A second window folder holding a copy of ``replica``'s file (same key id)."""
    home = tmp_path / "twin"
    home.mkdir()
    src = connect(replica.path)
    dst = connect(home / "replica.sqlite3", key=replica_key(replica.path.parent))
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copy(replica.path.parent / "replica.keyid", home / "replica.keyid")
    return home / "replica.sqlite3"


def _raw(path, sql, args=()):
    conn = connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _attempts(port, tries):
    """Sign in with each (clerk id, PIN, minutes after NOW); what each answered."""
    said = []
    for clerk_id, pin, minutes in tries:
        try:
            said.append(login(port, clerk_id, pin, now=NOW + timedelta(minutes=minutes)).id)
        except ServiceError as exc:
            said.append(str(exc)[:8])
    return said


TRIES = ([("c1", "000000", 0)] * MAX_PIN_ATTEMPTS  # the 5th wrong PIN locks for 5 minutes
         + [("c1", "111111", 1),  # the right PIN while locked: refused, audited as locked
            ("nobody", "111111", 2), ("c2", "222222", 2),  # unknown id, disabled account
            ("c1", "111111", 6),  # the lock is over: signed in, the count cleared
            ("boss", "654321", 7)])
CLERK_COLUMNS = "SELECT id, pin_hash, pin_salt, failed_attempts, locked_until, active FROM clerk"
AUDIT_COLUMNS = ("SELECT at, clerk_id, action, subject, detail, typeof(at), typeof(detail) "
                 "FROM audit_log WHERE action LIKE 'clerk.login%' ORDER BY seq")


def test_the_gate_keeps_every_rule_the_replica_keeps(replica, tmp_path):
    replica.add_clerk("c2", "孙丽", "222222")
    replica.set_active("c2", False)
    twin = _twin(replica, tmp_path)
    gate = SignInGate.open(twin)
    assert gate is not None
    try:
        through_gate = _attempts(gate, TRIES)
    finally:
        gate.close()
    through_replica = _attempts(replica, TRIES)
    assert through_gate == through_replica
    assert through_gate[-2:] == ["c1", "boss"] and through_gate[MAX_PIN_ATTEMPTS] != "c1"
    assert _raw(twin, CLERK_COLUMNS) == _raw(replica.path, CLERK_COLUMNS)
    gate_audit, replica_audit = _raw(twin, AUDIT_COLUMNS), _raw(replica.path, AUDIT_COLUMNS)
    assert [r[2] for r in gate_audit] == (["clerk.login_failed"] * MAX_PIN_ATTEMPTS + [
        "clerk.login_locked", "clerk.login_unknown", "clerk.login_disabled", "clerk.login",
        "clerk.login"])
    # the same stored text: datetimes and JSON as the tables' types write them
    assert [r[:5] for r in gate_audit] == [r[:5] for r in replica_audit]
    assert {r[5:] for r in gate_audit} == {("text", "text")}
    with Replica.open(twin) as full:  # what the gate wrote reads back through the tables
        assert full.audit_chain_problem() == ""
        assert full.get_clerk("c1").failed_attempts == 0
        last = full.audit_entries(limit=MAX_PIN_ATTEMPTS + 5)[::-1]
        assert last[MAX_PIN_ATTEMPTS - 1].detail["locked_until"] == "2026-11-27T09:35:00"


def test_a_gate_entry_chains_between_the_replicas_own(replica):
    replica.audit("c1", "applicant.unmask", "370602199003071235", {"supervisor": "boss"})
    gate = SignInGate.open(replica.path)  # beside the open replica, as the console has it
    assert gate is not None
    try:
        gate.audit("c1", "clerk.login", "c1", {"说明": "含中文", "n": [1, 2]}, at=NOW)
        replica.audit("boss", "clerk.unlock", "c1")
        with gate.write():  # nested calls are one transaction
            gate.audit("c1", "clerk.login_failed", "c1", {"left": 4})
            gate.audit("c1", "clerk.login", "c1")
    finally:
        gate.close()
    assert replica.audit_chain_problem() == ""
    entries = replica.audit_entries(limit=4)
    assert [e.action for e in entries] == ["clerk.login", "clerk.login_failed", "clerk.unlock",
                                           "clerk.login"]
    assert entries[3].detail == {"说明": "含中文", "n": [1, 2]} and entries[3].at == NOW
    seqs = [r[0] for r in _raw(replica.path, "SELECT seq FROM audit_log ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_failed_write_through_the_gate_leaves_nothing(replica):
    before = replica.audit_count()
    gate = SignInGate.open(replica.path)
    try:
        with pytest.raises(RuntimeError), gate.write():
            gate.audit("c1", "clerk.login_failed", "c1", {"left": 4})
            raise RuntimeError("power cut")
        assert replica.audit_count() == before
        assert gate.window().code == "YT0101" and gate.window().hall == "烟台市政务服务中心"
    finally:
        gate.close()


def test_no_gate_on_a_file_that_is_not_at_the_head(tmp_path):
    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0001")
    assert SignInGate.open(path) is None
    migrations.upgrade(path)
    gate = SignInGate.open(path)
    assert gate is not None and gate.window() is None  # at the head: a gate (no window yet)
    gate.close()


def test_no_gate_on_a_plaintext_file_a_missing_one_or_one_without_its_key(replica, tmp_path,
                                                                         monkeypatch):
    plain = tmp_path / "plain" / "replica.sqlite3"
    plain.parent.mkdir()
    conn = connect(replica.path)
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    assert plain.read_bytes().startswith(b"SQLite format 3\x00")  # at the head, but plaintext
    assert SignInGate.open(plain) is None
    assert SignInGate.open(tmp_path / "none" / "replica.sqlite3") is None
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert SignInGate.open(tmp_path / "empty.sqlite3") is None
    monkeypatch.setenv("CLERK_CONSOLE_KEY_DIR", str(tmp_path / "another-pc"))
    assert SignInGate.open(replica.path) is None  # no key here: the full open says so
    monkeypatch.undo()
    (replica.path.parent / "replica.keyid").write_text("0" * 32 + "\n", encoding="ascii")
    assert SignInGate.open(replica.path) is None  # another key id: no key for it either


def test_the_head_the_gate_compares_with_is_alembics():
    from clerk_console.storage.revisions import written_head

    assert written_head() == migrations.head() is not None
