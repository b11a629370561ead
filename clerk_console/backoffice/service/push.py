"""Push: each window event stored exactly once, checked, answered one by one.

One transaction (the caller's): the batch's new events are claimed with multi-row
``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the unique (window_id, event_id), the rest
are answered from what was stored the first time. Each payload is encoded once: its
canonical JSON gives both the hash and the stored text.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from clerk_console.backoffice import sms
from clerk_console.backoffice.push_rules import PushChecker
from clerk_console.domain.case import Status
from clerk_console.sync.protocol import (ContactPayload, FollowupPayload, ItemStatus, PushItem,
                                        PushResult, RatingPayload, canonical_json)

from .review import index_cases
from .common import (CASE, CONTACT, EV, FOLLOWUP, RATING, WindowRow, _bound, _chunks, _driver_cursor,
                     _driver_executemany, _insert, _placeholders)
from .facts import FACT_COLUMNS, case_facts, mark_dirty, rated_on, rating_items

CONFLICT_MESSAGE = "同一记录编号已收到过不同的内容，本次已拒收；请核对该办件后联系后台处理"


@dataclass
class _Writes:
    """What the newly claimed events of a batch write, gathered to run as a few statements."""

    results: dict[str, PushResult] = field(default_factory=dict)
    inserts: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    followups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> newest row
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # case number -> newest
    voided: list[dict[str, Any]] = field(default_factory=list)  # cases the window voided now
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> newest payload
    days: set[Any] = field(default_factory=set)  # the dashboard's days these writes change


def push(conn: Connection, window: WindowRow, items: list[PushItem], *,
         now: datetime) -> list[PushResult]:
    """Store each event exactly once; per-item results, a refused item never blocks the rest."""
    texts = [canonical_json(it.payload) for it in items]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    first: dict[str, int] = {}  # event id -> position of its first copy in the batch
    for i, it in enumerate(items):
        first.setdefault(it.id, i)
    claimed = _claim_events(conn, window.id, [(eid, hashes[i]) for eid, i in first.items()],
                            now)
    mine = [i for eid, i in first.items() if eid in claimed]
    writes = _sort_claimed(conn, window, items, texts, mine, now)
    _write(conn, window, writes, now)
    return _answer(conn, window, items, hashes, first, claimed, writes.results)


def _stored_cases(conn: Connection, case_ids: list[str]) -> dict[str, dict[str, Any]]:
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(case_ids):
        for r in conn.execute(select(CASE.c.id, CASE.c.window_id, CASE.c.version,
                                     CASE.c.status, CASE.c.case_no, CASE.c.taken_on)
                              .where(CASE.c.id.in_(chunk))).mappings():
            existing[r["id"]] = dict(r)
    return existing


def _sort_claimed(conn: Connection, window: WindowRow, items: list[PushItem], texts: list[str],
                  mine: list[int], now: datetime) -> _Writes:
    """Check each newly claimed event (``push_rules.PushChecker``) and sort it into what
    it writes."""
    checker = PushChecker(conn, window, [items[i] for i in mine])
    existing = _stored_cases(conn, list({items[i].entity_id for i in mine
                                         if items[i].entity == "case"}))
    w = _Writes()
    for i in mine:
        it = items[i]
        prior = existing.get(it.entity_id)
        problem = checker.check(it, prior)
        if problem:
            w.results[it.id] = PushResult(id=it.id, status=ItemStatus.REFUSED, message=problem)
            w.refused.append(dict(w=window.id, e=it.id, m=problem))
            continue
        checker.accepted(it)
        w.results[it.id] = PushResult(id=it.id, status=ItemStatus.ACCEPTED)
        if it.entity == "rating":
            r = checker.payload(it, RatingPayload)
            w.ratings.append(dict(id=it.entity_id, window_id=window.id, case_no=r.case_no,
                                  level=r.level, payload=texts[i], received_at=now,
                                  rated_on=rated_on(it.payload, now)))
            w.days.add(w.ratings[-1]["rated_on"])
            continue
        if it.entity == "contact":  # a window's events come in its order: the last holds
            c = checker.payload(it, ContactPayload)
            w.contacts[c.case_no] = dict(window_id=window.id, case_no=c.case_no, phone=c.phone,
                                         opt_out=c.opt_out, recorded_at=c.at.isoformat(),
                                         received_at=now)
            continue
        if it.entity == "followup":
            f = checker.payload(it, FollowupPayload)
            newest = w.followups.get(it.entity_id)
            if newest is None or newest["version"] < f.version:
                w.followups[it.entity_id] = dict(
                    id=it.entity_id, window_id=window.id, case_no=f.case_no,
                    step=f.step.value, status=f.status, due=f.due, version=f.version,
                    payload=texts[i], updated_at=now)
            continue
        p = it.payload
        version = p["version"]
        if prior is not None and prior["version"] >= version:
            continue  # an older version arriving late: keep the newer one
        facts = case_facts(p)
        # the case's day before and after (its items' accepted_on is that day, or none)
        w.days.update((prior["taken_on"] if prior else None, facts["taken_on"]))
        if prior is None:
            w.inserts[it.entity_id] = (it.entity_id, p.get("case_no", ""), window.id, version,
                                       p["status"], texts[i], *facts.values())
        else:  # (inserts run first, so a newer version later in this batch updates its row)
            w.updates[it.entity_id] = dict(b_id=it.entity_id, b_version=version,
                                           b_status=p["status"], b_payload=texts[i], b_at=now,
                                           b_case_no=p.get("case_no", ""),
                                           **{f"b_{k}": v for k, v in facts.items()})
        if p["status"] == Status.VOIDED.value and (prior is None
                                                   or prior["status"] != Status.VOIDED.value):
            w.voided.append(dict(case_id=it.entity_id, case_no=p.get("case_no", ""),
                                 window_id=window.id))
        w.cases[it.entity_id] = p
        existing[it.entity_id] = dict(id=it.entity_id, window_id=window.id, version=version,
                                      status=p["status"], case_no=p.get("case_no", ""),
                                      taken_on=facts["taken_on"])
    return w


def _write(conn: Connection, window: WindowRow, w: _Writes, now: datetime) -> None:
    if w.inserts:
        at = _bound(conn, CASE.c.updated_at, now)
        days = [CASE.c.taken_on, CASE.c.promised_date]  # dates as the dialect stores them
        _driver_executemany(
            conn, f"INSERT INTO {CASE.name} (id, case_no, window_id, version, status, payload, "
                  f"outcome, taken_on, promised_date, item_codes, updated_at) "
                  f"VALUES ({_placeholders(conn, 11)})",
            [(*row[:7], _bound(conn, days[0], row[7]), _bound(conn, days[1], row[8]), row[9], at)
             for row in w.inserts.values()])
    if w.ratings:
        conn.execute(_insert(conn, RATING).on_conflict_do_nothing(), w.ratings)
        rating_items(conn, [r["id"] for r in w.ratings])
    if w.followups:
        _write_followups(conn, list(w.followups.values()))
        w.days.update(_rating_days(conn, window.id,
                                   [f["case_no"] for f in w.followups.values()]))
    if w.contacts:
        _write_contacts(conn, list(w.contacts.values()))
    for case in w.voided:  # the applicant is told (短信), once
        sms.queue_voided(conn, now=now, **case)
    if w.updates:
        stmt = (CASE.update().where(CASE.c.id == bindparam("b_id"))
                .values(version=bindparam("b_version"), status=bindparam("b_status"),
                        payload=bindparam("b_payload"), updated_at=bindparam("b_at"),
                        case_no=bindparam("b_case_no"),
                        **{k: bindparam(f"b_{k}") for k in FACT_COLUMNS}))
        conn.execute(stmt, list(w.updates.values()))
    if w.cases:  # the departments' queues (bo_case_item) and the progress links
        index_cases(conn, window, list(w.cases.values()), now)
    if w.refused:
        conn.execute(EV.update().where((EV.c.window_id == bindparam("w"))
                                       & (EV.c.event_id == bindparam("e")))
                     .values(status=ItemStatus.REFUSED.value, message=bindparam("m")), w.refused)
    mark_dirty(conn, w.days)  # last: the days' marks stay locked only until commit


def _rating_days(conn: Connection, window_id: str, case_nos: list[str]) -> set[Any]:
    """The days of the ratings of these cases (a follow-up counts on its rating's day)."""
    days: set[Any] = set()
    for chunk in _chunks(sorted(set(case_nos))):
        days.update(d for (d,) in conn.execute(select(RATING.c.rated_on).where(
            (RATING.c.window_id == window_id) & RATING.c.case_no.in_(chunk))))
    return days


def _write_followups(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Each follow-up as its newest version: steps arriving late never undo later ones."""
    stmt = _insert(conn, FOLLOWUP)
    cols = ("step", "status", "due", "version", "payload", "updated_at")
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[FOLLOWUP.c.id], set_={c: stmt.excluded[c] for c in cols},
        where=FOLLOWUP.c.version < stmt.excluded.version), rows)


def _write_contacts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Each case's contact as its window recorded it last."""
    stmt = _insert(conn, CONTACT)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[CONTACT.c.window_id, CONTACT.c.case_no],
        set_={c: stmt.excluded[c] for c in ("phone", "opt_out", "recorded_at", "received_at")}),
        rows)


