"""#10: the window's audit log goes to the back office, which keeps its own copy and checks
every pushed entry against it (a real back office on loopback, a real replica)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from clerk_console.backoffice import service
from clerk_console.backoffice.db import reading
from clerk_console.domain.hashing import audit_entry_hash
from clerk_console.sync.protocol import AuditEntryWire
from clerk_console.sync.runner import KV_AUDIT_PUSHED, client_for, sync_once

T0 = datetime(2026, 11, 27, 9, 0)  # every entry's time is given: one clock for the test


@pytest.fixture()
def replica(enrolled_replica):
    return enrolled_replica


def round_(replica):
    with client_for(replica) as client:
        return sync_once(replica, client)


def held(engine, replica) -> list[dict]:
    with reading(engine) as conn:
        return service.window_audit(conn, "YT0101", limit=10_000)


def _audit(replica, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        replica.audit("c001", "clerk.login_failed", "c001", {"try": i},
                      at=T0 + timedelta(minutes=i))


def test_entries_reach_the_back_office_once_with_their_chain(replica, engine):
    _audit(replica, 5)
    report = round_(replica)
    assert report.online and not report.audit_problem
    total = replica.audit_count()
    assert report.audit_pushed == total >= 5
    copy = sorted(held(engine, replica), key=lambda e: e["seq"])
    with replica.tx.read() as s:
        local = s.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq")).all()
    assert [(e["seq"], e["hash"]) for e in copy] == [tuple(r) for r in local]
    assert round_(replica).audit_pushed == 0  # nothing new: nothing sent again
    replica.set_kv(KV_AUDIT_PUSHED, "0")  # a lost confirmation: sent again, kept once
    assert round_(replica).audit_pushed == total and len(held(engine, replica)) == total


def test_a_log_rewritten_after_it_was_pushed_is_found_by_the_back_offices_copy(
        replica, engine):
    _audit(replica, 5)
    round_(replica)
    before = held(engine, replica)
    # the window's file is edited by whoever holds it: the last entries cut off and others
    # written in their place, each with a correct hash — the window's own chain holds
    with replica.tx.engine.begin() as c:
        top = c.execute(text("SELECT max(seq) FROM audit_log")).scalar()
        c.execute(text("DROP TRIGGER audit_log_no_delete"))
        c.execute(text(f"DELETE FROM audit_log WHERE seq > {top - 2}"))
    _audit(replica, 4, start=100)
    assert replica.audit_chain_problem() == ""
    report = round_(replica)
    assert "后台核对审计日志发现问题" in report.audit_problem and "衔接不上" in report.audit_problem
    assert held(engine, replica) == before  # the copy is kept as it was
    with reading(engine) as conn:
        assert any(r["action"] == "audit-chain-broken" for r in service.admin_log(conn))


def test_a_forged_entry_is_refused(replica, engine):
    _audit(replica, 1)
    round_(replica)
    through = int(replica.get_kv(KV_AUDIT_PUSHED))
    last = max(held(engine, replica), key=lambda e: e["seq"])
    good = dict(seq=through + 1, id="x1", at=T0, clerk_id="c001", action="clerk.login",
                subject="c001", detail={}, prev_hash=last["hash"])
    with client_for(replica) as client:
        forged = client.push_audit([AuditEntryWire(**good, hash="0" * 64)])
        assert forged.through == through and "校验值不符" in forged.problem
        gap = dict(good, seq=through + 3)
        ok_hash = audit_entry_hash(gap["prev_hash"], gap["seq"], "x1", T0, "c001",
                                   "clerk.login", "c001", {})
        skipped = client.push_audit([AuditEntryWire(**gap, hash=ok_hash)])
        assert skipped.through == through and "缺少第" in skipped.problem
        real = audit_entry_hash(good["prev_hash"], good["seq"], "x1", T0, "c001",
                                "clerk.login", "c001", {})
        assert client.push_audit([AuditEntryWire(**good, hash=real)]).through == through + 1


def test_the_cli_lists_a_windows_copy_and_refuses_an_unknown_window(replica, bo, capsys):
    from clerk_console.backoffice import cli

    _audit(replica, 2)
    round_(replica)
    assert cli.main(["--db", bo.db_url, "window-audit", "yt0101"]) == 0
    out = capsys.readouterr().out
    assert "clerk.login_failed" in out and "2026-11-27T09:01" in out
    assert cli.main(["--db", bo.db_url, "window-audit", "NOPE"]) != 0
    assert "没有编号为NOPE的窗口" in capsys.readouterr().err
