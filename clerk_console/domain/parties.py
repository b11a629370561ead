"""Applicants, their e-licences and the credit blacklist. Pure domain."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .masking import ORGANISATION_KINDS, mask_id, mask_name  # noqa: F401 (re-exported)


class ApplicantKind(StrEnum):
    PERSON = "person"
    ENTERPRISE = "enterprise"
    PROJECT = "project"  # an investment project, identified by its project code


@dataclass(frozen=True, slots=True)
class Applicant:
    id_number: str  # normalised code: resident ID, permit, USCC or project code
    id_kind: str  # clerk_console.domain.codes kind: resident_id, uscc, project_code ...
    kind: ApplicantKind
    name: str
    phone: str = ""
    address: str = ""
    # enterprises: legal representative and the other natural persons the blacklist extends to
    legal_rep_id: str = ""
    legal_rep_name: str = ""
    related_ids: tuple[str, ...] = ()  # shareholders and senior managers (ID numbers)
    region: str = ""  # 6-digit region code
    note: str = ""
    nationality: str = ""  # foreigners: ISO 3166-1 alpha-3 (USA, GBR ...)


@dataclass(frozen=True, slots=True)
class ELicence:
    """A licence already in the e-licence library (电子证照库)."""

    holder_id: str
    type_code: str  # matches MaterialSpec.elicence_type
    name: str  # 营业执照, 居民身份证 ...
    number: str
    issued: date | None = None
    expires: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.expires is None or self.expires >= day

    @property
    def key(self) -> str:
        """Its identity in the library, the sync key on both ends (``elicence_key``)."""
        return elicence_key(self.holder_id, self.type_code, self.number)


def elicence_key(holder_id: str, type_code: str, number: str) -> str:
    """The one identity key of an e-licence: ``HOLDER|type|number`` (holder upper-cased, as
    the back office's loader stores it), used by the back office's records, the replica's
    rows and every sync page.

    >>> elicence_key("37060219900101123x", "ID", "37060219900101123X")
    '37060219900101123X|ID|37060219900101123X'
    """
    return f"{holder_id.strip().upper()}|{type_code}|{number}"


@dataclass(frozen=True, slots=True)
class BlacklistEntry:
    subject_id: str  # ID number or USCC on the list (失信黑名单)
    name: str
    reason: str
    listed_on: date | None = None


@dataclass(frozen=True, slots=True)
class BlacklistHit:
    """Why an applicant is barred: itself or one of its natural persons is listed."""

    entry: BlacklistEntry
    via: str = ""  # "" when the applicant itself is listed, else 法定代表人/股东/高级管理人员

    @property
    def message(self) -> str:
        who = f"{self.via}{self.entry.name}" if self.via else self.entry.name
        return f"失信黑名单：{who}（{self.entry.reason}），不得容缺受理或承诺即准"


def blacklist_hit(applicant: Applicant, listed: dict[str, BlacklistEntry],
                  related_roles: dict[str, str] | None = None) -> BlacklistHit | None:
    """The applicant is barred if it, its legal representative, or a related person is listed.

    ``related_roles`` maps a related ID to its role label (股东, 高级管理人员); unknown ones
    are reported as 关联人员.
    """
    if applicant.id_number in listed:
        return BlacklistHit(listed[applicant.id_number])
    if applicant.legal_rep_id and applicant.legal_rep_id in listed:
        return BlacklistHit(listed[applicant.legal_rep_id], via="法定代表人")
    roles = related_roles or {}
    for rid in applicant.related_ids:
        if rid in listed:
            return BlacklistHit(listed[rid], via=roles.get(rid, "关联人员"))
    return None


def is_organisation(kind: str) -> bool:
    """Does ``kind`` (an ApplicantKind or a domain.codes kind) name an enterprise or a project?"""
    return kind in ORGANISATION_KINDS or kind in (ApplicantKind.ENTERPRISE, ApplicantKind.PROJECT)


def mask_party_name(name: str, kind: str = ApplicantKind.PERSON) -> str:
    """A holder's name as lists, logs and paper show it: a person's masked (张*丰), an
    enterprise's or a project's whole (烟台海风咖啡有限公司, not 烟********司).

    ``kind`` is the holder's ApplicantKind or code kind; the person rule is masking.mask_name.
    """
    return name if is_organisation(kind) else mask_name(name)


def mask_elicence_number(number: str, holder_id: str = "", holder_kind: str = "") -> str:
    """An e-licence's number as printed or shown: the holder's own code is masked as the
    holder's kind (an enterprise's credit code stays whole), any other number as a person's
    document (so a 居民身份证 e-licence never prints the full ID)."""
    if holder_id and number == holder_id and holder_kind:
        return mask_id(number, holder_kind)
    return mask_id(number)


def covering_licences(applicant: Applicant, agent: Applicant | None,
                      held: dict[str, list[ELicence]], day: date) -> dict[str, ELicence]:
    """The valid e-licences that cover a case's materials, by e-licence type (一证通办).

    The applicant's own licences first. For an enterprise the natural persons who act for it
    stand in: its legal representative's licences (e.g. the ID card the checklist asks as
    "法定代表人身份证"), then an agent's (经办人). A person's agent only stands for the agent:
    the agent's ID card is never taken for the applicant's own.
    ``held`` maps a holder's ID number or USCC to the licences the library holds for it.
    """
    holders = [applicant.id_number]
    if applicant.kind is not ApplicantKind.PERSON:
        holders += [applicant.legal_rep_id, agent.id_number if agent else ""]
    out: dict[str, ELicence] = {}
    for holder in dict.fromkeys(h for h in holders if h):
        for lic in held.get(holder, ()):
            if lic.valid_on(day):
                out.setdefault(lic.type_code, lic)
    return out
