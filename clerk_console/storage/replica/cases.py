"""Cases (办件) with their materials: numbering, saving (with outbox and audit), queries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session, col

from clerk_console.domain.case import (OPEN_STATUSES, SUPPLY_STATUSES, Case, Decision, Outcome,
                                       Status, decidable, transition)
from clerk_console.domain.ids import format_case_no, parse_case_no

from ..db import ReplicaError
from ..sqltext import local
from ..tables import CaseMaterialRow, CaseRow, CaseSeqRow
from . import audit, outbox
from .base import ReplicaBase
from .codecs import case_from_row, case_to_dict, case_values, material_values, upsert


def load_cases(s: Session, stmt: Select[Any]) -> list[Case]:
    """The cases ``stmt`` selects (CaseRow rows), with their materials."""
    rows = s.execute(stmt).scalars().all()
    if not rows:
        return []
    mats: dict[str, list[CaseMaterialRow]] = {r.id: [] for r in rows}
    ids = list(mats)
    for i in range(0, len(ids), 500):
        for m in s.execute(select(CaseMaterialRow)
                        .where(col(CaseMaterialRow.case_id).in_(ids[i:i + 500]))).scalars():
            mats[m.case_id].append(m)
    return [case_from_row(r, mats[r.id]) for r in rows]


def _on_day(day: date) -> ColumnElement[bool]:
    return and_(col(CaseRow.created_at) >= datetime(day.year, day.month, day.day),
                col(CaseRow.created_at) < datetime.fromordinal(day.toordinal() + 1))


class Cases(ReplicaBase):
    def next_case_no(self, window_code: str, day: date) -> str:
        """The next case number of this window and day, allocated inside the write
        transaction (join one with ``write()`` to keep it with the case it numbers)."""
        prefix = format_case_no(window_code, day, 0)[:-4]
        with self.write() as s:
            row = s.get(CaseSeqRow, (window_code, day))
            last_no = s.execute(select(func.max(CaseRow.case_no)).where(  # index range
                col(CaseRow.case_no) > prefix, col(CaseRow.case_no) < prefix + "~")).scalar()
            parsed = parse_case_no(last_no) if last_no else None
            seq = max(row.seq if row else 0, parsed[2] if parsed else 0) + 1
            upsert(s, CaseSeqRow, {"window_code": window_code, "day": day, "seq": seq},
                   ["window_code", "day"])
        return format_case_no(window_code, day, seq)

    def resume_case_seq(self, window_code: str, highest: dict[str, int]
                        ) -> list[tuple[str, int]]:
        """Raise this window's case sequences to the back office's highest numbers per day
        (``{"YYYYMMDD": seq}``: a restored backup or a new PC must not reuse a number); the
        (day, seq) pairs that were behind, in day order."""
        behind: list[tuple[str, int]] = []
        with self.write() as s:
            for day_text, seq in sorted(highest.items()):
                parsed = parse_case_no(f"{window_code}-{day_text}-0001")
                if parsed is None or seq < 0:
                    continue
                day = parsed[1]
                prefix = format_case_no(window_code, day, 0)[:-4]
                row = s.get(CaseSeqRow, (window_code, day))
                last_no = s.execute(select(func.max(CaseRow.case_no)).where(
                    col(CaseRow.case_no) > prefix, col(CaseRow.case_no) < prefix + "~")).scalar()
                last = parse_case_no(last_no) if last_no else None
                if max(row.seq if row else 0, last[2] if last else 0) < seq:
                    behind.append((day.isoformat(), int(seq)))
                    upsert(s, CaseSeqRow, {"window_code": window_code, "day": day,
                                           "seq": int(seq)}, ["window_code", "day"])
        return behind

    def save_case(self, case: Case, *, clerk_id: str, action: str,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> Case:
        """Case + its materials + one outbox event + one audit entry, in ONE transaction."""
        if not case.case_no:
            raise ReplicaError("办件尚未编号，不能保存")
        at = local(at) or datetime.now()
        payload = case_to_dict(case)
        with self.write() as s:
            stored = s.execute(select(col(CaseRow.version))
                               .where(col(CaseRow.id) == case.id)).first()
            if stored is not None and stored[0] > case.version:
                raise ReplicaError(f"办件 {case.case_no} 已被更新（版本 {stored[0]}），"
                                   "请重新打开该办件后再操作")
            upsert(s, CaseRow, case_values(case), ["id"])
            s.execute(delete(CaseMaterialRow).where(col(CaseMaterialRow.case_id) == case.id))
            if case.materials:
                s.execute(insert(CaseMaterialRow), material_values(case))
            outbox.enqueue(s, "case", case.id, "save", payload, at)
            audit.append(s, clerk_id, action, case.case_no,
                         {"status": case.status.value, **(detail or {})}, at=at)
        return case

    def get_case(self, case_no: str) -> Case | None:
        with self.tx.read() as s:
            found = load_cases(s, select(CaseRow).where(col(CaseRow.case_no) == case_no.strip()))
        return found[0] if found else None

    def get_case_by_id(self, case_id: str) -> Case | None:
        with self.tx.read() as s:
            found = load_cases(s, select(CaseRow).where(col(CaseRow.id) == case_id))
        return found[0] if found else None

    def cases_of(self, applicant_id: str, open_only: bool = False) -> list[Case]:
        """An applicant's cases, newest first (open ones only if asked: a one-time notice
        is open while its 补正 is, ``Case.is_open``)."""
        stmt = select(CaseRow).where(col(CaseRow.applicant_id) == applicant_id)
        if open_only:
            stmt = stmt.where(col(CaseRow.status).in_([s.value for s in OPEN_STATUSES]
                                                 + [Status.NOTIFIED.value]))
        with self.tx.read() as s:
            found = load_cases(s, stmt.order_by(col(CaseRow.created_at).desc()))
        return [c for c in found if c.is_open] if open_only else found

    def list_cases(self, *, status: Status | Iterable[Status] | None = None,
                   day: date | None = None, applicant_id: str | None = None,
                   limit: int = 200, offset: int = 0) -> list[Case]:
        """Cases newest first, filtered by status(es), creation day and applicant."""
        stmt = select(CaseRow)
        if status is not None:
            wanted = [status] if isinstance(status, Status) else list(status)
            stmt = stmt.where(col(CaseRow.status).in_([w.value for w in wanted]))
        if day is not None:
            stmt = stmt.where(_on_day(day))
        if applicant_id is not None:
            stmt = stmt.where(col(CaseRow.applicant_id) == applicant_id)
        stmt = stmt.order_by(col(CaseRow.created_at).desc(), col(CaseRow.case_no).desc())
        with self.tx.read() as s:
            return load_cases(s, stmt.limit(limit).offset(offset))

    def outcome_counts(self, day: date) -> dict[Outcome | None, int]:
        """Cases created on ``day`` per outcome (None: drafts), counted in SQL."""
        with self.tx.read() as s:
            rows = s.execute(select(col(CaseRow.outcome), func.count()).where(_on_day(day))
                             .group_by(CaseRow.outcome)).all()
        return {Outcome(o) if o else None: n for o, n in rows}

    def handling_minutes(self, day: date) -> list[float]:
        """Minutes from creation to acceptance of the cases created on ``day`` and accepted."""
        minutes = (func.julianday(CaseRow.accepted_at) - func.julianday(CaseRow.created_at)) \
            * 1440.0
        with self.tx.read() as s:
            return list(s.execute(select(minutes).where(_on_day(day),
                                                        col(CaseRow.accepted_at).is_not(None)))
                        .scalars())

    def count_cases(self) -> int:
        with self.tx.read() as s:
            n: int = s.execute(select(func.count()).select_from(CaseRow)).scalar_one()
            return n

    def deferrals_due(self, today: date, limit: int = 500, offset: int = 0) -> list[Case]:
        """Deferred cases whose supply-by date is today or past: today's first, then the
        overdue ones, the most recently due first (after two busy years there are thousands
        overdue; the oldest must not hide today's); a page of ``limit`` from ``offset``, read
        on the (status, deadline) index. ``deferral_counts`` gives the true totals."""
        supply = [st.value for st in SUPPLY_STATUSES]
        stmt = (select(CaseRow).where(col(CaseRow.status).in_(supply),
                                      col(CaseRow.deadline) <= today)
                .order_by(col(CaseRow.deadline).desc(), col(CaseRow.case_no))
                .limit(limit).offset(offset))
        with self.tx.read() as s:
            return load_cases(s, stmt)

    def deferral_counts(self, today: date) -> tuple[int, int]:
        """(due today, overdue) deferrals, counted on the (status, deadline) index."""
        deferred = col(CaseRow.status).in_([st.value for st in SUPPLY_STATUSES])
        with self.tx.read() as s:
            due = s.execute(select(func.count()).select_from(CaseRow)
                            .where(deferred, col(CaseRow.deadline) == today)).scalar_one()
            late = s.execute(select(func.count()).select_from(CaseRow)
                             .where(deferred, col(CaseRow.deadline) < today)).scalar_one()
        return due, late

    def ready_for_delivery(self, applicant_id: str | None = None) -> list[Case]:
        stmt = select(CaseRow).where(col(CaseRow.status) == Status.DECIDED.value)
        if applicant_id is not None:
            stmt = stmt.where(col(CaseRow.applicant_id) == applicant_id)
        with self.tx.read() as s:
            return load_cases(s, stmt.order_by(col(CaseRow.decided_at), col(CaseRow.case_no)))

    def mark_false_commitment(self, case_no: str) -> None:
        """Record that a commitment proved false (it bars 承诺即准 for this applicant)."""
        with self.write() as s:
            s.execute(update(CaseRow).where(col(CaseRow.case_no) == case_no)
                      .values(false_commitment=True))

    def apply_decision(self, case_id: str, decision: Decision | None,
                       decided_at: datetime | None, *,
                       false_commitment: bool = False) -> Case | None:
        """A back-office decision: the case moves to DECIDED (saved with outbox and audit).
        ``decision=None`` (items still open) leaves the case open. A decided case whose
        outcome changed (a supervisor reopened an item) keeps its status with the new
        outcome. Cases not here, or not decidable (delivered, voided ...), are left as they
        are."""
        with self.write() as s:
            found = load_cases(s, select(CaseRow).where(col(CaseRow.id) == case_id))
            if not found:
                return None
            case = found[0]
            if false_commitment:
                s.execute(update(CaseRow).where(col(CaseRow.id) == case_id)
                          .values(false_commitment=True))
            if decision is None:
                return case
            decision = Decision(decision)
            if case.status is Status.DECIDED and case.decision is not decision:
                changed = replace(case, decision=decision, decided_at=local(decided_at),
                                  version=case.version + 1)
                return self.save_case(changed, clerk_id="backoffice", action="case.redecided",
                                      detail={"decision": decision.value}, at=decided_at)
            if not decidable(case.status):
                return case
            decided = transition(case, Status.DECIDED, decision=decision,
                                 decided_at=local(decided_at))
            return self.save_case(decided, clerk_id="backoffice", action="case.decided",
                                  detail={"decision": decision.value}, at=decided_at)
