"""Issue #10, the audit log can be rewritten: the attacks of the issue against a closed
replica file with plain sqlite3, each found (or refused) now."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import text

from support.replica_files import copy_replica
from clerk_console.storage.db import connect as raw_connect
from clerk_console.storage.db import dbapi
from clerk_console.services import ServiceError
from clerk_console.services.audit import login
from clerk_console.storage.replica import Replica

sqlcipher = dbapi()  # the replica's DB-API module: its error classes


@pytest.fixture
def window(tmp_path, migrated_template):
    """A closed replica whose audit log holds 10 failed sign-ins between two good ones."""
    path = tmp_path / "replica.sqlite3"
    copy_replica(migrated_template, path)
    with Replica.open(path) as rep:
        rep.add_clerk("c1", "张敏", "111111")
        login(rep, "c1", "111111")
        for _ in range(4):
            with pytest.raises(ServiceError):
                login(rep, "c1", "999999")
        rep.unlock_clerk("c1")
        login(rep, "c1", "111111")
        assert rep.audit_chain_problem() == ""
    return path


def _sql(path, *statements):
    conn = raw_connect(path)
    try:
        with conn:
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


def _problem(path) -> str:
    with Replica.open(path) as rep:
        assert rep.audit_problem == rep.audit_chain_problem()  # the check on open saw it
        return rep.audit_problem


def test_insert_or_replace_is_refused_with_the_triggers_in_place(window):
    with pytest.raises(sqlcipher.DatabaseError, match="append-only"):
        _sql(window, "INSERT OR REPLACE INTO audit_log (id, at, clerk_id, action, subject, "
                     "detail, seq, prev_hash, hash) SELECT id, at, clerk_id, 'clerk.login', "
                     "subject, detail, seq, prev_hash, hash FROM audit_log "
                     "WHERE action = 'clerk.login_failed'")
    assert _problem(window) == ""


def test_a_rewritten_entry_is_found_even_with_the_triggers_dropped(window):
    _sql(window, "DROP TRIGGER audit_log_no_update",
         "UPDATE audit_log SET action = 'clerk.login' WHERE action = 'clerk.login_failed'")
    assert "内容与其校验值不符" in _problem(window)


def test_a_rewritten_entry_with_its_own_hash_recomputed_breaks_the_next_link(window):
    from clerk_console.storage.replica.audit import entry_hash

    with Replica.open(window) as rep:
        with rep.tx.read() as s:
            row = s.execute(text(
                "SELECT seq, prev_hash, id, at, clerk_id, subject, detail FROM audit_log "
                "WHERE action = 'clerk.login_failed' ORDER BY seq LIMIT 1")).one()
    forged = entry_hash(row.prev_hash, row.seq, row.id, datetime.fromisoformat(row.at),
                        row.clerk_id, "clerk.login", row.subject, json.loads(row.detail))
    _sql(window, "DROP TRIGGER audit_log_no_update",
         f"UPDATE audit_log SET action = 'clerk.login', hash = '{forged}' WHERE seq = {row.seq}")
    assert "与上一条衔接不上" in _problem(window)


def test_a_deleted_entry_is_found(window):
    _sql(window, "DROP TRIGGER audit_log_no_delete",
         "DELETE FROM audit_log WHERE action = 'clerk.login_failed'")
    assert "缺少第" in _problem(window)


def test_the_cli_checks_the_whole_chain(window):
    def verify():
        return subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir",
                               str(window.parent), "audit", "verify"],
                              capture_output=True, text=True, timeout=120)

    out = verify()
    assert out.returncode == 0 and "审计日志完整" in out.stdout, out.stderr
    _sql(window, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 1")
    out = verify()
    assert out.returncode == 1 and "缺少第 1 至 1 条" in out.stderr
