"""Conversions between domain objects, table rows and JSON-ready data (one place each)."""
from __future__ import annotations

from dataclasses import MISSING, asdict, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from clerk_console.domain.case import (Case, CaseMaterial, Correction, Decision, ExcludedTime,
                                       Extension, MaterialState, Outcome, Status)
from clerk_console.domain.followup import Followup, Step, history_from_data, history_to_data
from clerk_console.domain.messages import contact_key
from clerk_console.domain.parties import Applicant, ApplicantKind, BlacklistEntry, ELicence
from clerk_console.domain.rating import Rating

from ..sqltext import local
from ..tables import ApplicantRow, CaseMaterialRow, CaseRow, FollowupRow, RatingRow


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


# The one codec of a case: every field of ``Case`` goes through these, to JSON-ready data (the
# outbox payload) and to the replica's rows, and back; only the conversions are named here.
_CASE_DATETIMES = ("created_at", "accepted_at", "decided_at", "delivered_at")
_CASE_DATES = ("deadline", "promised_date")
_CASE_ENUMS = {"status": Status, "outcome": Outcome, "decision": Decision}
_CASE_FIELDS = tuple(f for f in fields(Case) if f.name != "materials")
_MATERIAL_FIELDS = tuple(f.name for f in fields(CaseMaterial))


def _given(v: Any, parse: Any) -> Any:
    """``v`` as stored: an ISO string from JSON is parsed, a row's date(time) taken as it is."""
    return parse(v) if isinstance(v, str) else v


def _optional(enum: Any) -> Any:
    return lambda v: enum(v) if v else None


_CONVERT: dict[str, Any] = {
    **{name: _optional(enum) for name, enum in _CASE_ENUMS.items()},
    **{name: lambda v: _given(v, parse_datetime) for name in _CASE_DATETIMES},
    **{name: lambda v: _given(v, parse_date) for name in _CASE_DATES},
    "items": tuple, "correction": correction_from_dict, "version": lambda v: int(v or 0),
    "deadline_estimated": bool, "extension": extension_from_dict, "excluded": excluded_from_list,
}


def _case(values: Any, materials: tuple[CaseMaterial, ...]) -> Case:
    """A case from ``values(field, default)`` (a payload's or a row's; a payload lacking an
    optional field, an older one, gets its default) and its materials."""
    kw: dict[str, Any] = {}
    for f in _CASE_FIELDS:
        v = values(f.name, f.default)  # MISSING: a required field
        kw[f.name] = _CONVERT[f.name](v) if f.name in _CONVERT else v
    return Case(**kw, materials=materials)


def _payload_value(data: dict[str, Any]) -> Any:
    def value(name: str, default: Any) -> Any:
        return data[name] if default is MISSING else data.get(name, default)
    return value


def material_from_dict(m: dict[str, Any]) -> CaseMaterial:
    return CaseMaterial(**{**m, "state": MaterialState(m["state"])})


def case_to_dict(case: Case) -> dict[str, Any]:
    """The full case as JSON-ready data (the outbox payload of entity "case")."""
    data = asdict(case)
    data["items"] = list(case.items)
    data["materials"] = [asdict(m) for m in case.materials]
    for key in _CASE_DATETIMES + _CASE_DATES:
        data[key] = iso(data[key])
    data["correction"] = correction_to_dict(case.correction)
    data["extension"] = extension_to_dict(case.extension)
    data["excluded"] = excluded_to_list(case.excluded)
    return data


def case_from_dict(data: dict[str, Any]) -> Case:
    return _case(_payload_value(data),
                 tuple(material_from_dict(m) for m in data.get("materials", ())))


def case_values(case: Case) -> dict[str, Any]:
    """The case's row (``CaseRow``): its fields, materials apart, enums as their values."""
    v = {f.name: getattr(case, f.name) for f in _CASE_FIELDS}
    for key in _CASE_DATETIMES:
        v[key] = local(v[key])
    for key in _CASE_ENUMS:
        v[key] = v[key].value if v[key] else None
    v["applicant_kind"] = str(case.applicant_kind)
    v["items"] = list(case.items)
    v["correction"] = correction_to_dict(case.correction)
    v["extension"] = extension_to_dict(case.extension)
    v["excluded"] = excluded_to_list(case.excluded) or None
    return v


def material_values(case: Case) -> list[dict[str, Any]]:
    return [{**asdict(m), "case_id": case.id, "position": i, "state": m.state.value}
            for i, m in enumerate(case.materials)]


def case_from_row(row: CaseRow, mats: list[CaseMaterialRow]) -> Case:
    return _case(lambda name, _default: getattr(row, name), tuple(
        material_from_dict({name: getattr(m, name) for name in _MATERIAL_FIELDS})
        for m in sorted(mats, key=lambda m: m.position)))


# The one codec of a rating (好差评) and of a bad rating's follow-up: the replica's row and the
# outbox payload (what the back office parses as sync.protocol.RatingPayload / FollowupPayload,
# tests/test_push_codecs.py) are made here and nowhere else.

def rating_values(rating: Rating, rating_id: str) -> dict[str, Any]:
    """The rating's row (``RatingRow``); ``rating_id`` is made once, when it is saved."""
    return {"id": rating_id, "case_no": rating.case_no, "level": rating.level,
            "comment": rating.comment, "clerk_id": rating.clerk_id, "at": local(rating.at),
            "reasons": list(rating.reasons), "entered_by": rating.entered_by}


def rating_to_dict(rating: Rating, rating_id: str) -> dict[str, Any]:
    """The payload of entity "rating": the row, its time ISO."""
    values = rating_values(rating, rating_id)
    return {**values, "at": iso(values["at"])}


def rating_from_row(row: RatingRow) -> Rating:
    return Rating(row.case_no, row.level, row.comment, row.clerk_id, row.at,
                  tuple(row.reasons or ()), row.entered_by)


def followup_values(f: Followup) -> dict[str, Any]:
    """The follow-up's row (``FollowupRow``): every field, steps as their values."""
    return {"id": f.id, "case_no": f.case_no, "due": f.due, "due_estimated": f.due_estimated,
            "status": f.status, "opened_at": local(f.opened_at), "closed_at": local(f.closed_at),
            "answer": f.answer, "step": f.step.value, "rated_clerk": f.rated_clerk,
            "history": history_to_data(f.history), "resume": f.resume.value if f.resume else "",
            "outcome": f.outcome, "version": f.version}


def followup_to_dict(f: Followup) -> dict[str, Any]:
    """The payload of entity "followup": the whole record, dates ISO."""
    values = followup_values(f)
    return {**values, "due": iso(f.due), "opened_at": iso(values["opened_at"]),
            "closed_at": iso(values["closed_at"])}


def followup_from_row(row: FollowupRow) -> Followup:
    return Followup(row.id, row.case_no, row.due, row.due_estimated, row.status, row.opened_at,
                    row.closed_at, row.answer, Step(row.step), row.rated_clerk,
                    history_from_data(row.history), Step(row.resume) if row.resume else None,
                    row.outcome, row.version)


def contact_to_dict(case_no: str, phone: str, opt_out: bool, at: datetime) -> dict[str, Any]:
    """The payload of entity "contact" (sync.protocol.ContactPayload): where a case's messages
    go, keyed by ``domain.messages.contact_key``."""
    return {"id": contact_key(case_no), "case_no": case_no, "phone": phone, "opt_out": opt_out,
            "at": iso(local(at))}


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
