"""好差评: the five GB/T 39046 rating levels, which are bad, and what a rating must carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import RuleError

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
BAD_LEVELS = frozenset({4, 5})  # need a reason and open a follow-up (回访整改)


@dataclass(frozen=True, slots=True)
class Rating:
    case_no: str
    level: int
    comment: str
    clerk_id: str
    at: datetime


def is_level(level: object) -> bool:
    """Whether ``level`` is one of the five rating levels (an int, not a bool)."""
    return isinstance(level, int) and not isinstance(level, bool) and level in LEVELS


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


def check_rating(level: object, reason: str) -> tuple[int, str]:
    """(level, reason stripped) when they make a valid rating, else ``RuleError``: the level
    is 1-5, and a bad one says why the applicant was not satisfied."""
    if not isinstance(level, int) or not is_level(level):
        raise RuleError(f"评价等级应为 1-5（{'、'.join(f'{k} {v}' for k, v in LEVELS.items())}），"
                        f"现为“{level}”")
    reason = (reason or "").strip()
    if is_bad(level) and not reason:
        raise RuleError(f"“{LEVELS[level]}”需记录原因，请询问申请人哪里不满意后再提交")
    return level, reason
