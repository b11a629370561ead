"""好差评: the five GB/T 39046 rating levels, which are bad, and what a rating must carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import RuleError

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
BAD_LEVELS = frozenset({4, 5})  # need a reason and open a follow-up (回访整改)


ENTERED_BY = {"pad": "申请人在评价器上评价", "clerk": "窗口人员代为录入"}


@dataclass(frozen=True, slots=True)
class Rating:
    case_no: str
    level: int
    comment: str
    clerk_id: str  # whose service was rated
    at: datetime
    reasons: tuple[str, ...] = ()  # codes of data/ratings/reasons.toml (GB/T 39734), bad only
    entered_by: str = "clerk"  # ENTERED_BY: the applicant's own pad, or the clerk's keys


@dataclass(frozen=True, slots=True)
class BadReason:
    code: str
    group: str  # GB/T 39734 indicator: 服务效率, 服务水平, 服务态度
    label: str


def is_level(level: object) -> bool:
    """Whether ``level`` is one of the five rating levels (an int, not a bool)."""
    return isinstance(level, int) and not isinstance(level, bool) and level in LEVELS


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


COMMENT_MAX = 500


def check_rating(level: object, reason: str, reasons: tuple[str, ...] = (),
                 known: frozenset[str] = frozenset()) -> tuple[int, str]:
    """(level, reason stripped) when they make a valid rating, else ``RuleError``: the level
    is 1-5, and a bad one says why the applicant was not satisfied (the free text, or at
    least one of the ``known`` GB/T 39734 reasons ticked); reasons go with bad ratings only."""
    if not isinstance(level, int) or not is_level(level):
        raise RuleError(f"评价等级应为 1-5（{'、'.join(f'{k} {v}' for k, v in LEVELS.items())}），"
                        f"现为“{level}”")
    reason = (reason or "").strip()
    if len(reason) > COMMENT_MAX:
        raise RuleError(f"评价意见不超过 {COMMENT_MAX} 字")
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise RuleError(f"差评原因“{unknown[0][:20]}”不在差评原因清单中")
    if reasons and not is_bad(level):
        raise RuleError("只有“不满意”“非常不满意”需要选择原因")
    if is_bad(level) and not reason and not reasons:
        raise RuleError(f"“{LEVELS[level]}”需记录原因，请询问申请人哪里不满意后再提交")
    return level, reason
