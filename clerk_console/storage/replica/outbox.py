"""The sync outbox: one event per saved record, pushed to the back office in order.

The queue's length is read every few seconds for the status bar: it comes from counters in
``kv`` (pending, refused) kept in the same transactions that add and answer events, not from a
COUNT over the whole table (794k rows after six busy years). A replica without the counters
(older file, bulk-loaded bench data) gets them counted once. Events pushed and acknowledged by
the back office are pruned once they are older than ``outbox_retention_days``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, delete, func, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session, col

from clerk_console.domain.hashing import payload_hash
from clerk_console.domain.ids import new_id

from ..sqltext import local
from ..tables import OutboxRow
from . import kv
from .base import ReplicaBase
from .values import OutboxEvent, OutboxWire


# kv keys of the maintained counters, per status that the status bar shows
COUNTED = {"pending": "outbox_count_pending", "refused": "outbox_count_refused"}
_ADD = text("UPDATE kv SET value = CAST(value AS INTEGER) + :n WHERE key = :key")
PRUNE_BATCH = 5_000  # rows deleted per transaction: each keeps the write lock briefly


def _count(s: Session, status: str, n: int) -> None:
    """Add ``n`` to a status's counter (nothing while the counter is not there yet: it is
    then counted whole, in a write transaction, the first time it is read)."""
    if n:
        s.execute(_ADD, {"n": n, "key": COUNTED[status]})


def enqueue(s: Session, entity: str, entity_id: str, op: str, payload: dict[str, Any],
            at: datetime | None) -> None:
    """One pending event inside the caller's transaction (with the record it carries)."""
    s.execute(insert(OutboxRow).values(
        id=new_id(), entity=entity, entity_id=entity_id, op=op, payload=payload,
        payload_hash=payload_hash(payload), created_at=at, status="pending", attempts=0,
        last_error=""))
    _count(s, "pending", 1)


class Outbox(ReplicaBase):
    def outbox_pending(self, limit: int = 500) -> list[OutboxEvent]:
        """Pending events, oldest first."""
        with self.tx.read() as s:
            rows = s.execute(select(OutboxRow).where(col(OutboxRow.status) == "pending")
                          .order_by(col(OutboxRow.created_at), col(OutboxRow.id)).limit(limit)) \
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
        """Events per status, counted over the table (for checks; the status bar reads
        ``outbox_queue``)."""
        with self.tx.read() as s:
            rows = s.execute(select(col(OutboxRow.status), func.count())
                             .group_by(col(OutboxRow.status))).all()
        return {status: n for status, n in rows}

    def outbox_queue(self) -> dict[str, int]:
        """Pending and refused events, from the maintained counters (two key lookups)."""
        with self.tx.read() as s:
            values = {status: kv.get(s, key) for status, key in COUNTED.items()}
        counted = {status: int(v) for status, v in values.items() if v is not None}
        if len(counted) == len(values):
            return counted
        with self.write() as s:  # first read on this file: count once, under the write lock
            counts = dict(s.execute(select(col(OutboxRow.status), func.count())
                                    .where(col(OutboxRow.status).in_(list(COUNTED)))
                                    .group_by(col(OutboxRow.status))).all())
            for status, key in COUNTED.items():
                kv.put(s, key, str(counts.get(status, 0)))
        return {status: counts.get(status, 0) for status in COUNTED}

    def prune_outbox(self, before: datetime) -> int:
        """Delete events the back office acknowledged (pushed) that were made and pushed
        before ``before``, a batch per transaction; the number deleted. Pending and refused
        events are never pruned."""
        t = OutboxRow.__table__
        old = (select(t.c.id).where(t.c.status == "pushed", t.c.created_at < local(before),
                                    t.c.pushed_at < local(before)).limit(PRUNE_BATCH))
        total = 0
        while True:
            with self.background_write() as s:
                n = s.connection().execute(
                    delete(t).where(t.c.id.in_(old.scalar_subquery()))).rowcount
            total += n
            if n < PRUNE_BATCH:
                return total

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
            # one UPDATE for the answered batch (ids in chunks below SQLite's variable limit);
            # only pending events change status, so the counters move by what changed
            left = 0
            for i in range(0, len(pushed), 10_000):
                left += conn.execute(update(t).where(t.c.id.in_(pushed[i:i + 10_000]),
                                                     t.c.status == "pending")
                                     .values(status="pushed", last_error="", **done)).rowcount
            for r in refused:
                n = conn.execute(update(t).where(t.c.id == r["b_id"], t.c.status == "pending")
                                 .values(status="refused", last_error=r["b_error"], **done)).rowcount
                left += n
                _count(s, "refused", n)
            _count(s, "pending", -left)

    def mark_failed(self, ids: Iterable[str], error: str) -> None:
        """A push that did not reach the server: the events stay pending, attempts counted."""
        with self.write() as s:
            s.execute(update(OutboxRow).where(col(OutboxRow.id).in_(list(ids)))
                      .values(attempts=OutboxRow.attempts + 1, last_error=error))
