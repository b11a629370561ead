"""容缺受理通知书: what was accepted, what is still owed and by when, and what happens if not."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, closing, deadline_notes, intro, owed_section, received_section
from ..model import Section
from ..registry import Kind, register

NAME = "deferral_notice"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), received_section(f), owed_section(f, "需补交的材料"),
            Section("", paragraphs=(f.fill(NAME, "deadline"),) + deadline_notes(f)
                    + (f.fill(NAME, "consequence"),)),
            closing(f, NAME, "promise", "copies")]


register(Kind(NAME, 20, body, outcomes=(Outcome.DEFERRED,)))
