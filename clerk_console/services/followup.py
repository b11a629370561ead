"""The 差评 loop's steps (domain.followup): 核实, 整改, 反馈, 申诉 and its 复核.

Each step is one function: the follow-up moved by the domain, saved with its outbox event and
an audit entry in one transaction. Supervisors' PINs are checked by the caller (the console's
supervisor prompt, the CLI's ``--as``) before the id reaches here, as for voiding.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from clerk_console.config import Settings, data_root
from clerk_console.domain import followup as loop
from clerk_console.domain.accounts import Clerk
from clerk_console.domain.deadlines import workdays_left
from clerk_console.domain.errors import RuleError
from clerk_console.domain.followup import Followup, FollowupRules
from clerk_console.storage.db import ReplicaError
from clerk_console.datafiles.followup import FollowupFileError, load_followup_rules

from . import ServiceError
from .common import require_now, require_supervisor, settings_of
from .ports import ReplicaPort


def rules_of(replica: ReplicaPort, settings: Settings | None = None) -> FollowupRules:
    """The province's rule (data/followup/rules.toml) with this hall's settings over it."""
    s = settings_of(replica, settings)
    try:
        base = load_followup_rules(data_root() / "followup")
    except FollowupFileError as exc:
        raise ServiceError(str(exc)) from None
    local = {"verify_days": s.followup_verify_days, "fix_days": s.followup_fix_days,
             "answer_days": s.followup_answer_days, "appeal_days": s.followup_appeal_days}
    return FollowupRules(**{k: v or getattr(base, k) for k, v in local.items()},
                         source=base.source if not any(local.values())
                         else f"{base.source}；本大厅 settings.toml 另有规定的按其规定")


def _clerk(replica: ReplicaPort, clerk_id: str) -> Clerk:
    clerk = replica.get_clerk(clerk_id) if clerk_id else None
    if clerk is None or not clerk.active:
        raise ServiceError("请先登录：找不到该窗口人员或已停用")
    return clerk


def _step(replica: ReplicaPort, followup_id: str, actor: Clerk, now: datetime, action: str,
          move: Callable[..., Followup], settings: Settings | None, **kwargs: Any) -> Followup:
    require_now(now)
    found = replica.get_followup(followup_id)
    if found is None:
        raise ServiceError("找不到该差评回访，请核对编号")
    try:
        moved = move(found, actor=actor, at=now, cal=replica.calendar(),
                     rules=rules_of(replica, settings), **kwargs)
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    done = moved.history[-1]
    try:
        with replica.write():
            replica.save_followup(moved)
            replica.audit(actor.id, f"followup.{action}", found.case_no,
                          {"followup": found.id, "from": found.step.value,
                           "to": moved.step.value, "result": done.result, "note": done.note,
                           "channel": done.channel, "late": done.late,
                           "due": moved.due.isoformat()}, at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
    return moved


def verify(replica: ReplicaPort, followup_id: str, *, supervisor_id: str, founded: bool,
           note: str, now: datetime, settings: Settings | None = None) -> Followup:
    """核实 (supervisor, not the rated clerk): founded -> 整改, else -> 反馈 (explain)."""
    return _step(replica, followup_id, require_supervisor(replica, supervisor_id), now,
                 "verify", loop.verify, settings, founded=founded, note=note)


def fix(replica: ReplicaPort, followup_id: str, *, clerk_id: str, note: str, now: datetime,
        settings: Settings | None = None) -> Followup:
    """整改: what was changed -> 反馈."""
    return _step(replica, followup_id, _clerk(replica, clerk_id), now, "fix", loop.fix,
                 settings, note=note)


def answer(replica: ReplicaPort, followup_id: str, *, clerk_id: str, channel: str, note: str,
           now: datetime, settings: Settings | None = None) -> Followup:
    """反馈: the applicant told (channel, what) -> closed."""
    return _step(replica, followup_id, _clerk(replica, clerk_id), now, "answer", loop.answer,
                 settings, channel=channel, note=note)


def appeal(replica: ReplicaPort, followup_id: str, *, clerk_id: str, kind: str, grounds: str,
           now: datetime, settings: Settings | None = None) -> Followup:
    """申诉: the window disputes the rating as malicious or mistaken -> 申诉复核."""
    return _step(replica, followup_id, _clerk(replica, clerk_id), now, "appeal", loop.appeal,
                 settings, kind=kind, grounds=grounds)


def decide_appeal(replica: ReplicaPort, followup_id: str, *, supervisor_id: str, upheld: bool,
                  reason: str, now: datetime, settings: Settings | None = None) -> Followup:
    """复核 (supervisor, not the rated clerk): upheld -> closed, rating excluded; rejected ->
    back to the step the appeal came from."""
    return _step(replica, followup_id, require_supervisor(replica, supervisor_id), now,
                 "decide_appeal", loop.decide_appeal, settings, upheld=upheld, reason=reason)


def overdue(replica: ReplicaPort, today: date) -> list[Followup]:
    """Open steps past their deadline, oldest deadline first."""
    return loop.overdue(replica.followups("open"), today)


def worklist(replica: ReplicaPort, today: date) -> list[tuple[Followup, int]]:
    """Every open follow-up with the working days its step is late (0: not overdue): the
    overdue ones first, oldest deadline first, then the rest by deadline."""
    cal = replica.calendar()
    late = {f.id: -workdays_left(cal, today, f.due) for f in overdue(replica, today)}
    ordered = sorted(replica.followups("open"),
                     key=lambda f: (f.id not in late, f.due, f.opened_at))
    return [(f, max(late.get(f.id, 0), 0)) for f in ordered]
