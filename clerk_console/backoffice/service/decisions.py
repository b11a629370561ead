"""Cases as the back office holds them, and its decisions (queued for the window)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from clerk_console.domain.case import Decision, Status, decidable
from clerk_console.sync.protocol import Dataset

from clerk_console.backoffice import sms

from .common import CASE, DEC, ITEM, W, BackofficeError
from .facts import decided_day, mark_dirty
from .reference import put_records


def list_cases(conn: Connection, limit: int = 1000) -> list[dict[str, Any]]:
    q = (select(CASE, W.c.code.label("window_code"), DEC.c.decision)
         .join(W, W.c.id == CASE.c.window_id)
         .join(DEC, DEC.c.case_id == CASE.c.id, isouter=True)
         .order_by(CASE.c.case_no).limit(limit))
    out = []
    for r in conn.execute(q).mappings():
        p = json.loads(r["payload"])
        out.append(dict(case_no=r["case_no"], window_code=r["window_code"], status=r["status"],
                        version=r["version"], items=p.get("items", []),
                        decision=r["decision"] or "", updated_at=r["updated_at"]))
    return out


def count_cases(conn: Connection) -> int:
    n: int = conn.execute(select(func.count()).select_from(CASE)).scalar_one()
    return n


def decide(conn: Connection, case_no: str, decision: Decision, *, actor: str,
           now: datetime) -> dict[str, Any]:
    """Record the back office's decision on the whole case (every item at once) and queue it
    for the window that took the case."""
    row = conn.execute(select(CASE).where(CASE.c.case_no == case_no.strip().upper())
                       ).mappings().first()
    if row is None:
        raise BackofficeError(f"后台没有办件{case_no}：请确认编号，或等待窗口同步后再试", 404)
    if conn.execute(select(DEC.c.decision).where(DEC.c.case_id == row["id"])).first():
        raise BackofficeError(f"办件{case_no}已有决定，不能重复决定", 409)
    status = Status(row["status"])
    if not decidable(status):
        raise BackofficeError(f"办件{case_no}当前状态为“{status.label}”，不能作出决定", 409)
    conn.execute(DEC.insert().values(case_id=row["id"], case_no=row["case_no"],
                                     window_id=row["window_id"], decision=decision.value,
                                     decided_at=now, decided_by=actor))
    conn.execute(CASE.update().where(CASE.c.id == row["id"]).values(decided_on=decided_day(now)))
    from clerk_console.sync.protocol import CaseDecisionsWire, ItemDecisionWire

    from .review import case_decisions, close_items

    done = case_decisions(conn, row["id"])  # items the workbench decided before: kept
    payload = CaseDecisionsWire(case_id=row["id"], case_no=row["case_no"], decision=decision,
                                decided_at=now,
                                items=[ItemDecisionWire.of(d) for d in done.values()]
                                ).model_dump(mode="json")
    close_items(conn, row["id"], now)  # decided as a whole: out of every queue
    mark_dirty(conn, [d for (d,) in conn.execute(select(ITEM.c.accepted_on).where(
        ITEM.c.case_id == row["id"]))])  # the items' day on the dashboard
    put_records(conn, Dataset.DECISIONS, {(row["window_id"], row["id"]): payload})
    sms.queue_result_ready(conn, row, now)  # the applicant is told the result is ready, once
    return payload
