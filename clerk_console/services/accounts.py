"""Clerk accounts of a window: list, add, new PIN, unlock, disable and enable.

The rules a hall administrator expects:

- Bootstrap: while the window has no active supervisor, adding an account needs no
  authorisation, and only a supervisor can be added that way (the first account of a window
  is its supervisor). Once an active supervisor exists, every change is authorised by a
  supervisor's id and PIN, checked by :func:`authorise` through the sign-in code
  (``services.audit.login``: wrong PINs count toward the lock as at the window).
- The last active supervisor is never disabled (nor demoted: an existing id is never added
  again, so there is no other way to change a role).
- PINs follow the domain's rule (``domain.accounts.check_pin``: 6 to 12 digits; the replica hashes them with argon2id); nothing about a PIN is ever
  written to the audit log.
- Every change is one transaction with its audit entry naming who did it (the authorising
  supervisor; in bootstrap, the new supervisor, with ``"bootstrap": true``).
"""
from __future__ import annotations

import re
from datetime import datetime

from clerk_console.domain.accounts import ROLE_LABELS, Clerk, check_pin, check_unlock_code
from clerk_console.domain.errors import RuleError

from . import ServiceError
from .audit import login
from .audit import unlock as unlock_clerk
from .common import require_supervisor
from .ports import ReplicaPort

__all__ = ["ROLE_LABELS"]  # re-exported: the CLI lists roles with it
_CLERK_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
NAME_MAX = 32
NO_SUPERVISOR = ("本窗口还没有在岗的负责人：请先添加负责人"
                 "（clerk-console clerk add 工号 姓名 --supervisor）")


def list_clerks(replica: ReplicaPort) -> list[Clerk]:
    return replica.list_clerks()


def has_supervisor(replica: ReplicaPort) -> bool:
    """Whether the window has an active supervisor (else it is in bootstrap)."""
    return any(c.is_supervisor and c.active for c in replica.list_clerks())


def valid_pin(pin: str) -> str:
    """The PIN when it follows the rule, else ``ServiceError`` saying the rule."""
    try:
        return check_pin(pin)
    except RuleError as exc:
        raise ServiceError(str(exc)) from None


def valid_new_id(clerk_id: str) -> str:
    clerk_id = (clerk_id or "").strip()
    if not _CLERK_ID.fullmatch(clerk_id):
        raise ServiceError(f"工号“{clerk_id}”无效：应为 1 到 32 位字母、数字、下划线、点或连字符")
    return clerk_id


def valid_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise ServiceError(f"姓名应为 1 到 {NAME_MAX} 个字")
    return name


def existing(replica: ReplicaPort, clerk_id: str) -> Clerk:
    clerk = replica.get_clerk((clerk_id or "").strip())
    if clerk is None:
        raise ServiceError(f"工号 {clerk_id} 不存在：运行 clerk-console clerk list 查看本窗口的工号")
    return clerk


def unused_id(replica: ReplicaPort, clerk_id: str) -> str:
    """The id when no account has it yet (an account is never added twice)."""
    if replica.get_clerk(clerk_id) is not None:
        raise ServiceError(f"工号 {clerk_id} 已存在：改 PIN 用 clerk pin {clerk_id}，"
                           f"恢复停用的账号用 clerk enable {clerk_id}")
    return clerk_id


def authorise(replica: ReplicaPort, supervisor_id: str, pin: str) -> Clerk:
    """The supervisor whose id and PIN these are, checked as a sign-in (wrong PINs are counted
    and audited, the account locks after too many); ``ServiceError`` otherwise."""
    require_supervisor(replica, (supervisor_id or "").strip())
    return login(replica, supervisor_id, pin)


def _check_actor(replica: ReplicaPort, by: Clerk | None) -> Clerk:
    if by is None:
        if not has_supervisor(replica):
            raise ServiceError(NO_SUPERVISOR)
        raise ServiceError("此操作需负责人授权：请输入负责人工号和 PIN")
    return require_supervisor(replica, by.id)


