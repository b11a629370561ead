"""Credit (信用): who counts as related to an applicant, and what bars 容缺受理 and 承诺即准.

The replica finds the records; these functions decide what they mean.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .case import Case, Outcome, Status
from .parties import Applicant, BlacklistEntry, blacklist_hit
from .rules import CreditRecord

__all__ = ["CreditRecord", "RELATED_ROLES", "LEGAL_REP", "BROKEN_DEFERRAL", "rank_roles",
           "credit_subject", "is_broken_deferral", "credit_record"]

LEGAL_REP = "法定代表人"
# roles of an enterprise's related persons, strongest first (one role per person is kept)
PROJECT_OWNER = "项目单位"  # the enterprise an investment project belongs to
RELATED_ROLES = (LEGAL_REP, "股东", "高级管理人员", PROJECT_OWNER)
# a deferral that was voided: the applicant did not supply what was owed in time
BROKEN_DEFERRAL = (Status.VOIDED, Outcome.DEFERRED)


def is_broken_deferral(case: Case) -> bool:
    """Whether this case is a broken deferral promise (it bars a new 容缺受理)."""
    return (case.status, case.outcome) == BROKEN_DEFERRAL


def rank_roles(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """person id -> role from (person id, role) pairs: 法定代表人 wins over 股东 over
    高级管理人员 when a person holds several."""
    def strength(pair: tuple[str, str]) -> int:
        return RELATED_ROLES.index(pair[1]) if pair[1] in RELATED_ROLES else 9

    roles: dict[str, str] = {}
    for pid, role in sorted(pairs, key=strength, reverse=True):
        roles[pid] = role
    return roles


def credit_subject(applicant: Applicant, roles: dict[str, str]) -> tuple[Applicant, set[str]]:
    """The applicant with its legal representative and related persons filled in from
    ``roles``, and every id whose blacklisting counts against it."""
    legal_rep = applicant.legal_rep_id or next(
        (pid for pid, role in roles.items() if role == LEGAL_REP), "")
    related = tuple(dict.fromkeys([*applicant.related_ids, *(p for p in roles if p != legal_rep)]))
    subject = replace(applicant, legal_rep_id=legal_rep, related_ids=related)
    return subject, {applicant.id_number, legal_rep, *related} - {""}


def credit_record(subject: Applicant, listed: dict[str, BlacklistEntry], roles: dict[str, str],
                  *, broken_deferral: bool, false_commitment: bool) -> CreditRecord:
    """What bars 容缺受理 and 承诺即准 for ``subject`` (from :func:`credit_subject`)."""
    return CreditRecord(blacklist=blacklist_hit(subject, listed, roles),
                        broken_deferral=broken_deferral, false_commitment=false_commitment)
