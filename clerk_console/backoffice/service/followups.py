"""The 差评 follow-ups the windows report (``bo_followup``), for the back office's overview:
every open one with its current step and deadline, overdue ones first. The columns are the
pushed ``sync.protocol.FollowupPayload``'s, copied at push (``service.push``); its history has
as many steps as its version (refused otherwise), so no payload is parsed again here."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from clerk_console.domain.calendar import WorkCalendar
from clerk_console.domain.deadlines import workdays_left
from clerk_console.domain.followup import Step

from .common import FOLLOWUP, W


def open_followups(conn: Connection, today: date, cal: WorkCalendar) -> list[dict[str, Any]]:
    """Open follow-ups of every window, overdue first (most late first), then by deadline."""
    rows = conn.execute(select(FOLLOWUP, W.c.code.label("window_code"))
                        .join(W, W.c.id == FOLLOWUP.c.window_id)
                        .where(FOLLOWUP.c.status == "open")).mappings().all()
    out = []
    for r in rows:
        left = workdays_left(cal, today, r["due"])
        out.append(dict(id=r["id"], window_code=r["window_code"], case_no=r["case_no"],
                        step=r["step"], step_label=Step(r["step"]).label,
                        due=r["due"].isoformat(), overdue=r["due"] < today,
                        late_workdays=max(0, -left),
                        steps=r["version"]))
    return sorted(out, key=lambda f: (not f["overdue"], -f["late_workdays"], f["due"]))
