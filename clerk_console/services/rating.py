"""Service rating (好差评, GB/T 39046 codes 1-5); a bad one opens the 差评 loop."""
from __future__ import annotations

from datetime import datetime, timedelta

from clerk_console.config import Settings, data_root
from clerk_console.domain.case import Case, Status
from clerk_console.domain.errors import RuleError
from clerk_console.domain.followup import Followup, open_followup
from clerk_console.domain.ids import new_id
from clerk_console.domain.rating import (ENTERED_BY, LEVELS, BadReason, Rating, check_rating,
                                         is_bad)
from clerk_console.storage.db import ReplicaError
from clerk_console.datafiles.ratings import RatingFileError, load_reasons

from . import ServiceError
from .common import load_case, require_now
from .followup import rules_of
from .ports import ReplicaPort


PAD_SEEN = "pad_seen"  # kv: when a paired rating pad last asked for its state (ISO)
PAD_FRESH = timedelta(seconds=30)  # a pad heard from this recently counts as paired


def pad_paired(replica: ReplicaPort, now: datetime) -> bool:
    """Whether a rating pad is paired with this window (it asks every second or two)."""
    seen = replica.get_kv(PAD_SEEN)
    try:
        return seen is not None and now - datetime.fromisoformat(seen) <= PAD_FRESH
    except ValueError:
        return False


def bad_reasons() -> tuple[BadReason, ...]:
    """The GB/T 39734 reasons of data/ratings/reasons.toml."""
    try:
        return load_reasons(data_root() / "ratings")
    except RatingFileError as exc:
        raise ServiceError(str(exc)) from None


def rate(replica: ReplicaPort, case: Case | str, level: int, *, clerk_id: str, now: datetime,
         reason: str = "", settings: Settings | None = None, reasons: tuple[str, ...] = (),
         entered_by: str = "clerk") -> tuple[Rating, Followup | None]:
    """Record the applicant's rating of this visit; a bad one (4, 5) needs a reason (text or
    GB/T 39734 reasons ticked) and opens the 差评 loop (``services.followup``) at 核实.
    The clerk's keys (``entered_by="clerk"``) are refused while a pad is paired: the applicant
    rates there."""
    require_now(now)
    case = load_case(replica, case)
    if case.status is Status.DRAFT:
        raise ServiceError("办件尚未受理，不能评价")
    if entered_by not in ENTERED_BY:
        raise ServiceError(f"未知的评价来源“{entered_by}”")
    if entered_by == "clerk" and pad_paired(replica, now):
        raise ServiceError("本窗口已连接评价器：请申请人在评价器上评价（按 Esc 跳过）")
    reasons = tuple(reasons)
    try:
        known = frozenset(r.code for r in bad_reasons()) if reasons else frozenset()
        level, reason = check_rating(level, reason, reasons, known)
        followup = (open_followup(new_id(), case.case_no, clerk_id, now, replica.calendar(),
                                  rules_of(replica, settings)) if is_bad(level) else None)
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    rating = Rating(case.case_no, level, reason, clerk_id, now, reasons, entered_by)
    try:
        with replica.write():
            replica.save_rating(rating, followup=followup)
            replica.audit(clerk_id, "case.rate", case.case_no,
                          {"level": level, "label": LEVELS[level], "entered_by": entered_by,
                           "reasons": list(reasons),
                           "followup_due": followup.due.isoformat() if followup else None},
                          at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
    return rating, followup
