"""The window's local replica: reference data, cases, people, audit log and the sync outbox.

Every method takes and returns domain objects (``clerk_console.domain``). Every write runs in
one ``BEGIN IMMEDIATE`` transaction; ``with replica.write():`` around several calls makes them
one transaction (services use it to save a case, its outbox event and its audit entry at once).
Datetimes are the window's naive wall-clock time; aware ones are converted to local time.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import String, and_, bindparam, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from clerk_console.domain.calendar import WorkCalendar, YearSchedule
from clerk_console.domain.case import (OPEN_STATUSES, TRANSITIONS, Case, CaseMaterial,
                                       Decision, MaterialState, Outcome, Status, transition)
from clerk_console.domain.catalogue import Catalogue, Level
from clerk_console.domain.ids import format_case_no, new_id, parse_case_no
from clerk_console.domain.parties import (Applicant, ApplicantKind, BlacklistEntry, ELicence,
                                          blacklist_hit)
from clerk_console.domain.rules import CreditRecord, WindowScope

from . import migrations
from .db import ReplicaError, Transactions, make_engine
from .tables import (ApplicantRow, AuditLogRow, BlacklistRow, CalendarYearRow,
                     CaseMaterialRow, CaseRow, CaseSeqRow, CatalogueSnapshotRow, ClerkRow,
                     ELicenceRow, FollowupRow, ItemUsageRow, KvRow, OutboxRow, RatingRow,
                     RelatedPersonRow, SyncCursorRow, WindowRow)

__all__ = ["Replica", "ReplicaError", "WindowInfo", "Clerk", "OutboxEvent", "OutboxWire",
           "AuditEntry", "Rating", "Followup", "case_to_dict", "case_from_dict", "payload_hash"]

ROLES = ("clerk", "supervisor")
MAX_PIN_ATTEMPTS = 5
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
RELATED_ROLES = ("法定代表人", "股东", "高级管理人员", "项目单位")

# Pull datasets (sync/protocol.py Dataset values) the replica knows how to apply.
DATASETS = ("catalogue", "calendar", "blacklist", "elicence", "decisions")
KV_CLOCK_OFFSET = "clock_offset_seconds"
KV_LAST_SYNC = "last_sync_at"
KV_WINDOW_TOKEN = "window_token"


# ---------------------------------------------------------------------------- value objects


@dataclass(frozen=True, slots=True)
class WindowInfo:
    code: str
    name: str
    hall: str
    level: Level = Level.CITY
    levels: frozenset[Level] = frozenset({Level.CITY, Level.COUNTY})

    @property
    def scope(self) -> WindowScope:
        return WindowScope(self.level, self.levels)


@dataclass(frozen=True, slots=True)
class Clerk:
    id: str
    name: str
    role: str  # clerk | supervisor
    failed_attempts: int = 0
    active: bool = True

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def locked(self) -> bool:
        return self.failed_attempts >= MAX_PIN_ATTEMPTS


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: str
    entity: str
    entity_id: str
    op: str
    payload: dict
    payload_hash: str
    created_at: datetime
    attempts: int = 0
    status: str = "pending"
    last_error: str = ""


class OutboxWire(NamedTuple):
    """A pending event as it goes on the wire: the payload is the stored JSON text."""

    id: str
    entity: str
    entity_id: str
    op: str
    payload_json: str
    payload_hash: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    at: datetime
    clerk_id: str
    action: str
    subject: str
    detail: dict


@dataclass(frozen=True, slots=True)
class Rating:
    case_no: str
    level: int
    comment: str
    clerk_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Followup:
    id: str
    case_no: str
    due: date
    due_estimated: bool
    status: str  # open | closed
    opened_at: datetime
    closed_at: datetime | None = None
    answer: str = ""


# ---------------------------------------------------------------------------- codecs


def local(dt: datetime | None) -> datetime | None:
    """Naive local wall-clock time (the replica's convention)."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone().replace(tzinfo=None)


def _iso(v: date | datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _date(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def _datetime(v: str | None) -> datetime | None:
    return local(datetime.fromisoformat(v)) if v else None


def case_to_dict(case: Case) -> dict[str, Any]:
    """The full case as JSON-ready data (the outbox payload of entity "case")."""
    data = asdict(case)
    data["items"] = list(case.items)
    data["materials"] = [asdict(m) for m in case.materials]
    for key in ("created_at", "accepted_at", "deadline", "promised_date", "decided_at",
                "delivered_at"):
        data[key] = _iso(data[key])
    return data


def case_from_dict(data: dict[str, Any]) -> Case:
    mats = tuple(CaseMaterial(**{**m, "state": MaterialState(m["state"])})
                 for m in data.get("materials", ()))
    return Case(
        id=data["id"], case_no=data["case_no"], window_code=data["window_code"],
        clerk_id=data["clerk_id"], applicant_id=data["applicant_id"],
        applicant_name=data["applicant_name"], applicant_kind=data["applicant_kind"],
        items=tuple(data["items"]), created_at=_datetime(data["created_at"]),
        status=Status(data["status"]),
        outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
        bundle=data.get("bundle"), agent_id=data.get("agent_id", ""),
        agent_name=data.get("agent_name", ""), materials=mats,
        accepted_at=_datetime(data.get("accepted_at")), deadline=_date(data.get("deadline")),
        deadline_estimated=bool(data.get("deadline_estimated")),
        promised_date=_date(data.get("promised_date")),
        signpost_dept=data.get("signpost_dept", ""),
        decision=Decision(data["decision"]) if data.get("decision") else None,
        decided_at=_datetime(data.get("decided_at")),
        delivered_at=_datetime(data.get("delivered_at")), note=data.get("note", ""),
        version=int(data.get("version", 0)))


def payload_hash(payload: Any) -> str:
    """SHA-256 of canonical JSON; the same recipe as ``sync.protocol.payload_hash`` (tested)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "id": case.id, "case_no": case.case_no, "window_code": case.window_code,
        "clerk_id": case.clerk_id, "applicant_id": case.applicant_id,
        "applicant_name": case.applicant_name, "applicant_kind": str(case.applicant_kind),
        "items": list(case.items), "created_at": local(case.created_at),
        "status": case.status.value, "outcome": case.outcome.value if case.outcome else None,
        "bundle": case.bundle, "agent_id": case.agent_id, "agent_name": case.agent_name,
        "accepted_at": local(case.accepted_at), "deadline": case.deadline,
        "deadline_estimated": case.deadline_estimated, "promised_date": case.promised_date,
        "signpost_dept": case.signpost_dept,
        "decision": case.decision.value if case.decision else None,
        "decided_at": local(case.decided_at), "delivered_at": local(case.delivered_at),
        "note": case.note, "version": case.version,
    }


def _case_from_row(row: CaseRow, mats: list[CaseMaterialRow]) -> Case:
    return Case(
        id=row.id, case_no=row.case_no, window_code=row.window_code, clerk_id=row.clerk_id,
        applicant_id=row.applicant_id, applicant_name=row.applicant_name,
        applicant_kind=row.applicant_kind, items=tuple(row.items), created_at=row.created_at,
        status=Status(row.status), outcome=Outcome(row.outcome) if row.outcome else None,
        bundle=row.bundle, agent_id=row.agent_id, agent_name=row.agent_name,
        materials=tuple(CaseMaterial(code=m.code, name=m.name, main=m.main,
                                     state=MaterialState(m.state), original=m.original,
                                     reason=m.reason, elicence_number=m.elicence_number)
                        for m in sorted(mats, key=lambda m: m.position)),
        accepted_at=row.accepted_at, deadline=row.deadline,
        deadline_estimated=row.deadline_estimated, promised_date=row.promised_date,
        signpost_dept=row.signpost_dept,
        decision=Decision(row.decision) if row.decision else None, decided_at=row.decided_at,
        delivered_at=row.delivered_at, note=row.note, version=row.version)


def _applicant_from_row(row: ApplicantRow) -> Applicant:
    return Applicant(id_number=row.id_number, id_kind=row.id_kind, kind=ApplicantKind(row.kind),
                     name=row.name, phone=row.phone, address=row.address,
                     legal_rep_id=row.legal_rep_id, legal_rep_name=row.legal_rep_name,
                     related_ids=tuple(row.related_ids), region=row.region, note=row.note)


def _elicence_values(lic: ELicence, key: str = "") -> dict[str, Any]:
    return {"key": key or f"{lic.type_code}:{lic.number}", "holder_id": lic.holder_id,
            "type_code": lic.type_code, "name": lic.name, "number": lic.number,
            "issued": lic.issued, "expires": lic.expires}


def _blacklist_values(entry: BlacklistEntry) -> dict[str, Any]:
    return {"subject_id": entry.subject_id, "name": entry.name, "reason": entry.reason,
            "listed_on": entry.listed_on}


def _hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


def check_pin(pin: str) -> str:
    """The PIN when it follows the rule (4 to 12 digits), else ``ReplicaError``."""
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ReplicaError("PIN 应为 4 到 12 位数字")
    return pin


def _pin_values(pin: str) -> dict[str, Any]:
    """The stored columns of a new PIN: fresh salt, scrypt hash, wrong-PIN count reset."""
    salt = secrets.token_bytes(16)
    return {"pin_salt": salt, "pin_hash": _hash_pin(check_pin(pin), salt), "failed_attempts": 0}


def _upsert(session: Session, table, values: dict | list[dict], keys: list[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE every other column."""
    rows = values if isinstance(values, list) else [values]
    if not rows:
        return
    stmt = insert(table)
    cols = [c for c in rows[0] if c not in keys]
    if cols:
        stmt = stmt.on_conflict_do_update(index_elements=keys,
                                          set_={c: stmt.excluded[c] for c in cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    session.execute(stmt, rows)


# ---------------------------------------------------------------------------- the replica


class Replica:
    """One window's replica file. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, path: Path, tx: Transactions) -> None:
        self.path = path
        self.tx = tx
        self._catalogue: Catalogue | None = None
        self._calendar: WorkCalendar | None = None
        self._window: WindowInfo | None = None

    @classmethod
    def open(cls, path: Path) -> "Replica":
        """Open (creating if needed) and migrate; ``ReplicaError`` if it cannot be used."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(path)
        return cls(path, Transactions(make_engine(path)))

    def close(self) -> None:
        self.tx.engine.dispose()

    def __enter__(self) -> "Replica":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; calls inside it join it (batching, atomic service actions)."""
        with self.tx.write() as session:
            yield session

    # ------------------------------------------------------------------ reference data

    def catalogue(self) -> Catalogue:
        """The newest stored catalogue, cached in memory after the first load."""
        if self._catalogue is None:
            from .catalogue_files import catalogue_from_dict

            with self.tx.read() as s:
                row = s.execute(select(CatalogueSnapshotRow)
                             .order_by(CatalogueSnapshotRow.id.desc()).limit(1)).first()
            if row is None:
                raise ReplicaError("本机尚无事项目录，请先与后台同步（或运行 clerk-console demo）")
            self._catalogue = catalogue_from_dict(row[0].data)
        return self._catalogue

    def store_catalogue(self, cat: Catalogue, *, at: datetime | None = None) -> None:
        from .catalogue_files import catalogue_to_dict

        self._store_catalogue_data(cat.version, catalogue_to_dict(cat), at)
        self._catalogue = cat

    def _store_catalogue_data(self, version: str, data: dict, at: datetime | None) -> None:
        with self.write() as s:
            s.execute(delete(CatalogueSnapshotRow).where(CatalogueSnapshotRow.version == version))
            s.execute(insert(CatalogueSnapshotRow).values(
                version=version, data=data, stored_at=local(at) or datetime.now()))
        self._catalogue = None

    def calendar(self) -> WorkCalendar:
        """chinese_calendar's years overridden by the stored (published) schedules."""
        if self._calendar is None:
            from clerk_console.domain.calendar import default_calendar

            from .calendar_files import schedule_from_dict

            with self.tx.read() as s:
                rows = s.execute(select(CalendarYearRow)).scalars().all()
            self._calendar = default_calendar(
                {r.year: schedule_from_dict(r.data, f"本机日历 {r.year}") for r in rows})
        return self._calendar

    def store_calendar(self, cal: WorkCalendar | Iterable[YearSchedule]) -> None:
        """Store published schedules (validated; estimated ones are never stored)."""
        from .calendar_files import schedule_from_dict, schedule_to_dict

        schedules = cal.schedules.values() if isinstance(cal, WorkCalendar) else cal
        rows = [{"year": sc.year, "data": schedule_to_dict(sc)} for sc in schedules
                if not sc.estimated]
        for row in rows:  # refuse what could not be read back (CalendarFileError)
            schedule_from_dict(row["data"], f"日历 {row['year']}")
        with self.write() as s:
            _upsert(s, CalendarYearRow, rows, ["year"])
        self._calendar = None

    # ------------------------------------------------------------------ applicants

    def find_applicant(self, id_number: str) -> Applicant | None:
        with self.tx.read() as s:
            row = s.get(ApplicantRow, id_number)
            return _applicant_from_row(row) if row else None

    def save_applicant(self, applicant: Applicant, clerk_id: str, *,
                       at: datetime | None = None) -> None:
        at = local(at) or datetime.now()
        values = {"id_number": applicant.id_number, "id_kind": applicant.id_kind,
                  "kind": applicant.kind.value, "name": applicant.name,
                  "phone": applicant.phone, "address": applicant.address,
                  "legal_rep_id": applicant.legal_rep_id,
                  "legal_rep_name": applicant.legal_rep_name,
                  "related_ids": list(applicant.related_ids), "region": applicant.region,
                  "note": applicant.note, "updated_at": at}
        with self.write() as s:
            existed = s.get(ApplicantRow, applicant.id_number) is not None
            _upsert(s, ApplicantRow, values, ["id_number"])
            if applicant.legal_rep_id:
                _upsert(s, RelatedPersonRow, {
                    "enterprise_id": applicant.id_number, "person_id": applicant.legal_rep_id,
                    "role": "法定代表人", "name": applicant.legal_rep_name},
                    ["enterprise_id", "person_id", "role"])
            self.audit(clerk_id, "applicant.update" if existed else "applicant.create",
                       applicant.id_number, {"name": applicant.name}, at=at)

    def save_related_persons(self, enterprise_id: str,
                             persons: Iterable[tuple[str, str, str]]) -> None:
        """Replace an enterprise's related persons: (person_id, role, name) each."""
        rows = []
        for person_id, role, name in persons:
            if role not in RELATED_ROLES:
                raise ReplicaError(f"关联人员角色“{role}”无效，应为{'、'.join(RELATED_ROLES)}之一")
            rows.append({"enterprise_id": enterprise_id, "person_id": person_id, "role": role,
                         "name": name})
        with self.write() as s:
            s.execute(delete(RelatedPersonRow)
                      .where(RelatedPersonRow.enterprise_id == enterprise_id))
            _upsert(s, RelatedPersonRow, rows, ["enterprise_id", "person_id", "role"])

    def related_roles(self, enterprise_id: str) -> dict[str, str]:
        """person id -> role (法定代表人 wins over 股东 over 高级管理人员)."""
        with self.tx.read() as s:
            return self._related_roles(s, enterprise_id)

    @staticmethod
    def _related_roles(s: Session, enterprise_id: str) -> dict[str, str]:
        rows = s.execute(select(RelatedPersonRow.person_id, RelatedPersonRow.role)
                         .where(RelatedPersonRow.enterprise_id == enterprise_id)).all()
        roles: dict[str, str] = {}
        for pid, role in sorted(rows, key=lambda r: RELATED_ROLES.index(r[1])
                                if r[1] in RELATED_ROLES else 9, reverse=True):
            roles[pid] = role
        return roles

    def elicences(self, holder_id: str) -> list[ELicence]:
        with self.tx.read() as s:
            rows = s.execute(select(ELicenceRow).where(ELicenceRow.holder_id == holder_id)
                          .order_by(ELicenceRow.type_code)).scalars().all()
        return [ELicence(holder_id=r.holder_id, type_code=r.type_code, name=r.name,
                         number=r.number, issued=r.issued, expires=r.expires) for r in rows]

    def save_elicences(self, licences: Iterable[ELicence]) -> None:
        with self.write() as s:
            _upsert(s, ELicenceRow, [_elicence_values(lic) for lic in licences], ["key"])

    def save_blacklist(self, entries: Iterable[BlacklistEntry]) -> None:
        with self.write() as s:
            _upsert(s, BlacklistRow, [_blacklist_values(e) for e in entries], ["subject_id"])

    def credit(self, applicant: Applicant) -> CreditRecord:
        """Blacklist (itself, legal rep, shareholders, managers), broken deferrals, false
        commitments: what bars 容缺受理 and 承诺即准."""
        with self.tx.read() as s:
            roles = self._related_roles(s, applicant.id_number)
            legal_rep = applicant.legal_rep_id or next(
                (pid for pid, role in roles.items() if role == "法定代表人"), "")
            related = tuple(dict.fromkeys(
                [*applicant.related_ids, *(p for p in roles if p != legal_rep)]))
            subject = replace(applicant, legal_rep_id=legal_rep, related_ids=related)
            ids = {applicant.id_number, legal_rep, *related} - {""}
            rows = s.execute(select(BlacklistRow).where(BlacklistRow.subject_id.in_(ids))) \
                .scalars().all()
            broken = s.execute(select(CaseRow.id).where(
                CaseRow.applicant_id == applicant.id_number,
                CaseRow.status == Status.VOIDED.value,
                CaseRow.outcome == Outcome.DEFERRED.value).limit(1)).first() is not None
            false = s.execute(select(CaseRow.id).where(
                CaseRow.applicant_id == applicant.id_number,
                CaseRow.false_commitment.is_(True)).limit(1)).first() is not None
        listed = {r.subject_id: BlacklistEntry(r.subject_id, r.name, r.reason, r.listed_on)
                  for r in rows}
        return CreditRecord(blacklist=blacklist_hit(subject, listed, roles),
                            broken_deferral=broken, false_commitment=false)

    # ------------------------------------------------------------------ cases

    def next_case_no(self, window_code: str, day: date) -> str:
        """The next case number of this window and day, allocated inside the write
        transaction (join one with ``write()`` to keep it with the case it numbers)."""
        prefix = format_case_no(window_code, day, 0)[:-4]
        with self.write() as s:
            row = s.get(CaseSeqRow, (window_code, day))
            last_no = s.execute(select(func.max(CaseRow.case_no)).where(  # index range
                CaseRow.case_no > prefix, CaseRow.case_no < prefix + "~")).scalar()
            parsed = parse_case_no(last_no) if last_no else None
            seq = max(row.seq if row else 0, parsed[2] if parsed else 0) + 1
            _upsert(s, CaseSeqRow, {"window_code": window_code, "day": day, "seq": seq},
                    ["window_code", "day"])
        return format_case_no(window_code, day, seq)

    def save_case(self, case: Case, *, clerk_id: str, action: str,
                  detail: dict | None = None, at: datetime | None = None) -> Case:
        """Case + its materials + one outbox event + one audit entry, in ONE transaction."""
        if not case.case_no:
            raise ReplicaError("办件尚未编号，不能保存")
        at = local(at) or datetime.now()
        payload = case_to_dict(case)
        with self.write() as s:
            stored = s.execute(select(CaseRow.version).where(CaseRow.id == case.id)).first()
            if stored is not None and stored[0] > case.version:
                raise ReplicaError(f"办件 {case.case_no} 已被更新（版本 {stored[0]}），"
                                   "请重新打开该办件后再操作")
            _upsert(s, CaseRow, _case_values(case), ["id"])
            self._write_materials(s, case)
            self._enqueue(s, "case", case.id, "save", payload, at)
            self.audit(clerk_id, action, case.case_no,
                       {"status": case.status.value, **(detail or {})}, at=at)
        return case

    @staticmethod
    def _write_materials(s: Session, case: Case) -> None:
        s.execute(delete(CaseMaterialRow).where(CaseMaterialRow.case_id == case.id))
        if case.materials:
            s.execute(insert(CaseMaterialRow), [
                {"case_id": case.id, "position": i, "code": m.code, "name": m.name,
                 "main": m.main, "state": m.state.value, "original": m.original,
                 "reason": m.reason, "elicence_number": m.elicence_number}
                for i, m in enumerate(case.materials)])

    def _enqueue(self, s: Session, entity: str, entity_id: str, op: str, payload: dict,
                 at: datetime) -> None:
        s.execute(insert(OutboxRow).values(
            id=new_id(), entity=entity, entity_id=entity_id, op=op, payload=payload,
            payload_hash=payload_hash(payload), created_at=at, status="pending", attempts=0,
            last_error=""))

    def _cases(self, s: Session, stmt) -> list[Case]:
        rows = s.execute(stmt).scalars().all()
        if not rows:
            return []
        mats: dict[str, list[CaseMaterialRow]] = {r.id: [] for r in rows}
        ids = list(mats)
        for i in range(0, len(ids), 500):
            for m in s.execute(select(CaseMaterialRow)
                            .where(CaseMaterialRow.case_id.in_(ids[i:i + 500]))).scalars():
                mats[m.case_id].append(m)
        return [_case_from_row(r, mats[r.id]) for r in rows]

    def get_case(self, case_no: str) -> Case | None:
        with self.tx.read() as s:
            found = self._cases(s, select(CaseRow).where(CaseRow.case_no == case_no.strip()))
        return found[0] if found else None

    def get_case_by_id(self, case_id: str) -> Case | None:
        with self.tx.read() as s:
            found = self._cases(s, select(CaseRow).where(CaseRow.id == case_id))
        return found[0] if found else None

    def cases_of(self, applicant_id: str, open_only: bool = False) -> list[Case]:
        """An applicant's cases, newest first (open ones only if asked)."""
        stmt = select(CaseRow).where(CaseRow.applicant_id == applicant_id)
        if open_only:
            stmt = stmt.where(CaseRow.status.in_([s.value for s in OPEN_STATUSES]))
        with self.tx.read() as s:
            return self._cases(s, stmt.order_by(CaseRow.created_at.desc()))

    def list_cases(self, *, status: Status | Iterable[Status] | None = None,
                   day: date | None = None, applicant_id: str | None = None,
                   limit: int = 200, offset: int = 0) -> list[Case]:
        """Cases newest first, filtered by status(es), creation day and applicant."""
        stmt = select(CaseRow)
        if status is not None:
            wanted = [status] if isinstance(status, Status) else list(status)
            stmt = stmt.where(CaseRow.status.in_([w.value for w in wanted]))
        if day is not None:
            stmt = stmt.where(self._on_day(day))
        if applicant_id is not None:
            stmt = stmt.where(CaseRow.applicant_id == applicant_id)
        stmt = stmt.order_by(CaseRow.created_at.desc(), CaseRow.case_no.desc())
        with self.tx.read() as s:
            return self._cases(s, stmt.limit(limit).offset(offset))

    @staticmethod
    def _on_day(day: date):
        return and_(CaseRow.created_at >= datetime(day.year, day.month, day.day),
                    CaseRow.created_at < datetime.fromordinal(day.toordinal() + 1))

    def outcome_counts(self, day: date) -> dict[Outcome | None, int]:
        """Cases created on ``day`` per outcome (None: drafts), counted in SQL."""
        with self.tx.read() as s:
            rows = s.execute(select(CaseRow.outcome, func.count()).where(self._on_day(day))
                             .group_by(CaseRow.outcome)).all()
        return {Outcome(o) if o else None: n for o, n in rows}

    def handling_minutes(self, day: date) -> list[float]:
        """Minutes from creation to acceptance of the cases created on ``day`` and accepted."""
        minutes = (func.julianday(CaseRow.accepted_at) - func.julianday(CaseRow.created_at)) \
            * 1440.0
        with self.tx.read() as s:
            return list(s.execute(select(minutes).where(self._on_day(day),
                                                        CaseRow.accepted_at.is_not(None)))
                        .scalars())

    def count_cases(self) -> int:
        with self.tx.read() as s:
            return s.execute(select(func.count()).select_from(CaseRow)).scalar_one()

    def deferrals_due(self, today: date, limit: int = 500) -> list[Case]:
        """Deferred cases whose supply-by date is today or past, earliest first."""
        stmt = (select(CaseRow).where(CaseRow.status == Status.DEFERRED.value,
                                      CaseRow.deadline <= today)
                .order_by(CaseRow.deadline, CaseRow.case_no).limit(limit))
        with self.tx.read() as s:
            return self._cases(s, stmt)

    def deferral_counts(self, today: date) -> tuple[int, int]:
        """(due today, overdue) deferrals, counted on the (status, deadline) index."""
        deferred = CaseRow.status == Status.DEFERRED.value
        with self.tx.read() as s:
            due = s.execute(select(func.count()).select_from(CaseRow)
                            .where(deferred, CaseRow.deadline == today)).scalar_one()
            late = s.execute(select(func.count()).select_from(CaseRow)
                             .where(deferred, CaseRow.deadline < today)).scalar_one()
        return due, late

    def ready_for_delivery(self, applicant_id: str | None = None) -> list[Case]:
        stmt = select(CaseRow).where(CaseRow.status == Status.DECIDED.value)
        if applicant_id is not None:
            stmt = stmt.where(CaseRow.applicant_id == applicant_id)
        with self.tx.read() as s:
            return self._cases(s, stmt.order_by(CaseRow.decided_at, CaseRow.case_no))

    def mark_false_commitment(self, case_no: str) -> None:
        """Record that a commitment proved false (it bars 承诺即准 for this applicant)."""
        with self.write() as s:
            s.execute(update(CaseRow).where(CaseRow.case_no == case_no)
                      .values(false_commitment=True))

    # ------------------------------------------------------------------ people

    def add_clerk(self, clerk_id: str, name: str, pin: str, role: str = "clerk") -> Clerk:
        if role not in ROLES:
            raise ReplicaError(f"角色“{role}”无效，应为 clerk（窗口人员）或 supervisor（负责人）")
        with self.write() as s:
            _upsert(s, ClerkRow, {"id": clerk_id, "name": name, "role": role,
                                  **_pin_values(pin), "active": True}, ["id"])
        return Clerk(clerk_id, name, role)

    def list_clerks(self) -> list[Clerk]:
        """Every clerk account, by id (no PIN data)."""
        with self.tx.read() as s:
            rows = s.execute(select(ClerkRow).order_by(ClerkRow.id)).scalars().all()
        return [Clerk(r.id, r.name, r.role, r.failed_attempts, r.active) for r in rows]

    def set_pin(self, clerk_id: str, pin: str) -> None:
        """A new PIN (validated and hashed as by ``add_clerk``); wrong-PIN count back to 0."""
        self._update_clerk(clerk_id, **_pin_values(pin))

    def set_active(self, clerk_id: str, active: bool) -> None:
        """Disable (a clerk who left) or enable an account; a disabled one cannot sign in."""
        self._update_clerk(clerk_id, active=bool(active))

    def _update_clerk(self, clerk_id: str, **values) -> None:
        with self.write() as s:
            done = s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id).values(**values))
            if done.rowcount != 1:
                raise ReplicaError(f"工号 {clerk_id} 不存在")

    def get_clerk(self, clerk_id: str) -> Clerk | None:
        with self.tx.read() as s:
            row = s.get(ClerkRow, clerk_id)
            return Clerk(row.id, row.name, row.role, row.failed_attempts, row.active) \
                if row else None

    def verify_pin(self, clerk_id: str, pin: str) -> Clerk | None:
        """The clerk when the PIN matches; counts failures, refuses after MAX_PIN_ATTEMPTS."""
        with self.write() as s:
            row = s.get(ClerkRow, clerk_id)
            if row is None or not row.active or row.failed_attempts >= MAX_PIN_ATTEMPTS:
                return None
            ok = hmac.compare_digest(_hash_pin(pin, row.pin_salt), row.pin_hash)
            attempts = 0 if ok else row.failed_attempts + 1
            s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id)
                      .values(failed_attempts=attempts))
            return Clerk(row.id, row.name, row.role, attempts, row.active) if ok else None

    def unlock_clerk(self, clerk_id: str) -> None:
        with self.write() as s:
            s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id).values(failed_attempts=0))

    def window(self) -> WindowInfo | None:
        """This window (cached after the first read; ``set_window`` refreshes it)."""
        if self._window is None:
            with self.tx.read() as s:
                row = s.execute(select(WindowRow).limit(1)).scalars().first()
            if row is None:
                return None
            self._window = WindowInfo(row.code, row.name, row.hall, Level(row.level),
                                      frozenset(Level(v) for v in row.levels))
        return self._window

    def set_window(self, code: str, name: str, hall: str, level: Level = Level.CITY,
                   levels: Iterable[Level] = (Level.CITY, Level.COUNTY)) -> WindowInfo:
        info = WindowInfo(code, name, hall, Level(level), frozenset(Level(v) for v in levels))
        with self.write() as s:
            s.execute(delete(WindowRow))
            s.execute(insert(WindowRow).values(code=code, name=name, hall=hall,
                                               level=info.level.value,
                                               levels=sorted(v.value for v in info.levels)))
        self._window = None
        return info

    # ------------------------------------------------------------------ audit

    def audit(self, clerk_id: str, action: str, subject: str, detail: dict | None = None, *,
              at: datetime | None = None) -> None:
        """Append one entry to the audit log (the table refuses UPDATE and DELETE)."""
        with self.write() as s:
            s.execute(insert(AuditLogRow).values(
                id=new_id(), at=local(at) or datetime.now(), clerk_id=clerk_id, action=action,
                subject=subject, detail=json.loads(json.dumps(detail or {}, default=str))))

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        stmt = select(AuditLogRow)
        if subject is not None:
            stmt = stmt.where(AuditLogRow.subject == subject)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(AuditLogRow.id.desc()).limit(limit)).scalars().all()
        return [AuditEntry(r.id, r.at, r.clerk_id, r.action, r.subject, r.detail) for r in rows]

    # ------------------------------------------------------------------ ratings

    def save_rating(self, rating: Rating, *, followup_due: date | None = None,
                    due_estimated: bool = False) -> Followup | None:
        """The rating (one per case) + outbox event, and a follow-up when a due date is given."""
        values = {"id": new_id(), "case_no": rating.case_no, "level": rating.level,
                  "comment": rating.comment, "clerk_id": rating.clerk_id,
                  "at": local(rating.at)}
        followup = None
        with self.write() as s:
            if s.execute(select(RatingRow.id).where(RatingRow.case_no == rating.case_no)).first():
                raise ReplicaError(f"办件 {rating.case_no} 已评价过，每次服务只能评价一次")
            s.execute(insert(RatingRow).values(**values))
            payload = {**values, "at": _iso(values["at"])}
            self._enqueue(s, "rating", values["id"], "save", payload, values["at"])
            if followup_due is not None:
                followup = Followup(new_id(), rating.case_no, followup_due, due_estimated,
                                    "open", local(rating.at))
                s.execute(insert(FollowupRow).values(
                    id=followup.id, case_no=followup.case_no, due=followup.due,
                    due_estimated=due_estimated, status="open", opened_at=followup.opened_at,
                    answer=""))
        return followup

    def rating(self, case_no: str) -> Rating | None:
        with self.tx.read() as s:
            r = s.execute(select(RatingRow).where(RatingRow.case_no == case_no)).scalars().first()
        return Rating(r.case_no, r.level, r.comment, r.clerk_id, r.at) if r else None

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]:
        with self.tx.read() as s:
            rows = s.execute(select(RatingRow).where(RatingRow.at >= start, RatingRow.at < end)
                          .order_by(RatingRow.at)).scalars().all()
        return [Rating(r.case_no, r.level, r.comment, r.clerk_id, r.at) for r in rows]

    def followups(self, status: str | None = "open") -> list[Followup]:
        stmt = select(FollowupRow)
        if status is not None:
            stmt = stmt.where(FollowupRow.status == status)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(FollowupRow.due)).scalars().all()
        return [Followup(r.id, r.case_no, r.due, r.due_estimated, r.status, r.opened_at,
                         r.closed_at, r.answer) for r in rows]

    def close_followup(self, followup_id: str, answer: str, at: datetime) -> None:
        with self.write() as s:
            done = s.execute(update(FollowupRow).where(FollowupRow.id == followup_id,
                                                       FollowupRow.status == "open")
                             .values(status="closed", answer=answer, closed_at=local(at)))
            if done.rowcount != 1:
                raise ReplicaError("该差评回访不存在或已办结")

    # ------------------------------------------------------------------ item usage

    def note_item_usage(self, clerk_id: str, items: Iterable[str], at: datetime) -> None:
        at = local(at)
        with self.write() as s:
            for item in dict.fromkeys(items):
                stmt = insert(ItemUsageRow).values(clerk_id=clerk_id, item=item, count=1,
                                                   last_used=at)
                s.execute(stmt.on_conflict_do_update(
                    index_elements=["clerk_id", "item"],
                    set_={"count": ItemUsageRow.count + 1, "last_used": at}))

    def item_usage(self, clerk_id: str, limit: int = 50) -> dict[str, int]:
        """item code -> times used by this clerk, most used first (for the item picker)."""
        with self.tx.read() as s:
            rows = s.execute(select(ItemUsageRow.item, ItemUsageRow.count)
                          .where(ItemUsageRow.clerk_id == clerk_id)
                          .order_by(ItemUsageRow.count.desc(), ItemUsageRow.last_used.desc())
                          .limit(limit)).all()
        return {item: count for item, count in rows}

    # ------------------------------------------------------------------ sync

    def outbox_pending(self, limit: int = 500) -> list[OutboxEvent]:
        """Pending events, oldest first."""
        with self.tx.read() as s:
            rows = s.execute(select(OutboxRow).where(OutboxRow.status == "pending")
                          .order_by(OutboxRow.created_at, OutboxRow.id).limit(limit)) \
                .scalars().all()
        return [OutboxEvent(r.id, r.entity, r.entity_id, r.op, r.payload, r.payload_hash,
                            r.created_at, r.attempts, r.status, r.last_error) for r in rows]

    def outbox_batch(self, limit: int = 500) -> list[OutboxWire]:
        """Pending events, oldest first, with each payload as the JSON text stored: a push sends
        it as it is, without parsing and encoding it again."""
        t = OutboxRow.__table__
        stmt = (select(t.c.id, t.c.entity, t.c.entity_id, t.c.op, t.c.payload.cast(String),
                       t.c.payload_hash)
                .where(t.c.status == "pending").order_by(t.c.created_at, t.c.id).limit(limit))
        with self.tx.read() as s:
            return [OutboxWire(*r) for r in s.execute(stmt)]

    def outbox_counts(self) -> dict[str, int]:
        with self.tx.read() as s:
            rows = s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        return {status: n for status, n in rows}

    def mark_pushed(self, results: Iterable[Any], at: datetime | None = None) -> None:
        """Apply the server's answers: objects with ``id``, ``status`` (sync.protocol
        ItemStatus: accepted/duplicate -> pushed, conflict/refused -> refused) and ``message``.
        Refused events leave the queue (one bad record never holds the others)."""
        at = local(at) or datetime.now()
        pushed: list[str] = []
        refused: list[dict] = []
        for r in results:
            status = getattr(r, "status", "")
            status = getattr(status, "value", status)
            if status in ("accepted", "duplicate"):
                pushed.append(r.id)
            else:
                refused.append({"b_id": r.id, "b_error": getattr(r, "message", "") or status})
        t = OutboxRow.__table__
        done = dict(attempts=t.c.attempts + 1, pushed_at=at)
        with self.write() as s:
            conn = s.connection()
            # one UPDATE for the answered batch (ids in chunks below SQLite's variable limit)
            for i in range(0, len(pushed), 10_000):
                conn.execute(update(t).where(t.c.id.in_(pushed[i:i + 10_000]))
                             .values(status="pushed", last_error="", **done))
            if refused:
                conn.execute(update(t).where(t.c.id == bindparam("b_id"))
                             .values(status="refused", last_error=bindparam("b_error"), **done),
                             refused)

    def mark_failed(self, ids: Iterable[str], error: str) -> None:
        """A push that did not reach the server: the events stay pending, attempts counted."""
        with self.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id.in_(list(ids)))
                      .values(attempts=OutboxRow.attempts + 1, last_error=error))

    def cursor(self, dataset: str) -> int:
        """Last applied server sequence of a pull dataset (0 = never pulled)."""
        with self.tx.read() as s:
            row = s.get(SyncCursorRow, str(dataset))
            return int(row.cursor) if row else 0

    def apply_page(self, dataset: str, rows: Iterable[Any], tombstones: Iterable[str],
                   new_cursor: int, *, replace_all: bool = False,
                   at: datetime | None = None) -> None:
        """Apply one pulled page and advance the cursor in the SAME transaction.

        ``rows`` are objects or dicts with ``key`` and ``payload``; ``replace_all`` first
        empties the dataset (a reset). Payloads: catalogue = catalogue_to_dict (key: version);
        calendar = schedule_to_dict (key: year); blacklist = BlacklistEntry fields (key:
        subject id); elicence = ELicence fields (key: opaque); decisions = {case_id,
        decision, decided_at[, false_commitment]} (key: case id).
        """
        dataset = str(getattr(dataset, "value", dataset))
        if dataset not in DATASETS:
            raise ReplicaError(f"未知的同步数据集“{dataset}”")
        pairs = [(_get(r, "key"), _get(r, "payload")) for r in rows]
        keys = list(tombstones)
        with self.write() as s:
            getattr(self, f"_apply_{dataset}")(s, pairs, keys, replace_all)
            _upsert(s, SyncCursorRow, {"dataset": dataset, "cursor": str(int(new_cursor)),
                                       "updated_at": local(at) or datetime.now()}, ["dataset"])

    def _apply_catalogue(self, s, pairs, keys, replace_all) -> None:
        from .catalogue_files import catalogue_from_dict

        if replace_all:
            s.execute(delete(CatalogueSnapshotRow))
        for key, payload in pairs:
            catalogue_from_dict(payload)  # validate before storing
            s.execute(delete(CatalogueSnapshotRow).where(CatalogueSnapshotRow.version == key))
            s.execute(insert(CatalogueSnapshotRow).values(version=key, data=payload,
                                                          stored_at=datetime.now()))
        self._catalogue = None

    def _apply_calendar(self, s, pairs, keys, replace_all) -> None:
        from .calendar_files import schedule_from_dict

        if replace_all:
            s.execute(delete(CalendarYearRow))
        for key, payload in pairs:
            sched = schedule_from_dict(payload, f"同步日历 {key}")
            _upsert(s, CalendarYearRow, {"year": sched.year, "data": payload}, ["year"])
        if keys:
            s.execute(delete(CalendarYearRow).where(CalendarYearRow.year.in_(
                [int(k) for k in keys])))
        self._calendar = None

    def _apply_blacklist(self, s, pairs, keys, replace_all) -> None:
        if replace_all:
            s.execute(delete(BlacklistRow))
        _upsert(s, BlacklistRow, [
            {"subject_id": p.get("subject_id") or k, "name": p.get("name", ""),
             "reason": p.get("reason", ""), "listed_on": _date(p.get("listed_on"))}
            for k, p in pairs], ["subject_id"])
        if keys:
            s.execute(delete(BlacklistRow).where(BlacklistRow.subject_id.in_(keys)))

    def _apply_elicence(self, s, pairs, keys, replace_all) -> None:
        # executemany on the driver's cursor, in the session's transaction: a page is 20,000
        # rows (one statement per row through SQLAlchemy took 12 s a page). OR REPLACE also
        # drops an older row holding the same (type_code, number) under another key.
        rows = [(k, p["holder_id"], p["type_code"], p["name"], p["number"],
                 _iso(_date(p.get("issued"))), _iso(_date(p.get("expires"))))
                for k, p in pairs]  # dates parsed: a malformed one refuses the page
        cur = s.connection().connection.driver_connection.cursor()
        try:
            if replace_all:
                cur.execute("DELETE FROM elicence")
            if keys:
                cur.executemany("DELETE FROM elicence WHERE key = ?", [(k,) for k in keys])
            cur.executemany("INSERT OR REPLACE INTO elicence (key, holder_id, type_code, name, "
                            "number, issued, expires) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        finally:
            cur.close()

    def _apply_decisions(self, s, pairs, keys, replace_all) -> None:
        for key, p in pairs:
            self.apply_decision(p.get("case_id") or key, Decision(p["decision"]),
                                _datetime(p.get("decided_at")),
                                false_commitment=bool(p.get("false_commitment")))

    def apply_decision(self, case_id: str, decision: Decision, decided_at: datetime | None, *,
                       false_commitment: bool = False) -> Case | None:
        """A back-office decision: the case moves to DECIDED (saved with outbox and audit).
        Cases not here, or not decidable (already decided, voided ...), are left as they are."""
        with self.write() as s:
            found = self._cases(s, select(CaseRow).where(CaseRow.id == case_id))
            if not found:
                return None
            case = found[0]
            if false_commitment:
                s.execute(update(CaseRow).where(CaseRow.id == case_id)
                          .values(false_commitment=True))
            if Status.DECIDED not in TRANSITIONS.get(case.status, frozenset()):
                return case
            decided = transition(case, Status.DECIDED, decision=Decision(decision),
                                 decided_at=local(decided_at))
            return self.save_case(decided, clerk_id="backoffice", action="case.decided",
                                  detail={"decision": decided.decision.value}, at=decided_at)

    # ------------------------------------------------------------------ key/value

    def get_kv(self, key: str, default: str | None = None) -> str | None:
        with self.tx.read() as s:
            row = s.get(KvRow, key)
            return row.value if row else default

    def set_kv(self, key: str, value: str) -> None:
        with self.write() as s:
            _upsert(s, KvRow, {"key": key, "value": value}, ["key"])

    @property
    def clock_offset(self) -> float:
        """Seconds to add to the local clock to get the server's (measured at each sync)."""
        return float(self.get_kv(KV_CLOCK_OFFSET, "0") or 0)

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        self.set_kv(KV_CLOCK_OFFSET, repr(float(seconds)))


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)
