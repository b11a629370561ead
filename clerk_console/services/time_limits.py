"""A case's time limit moved by law, each a supervisor's decision told in writing: the one
extension (行政许可法 art. 42: 10 working days, with the reason) and time for a procedure not
counted in it (art. 45: hearing, testing, expert review …). The rules are ``Case.extend`` and
``Case.exclude``; the paper is the 延期告知书 (printing/documents/kinds/extension_notice.py)."""
from __future__ import annotations

from datetime import date, datetime

from clerk_console.domain import deadlines
from clerk_console.domain.case import EXTENSION_DAYS, Case

from . import ServiceError
from .common import load_case, refused, require_now, require_supervisor
from .ports import ReplicaPort


def _save(replica: ReplicaPort, case: Case, *, clerk_id: str, action: str, now: datetime,
          detail: dict[str, object]) -> Case:
    """The case, its audit entry and a "notice owed" mark (the 延期告知书) in one transaction."""
    with replica.write():
        saved = replica.save_case(case, clerk_id=clerk_id, action=action, detail=detail, at=now)
        replica.queue_notice(saved.case_no, now)
    return saved


def extend(replica: ReplicaPort, case: Case | str, *, clerk_id: str, supervisor_id: str,
           reason: str, now: datetime) -> Case:
    """Extend the case's time limit once by ``EXTENSION_DAYS`` working days (art. 42)."""
    require_now(now)
    case = load_case(replica, case)
    boss = require_supervisor(replica, supervisor_id)
    if case.promised_date is None:
        raise ServiceError(f"办件 {case.case_no} 没有承诺办结日期，不能延长办理期限")
    try:
        later = deadlines.extended_date(replica.calendar(), case.promised_date, EXTENSION_DAYS)
    except deadlines.DeadlineError as exc:
        raise ServiceError(str(exc)) from None
    with refused():
        extended = case.extend(reason=reason, approved_by=boss.id, today=now.date(),
                               new_date=later.day)
    return _save(replica, extended, clerk_id=clerk_id, action="case.extend", now=now,
                 detail={"supervisor": boss.id, "reason": reason.strip(),
                         "before": case.promised_date.isoformat(),
                         "after": later.day.isoformat()})


def exclude(replica: ReplicaPort, case: Case | str, *, kind: str, start: date, end: date,
            reason: str, clerk_id: str, supervisor_id: str, now: datetime) -> Case:
    """Record a procedure's time as not counted in the limit (art. 45); the promised date
    moves by the working days of [start, end]."""
    require_now(now)
    case = load_case(replica, case)
    boss = require_supervisor(replica, supervisor_id)
    if case.promised_date is None:
        raise ServiceError(f"办件 {case.case_no} 没有承诺办结日期，不能扣除特别程序时间")
    cal = replica.calendar()
    days = deadlines.excluded_workdays(cal, start, end)
    try:
        later = deadlines.extended_date(cal, case.promised_date, days) if days > 0 else None
    except deadlines.DeadlineError as exc:
        raise ServiceError(str(exc)) from None
    with refused():
        moved = case.exclude(kind=kind, start=start, end=end, reason=reason, today=now.date(),
                             workdays=days,
                             new_date=later.day if later else case.promised_date)
    return _save(replica, moved, clerk_id=clerk_id, action="case.exclude", now=now,
                 detail={"supervisor": boss.id, "kind": kind, "start": start.isoformat(),
                         "end": end.isoformat(), "workdays": days,
                         "after": moved.promised_date.isoformat()
                         if moved.promised_date else None})


def parse_period(text: str) -> tuple[date, date]:
    """Two dates as the clerk types them ("2026-12-07 2026-12-11", 至/~ allowed) -> (start,
    end); ServiceError in Chinese otherwise."""
    parts = [p for p in text.replace("至", " ").replace("~", " ").replace("，", " ")
             .replace(",", " ").split() if p]
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (date.fromisoformat(p) for p in parts)
    except ValueError:
        raise ServiceError(f"起止日期“{text.strip()}”无法识别：请按“2026-12-07 2026-12-11”输入"
                           "开始和结束日期") from None
    return start, end
