"""后台分类审批 on the back office: the per-item queue table, item decisions through
``domain.review``, the case's DECISIONS record the window pulls, and the progress page's data.

``bo_case_item`` holds one row per item of every pushed case (filled by push through
:func:`index_cases`); a department's queue reads only that table, through its index on
(dept, open, due, case_no), never the cases' payloads. Each decision rewrites the case's one
DECISIONS record with every item decided so far (``CaseDecisionsWire``, the one codec).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy import case as sa_case

from clerk_console.backoffice import sms
from clerk_console.domain.calendar import CHINA_TIME as CHINA
from clerk_console.domain import review
from clerk_console.domain.case import Status, decidable
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.deadlines import promised_date, workdays_left
from clerk_console.domain.masking import mask_id, mask_name
from clerk_console.domain.review import ReviewError, Verdict
from clerk_console.domain.workbench import may_decide, may_see
from clerk_console.sync.protocol import (CaseDecisionsWire, Dataset, ItemDecisionWire,
                                         MergedLicenceWire)

from .admin import log_admin
from .catalogue import published_calendar, published_catalogue
from .facts import _day, china_day, decided_day, mark_dirty
from .common import (CASE, COUNTER, DEC, ITEM, LOG, PROGRESS, W, BackofficeError, WindowRow,
                     _chunks, _insert)
from .reference import put_records

# cases whose items wait in the departments' queues (a deferral is listed, marked, and may be
# asked for 补正; approve and refuse wait until it is complete: domain.case.decidable)
QUEUED = frozenset({Status.ACCEPTED, Status.DEFERRED, Status.APPROVED_ON_COMMITMENT,
                    Status.COMPLETED})
FINAL = (Verdict.APPROVE.value, Verdict.REFUSE.value)
PAGE_SIZE = 50
FILTERS = {"open": "待审批", "overdue": "已超期", "deferred": "容缺待补",
           "commitment": "承诺即准", "correct": "已要求补正", "done": "已决定"}
STATE_LABELS = {"": "审批中", "correct": "需补正", "approve": "准予许可", "refuse": "不予许可"}


def china_today(now: datetime) -> date:
    return now.astimezone(CHINA).date()


def _applicant(p: dict[str, Any]) -> str:
    """The applicant as every workbench page shows it: a person's name and number masked."""
    name = str(p.get("applicant_name", ""))
    if p.get("applicant_kind", "person") == "person":
        return f"{mask_name(name)}（{mask_id(str(p.get('applicant_id', '')))}）"
    return name


def _due(cat: Catalogue | None, cal, accepted: date | None, code: str,
         p: dict[str, Any]) -> date | None:
    """The item's 承诺时限: its own promised working days from acceptance (the departments
    work in parallel), else the case's promised date as the window printed it."""
    item = cat.items.get(code) if cat else None
    if item is not None and accepted is not None:
        try:
            return promised_date(cal, accepted, [item]).day
        except ValueError:
            pass
    return _day(p.get("promised_date"))


def search_text(case_no: str, applicant: str, item_name: str) -> str:
    """The one column the queue's search matches: one LIKE over one column per row."""
    return f"{case_no}|{applicant}|{item_name}".upper()


