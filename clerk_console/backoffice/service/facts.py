"""The dashboard's facts: plain columns copied from a pushed payload (``bo_case.outcome``,
``taken_on``, ``promised_date``, ``item_codes``; ``bo_rating.rated_on``), so the supervision
figures (``backoffice/dashboard``) are SQL aggregates over indexed columns, never JSON read
row by row. ``decided_on`` is the back office's own (``decisions.decide``).

Every write that changes a day's figures marks the day (:func:`mark_dirty`, in the writer's
transaction): the dashboard's rollup of that day (``dashboard/rollup.py``) is rebuilt at the
next read. The day of a case is its ``taken_on``, of an item its ``accepted_on`` (the same day,
or none), of a rating its ``rated_on``; a change of day marks the old day and the new.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, bindparam, select, union

from clerk_console.domain.calendar import CHINA_TIME as CHINA

from .common import CASE, DAY_D, DAY_W, DEC, DIRTY, ITEM, RATING, _chunks, _insert

FACT_COLUMNS = ("outcome", "taken_on", "promised_date", "item_codes")


def china_day(value: object) -> date | None:
    """The China calendar day of an ISO date-time (a naive one is the window's local time,
    which is China time); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (at.astimezone(CHINA) if at.tzinfo else at).date()


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def case_facts(payload: dict[str, Any]) -> dict[str, Any]:
    """``FACT_COLUMNS`` of a case payload (``storage.replica.codecs.case_to_dict``'s form)."""
    items = payload.get("items") or []
    return dict(outcome=str(payload.get("outcome") or ""),
                taken_on=china_day(payload.get("accepted_at"))
                or china_day(payload.get("created_at")),
                promised_date=_day(payload.get("promised_date")),
                item_codes=",".join(sorted({str(i) for i in items})))


def rated_on(payload: dict[str, Any], received: datetime) -> date:
    """The day of a rating: when the window took it, else when it arrived."""
    return china_day(payload.get("at")) or received.astimezone(CHINA).date()


def rating_items(conn: Connection, rating_ids: list[str] | None) -> None:
    """Copy the rated cases' ``item_codes`` onto the ratings ``rating_ids`` (None: every
    rating still without them), so ratings group by department without a join."""
    sub = (select(CASE.c.item_codes).where((CASE.c.window_id == RATING.c.window_id)
                                           & (CASE.c.case_no == RATING.c.case_no))
           .scalar_subquery())
    if rating_ids is None:
        conn.execute(RATING.update().where(RATING.c.item_codes.is_(None)).values(item_codes=sub))
        return
    for chunk in _chunks(rating_ids):
        conn.execute(RATING.update().where(RATING.c.id.in_(chunk)).values(item_codes=sub))


def backfill(conn: Connection) -> int:
    """Fill the facts of rows stored before they existed (``item_codes`` / ``rated_on``
    NULL), a chunk of rows at a time; returns how many cases were filled."""
    filled = 0
    while True:
        rows = conn.execute(select(CASE.c.id, CASE.c.payload).where(CASE.c.item_codes.is_(None))
                            .limit(2_000)).all()
        if not rows:
            break
        conn.execute(CASE.update().where(CASE.c.id == bindparam("b_id"))
                     .values({c: bindparam(c) for c in FACT_COLUMNS}),
                     [dict(b_id=r[0], **case_facts(json.loads(r[1]))) for r in rows])
        filled += len(rows)
    decided = conn.execute(select(DEC.c.case_id, DEC.c.decided_at)
                           .join(CASE, CASE.c.id == DEC.c.case_id)
                           .where(CASE.c.decided_on.is_(None))).all()
    for chunk in _chunks(decided):
        conn.execute(CASE.update().where(CASE.c.id == bindparam("b_id"))
                     .values(decided_on=bindparam("b_on")),
                     [dict(b_id=cid, b_on=decided_day(at)) for cid, at in chunk])
    while True:
        rows = conn.execute(select(RATING.c.id, RATING.c.payload, RATING.c.received_at)
                            .where(RATING.c.rated_on.is_(None)).limit(2_000)).all()
        if not rows:
            break
        conn.execute(RATING.update().where(RATING.c.id == bindparam("b_id"))
                     .values(rated_on=bindparam("b_on")),
                     [dict(b_id=r[0], b_on=rated_on(json.loads(r[1]), _aware(r[2])))
                      for r in rows])
    rating_items(conn, None)
    return filled


def backfill_items(conn: Connection, now: datetime) -> int:
    """Index the items of cases stored before the workbench (``bo_case_item`` empty for
    them), as push would have (``review.index_cases``), the decided ones closed at their
    decision's time; returns how many cases were indexed."""
    from sqlalchemy import exists

    from .common import W, WindowRow
    from .review import close_items, index_cases

    windows = {r[0]: WindowRow(*r) for r in conn.execute(select(W.c.id, W.c.code, W.c.region))}
    done, last = 0, ""
    while True:  # by id, a chunk at a time
        rows = conn.execute(select(CASE.c.id, CASE.c.window_id, CASE.c.payload).where(
            (CASE.c.id > last) & ~exists().where(ITEM.c.case_id == CASE.c.id))
            .order_by(CASE.c.id).limit(2_000)).all()
        if not rows:
            break
        last = rows[-1][0]
        payloads: dict[str, list[dict[str, Any]]] = {}
        for _id, wid, payload in rows:
            p = json.loads(payload)
            if wid in windows and p.get("items"):
                payloads.setdefault(wid, []).append(p)
        for wid, batch in payloads.items():
            index_cases(conn, windows[wid], batch, now)
            done += len(batch)
    for case_id, at in conn.execute(select(DEC.c.case_id, DEC.c.decided_at)).all():
        close_items(conn, case_id, _aware(at))
    return done


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC


def decided_day(at: datetime) -> date:
    """The day a decision made at ``at`` counts on (China time)."""
    return _aware(at).astimezone(CHINA).date()


def mark_dirty(conn: Connection, days: Iterable[date | None]) -> None:
    """The dashboard's rollup of ``days`` is stale: each day's mark gets a new generation, in
    the caller's transaction. Days in ascending order, in one statement, so writers marking the
    same days lock them in one order (call it once per transaction, last: the day's row stays
    locked until commit)."""
    todo = sorted({d for d in days if d is not None})
    if not todo:
        return
    stmt = _insert(conn, DIRTY)
    conn.execute(stmt.on_conflict_do_update(index_elements=[DIRTY.c.day],
                                            set_={"gen": DIRTY.c.gen + 1}),
                 [dict(day=d, gen=1) for d in todo])


def mark_all_dirty(conn: Connection) -> int:
    """Mark every day with facts or a rollup (a catalogue moved items between departments, or
    rows were written behind the services' back); returns how many days."""
    days = union(select(CASE.c.taken_on), select(ITEM.c.accepted_on),
                 select(RATING.c.rated_on), select(DAY_W.c.day), select(DAY_D.c.day),
                 select(DIRTY.c.day))
    found = [d for (d,) in conn.execute(days) if d is not None]
    for chunk in _chunks(sorted(found)):
        mark_dirty(conn, chunk)
    return len(found)
