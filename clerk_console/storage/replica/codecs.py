"""Conversions between domain objects, table rows and JSON-ready data (one place each)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from clerk_console.domain.case import (Case, CaseMaterial, Correction, Decision, ExcludedTime,
                                       Extension, MaterialState, Outcome, Status)
from clerk_console.domain.parties import Applicant, ApplicantKind, BlacklistEntry, ELicence

from ..tables import ApplicantRow, CaseMaterialRow, CaseRow


def local(dt: datetime | None) -> datetime | None:
    """Naive local wall-clock time (the replica's convention)."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone().replace(tzinfo=None)


def iso(v: date | datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def parse_date(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def parse_datetime(v: str | None) -> datetime | None:
    return local(datetime.fromisoformat(v)) if v else None


def correction_to_dict(c: Correction | None) -> dict[str, Any] | None:
    """A 补正 record as JSON-ready data (the case row's column and the outbox payload)."""
    if c is None:
        return None
    return {"notified_on": iso(c.notified_on), "owed": list(c.owed),
            "completed_on": iso(c.completed_on)}


def correction_from_dict(data: dict[str, Any] | None) -> Correction | None:
    if not data:
        return None
    return Correction(notified_on=date.fromisoformat(data["notified_on"]),
                      owed=tuple(data.get("owed") or ()),
                      completed_on=parse_date(data.get("completed_on")))


def extension_to_dict(e: Extension | None) -> dict[str, Any] | None:
    """The art. 42 extension as JSON-ready data (row column and outbox payload)."""
    if e is None:
        return None
    return {"days": e.days, "reason": e.reason, "approved_by": e.approved_by, "on": iso(e.on),
            "before": iso(e.before), "after": iso(e.after)}


def extension_from_dict(data: dict[str, Any] | None) -> Extension | None:
    if not data:
        return None
    return Extension(days=int(data["days"]), reason=data["reason"],
                     approved_by=data["approved_by"], on=date.fromisoformat(data["on"]),
                     before=date.fromisoformat(data["before"]),
                     after=date.fromisoformat(data["after"]))


def excluded_to_list(periods: tuple[ExcludedTime, ...]) -> list[dict[str, Any]]:
    """The art. 45 periods as JSON-ready data."""
    return [{"kind": p.kind, "start": iso(p.start), "end": iso(p.end), "workdays": p.workdays,
             "reason": p.reason, "recorded_on": iso(p.recorded_on), "before": iso(p.before),
             "after": iso(p.after)} for p in periods]


def excluded_from_list(data: list[dict[str, Any]] | None) -> tuple[ExcludedTime, ...]:
    return tuple(ExcludedTime(kind=p["kind"], start=date.fromisoformat(p["start"]),
                              end=date.fromisoformat(p["end"]), workdays=int(p["workdays"]),
                              reason=p["reason"],
                              recorded_on=date.fromisoformat(p["recorded_on"]),
                              before=date.fromisoformat(p["before"]),
                              after=date.fromisoformat(p["after"])) for p in data or ())


def case_to_dict(case: Case) -> dict[str, Any]:
    """The full case as JSON-ready data (the outbox payload of entity "case")."""
    data = asdict(case)
    data["items"] = list(case.items)
    data["materials"] = [asdict(m) for m in case.materials]
    for key in ("created_at", "accepted_at", "deadline", "promised_date", "decided_at",
                "delivered_at"):
        data[key] = iso(data[key])
    data["correction"] = correction_to_dict(case.correction)
    data["extension"] = extension_to_dict(case.extension)
    data["excluded"] = excluded_to_list(case.excluded)
    return data


def case_from_dict(data: dict[str, Any]) -> Case:
    mats = tuple(CaseMaterial(**{**m, "state": MaterialState(m["state"])})
                 for m in data.get("materials", ()))
    return Case(
        id=data["id"], case_no=data["case_no"], window_code=data["window_code"],
        clerk_id=data["clerk_id"], applicant_id=data["applicant_id"],
        applicant_name=data["applicant_name"], applicant_kind=data["applicant_kind"],
        items=tuple(data["items"]), created_at=parse_datetime(data["created_at"]),
        status=Status(data["status"]),
        outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
        bundle=data.get("bundle"), agent_id=data.get("agent_id", ""),
        agent_name=data.get("agent_name", ""), materials=mats,
        accepted_at=parse_datetime(data.get("accepted_at")),
        deadline=parse_date(data.get("deadline")),
        deadline_estimated=bool(data.get("deadline_estimated")),
        promised_date=parse_date(data.get("promised_date")),
        signpost_dept=data.get("signpost_dept", ""),
        decision=Decision(data["decision"]) if data.get("decision") else None,
        decided_at=parse_datetime(data.get("decided_at")),
        delivered_at=parse_datetime(data.get("delivered_at")), note=data.get("note", ""),
        correction=correction_from_dict(data.get("correction")),
        extension=extension_from_dict(data.get("extension")),
        excluded=excluded_from_list(data.get("excluded")),
        version=int(data.get("version", 0)), progress_token=data.get("progress_token", ""))


def case_values(case: Case) -> dict[str, Any]:
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
        "note": case.note, "version": case.version, "progress_token": case.progress_token,
        "correction": correction_to_dict(case.correction),
        "extension": extension_to_dict(case.extension),
        "excluded": excluded_to_list(case.excluded) or None,
    }


def material_values(case: Case) -> list[dict[str, Any]]:
    return [{"case_id": case.id, "position": i, "code": m.code, "name": m.name, "main": m.main,
             "state": m.state.value, "original": m.original, "reason": m.reason,
             "elicence_number": m.elicence_number}
            for i, m in enumerate(case.materials)]


def case_from_row(row: CaseRow, mats: list[CaseMaterialRow]) -> Case:
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
        delivered_at=row.delivered_at, note=row.note, version=row.version,
        progress_token=row.progress_token,
        correction=correction_from_dict(row.correction),
        extension=extension_from_dict(row.extension), excluded=excluded_from_list(row.excluded))


def applicant_values(applicant: Applicant, at: datetime | None) -> dict[str, Any]:
    return {"id_number": applicant.id_number, "id_kind": applicant.id_kind,
            "kind": applicant.kind.value, "name": applicant.name, "phone": applicant.phone,
            "address": applicant.address, "legal_rep_id": applicant.legal_rep_id,
            "legal_rep_name": applicant.legal_rep_name,
            "related_ids": list(applicant.related_ids), "region": applicant.region,
            "note": applicant.note, "nationality": applicant.nationality, "updated_at": at}


def applicant_from_row(row: ApplicantRow) -> Applicant:
    return Applicant(id_number=row.id_number, id_kind=row.id_kind, kind=ApplicantKind(row.kind),
                     name=row.name, phone=row.phone, address=row.address,
                     legal_rep_id=row.legal_rep_id, legal_rep_name=row.legal_rep_name,
                     related_ids=tuple(row.related_ids), region=row.region, note=row.note,
                     nationality=row.nationality or "")


def elicence_values(lic: ELicence, key: str = "") -> dict[str, Any]:
    return {"key": key or lic.key, "holder_id": lic.holder_id,
            "type_code": lic.type_code, "name": lic.name, "number": lic.number,
            "issued": lic.issued, "expires": lic.expires}


def blacklist_values(entry: BlacklistEntry) -> dict[str, Any]:
    return {"subject_id": entry.subject_id, "name": entry.name, "reason": entry.reason,
            "listed_on": entry.listed_on}


def upsert(session: Session, table: Any, values: dict[str, Any] | list[dict[str, Any]],
           keys: list[str]) -> None:
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