def progress_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def index_cases(conn: Connection, window: WindowRow, payloads: list[dict[str, Any]],
                now: datetime) -> None:
    """Keep ``bo_case_item`` current for the pushed cases: new items are added, the case's
    state (status, applicant, due date) refreshed, decisions kept; and each case's progress
    token recorded as its hash."""
    cat = published_catalogue(conn)
    cal = published_calendar(conn)
    ids = [p["id"] for p in payloads]
    have: dict[tuple[str, str], dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for r in conn.execute(select(ITEM.c.case_id, ITEM.c.item, ITEM.c.verdict)
                              .where(ITEM.c.case_id.in_(chunk))).mappings():
            have[(r["case_id"], r["item"])] = dict(r)
    inserts, updates, links = [], [], []
    dues: dict[tuple[date | None, str], date | None] = {}  # a batch shares few days and items

    def due_of(accepted: date | None, code: str, p: dict[str, Any]) -> date | None:
        if cat is None or code not in cat.items or accepted is None:
            return _due(cat, cal, accepted, code, p)  # the case's own promised date
        key = (accepted, code)
        if key not in dues:
            dues[key] = _due(cat, cal, accepted, code, p)
        return dues[key]

    for p in payloads:
        status = Status(p["status"])
        accepted = china_day(p.get("accepted_at"))
        for code in p.get("items", []):
            item = cat.items.get(code) if cat else None
            prior = have.get((p["id"], code))
            final = prior is not None and prior["verdict"] in ("approve", "refuse")
            name, applicant = item.name if item else code, _applicant(p)
            row = dict(dept=item.dept if item else "", case_no=p.get("case_no", ""),
                       window_id=window.id, window_code=window.code,
                       bundle=p.get("bundle") or "", item_name=name, applicant=applicant,
                       search=search_text(p.get("case_no", ""), applicant, name),
                       accepted_on=accepted,
                       due=due_of(accepted, code, p), case_status=status.value,
                       open=status in QUEUED and not final, updated_at=now)
            if prior is None:
                inserts.append(dict(case_id=p["id"], item=code, verdict="", decision="",
                                    decided_at=None, **row))
            else:
                updates.append(dict(row, b_case=p["id"], b_item=code))
        token = p.get("progress_token")
        if isinstance(token, str) and 16 <= len(token) <= 128:
            links.append(dict(token_hash=progress_hash(token), case_id=p["id"]))
    if inserts:
        conn.execute(ITEM.insert(), inserts)
    if updates:
        from sqlalchemy import bindparam

        cols = [c for c in updates[0] if not c.startswith("b_")]
        conn.execute(ITEM.update().where((ITEM.c.case_id == bindparam("b_case"))
                                         & (ITEM.c.item == bindparam("b_item")))
                     .values({c: bindparam(c) for c in cols}), updates)
    if links:
        conn.execute(_insert(conn, PROGRESS).on_conflict_do_nothing(), links)


# ---------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    overdue: int


def queue(conn: Connection, dept: str | None, *, now: datetime, kind: str = "open",
          search: str = "", page: int = 1, size: int = PAGE_SIZE) -> QueuePage:
    """One page of a department's items (``dept`` None: every department, for a supervisor):
    the earliest 承诺时限 first (so the overdue ones lead), each with its working days left."""
    today = china_today(now)
    where = [ITEM.c.dept == dept] if dept is not None else []
    if kind == "done":
        where.append(ITEM.c.open.is_(False) & (ITEM.c.verdict != ""))
        order = [ITEM.c.decided_at.desc(), ITEM.c.case_no]
    else:
        where.append(ITEM.c.open.is_(True))
        order = [ITEM.c.due, ITEM.c.case_no, ITEM.c.item]
        if kind == "overdue":
            where.append(ITEM.c.due < today)
        elif kind == "deferred":
            where.append(ITEM.c.case_status == Status.DEFERRED.value)
        elif kind == "commitment":
            where.append(ITEM.c.case_status == Status.APPROVED_ON_COMMITMENT.value)
        elif kind == "correct":
            where.append(ITEM.c.verdict == "correct")
    text = search.strip()[:64].upper()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(ITEM.c.search.like(like, escape="\\"))
        if kind != "done":  # matched in ix_case_item_search, the few hits sorted after:
            order[0] = func.coalesce(ITEM.c.due, ITEM.c.due)  # not walked in due order
    cond = and_(*where)
    total = conn.execute(select(func.count()).select_from(ITEM).where(cond)).scalar_one()
    open_where = [ITEM.c.open.is_(True), ITEM.c.due < today]
    if dept is not None:
        open_where.insert(0, ITEM.c.dept == dept)
    overdue = conn.execute(select(func.count()).select_from(ITEM)
                           .where(and_(*open_where))).scalar_one()
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    cal = published_calendar(conn)
    lefts: dict[date, int] = {}  # a page's rows share few due dates
    rows = []
    for r in conn.execute(select(ITEM.c.case_id, ITEM.c.item, ITEM.c.dept, ITEM.c.case_no,
                                 ITEM.c.window_code, ITEM.c.item_name, ITEM.c.applicant,
                                 ITEM.c.accepted_on, ITEM.c.due, ITEM.c.case_status,
                                 ITEM.c.verdict, ITEM.c.bundle)
                          .where(cond).order_by(*order).limit(size)
                          .offset((page - 1) * size)).mappings():
        due = r["due"]
        if due is not None and due not in lefts:
            lefts[due] = workdays_left(cal, today, due)
        left = lefts.get(due) if due is not None else None
        rows.append(dict(r, left=left, overdue=left is not None and left < 0,
                         state=STATE_LABELS.get(r["verdict"], r["verdict"])))
    return QueuePage(rows, total, page, pages, overdue)


# ---------------------------------------------------------------- one item


def _item_row(conn: Connection, case_id: str, item: str) -> dict[str, Any] | None:
    row = conn.execute(select(ITEM).where((ITEM.c.case_id == case_id) & (ITEM.c.item == item))
                       ).mappings().first()
    return dict(row) if row else None


def _decision(row: dict[str, Any]) -> review.ItemDecision | None:
    if not row["decision"]:
        return None
    return ItemDecisionWire.model_validate_json(row["decision"]).to_domain()


def visible_item(conn: Connection, account: dict[str, Any], case_id: str,
                 item: str) -> dict[str, Any]:
    """The item's row when ``account`` may see it; an item of another department is
    answered exactly like one that does not exist (404), so nothing about it leaks."""
    row = _item_row(conn, case_id, item)
    if row is None or not may_see(account["role"], account["dept"], row["dept"]):
        raise BackofficeError("没有这个事项，或不属于您所在部门", 404)
    return row


def item_view(conn: Connection, account: dict[str, Any], case_id: str, item: str, *,
              now: datetime) -> dict[str, Any]:
    """What the review page shows: the item, the case's other items, the materials as the
    window recorded them, the applicant's e-licences (the window's region) and credit."""
    row = visible_item(conn, account, case_id, item)
    case = conn.execute(select(CASE.c.payload, W.c.region).join(W, W.c.id == CASE.c.window_id)
                        .where(CASE.c.id == case_id)).first()
    payload = json.loads(case[0]) if case else {}
    cat = published_catalogue(conn)
    spec = cat.items.get(item) if cat else None
    needs = {m.code for m in spec.materials} if spec else set()
    materials = [dict(m, for_item=m.get("code") in needs,
                      state_label=_material_label(m.get("state", "")))
                 for m in payload.get("materials", []) if isinstance(m, dict)]
    siblings = [dict(r, state=STATE_LABELS.get(r["verdict"], r["verdict"]),
                     dept_name=_dept_name(cat, r["dept"]))
                for r in conn.execute(select(ITEM.c.item, ITEM.c.item_name, ITEM.c.dept,
                                             ITEM.c.verdict).where(ITEM.c.case_id == case_id)
                                      .order_by(ITEM.c.item)).mappings()]
    cal = published_calendar(conn)
    today = china_today(now)
    left = workdays_left(cal, today, row["due"]) if row["due"] else None
    decision = _decision(row)
    holder = str(payload.get("applicant_id", ""))
    return dict(row=row, case=payload, status_label=_status_label(payload.get("status", "")),
                materials=materials, siblings=siblings, spec=spec,
                dept_name=_dept_name(cat, row["dept"]), left=left,
                decision=decision, state=STATE_LABELS.get(row["verdict"], row["verdict"]),
                elicences=_elicences(conn, case[1] if case else "", holder),
                credit=_credit(conn, holder),
                issues_merged=bool(spec and review.is_merged_licence_item(spec)),
                may_decide=may_decide(account["role"], account["dept"], row["dept"])
                and row["open"],
                may_reopen=account["role"] == "supervisor" and decision is not None
                and decision.final)


def _material_label(state: str) -> str:
    from clerk_console.domain.case import MaterialState

    try:
        return MaterialState(state).label
    except ValueError:
        return state


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def _dept_name(cat: Catalogue | None, code: str) -> str:
    dept = cat.departments.get(code) if cat else None
    return dept.name if dept else code


def _elicences(conn: Connection, region: str, holder: str) -> list[dict[str, Any]]:
    """The holder's e-licences in the window's region: a primary-key range, never a scan."""
    if not holder:
        return []
    rows = conn.execute(select(LOG.c.payload).where(
        (LOG.c.dataset == Dataset.ELICENCE.value) & (LOG.c.scope == region)
        & (LOG.c.key >= holder + "|") & (LOG.c.key < holder + "|\uffff")
        & LOG.c.deleted.is_(False)).limit(50)).all()
    return [json.loads(r[0]) for r in rows]


def _credit(conn: Connection, holder: str) -> dict[str, Any] | None:
    """The holder's entry on the published 失信 list, or None."""
    if not holder:
        return None
    row = conn.execute(select(LOG.c.payload).where(
        (LOG.c.dataset == Dataset.BLACKLIST.value) & (LOG.c.scope == "")
        & (LOG.c.key == holder) & LOG.c.deleted.is_(False))).first()
    return json.loads(row[0]) if row else None


# ---------------------------------------------------------------- deciding


def merged_number(conn: Connection, now: datetime) -> str:
    """The next 行业综合许可证 number the back office issues: YZZY + year + 6 digits."""
    year = china_today(now).year
    name = f"merged_licence_{year}"
    stmt = _insert(conn, COUNTER).values(name=name, value=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=[COUNTER.c.name],
                                            set_={"value": COUNTER.c.value + 1}))
    n = conn.execute(select(COUNTER.c.value).where(COUNTER.c.name == name)).scalar_one()
    return f"YZZY{year}{n:06d}"


