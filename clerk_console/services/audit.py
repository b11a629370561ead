"""Signing in and the audited actions on personal data."""
from __future__ import annotations

from datetime import datetime

from clerk_console.domain.accounts import Clerk, attempts_left

from . import ServiceError
from .common import require_supervisor
from .ports import ReplicaPort


def _seconds(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else ""


SIGN_IN_REFUSED = ("工号或 PIN 错误，请核对后重试；连续输错 5 次账号将锁定 5 分钟，"
                   "再错时锁定时间加倍；其他负责人可提前解锁")


def login(replica: ReplicaPort, clerk_id: str, pin: str, *, now: datetime | None = None) -> Clerk:
    """The clerk when the PIN is right; failures are counted and audited, and every
    ``domain.accounts.MAX_PIN_ATTEMPTS``-th wrong PIN locks the account for a growing time
    (another supervisor unlocks it sooner). ``now`` defaults to the wall clock (callers at
    the edge: the sign-in screen, the CLI)."""
    now = now or datetime.now()
    clerk_id = (clerk_id or "").strip()
    # Every answer costs the same work, so neither it nor its time tells which ids exist: one
    # PIN hash (the replica hashes once for an unknown id too) and one write transaction
    # holding the wrong-PIN count and one audit entry, committed once.
    with replica.write():
        known = replica.get_clerk(clerk_id) if clerk_id else None
        clerk = replica.verify_pin(clerk_id, pin or "", now)
        # one answer for an unknown, disabled, locked account and a wrong PIN on the screen;
        # the audit log tells them apart, for the supervisor
        if known is None or not known.active:
            subject = clerk_id[:32]  # a clerk id, or whatever was typed as one
            replica.audit(subject, "clerk.login_unknown" if known is None
                          else "clerk.login_disabled", subject, {}, at=now)
        elif known.locked_at(now):
            replica.audit(clerk_id, "clerk.login_locked", clerk_id,
                          {"until": _seconds(known.locked_until)}, at=now)
        elif clerk is None:
            detail: dict[str, object] = {"left": attempts_left(known.failed_attempts + 1)}
            after = replica.get_clerk(clerk_id)
            if after is not None and after.locked_at(now):
                detail["locked_until"] = _seconds(after.locked_until)
            replica.audit(clerk_id, "clerk.login_failed", clerk_id, detail, at=now)
        else:
            replica.audit(clerk_id, "clerk.login", clerk_id, at=now)
    if clerk is None or known is None or not known.active or known.locked_at(now):
        raise ServiceError(SIGN_IN_REFUSED)
    return clerk


def unlock(replica: ReplicaPort, clerk_id: str, *, supervisor_id: str) -> None:
    """Clear an account's wrong PINs and lock; only another supervisor may."""
    boss = require_supervisor(replica, supervisor_id)
    if replica.get_clerk(clerk_id) is None:
        raise ServiceError(f"工号 {clerk_id} 不存在")
    if boss.id == clerk_id:
        raise ServiceError("不能为自己的账号解锁：请另一位负责人解锁，或向后台申请一次性解锁码")
    with replica.write():
        replica.unlock_clerk(clerk_id)
        replica.audit(boss.id, "clerk.unlock", clerk_id)


def screen_unlocked(replica: ReplicaPort, clerk_id: str, *, by: str) -> None:
    """A clerk's locked screen opened by someone else: only a supervisor may, and the audit
    log says who."""
    boss = require_supervisor(replica, by)
    replica.audit(boss.id, "unlock", clerk_id, {"by": "supervisor"})


def audit_unmask(replica: ReplicaPort, supervisor_id: str, applicant_id: str, *,
                 clerk_id: str = "") -> str:
    """The applicant's full ID number, shown only with a supervisor's confirmation; the
    unmasking is written to the audit log."""
    boss = require_supervisor(replica, supervisor_id)
    applicant = replica.find_applicant((applicant_id or "").strip())
    if applicant is None:
        raise ServiceError("找不到该申请人，无法显示完整证件号码")
    replica.audit(clerk_id or boss.id, "applicant.unmask", applicant.id_number,
                  {"supervisor": boss.id})
    return applicant.id_number
