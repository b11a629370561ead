"""One visit at the window: who comes for whom, and what is already open. Pure domain.

``comes_as_agent``: a person's document scanned while an enterprise or a project is being
served records that person as its agent (经办人) instead of opening a new applicant.
``same_open_cases``: the applicant's open cases that already hold an item being picked again
(the console warns before a second case for the same thing is made).
``project_owner_id``: the enterprise an investment project belongs to (项目单位).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .case import Case
from .codes import PERSON_KINDS
from .credit import PROJECT_OWNER
from .parties import Applicant, ApplicantKind


def comes_as_agent(served: Applicant | None, scanned_code: str, scanned_kind: str, *,
                   closed: bool, picked: bool) -> bool:
    """Whether a scan of ``scanned_code`` (of codes kind ``scanned_kind``) is the agent of the
    organisation ``served``: a person's document, not the organisation's own code, while its
    intake is open (``closed``: a case of this visit was saved; ``picked``: items were chosen
    since, so the visit goes on)."""
    return (served is not None and served.kind is not ApplicantKind.PERSON
            and scanned_kind in PERSON_KINDS and scanned_code != served.id_number
            and (not closed or picked))


@dataclass(frozen=True)
class SameCase:
    case: Case
    items: tuple[str, ...]  # the picked item codes the open case already holds


def same_open_cases(open_cases: Iterable[Case], applicant_id: str,
                    items: Iterable[str]) -> list[SameCase]:
    """The applicant's open cases (in progress, deferral owed, decided but not delivered)
    that hold any of ``items``, with the shared items in the order picked."""
    wanted = list(dict.fromkeys(items))
    found = []
    for case in open_cases:
        if case.applicant_id != applicant_id or not case.is_open:
            continue
        shared = tuple(code for code in wanted if code in case.items)
        if shared:
            found.append(SameCase(case, shared))
    return found


def project_owner_id(project: Applicant, roles: dict[str, str]) -> str:
    """The credit code of the project's owner (项目单位) from its related roles, or ''."""
    if project.kind is not ApplicantKind.PROJECT:
        return ""
    return next((pid for pid, role in roles.items() if role == PROJECT_OWNER), "")
