"""容缺受理通知书: what was accepted, what is still owed and by when, and what happens if not."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, closing, deadline_notes, intro, materials_section, owed_section
from ..model import Field, Section
from ..registry import Kind, register

NAME = "deferral_notice"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), materials_section(f),
            Section("补交期限", fields=(Field("补交截止日期", f.context.deadline_text),),
                    paragraphs=(f.fill(NAME, "deadline"),) + deadline_notes(f)),
            owed_section(f, "需补交的材料"),
            Section("逾期后果", paragraphs=(f.fill(NAME, "consequence"),)),
            closing(f, NAME, "promise", "copies")]


register(Kind(NAME, 20, body, outcomes=(Outcome.DEFERRED,)))
