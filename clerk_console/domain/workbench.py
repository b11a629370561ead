"""Who may do what on the back office's workbench, and how long a sign-in lasts. Pure domain.

Three roles: a department's reviewer (审批人员) decides the items of that department only; a hall
supervisor (大厅负责人) sees every department's queue and alone reopens a final decision; an
administrator (系统管理员) manages the accounts. Wrong passwords lock an account as wrong PINs
lock a clerk (``domain.accounts.lock_after``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .errors import RuleError

REVIEWER, SUPERVISOR, ADMIN = "reviewer", "supervisor", "admin"
ROLES = (REVIEWER, SUPERVISOR, ADMIN)
ROLE_LABELS = {REVIEWER: "审批人员", SUPERVISOR: "大厅负责人", ADMIN: "系统管理员"}
SESSION_IDLE = timedelta(minutes=30)  # no request for this long: signed out
SESSION_LONGEST = timedelta(hours=12)  # a working day; then sign in again
ACCOUNT_ID_CHARS = (2, 32)


class AccountError(RuleError):
    """An account that does not follow the rules; the message (Chinese) says what to fix."""


def check_account_id(account_id: str) -> str:
    """A login name: 2 to 32 lower-case ASCII letters, digits, '.', '_' or '-'.

    >>> check_account_id(" SCJG.Li ")
    'scjg.li'
    >>> check_account_id("李")
    Traceback (most recent call last):
    ...
    clerk_console.domain.workbench.AccountError: 账号应为 2 到 32 个英文字母、数字或 . _ -
    """
    value = account_id.strip().lower()
    low, high = ACCOUNT_ID_CHARS
    if not (low <= len(value) <= high and value.isascii()
            and all(c.isalnum() or c in "._-" for c in value)):
        raise AccountError(f"账号应为 {low} 到 {high} 个英文字母、数字或 . _ -")
    return value


def check_role(role: str, dept: str, departments: set[str]) -> tuple[str, str]:
    """(role, dept) when they fit: a reviewer belongs to one known department, the others
    to none.

    >>> check_role("reviewer", "", {"SCJG"})
    Traceback (most recent call last):
    ...
    clerk_console.domain.workbench.AccountError: 审批人员须指定所属部门（如 SCJG）
    >>> check_role("admin", "SCJG", {"SCJG"})
    ('admin', '')
    """
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效，应为 reviewer（审批人员）、supervisor（大厅负责人）"
                           "或 admin（系统管理员）")
    if role != REVIEWER:
        return role, ""
    code = dept.strip().upper()
    if not code:
        raise AccountError("审批人员须指定所属部门（如 SCJG）")
    if departments and code not in departments:
        raise AccountError(f"部门代码“{code}”不在事项目录中，请核对（如 SCJG、XF）")
    return role, code


def session_live(created_at: datetime, seen_at: datetime, now: datetime) -> bool:
    """Whether a sign-in still holds at ``now``: used within SESSION_IDLE and started within
    SESSION_LONGEST."""
    return now - seen_at < SESSION_IDLE and now - created_at < SESSION_LONGEST


def may_decide(role: str, own_dept: str, item_dept: str) -> bool:
    """Only the item's own department decides it (a supervisor reopens, never decides)."""
    return role == REVIEWER and own_dept == item_dept


def may_see(role: str, own_dept: str, item_dept: str) -> bool:
    """A reviewer sees the own department's items; a supervisor sees every department's."""
    return role == SUPERVISOR or (role == REVIEWER and own_dept == item_dept)