def decide_item(conn: Connection, account: dict[str, Any], case_id: str, item: str,
                verdict: str, *, now: datetime, licence_no: str = "",
                valid_until: date | None = None, reasons: str = "", legal_basis: str = "",
                missing: str = "") -> review.ItemDecision:
    """One department's decision on one item, through ``domain.review``; then the case's
    DECISIONS record is rewritten. Final decisions stay final (a supervisor reopens)."""
    row = visible_item(conn, account, case_id, item)
    if not may_decide(account["role"], account["dept"], row["dept"]):
        raise BackofficeError("只有事项所属部门的审批人员可以作出决定", 403)
    previous = _decision(row)
    try:
        v = Verdict(verdict)
    except ValueError:
        raise BackofficeError("请选择准予许可、不予许可或需补正", 400) from None
    if v is not Verdict.CORRECT and not decidable(Status(row["case_status"])):
        raise BackofficeError(f"办件当前为“{_status_label(row['case_status'])}”：材料补齐后才能"
                              "作出准予或不予决定；缺少材料请选“需补正”", 409)
    cat = published_catalogue(conn)
    spec = cat.items.get(item) if cat else None
    by, at = account["id"], now.astimezone(CHINA).replace(tzinfo=None)
    try:
        if v is Verdict.APPROVE:
            if not licence_no.strip() and spec is not None and review.is_merged_licence_item(spec):
                licence_no = merged_number(conn, now)  # the back office issues it
            new = review.approve(item, row["dept"], licence_no=licence_no,
                                 valid_until=valid_until, by=by, at=at)
        elif v is Verdict.REFUSE:
            new = review.refuse(item, row["dept"], reasons=reasons, legal_basis=legal_basis,
                                by=by, at=at)
        else:
            new = review.ask_correction(item, row["dept"], missing=missing, by=by, at=at)
        new = review.record(previous, new)
    except ReviewError as exc:
        raise BackofficeError(str(exc), 409 if previous is not None and previous.final
                              else 400) from None
    _store(conn, row, new, now)
    log_admin(conn, actor=by, action=f"item_{v.value}", subject=f"{row['case_no']}/{item}",
              detail=_audit_detail(new), now=now)
    publish(conn, case_id, now)
    return new


