"""终止办理通知书: a deferral (or an approval on commitment owing a material) voided because
what was promised was not supplied in time: what was owed, the deadline, the day voided, the
basis and the applicant's rights. A voided case reprints this, never its acceptance."""
from __future__ import annotations

from clerk_console.domain.case import Status

from ..facts import Facts, closing, intro, owed_section, rights_section
from ..model import Field, Section
from ..registry import Kind, register

NAME = "termination_notice"


def body(f: Facts) -> list[Section]:
    ctx = f.context
    return [intro(f, NAME), owed_section(f, "逾期未补齐的材料"),
            Section("", fields=(Field("补交截止日期", ctx.deadline_text),
                                Field("终止办理日期", ctx.voided_on or ctx.day)),
                    paragraphs=(f.fill(NAME, "decision"),)
                    + ((f"说明：{f.case.note}",) if f.case.note else ())),
            rights_section(f), closing(f, NAME)]


register(Kind(NAME, 25, body, statuses=(Status.VOIDED,), dated_by_void=True))
