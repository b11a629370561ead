"""Clerk accounts: roles, the PIN policy and the wrong-PIN lock (no storage, no hashing)."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import RuleError

ROLES = ("clerk", "supervisor")
ROLE_LABELS = {"clerk": "窗口人员", "supervisor": "负责人"}
MAX_PIN_ATTEMPTS = 5  # wrong PINs in a row that lock the account until a supervisor unlocks it
PIN_DIGITS = (6, 12)  # 6+: with argon2id, guessing all 10^6 offline takes ~6 CPU-hours


class PinError(RuleError):
    """A PIN that does not follow the rule."""


@dataclass(frozen=True, slots=True)
class Clerk:
    id: str
    name: str
    role: str  # clerk | supervisor
    failed_attempts: int = 0
    active: bool = True

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def locked(self) -> bool:
        return is_locked(self.failed_attempts)


def is_locked(failed_attempts: int) -> bool:
    """Whether this many wrong PINs in a row lock the account."""
    return failed_attempts >= MAX_PIN_ATTEMPTS


def attempts_left(failed_attempts: int) -> int:
    """Wrong PINs still allowed before the lock."""
    return MAX_PIN_ATTEMPTS - failed_attempts


def check_pin(pin: str) -> str:
    """The PIN when it follows the rule (6 to 12 ASCII digits), else ``PinError``."""
    low, high = PIN_DIGITS
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise PinError(f"PIN 应为 {low} 到 {high} 位数字")
    return pin


def check_role(role: str) -> str:
    if role not in ROLES:
        raise RuleError(f"角色“{role}”无效，应为 clerk（窗口人员）或 supervisor（负责人）")
    return role
