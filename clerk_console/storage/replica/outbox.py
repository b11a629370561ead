"""The sync outbox: one event per saved record, pushed to the back office in order."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from clerk_console.domain.ids import new_id

from ..tables import OutboxRow
from .base import ReplicaBase
from .codecs import local, payload_hash
from .values import OutboxEvent, OutboxWire


def enqueue(s: Session, entity: str, entity_id: str, op: str, payload: dict[str, Any],
            at: datetime | None) -> None:
    """One pending event inside the caller's transaction (with the record it carries)."""
    s.execute(insert(OutboxRow).values(
        id=new_id(), entity=entity, entity_id=entity_id, op=op, payload=payload,
        payload_hash=payload_hash(payload), created_at=at, status="pending", attempts=0,
        last_error=""))


class Outbox(ReplicaBase):
    def outbox_pending(self, limit: int = 500) -> list[OutboxEvent]:
        """Pending events, oldest first."""
        with self.tx.read() as s:
            rows = s.execute(select(OutboxRow).where(OutboxRow.status == "pending")
                          .order_by(OutboxRow.created_at, OutboxRow.id).limit(limit)) \
                .scalars().all()
        return [OutboxEvent(r.id, r.entity, r.entity_id, r.op, r.payload, r.payload_hash,
                            r.created_at, r.attempts, r.status, r.last_error) for r in rows]

    def outbox_batch(self, limit: int = 500) -> list[OutboxWire]:
        """Pending events, oldest first, with each payload as the JSON text stored: a push sends
        it as it is, without parsing and encoding it again."""
        t = OutboxRow.__table__
        stmt = (select(t.c.id, t.c.entity, t.c.entity_id, t.c.op, t.c.payload.cast(String),
                       t.c.payload_hash)
                .where(t.c.status == "pending").order_by(t.c.created_at, t.c.id).limit(limit))
        with self.tx.read() as s:
            return [OutboxWire(*r) for r in s.execute(stmt)]

    def outbox_counts(self) -> dict[str, int]:
        with self.tx.read() as s:
            rows = s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        return {status: n for status, n in rows}

    def mark_pushed(self, results: Iterable[Any], at: datetime | None = None) -> None:
        """Apply the server's answers: objects with ``id``, ``status`` (sync.protocol
        ItemStatus: accepted/duplicate -> pushed, conflict/refused -> refused) and ``message``.
        Refused events leave the queue (one bad record never holds the others)."""
        at = local(at) or datetime.now()
        pushed: list[str] = []
        refused: list[dict[str, Any]] = []
        for r in results:
            status = getattr(r, "status", "")
            status = getattr(status, "value", status)
            if status in ("accepted", "duplicate"):
                pushed.append(r.id)
            else:
                refused.append({"b_id": r.id, "b_error": getattr(r, "message", "") or status})
        t = OutboxRow.__table__
        done = dict(attempts=t.c.attempts + 1, pushed_at=at)
        with self.write() as s:
            conn = s.connection()
            # one UPDATE for the answered batch (ids in chunks below SQLite's variable limit)
            for i in range(0, len(pushed), 10_000):
                conn.execute(update(t).where(t.c.id.in_(pushed[i:i + 10_000]))
                             .values(status="pushed", last_error="", **done))
            if refused:
                conn.execute(update(t).where(t.c.id == bindparam("b_id"))
                             .values(status="refused", last_error=bindparam("b_error"), **done),
                             refused)

    def mark_failed(self, ids: Iterable[str], error: str) -> None:
        """A push that did not reach the server: the events stay pending, attempts counted."""
        with self.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id.in_(list(ids)))
                      .values(attempts=OutboxRow.attempts + 1, last_error=error))
