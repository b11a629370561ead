"""Applicants, their related persons, e-licences, the blacklist and credit."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session, col

from clerk_console.domain import credit as rules
from clerk_console.domain.credit import LEGAL_REP, RELATED_ROLES, CreditRecord
from clerk_console.domain.parties import Applicant, BlacklistEntry, ELicence

from ..db import ReplicaError
from ..sqltext import local
from ..tables import ApplicantRow, BlacklistRow, CaseRow, ELicenceRow, RelatedPersonRow
from . import audit
from .base import ReplicaBase
from .codecs import (applicant_from_row, applicant_values, blacklist_values, elicence_values,
                     upsert)

__all__ = ["Applicants", "RELATED_ROLES"]


def related_roles(s: Session, enterprise_id: str) -> dict[str, str]:
    rows = s.execute(select(col(RelatedPersonRow.person_id), col(RelatedPersonRow.role))
                     .where(col(RelatedPersonRow.enterprise_id) == enterprise_id)).all()
    return rules.rank_roles((pid, role) for pid, role in rows)


class Applicants(ReplicaBase):
    def find_applicant(self, id_number: str) -> Applicant | None:
        with self.tx.read() as s:
            row = s.get(ApplicantRow, id_number)
            return applicant_from_row(row) if row else None

    def save_applicant(self, applicant: Applicant, clerk_id: str, *,
                       at: datetime | None = None) -> None:
        at = local(at) or datetime.now()
        with self.write() as s:
            existed = s.get(ApplicantRow, applicant.id_number) is not None
            upsert(s, ApplicantRow, applicant_values(applicant, at), ["id_number"])
            if applicant.legal_rep_id:
                upsert(s, RelatedPersonRow, {
                    "enterprise_id": applicant.id_number, "person_id": applicant.legal_rep_id,
                    "role": LEGAL_REP, "name": applicant.legal_rep_name},
                    ["enterprise_id", "person_id", "role"])
            audit.append(s, clerk_id, "applicant.update" if existed else "applicant.create",
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
                      .where(col(RelatedPersonRow.enterprise_id) == enterprise_id))
            upsert(s, RelatedPersonRow, rows, ["enterprise_id", "person_id", "role"])

    def related_roles(self, enterprise_id: str) -> dict[str, str]:
        """person id -> role (法定代表人 wins over 股东 over 高级管理人员)."""
        with self.tx.read() as s:
            return related_roles(s, enterprise_id)

    def elicences(self, holder_id: str) -> list[ELicence]:
        with self.tx.read() as s:
            rows = s.execute(select(ELicenceRow).where(col(ELicenceRow.holder_id) == holder_id)
                          .order_by(ELicenceRow.type_code)).scalars().all()
        return [ELicence(holder_id=r.holder_id, type_code=r.type_code, name=r.name,
                         number=r.number, issued=r.issued, expires=r.expires) for r in rows]

    def save_elicences(self, licences: Iterable[ELicence]) -> None:
        """Saved under their one key (``ELicence.key``), the row a pull replaces and deletes;
        two holders of one number are two rows (rows under the older ``type:number`` key
        took their one key in migration 0015). A licence given twice: the last."""
        values = list({v["key"]: v for v in map(elicence_values, licences)}.values())
        with self.write() as s:
            upsert(s, ELicenceRow, values, ["key"])

    def save_blacklist(self, entries: Iterable[BlacklistEntry]) -> None:
        with self.write() as s:
            upsert(s, BlacklistRow, [blacklist_values(e) for e in entries], ["subject_id"])

    def credit(self, applicant: Applicant) -> CreditRecord:
        """Blacklist (itself, legal rep, shareholders, managers), broken deferrals, false
        commitments: what bars 容缺受理 and 承诺即准 (the rules: ``domain.credit``)."""
        status, outcome = rules.BROKEN_DEFERRAL
        with self.tx.read() as s:
            roles = related_roles(s, applicant.id_number)
            subject, ids = rules.credit_subject(applicant, roles)
            rows = s.execute(select(BlacklistRow).where(col(BlacklistRow.subject_id).in_(ids))) \
                .scalars().all()
            broken = s.execute(select(col(CaseRow.id)).where(
                col(CaseRow.applicant_id) == applicant.id_number,
                col(CaseRow.status) == status.value,
                col(CaseRow.outcome) == outcome.value).limit(1)).first() is not None
            false = s.execute(select(col(CaseRow.id)).where(
                col(CaseRow.applicant_id) == applicant.id_number,
                col(CaseRow.false_commitment).is_(True)).limit(1)).first() is not None
        listed = {r.subject_id: BlacklistEntry(r.subject_id, r.name, r.reason, r.listed_on)
                  for r in rows}
        return rules.credit_record(subject, listed, roles, broken_deferral=broken,
                                   false_commitment=false)
