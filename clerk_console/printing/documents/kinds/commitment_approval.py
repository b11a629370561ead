"""告知承诺审批决定: approved on the applicant's commitment, and what a false one costs."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, intro, materials_section
from ..model import Section
from ..registry import Kind, register

NAME = "commitment_approval"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), materials_section(f),
            Section(f.fill(NAME, "commitment_heading"), paragraphs=f.fill_all(NAME, "points")),
            Section("虚假承诺的后果", paragraphs=(f.fill(NAME, "consequence"),))]


# one decision date: the approval is given the day of the commitment (the intro and the seal
# date); the promised date is when the licence is issued, not a second decision
register(Kind(NAME, 50, body, outcomes=(Outcome.APPROVED_ON_COMMITMENT,),
              promised_label="承诺发证日期"))