def _answer(conn: Connection, window: WindowRow, items: list[PushItem], hashes: list[str],
            first: dict[str, int], claimed: set[str],
            results: dict[str, PushResult]) -> list[PushResult]:
    """One answer per item, in order: events seen before are answered from what was stored
    the first time (the same answer again, or a conflict if the content differs)."""
    others = list({it.id for it in items if it.id not in claimed})
    stored: dict[str, Mapping[str, Any]] = {}
    for chunk in _chunks(others):
        for r in conn.execute(select(EV.c.event_id, EV.c.payload_hash, EV.c.status, EV.c.message)
                              .where((EV.c.window_id == window.id)
                                     & EV.c.event_id.in_(chunk))).mappings():
            stored[r["event_id"]] = r
    out: list[PushResult] = []
    for i, it in enumerate(items):
        if first[it.id] == i and it.id in claimed:
            out.append(results[it.id])
            continue
        prev = stored.get(it.id)
        if prev is None:  # a second copy of an event claimed earlier in this very batch
            answer = results[it.id]
            prev = {"payload_hash": hashes[first[it.id]], "status": answer.status.value,
                    "message": answer.message}
        if prev["payload_hash"] != hashes[i]:
            out.append(PushResult(id=it.id, status=ItemStatus.CONFLICT, message=CONFLICT_MESSAGE))
        elif prev["status"] == ItemStatus.REFUSED.value:
            out.append(PushResult(id=it.id, status=ItemStatus.REFUSED, message=prev["message"]))
        else:
            out.append(PushResult(id=it.id, status=ItemStatus.DUPLICATE))
    return out


def _claim_events(conn: Connection, window_id: str, events: list[tuple[str, str]],
                  now: datetime) -> set[str]:
    """Insert the (event id, payload hash) pairs not received before; the ids inserted now.

    Multi-row VALUES through the driver's cursor: SQLAlchemy's per-row parameter processing
    cost more than the database work here. In event id order, so that concurrent batches with
    the same events (a retry while the first is still running) wait for each other on
    PostgreSQL instead of deadlocking."""
    ph = _placeholders(conn, 1)
    row = f"({ph}, {ph}, {ph}, '{ItemStatus.ACCEPTED.value}', '', {ph})"
    at = _bound(conn, EV.c.received_at, now)
    claimed: set[str] = set()
    with _driver_cursor(conn) as cur:
        for chunk in _chunks(sorted(events)):
            cur.execute(f"INSERT INTO {EV.name} (window_id, event_id, payload_hash, status, "
                        f"message, received_at) VALUES {', '.join([row] * len(chunk))} "
                        "ON CONFLICT (window_id, event_id) DO NOTHING RETURNING event_id",
                        [v for event_id, h in chunk for v in (window_id, event_id, h, at)])
            claimed.update(r[0] for r in cur.fetchall())
    return claimed
