"""Service rating (好差评, GB/T 39046 codes 1-5); a bad one opens the 差评 loop."""
from __future__ import annotations

from datetime import datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case, Status
from clerk_console.domain.errors import RuleError
from clerk_console.domain.followup import Followup, open_followup
from clerk_console.domain.ids import new_id
from clerk_console.domain.rating import LEVELS, Rating, check_rating, is_bad
from clerk_console.storage.db import ReplicaError

from . import ServiceError
from .common import load_case, require_now
from .followup import rules_of
from .ports import ReplicaPort


def rate(replica: ReplicaPort, case: Case | str, level: int, *, clerk_id: str, now: datetime,
         reason: str = "", settings: Settings | None = None) -> tuple[Rating, Followup | None]:
    """Record the applicant's rating of this visit; a bad one (4, 5) needs a reason and opens
    the 差评 loop (``services.followup``) at 核实, due in the hall's working days."""
    require_now(now)
    case = load_case(replica, case)
    if case.status is Status.DRAFT:
        raise ServiceError("办件尚未受理，不能评价")
    try:
        level, reason = check_rating(level, reason)
        followup = (open_followup(new_id(), case.case_no, clerk_id, now, replica.calendar(),
                                  rules_of(replica, settings)) if is_bad(level) else None)
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    rating = Rating(case.case_no, level, reason, clerk_id, now)
    try:
        with replica.write():
            replica.save_rating(rating, followup=followup)
            replica.audit(clerk_id, "case.rate", case.case_no,
                          {"level": level, "label": LEVELS[level],
                           "followup_due": followup.due.isoformat() if followup else None},
                          at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
    return rating, followup