def add(replica: ReplicaPort, clerk_id: str, name: str, pin: str, *, supervisor: bool = False,
        by: Clerk | None = None) -> Clerk:
    """A new account. ``by`` is the authorising supervisor; ``None`` only in bootstrap."""
    clerk_id, name, pin = valid_new_id(clerk_id), valid_name(name), valid_pin(pin)
    role = "supervisor" if supervisor else "clerk"
    with replica.write():
        unused_id(replica, clerk_id)
        bootstrap = not has_supervisor(replica)
        if bootstrap:
            if not supervisor:
                raise ServiceError(NO_SUPERVISOR)
            actor = clerk_id
        else:
            actor = _check_actor(replica, by).id
        clerk = replica.add_clerk(clerk_id, name, pin, role)
        detail: dict[str, object] = {"name": name, "role": role}
        if bootstrap:
            detail["bootstrap"] = True
        replica.audit(actor, "clerk.add", clerk_id, detail)
    return clerk


def set_pin(replica: ReplicaPort, clerk_id: str, pin: str, *, by: Clerk | None) -> Clerk:
    """A new PIN for an account (its wrong-PIN count is reset too)."""
    pin = valid_pin(pin)
    with replica.write():
        boss = _check_actor(replica, by)
        clerk = existing(replica, clerk_id)
        replica.set_pin(clerk.id, pin)
        replica.audit(boss.id, "clerk.pin", clerk.id)
    return existing(replica, clerk.id)


def unlock(replica: ReplicaPort, clerk_id: str, *, by: Clerk | None) -> Clerk:
    """Clear the wrong-PIN count of an account locked after too many wrong PINs."""
    with replica.write():
        boss = _check_actor(replica, by)
        clerk = existing(replica, clerk_id)
        unlock_clerk(replica, clerk.id, supervisor_id=boss.id)
    return existing(replica, clerk.id)


UNLOCK_CODE_TRIES = 5  # wrong unlock codes per window and day before codes are refused


def unlock_with_code(replica: ReplicaPort, clerk_id: str, code: str, *, key: bytes,
                     window_code: str, now: datetime) -> Clerk:
    """Unlock an account with the back office's one-time code (``clerk-backoffice
    unlock-code``): for a window whose supervisors are all locked out. ``key`` is the hash of
    the window's sync token. A code works once (its use is in the audit log, which is also
    where it is looked up); wrong codes are audited, and after UNLOCK_CODE_TRIES of them in a
    day the window takes no code until the next day (10^10 codes: guessing is hopeless)."""
    clerk, today = existing(replica, clerk_id), now.date()
    recent = [e for e in replica.audit_entries(limit=2000)
              if e.action in ("clerk.unlock_code", "clerk.unlock_code_failed")
              and 0 <= (today - e.at.date()).days < 2]
    if sum(e.action == "clerk.unlock_code_failed" and e.at.date() == today
           for e in recent) >= UNLOCK_CODE_TRIES:
        raise ServiceError(f"今天已输错 {UNLOCK_CODE_TRIES} 次解锁码，请明天再试或联系后台管理员")
    nonce = check_unlock_code(key, window_code, clerk.id, code, today)
    if nonce is None:
        replica.audit(clerk.id, "clerk.unlock_code_failed", clerk.id, at=now)
        raise ServiceError("解锁码不对或已过期：请核对，或请后台管理员重新生成"
                           "（clerk-backoffice unlock-code 窗口编号 工号）")
    if any(e.action == "clerk.unlock_code" and e.subject == clerk.id
           and e.detail.get("nonce") == nonce for e in recent):
        raise ServiceError("这个解锁码已经用过：请后台管理员重新生成")
    with replica.write():
        replica.unlock_clerk(clerk.id)
        replica.audit("backoffice", "clerk.unlock_code", clerk.id, {"nonce": nonce}, at=now)
    return existing(replica, clerk.id)


def set_active(replica: ReplicaPort, clerk_id: str, active: bool, *, by: Clerk | None) -> bool:
    """Disable or enable an account; False when it already was so (nothing written).
    The last active supervisor is never disabled."""
    with replica.write():
        boss = _check_actor(replica, by)
        clerk = existing(replica, clerk_id)
        if clerk.active == bool(active):
            return False
        if not active and clerk.is_supervisor and not any(
                c.is_supervisor and c.active and c.id != clerk.id for c in replica.list_clerks()):
            raise ServiceError(f"{clerk.name}（{clerk.id}）是本窗口唯一在岗的负责人，不能停用："
                               "请先添加另一位负责人（clerk add 工号 姓名 --supervisor）")
        replica.set_active(clerk.id, active)
        replica.audit(boss.id, "clerk.enable" if active else "clerk.disable", clerk.id)
    return True
