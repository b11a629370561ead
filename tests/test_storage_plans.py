"""The scan lookup (applicant + open cases + e-licences + credit) and the lists the screens
use are index seeks: no query of theirs scans a whole table (EXPLAIN QUERY PLAN)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import event

from conftest import ENTERPRISE, NOW


def plans_of(replica, action) -> list[tuple[str, str]]:
    """(sql, plan detail) of every SELECT the action runs."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    engine = replica.tx.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    out = []
    raw = engine.raw_connection()
    try:
        for sql, params in seen:
            for row in raw.cursor().execute("EXPLAIN QUERY PLAN " + sql, params):
                out.append((sql, row[-1]))
    finally:
        raw.close()
    return out


def full_scans(plans) -> list[tuple[str, str]]:
    return [(sql, detail) for sql, detail in plans
            if detail.startswith("SCAN") and "USING" not in detail]


def test_scan_lookup_is_index_seeks(replica):
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)

    def lookup():
        applicant = replica.find_applicant(ENTERPRISE.id_number)
        replica.cases_of(applicant.id_number, open_only=True)
        replica.elicences(applicant.id_number)
        replica.credit(applicant)

    plans = plans_of(replica, lookup)
    assert plans and full_scans(plans) == []
    assert any("ix_case_applicant_status" in d for _, d in plans)
    assert any("ix_elicence_holder_id" in d for _, d in plans)


def test_day_lists_use_indexes(replica):
    def lists():
        replica.deferrals_due(date(2026, 11, 27))
        replica.list_cases(limit=50)
        replica.outcome_counts(date(2026, 11, 27))
        replica.handling_minutes(date(2026, 11, 27))
        replica.deferral_counts(date(2026, 11, 27))
        replica.get_case("YT0101-20261127-0001")
        replica.outbox_pending(100)
        replica.next_case_no("YT0101", date(2026, 11, 27))

    plans = plans_of(replica, lists)
    assert full_scans(plans) == []
    assert any("ix_case_status_deadline (status=? AND deadline<?)" in d for _, d in plans)
    assert any("case_no>? AND case_no<?" in d for _, d in plans)  # next number: a range