def _audit_detail(d: review.ItemDecision) -> str:
    if d.verdict is Verdict.APPROVE:
        return f"licence={d.licence_no} validity={d.validity_label}"
    if d.verdict is Verdict.REFUSE:
        return f"reasons={d.reasons[:200]} basis={d.legal_basis[:200]}"
    return f"missing={d.missing[:200]}"


def _store(conn: Connection, row: dict[str, Any], new: review.ItemDecision | None,
           now: datetime) -> None:
    """Write the item's decision, only if nobody changed it since ``row`` was read (two
    reviewers on one item: the second is told to reload)."""
    text = ItemDecisionWire.of(new).model_dump_json() if new is not None else ""
    final = new is not None and new.final
    done = conn.execute(update(ITEM).where(
        (ITEM.c.case_id == row["case_id"]) & (ITEM.c.item == row["item"])
        & (ITEM.c.decision == row["decision"])).values(
        decision=text, verdict=new.verdict.value if new else "",
        decided_at=now if new else None, updated_at=now,
        open=not final and Status(row["case_status"]) in QUEUED)).rowcount
    if done != 1:
        raise BackofficeError("该事项刚被他人处理，请刷新页面后查看", 409)
    mark_dirty(conn, [row["accepted_on"]])  # the item's day on the dashboard


def reopen_item(conn: Connection, account: dict[str, Any], case_id: str, item: str, *,
                reason: str, now: datetime) -> None:
    """撤回重审: a supervisor reopens a final decision, with a reason (domain.review.reopen);
    the item is back in its department's queue and the window's record is rewritten."""
    row = visible_item(conn, account, case_id, item)
    try:
        r = review.reopen(_decision(row), by=account["id"],
                          supervisor=account["role"] == "supervisor", reason=reason,
                          at=now.astimezone(CHINA).replace(tzinfo=None))
    except ReviewError as exc:
        raise BackofficeError(str(exc), 403 if account["role"] != "supervisor" else 400) \
            from None
    _store(conn, row, None, now)
    log_admin(conn, actor=account["id"], action="item_reopen",
              subject=f"{row['case_no']}/{item}",
              detail=f"was={r.previous.verdict.value} reason={r.reason[:200]}", now=now)
    publish(conn, case_id, now)


