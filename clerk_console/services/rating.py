"""Service rating (好差评, GB/T 39046 codes 1-5) and the follow-up of bad ratings."""
from __future__ import annotations

from datetime import datetime

from clerk_console.config import Settings
from clerk_console.domain import deadlines
from clerk_console.domain.case import Case, Status
from clerk_console.domain.errors import RuleError
from clerk_console.domain.rating import LEVELS, Followup, Rating, check_rating, is_bad
from clerk_console.storage.db import ReplicaError

from . import ServiceError
from .common import load_case, require_now, settings_of
from .ports import ReplicaPort


def rate(replica: ReplicaPort, case: Case | str, level: int, *, clerk_id: str, now: datetime,
         reason: str = "", settings: Settings | None = None) -> tuple[Rating, Followup | None]:
    """Record the applicant's rating of this visit; a bad one (4, 5) needs a reason and opens
    a follow-up due in ``Settings.bad_rating_followup_days`` working days."""
    require_now(now)
    case = load_case(replica, case)
    if case.status is Status.DRAFT:
        raise ServiceError("办件尚未受理，不能评价")
    try:
        level, reason = check_rating(level, reason)
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    due = None
    if is_bad(level):
        try:
            due = deadlines.followup_deadline(replica.calendar(), now.date(),
                                              settings_of(replica, settings)
                                              .bad_rating_followup_days)
        except deadlines.DeadlineError as exc:
            raise ServiceError(str(exc)) from None
    rating = Rating(case.case_no, level, reason, clerk_id, now)
    try:
        with replica.write():
            followup = replica.save_rating(rating, followup_due=due.day if due else None,
                                           due_estimated=due.estimated if due else False)
            replica.audit(clerk_id, "case.rate", case.case_no,
                          {"level": level, "label": LEVELS[level],
                           "followup_due": due.day.isoformat() if due else None}, at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
    return rating, followup


def close_followup(replica: ReplicaPort, followup_id: str, answer: str, *, clerk_id: str,
                   now: datetime) -> None:
    """Answer a bad-rating follow-up (回访整改结果)."""
    require_now(now)
    if not answer or not answer.strip():
        raise ServiceError("请填写回访和整改情况")
    try:
        with replica.write():
            replica.close_followup(followup_id, answer.strip(), now)
            replica.audit(clerk_id, "followup.close", followup_id, {"answer": answer.strip()},
                          at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
