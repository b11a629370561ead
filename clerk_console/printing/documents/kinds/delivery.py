"""出件单: the decided result handed out at the window, and who took it."""
from __future__ import annotations

from clerk_console.domain.case import Status

from ..facts import Facts, closing, intro
from ..model import Field, Section
from ..registry import Kind, register

NAME = "delivery"


def body(f: Facts) -> list[Section]:
    ctx, case = f.context, f.case
    return [intro(f, NAME),
            Section("出件信息", fields=(
                Field("办理结果", ctx.decision or case.status.label),
                Field("交付时间", ctx.delivered_at),
                Field("领取人", case.agent_name or ctx.applicant))),
            closing(f, NAME)]


register(Kind(NAME, 70, body, statuses=(Status.DELIVERED,)))