def case_decisions(conn: Connection, case_id: str) -> dict[str, review.ItemDecision]:
    return {r["item"]: d for r in conn.execute(select(ITEM).where(ITEM.c.case_id == case_id)
                                                .order_by(ITEM.c.item)).mappings()
            if (d := _decision(dict(r))) is not None}


def publish(conn: Connection, case_id: str, now: datetime) -> CaseDecisionsWire:
    """Rewrite the case's DECISIONS record (key: case id, scope: its window) with every item
    decided so far; once every item is final, the case outcome, the 行业综合许可证 of an
    industry bundle, the ``bo_decision`` mark and the applicant's result-ready message."""
    case = conn.execute(select(CASE).where(CASE.c.id == case_id)).mappings().one()
    payload = json.loads(case["payload"])
    codes = list(payload.get("items", []))
    decisions = case_decisions(conn, case_id)
    ready = review.case_ready(codes, decisions)
    merged = None
    if ready:
        cat = published_catalogue(conn)
        if cat is not None:
            bundle = cat.bundles.get(payload.get("bundle") or "")
            merged = review.merged_licence(bundle, cat.items,
                                           {c: d.name for c, d in cat.departments.items()},
                                           decisions)
    outcome = review.case_outcome(decisions) if ready else None
    wire = CaseDecisionsWire(
        case_id=case_id, case_no=case["case_no"], decision=outcome,
        decided_at=now if ready else None,
        items=[ItemDecisionWire.of(decisions[c]) for c in codes if c in decisions],
        merged_licence=MergedLicenceWire.of(merged) if merged else None)
    put_records(conn, Dataset.DECISIONS,
                {(case["window_id"], case_id): wire.model_dump(mode="json")})
    marked = conn.execute(select(DEC.c.decision).where(DEC.c.case_id == case_id)).first()
    if outcome is None:
        if marked is not None:  # reopened: no longer ready for pick-up
            conn.execute(delete(DEC).where(DEC.c.case_id == case_id))
            conn.execute(update(CASE).where(CASE.c.id == case_id).values(decided_on=None))
    elif marked is None:
        conn.execute(DEC.insert().values(case_id=case_id, case_no=case["case_no"],
                                         window_id=case["window_id"], decision=outcome.value,
                                         decided_at=now, decided_by="workbench"))
        conn.execute(update(CASE).where(CASE.c.id == case_id)
                     .values(decided_on=decided_day(now)))
        sms.queue_result_ready(conn, case, now)
    elif marked[0] != outcome.value:
        conn.execute(update(DEC).where(DEC.c.case_id == case_id)
                     .values(decision=outcome.value, decided_at=now))
    return wire


def close_items(conn: Connection, case_id: str, now: datetime) -> None:
    """The whole case was decided at once (``clerk-backoffice decide``): its items leave the
    queues."""
    conn.execute(update(ITEM).where(ITEM.c.case_id == case_id)  # decided now (the dashboard)
                 .values(open=False, updated_at=now,
                         decided_at=sa_case((ITEM.c.verdict.in_(FINAL), ITEM.c.decided_at),
                                            else_=now)))


# ---------------------------------------------------------------- the applicant's progress


def progress(conn: Connection, token: str) -> dict[str, Any] | None:
    """The progress page of the case whose token this is (None: no such token). Only what
    the applicant may see: masked, item states, no reviewer, no numbers of others."""
    if not token or len(token) > 128:
        return None
    link = conn.execute(select(PROGRESS.c.case_id).where(
        PROGRESS.c.token_hash == progress_hash(token))).first()
    if link is None:
        return None
    case = conn.execute(select(CASE.c.payload, CASE.c.case_no).where(
        CASE.c.id == link[0])).first()
    if case is None:
        return None
    payload = json.loads(case[0])
    cat = published_catalogue(conn)
    items = []
    for r in conn.execute(select(ITEM).where(ITEM.c.case_id == link[0])
                          .order_by(ITEM.c.item)).mappings():
        d = _decision(dict(r))
        items.append(dict(name=r["item_name"], dept=_dept_name(cat, r["dept"]),
                          state=STATE_LABELS.get(r["verdict"], r["verdict"]),
                          verdict=r["verdict"], due=r["due"],
                          missing=d.missing if d and d.verdict is Verdict.CORRECT else ""))
    return dict(case_no=case[1], applicant=_applicant(payload),
                status=_status_label(payload.get("status", "")), items=items,
                ready=bool(items) and all(i["verdict"] in ("approve", "refuse")
                                          for i in items))
