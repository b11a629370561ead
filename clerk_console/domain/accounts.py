"""Clerk accounts: roles, the PIN policy, the growing wrong-PIN lock and the back office's
one-time unlock code (no storage)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import RuleError

ROLES = ("clerk", "supervisor")
ROLE_LABELS = {"clerk": "窗口人员", "supervisor": "负责人"}
MAX_PIN_ATTEMPTS = 5  # wrong PINs in a row that lock the account for LOCK_FIRST
LOCK_FIRST = timedelta(minutes=5)  # doubled at every further MAX_PIN_ATTEMPTS wrong PINs
LOCK_LONGEST = timedelta(hours=24)
UNLOCK_CODE_DAYS = 2  # a back-office unlock code works on the day issued and the next
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
    locked_until: datetime | None = None

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def locked(self) -> bool:
        """Whether wrong PINs have locked the account since its last right PIN or unlock
        (the lock may have run out: see :meth:`locked_at`)."""
        return is_locked(self.failed_attempts)

    def locked_at(self, now: datetime) -> bool:
        """Whether the lock is in force at ``now``."""
        return lock_in_force(self.locked_until, now, self.failed_attempts)


def is_locked(failed_attempts: int) -> bool:
    """Whether this many wrong PINs in a row have locked the account at least once."""
    return failed_attempts >= MAX_PIN_ATTEMPTS


def lock_in_force(locked_until: datetime | None, now: datetime, failed_attempts: int = 0) -> bool:
    """Whether a lock holds at ``now``: until ``locked_until``; an account locked by a console
    before the growing lock (enough wrong PINs, no end time) stays locked until a supervisor
    unlocks it, as it was promised then."""
    if locked_until is None:
        return is_locked(failed_attempts)
    return now < locked_until


def lock_after(failed_attempts: int) -> timedelta | None:
    """How long the wrong PIN that brings the count to ``failed_attempts`` locks the account:
    not at all below MAX_PIN_ATTEMPTS; LOCK_FIRST at MAX_PIN_ATTEMPTS, doubled at every
    further MAX_PIN_ATTEMPTS (5 min, 10, 20 …), at most LOCK_LONGEST. Online guessing of a
    6-digit PIN thus drops to 5 tries a day within a few hours."""
    if failed_attempts < MAX_PIN_ATTEMPTS or failed_attempts % MAX_PIN_ATTEMPTS:
        return None
    doublings = failed_attempts // MAX_PIN_ATTEMPTS - 1
    return LOCK_LONGEST if doublings >= 10 else min(LOCK_FIRST * 2 ** doublings, LOCK_LONGEST)


def unlock_code(key: bytes, window_code: str, clerk_id: str, day: date, nonce: str) -> str:
    """The back office's one-time unlock code for one clerk of one window, issued on ``day``:
    ``NNNN-DDDDDDDDDD`` (a 4-digit nonce, then 10 digits of an HMAC-SHA256 keyed with what
    both sides know and no one else: the hash of the window's sync token)."""
    msg = f"unlock|{window_code.upper()}|{clerk_id}|{day.isoformat()}|{nonce}".encode()
    mac = int.from_bytes(hmac.new(key, msg, hashlib.sha256).digest()[:8], "big")
    return f"{nonce}-{mac % 10**10:010d}"


def check_unlock_code(key: bytes, window_code: str, clerk_id: str, code: str,
                      today: date) -> str | None:
    """The code's nonce when ``code`` unlocks this clerk today (issued today or yesterday),
    else None. The caller refuses a nonce it has used already (one time)."""
    code = "".join(code.split())
    nonce = code[:4]
    if len(code) != 15 or code[4] != "-" or not nonce.isdigit():
        return None
    for back in range(UNLOCK_CODE_DAYS):
        day = today - timedelta(days=back)
        if hmac.compare_digest(unlock_code(key, window_code, clerk_id, day, nonce), code):
            return nonce
    return None


def attempts_left(failed_attempts: int) -> int:
    """Wrong PINs still allowed before the next lock (0 right after a lock engaged)."""
    if failed_attempts <= 0:
        return MAX_PIN_ATTEMPTS
    return MAX_PIN_ATTEMPTS - ((failed_attempts - 1) % MAX_PIN_ATTEMPTS + 1)


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
