"""容缺补正承诺书: the applicant's signed promise to supply the owed materials in time."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, deadline_notes, intro, owed_section
from ..model import Field, Section
from ..registry import Kind, register

NAME = "deferral_commitment"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), owed_section(f, "承诺补交的材料"),
            Section("承诺事项", fields=(Field("补交截止日期", f.context.deadline_text),),
                    paragraphs=f.fill_all(NAME, "points") + deadline_notes(f))]


# the paper on which the applicant promises the deadline says how it was set
register(Kind(NAME, 30, body, outcomes=(Outcome.DEFERRED,), supply_rule=True))
