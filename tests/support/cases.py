"""A saved-looking case for the storage tests (accepted, one material received, one owed)."""
from __future__ import annotations

from dataclasses import replace

from clerk_console.domain.case import Case, CaseMaterial, MaterialState, Outcome, Status
from clerk_console.domain.ids import new_id

from conftest import NOW, PERSON


def make_case(case_no: str, *, status=Status.ACCEPTED, applicant=PERSON, created=NOW,
              **changes) -> Case:
    case = Case(id=new_id(), case_no=case_no, window_code="YT0101", clerk_id="c1",
                applicant_id=applicant.id_number, applicant_name=applicant.name,
                applicant_kind=applicant.kind.value, items=("SIGN",), created_at=created,
                status=status, outcome=Outcome.ACCEPTED, version=1,
                materials=(CaseMaterial("form", "申请书", True, MaterialState.RECEIVED, True),
                           CaseMaterial("plan", "设施布局平面图", False, MaterialState.MISSING,
                                        reason="未带")))
    return replace(case, **changes)
