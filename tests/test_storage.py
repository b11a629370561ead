"""The replica on real SQLite files: pragmas, transactions, audit log, case numbers, codecs."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from support.replica_files import copy_replica
from clerk_console.storage.db import connect as raw_connect
from clerk_console.storage.db import dbapi
from clerk_console.domain.case import (Decision, Outcome,
                                       Status)
from clerk_console.domain.hashing import payload_hash
from clerk_console.domain.parties import BlacklistEntry, ELicence
from clerk_console.storage.db import pragmas
from clerk_console.storage.replica import Replica, ReplicaError, case_from_dict, case_to_dict

from conftest import ENTERPRISE, NOW, PERSON
from support.cases import make_case

sqlcipher = dbapi()  # the replica's DB-API module: its error classes


def test_pragmas_make_commits_durable(replica):
    got = pragmas(replica.tx.engine)
    assert got["journal_mode"] == "wal"
    assert got["synchronous"] == 2  # FULL
    assert got["foreign_keys"] == 1
    assert got["busy_timeout"] >= 1000


def test_writes_begin_immediate(replica, tmp_path):
    """A write transaction holds the write lock from its BEGIN: a second writer waits/fails
    at BEGIN instead of half-way through."""
    other = raw_connect(replica.path, timeout=0, isolation_level=None)
    try:
        with replica.write():
            with pytest.raises(sqlcipher.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_save_case_round_trip_with_outbox_and_audit(replica):
    case = make_case("YT0101-20261127-0001", deadline=date(2026, 12, 4), bundle="CAFE")
    replica.save_case(case, clerk_id="c1", action="intake.accepted", at=NOW)
    assert replica.get_case(case.case_no) == case
    assert replica.get_case_by_id(case.id) == case
    events = replica.outbox_pending()
    assert [(e.entity, e.entity_id, e.op) for e in events] == [("case", case.id, "save")]
    assert case_from_dict(events[0].payload) == case
    assert events[0].payload_hash == payload_hash(case_to_dict(case))
    entries = replica.audit_entries(case.case_no)
    assert [(e.action, e.clerk_id) for e in entries] == [("intake.accepted", "c1")]


def test_payload_hash_matches_sync_protocol(replica):
    from clerk_console.sync.protocol import payload_hash as wire_hash

    payload = case_to_dict(make_case("YT0101-20261127-0001"))
    assert payload_hash(payload) == wire_hash(payload)


def test_failure_mid_save_leaves_nothing(replica, monkeypatch):
    case = make_case("YT0101-20261127-0001")

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    from clerk_console.storage.replica import audit as audit_log

    monkeypatch.setattr(audit_log, "append", broken)  # fails after case, materials, outbox
    with pytest.raises(RuntimeError):
        replica.save_case(case, clerk_id="c1", action="intake.accepted", at=NOW)
    monkeypatch.undo()
    assert replica.get_case(case.case_no) is None
    assert replica.outbox_pending() == []
    assert replica.count_cases() == 0


def test_batch_rolls_back_as_one(replica):
    with pytest.raises(IntegrityError):
        with replica.write():
            replica.save_case(make_case("YT0101-20261127-0001"), clerk_id="c1", action="x")
            replica.save_case(make_case("YT0101-20261127-0001"), clerk_id="c1", action="x")
    assert replica.count_cases() == 0 and replica.outbox_pending() == []


def test_stale_case_is_refused(replica):
    case = make_case("YT0101-20261127-0001", version=3)
    replica.save_case(case, clerk_id="c1", action="x")
    with pytest.raises(ReplicaError, match="已被更新"):
        replica.save_case(replace(case, version=2, note="old"), clerk_id="c1", action="x")


def test_audit_log_refuses_update_and_delete(replica):
    replica.audit("c1", "test", "S1", {"a": 1}, at=NOW)
    conn = raw_connect(replica.path)
    try:
        with pytest.raises(sqlcipher.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET action = 'forged'")
        with pytest.raises(sqlcipher.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    finally:
        conn.close()
    assert [e.action for e in replica.audit_entries("S1")] == ["test"]


def test_case_numbers_sequential_per_day_and_unique_across_windows(replica, tmp_path,
                                                                   migrated_template):


    day = date(2026, 11, 27)
    first = [replica.next_case_no("YT0101", day) for _ in range(3)]
    assert first == ["YT0101-20261127-0001", "YT0101-20261127-0002", "YT0101-20261127-0003"]
    assert replica.next_case_no("YT0101", day + timedelta(days=1)) == "YT0101-20261128-0001"
    other_path = tmp_path / "other" / "replica.sqlite3"
    copy_replica(migrated_template, other_path)
    with Replica.open(other_path) as other:
        second = [other.next_case_no("YT0102", day) for _ in range(3)]
    assert second == ["YT0102-20261127-0001", "YT0102-20261127-0002", "YT0102-20261127-0003"]
    assert not set(first) & set(second)


def test_case_number_follows_existing_cases(replica):
    """A replica restored without its counter still never reuses a number."""
    replica.save_case(make_case("YT0101-20261127-0007"), clerk_id="c1", action="x")
    assert replica.next_case_no("YT0101", date(2026, 11, 27)) == "YT0101-20261127-0008"


def test_credit_blacklist_via_related_persons_broken_deferrals(replica):
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)
    assert replica.credit(ENTERPRISE).blacklist is None
    replica.save_related_persons(ENTERPRISE.id_number, [
        (ENTERPRISE.legal_rep_id, "法定代表人", "王海"),
        ("370602197707077777", "高级管理人员", "赵七")])
    replica.save_blacklist([BlacklistEntry("370602197707077777", "赵七", "拒不履行判决")])
    hit = replica.credit(ENTERPRISE).blacklist
    assert hit is not None and hit.via == "高级管理人员"
    replica.save_blacklist([BlacklistEntry(ENTERPRISE.legal_rep_id, "王海", "失信被执行人")])
    assert replica.credit(ENTERPRISE).blacklist.via == "法定代表人"

    assert not replica.credit(PERSON).broken_deferral
    voided = make_case("YT0101-20261120-0001", status=Status.VOIDED)
    replica.save_case(replace(voided, outcome=Outcome.DEFERRED), clerk_id="c1", action="x")
    credit = replica.credit(PERSON)
    assert credit.broken_deferral and not credit.false_commitment and credit.blacklist is None
    replica.mark_false_commitment("YT0101-20261120-0001")
    assert replica.credit(PERSON).false_commitment


def test_applicants_and_elicences(replica):
    assert replica.find_applicant(ENTERPRISE.id_number) is None
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)
    assert replica.find_applicant(ENTERPRISE.id_number) == ENTERPRISE
    lic = ELicence(ENTERPRISE.id_number, "BL", "营业执照", "BL-0001", date(2020, 1, 1))
    replica.save_elicences([lic, lic])
    assert replica.elicences(ENTERPRISE.id_number) == [lic]
    assert [e.action for e in replica.audit_entries(ENTERPRISE.id_number)] == \
        ["applicant.create"]


def test_pin_is_salted_scrypt_and_locks(replica):
    assert replica.verify_pin("c1", "111111", NOW).name == "张敏"
    replica.add_clerk("c2", "孙丽", "111111")
    conn = raw_connect(replica.path)
    hashes = dict(conn.execute("SELECT id, pin_hash FROM clerk").fetchall())
    conn.close()
    assert hashes["c1"] != hashes["c2"] and b"111111" not in hashes["c1"]
    for _ in range(5):
        assert replica.verify_pin("c1", "000000", NOW) is None
    assert replica.verify_pin("c1", "111111", NOW) is None  # locked now
    replica.unlock_clerk("c1")
    assert replica.verify_pin("c1", "111111", NOW) is not None


def test_catalogue_cached_and_calendar_stored(replica, catalogue):
    from clerk_console.domain.calendar import YearSchedule, statutory_days
    from clerk_console.datafiles.calendar import CalendarFileError

    fresh = Replica.open(replica.path)
    try:
        assert fresh.catalogue() == catalogue
        assert fresh.catalogue() is fresh.catalogue()
        assert fresh.calendar().is_estimated(2027)
        incomplete = YearSchedule(2027, {date(2027, 1, 1): "元旦"}, frozenset(), "测试通知",
                                  published=date(2026, 11, 1))
        with pytest.raises(CalendarFileError):
            fresh.store_calendar([incomplete])
        holidays = {**statutory_days(2027), date(2027, 10, 4): "国庆节"}
        fresh.store_calendar([replace(incomplete, holidays=holidays)])
    finally:
        fresh.close()
    with Replica.open(replica.path) as again:
        cal = again.calendar()
        assert not cal.is_estimated(2027) and not cal.is_workday(date(2027, 10, 4))


def test_apply_page_moves_cursor_with_data(replica):
    assert replica.cursor("blacklist") == 0
    replica.apply_page("blacklist", [{"key": "X1", "payload": {"subject_id": "X1", "name": "甲",
                                                               "reason": "失信"}}], [], 5)
    assert replica.cursor("blacklist") == 5
    replica.apply_page("blacklist", [], ["X1"], 6)
    assert replica.cursor("blacklist") == 6
    with pytest.raises(KeyError):
        replica.apply_page("elicence", [{"key": "k", "payload": {"holder_id": "H"}}], [], 9)
    assert replica.cursor("elicence") == 0  # failed page: cursor not moved
    replica.apply_page("elicence", [{"key": "k", "payload": {
        "holder_id": "H", "type_code": "BL", "name": "营业执照", "number": "N1",
        "issued": "2024-01-02"}}], [], 3)
    assert replica.elicences("H")[0].issued == date(2024, 1, 2)
    replica.apply_page("elicence", [], ["k"], 4)
    assert replica.elicences("H") == []


def test_incremental_elicence_page_replaces_by_key_only(replica):
    def lic(holder, number, issued="2024-01-02"):
        return {"key": f"{holder}|BL|{number}", "payload": {
            "holder_id": holder, "type_code": "BL", "name": "营业执照", "number": number,
            "issued": issued, "expires": ""}}

    replica.apply_page("elicence", [lic("H1", "N1"), lic("H2", "N2")], [], 2)
    # H1's licence changes; H3 holds N2 too (a new key with the same number): a row of its
    # own, H2's stays until the back office's tombstone
    replica.apply_page("elicence", [lic("H1", "N1", "2025-03-04"), lic("H3", "N2")], [], 4)
    assert [(x.number, x.issued) for x in replica.elicences("H1")] == [("N1", date(2025, 3, 4))]
    assert [x.number for x in replica.elicences("H2")] == ["N2"] == \
        [x.number for x in replica.elicences("H3")]
    with pytest.raises(ValueError):  # a malformed date refuses the whole page
        replica.apply_page("elicence", [lic("H4", "N4", "2025-13-01")], [], 5)
    assert replica.cursor("elicence") == 4 and replica.elicences("H4") == []


def test_decision_page_moves_case_to_decided(replica):
    case = make_case("YT0101-20261127-0001")
    replica.save_case(case, clerk_id="c1", action="x")
    replica.apply_page("decisions", [{"key": case.id, "payload": {
        "case_id": case.id, "decision": "approve", "decided_at": "2026-11-30T10:00:00"}}], [], 1)
    got = replica.get_case(case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.APPROVE
    assert replica.ready_for_delivery(PERSON.id_number) == [got]
    assert len(replica.outbox_pending()) == 2


def test_mark_pushed(replica):
    from clerk_console.sync.protocol import ItemStatus, PushResult

    for n in (1, 2, 3):
        replica.save_case(make_case(f"YT0101-20261127-000{n}"), clerk_id="c1", action="x")
    ev = replica.outbox_pending()
    replica.mark_failed([ev[0].id], "timeout")
    assert replica.outbox_pending()[0].attempts == 1
    replica.mark_pushed([PushResult(id=ev[0].id, status=ItemStatus.ACCEPTED),
                         PushResult(id=ev[1].id, status=ItemStatus.CONFLICT, message="冲突")])
    assert [e.id for e in replica.outbox_pending()] == [ev[2].id]
    assert replica.outbox_counts() == {"pushed": 1, "refused": 1, "pending": 1}
    with replica.tx.read() as s:
        rows = s.execute(text("SELECT status, last_error, attempts, pushed_at IS NOT NULL "
                              "FROM outbox ORDER BY created_at, id")).all()
    assert rows == [("pushed", "", 2, 1), ("refused", "冲突", 1, 1), ("pending", "", 0, 0)]


def test_outbox_batch_is_the_wire_form_of_the_pending_events(replica):
    from clerk_console.sync.protocol import PushItem, PushRequest, push_body

    for n in (1, 2, 3):
        replica.save_case(make_case(f"YT0101-20261127-000{n}"), clerk_id="c1", action="x")
    events = replica.outbox_pending()
    wire = replica.outbox_batch(2)
    assert [w.id for w in wire] == [e.id for e in events[:2]]
    expected = PushRequest(items=[PushItem(id=e.id, entity=e.entity, entity_id=e.entity_id,
                                           op=e.op, payload=e.payload,
                                           payload_hash=e.payload_hash) for e in events[:2]])
    assert PushRequest.model_validate_json(push_body(wire)) == expected


def test_kv_and_clock_offset(replica):
    assert replica.clock_offset == 0.0
    replica.clock_offset = -12.5
    assert replica.clock_offset == -12.5


def test_not_a_database_is_refused_untouched(tmp_path):
    path = tmp_path / "replica.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ReplicaError, match="无法打开"):
        Replica.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_two_writers_on_one_file_never_share_a_number(replica):
    """Two replica handles (as the console and its sync worker) numbering at once: BEGIN
    IMMEDIATE serialises them, every number is used once and the sequence has no gaps."""
    import threading

    day = date(2026, 11, 27)
    second = Replica.open(replica.path)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def work(rep: Replica) -> None:
        try:
            for _ in range(15):
                with rep.write():
                    no = rep.next_case_no("YT0101", day)
                    rep.save_case(make_case(no), clerk_id="c1", action="x", at=NOW)
                numbers.append(no)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in (replica, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.close()
    assert errors == []
    assert sorted(numbers) == [f"YT0101-20261127-{n:04d}" for n in range(1, 31)]
    assert replica.count_cases() == 30 and len(replica.outbox_pending()) == 30
