"""The PIN rules on a clerk's stored columns, without SQLAlchemy: what one sign-in attempt
costs and changes. The replica (``replica/clerks.py``) and the sign-in gate (``gate.py``) both
read the row, call :func:`attempt` and store what it returns; neither has a rule of its own.

A PIN is stored as its argon2id hash in PHC form (``$argon2id$v=19$m=…``, salt inside) in
``pin_hash``, with ``pin_salt`` empty. Hashes of older consoles (scrypt, 16-byte salt in
``pin_salt``) are still verified, and replaced by an argon2id hash at the next right PIN.
Every attempt costs one hash, also for an unknown, disabled or locked id, so the time of a
refusal does not tell which ids exist.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, Protocol

from argon2.exceptions import InvalidHashError, VerificationError

from clerk_console.domain import accounts, passwords
from clerk_console.domain.accounts import Clerk, lock_after, lock_in_force
from clerk_console.domain.errors import RuleError

from .cipher import ReplicaError

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # consoles before 0.9: verified, then rehashed
# the one argon2id setting (domain.passwords), shared with the back office's accounts
HASHER = passwords.HASHER
# verified when the id is unknown, disabled or locked: the same work as a real check
_DUMMY_HASH = passwords.DUMMY_HASH.encode()
STORED = ("pin_salt", "pin_hash", "failed_attempts", "locked_until")  # what an attempt changes


class StoredClerk(Protocol):
    """A clerk's row as stored (``tables.ClerkRow``, or the gate's tuple)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def pin_salt(self) -> bytes: ...
    @property
    def pin_hash(self) -> bytes: ...
    @property
    def failed_attempts(self) -> int: ...
    @property
    def locked_until(self) -> datetime | None: ...
    @property
    def active(self) -> bool: ...


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


def pin_matches(pin: str, pin_hash: bytes, pin_salt: bytes = b"") -> bool:
    """Whether ``pin`` is the one hashed (argon2id in PHC form, or a legacy scrypt hash)."""
    if pin_hash.startswith(b"$argon2"):
        try:
            return HASHER.verify(pin_hash.decode(), pin)
        except (VerificationError, InvalidHashError):
            return False
    return hmac.compare_digest(_scrypt(pin, pin_salt), pin_hash)


def needs_rehash(pin_hash: bytes) -> bool:
    """Whether a stored hash is older than the current argon2id setting."""
    if not pin_hash.startswith(b"$argon2"):
        return True
    try:
        return HASHER.check_needs_rehash(pin_hash.decode())
    except InvalidHashError:
        return True


def check_pin(pin: str) -> str:
    """The PIN when it follows the domain's rule (``accounts.check_pin``), else
    ``ReplicaError`` with the rule's message."""
    try:
        return accounts.check_pin(pin)
    except RuleError as exc:
        raise ReplicaError(str(exc)) from None


def pin_values(pin: str) -> dict[str, Any]:
    """The stored columns of a new PIN: argon2id hash (salt inside), wrong-PIN count reset."""
    return {"pin_salt": b"", "pin_hash": HASHER.hash(check_pin(pin)).encode(),
            "failed_attempts": 0, "locked_until": None}


def attempt(row: StoredClerk | None, pin: str, now: datetime) -> tuple[bool, dict[str, Any] | None]:
    """One sign-in attempt on the stored ``row`` (None: no such id) at ``now``: (whether the
    PIN is right and no lock is in force, the columns to store — None when nothing changes:
    an unknown, disabled or locked id). A wrong PIN is counted and every MAX_PIN_ATTEMPTS-th
    locks for a growing time (``accounts.lock_after``); a right one clears the count and
    rehashes an old hash. One hash is computed whatever the id."""
    if row is None or not row.active or lock_in_force(row.locked_until, now, row.failed_attempts):
        pin_matches(pin, _DUMMY_HASH)
        return False, None
    ok = pin_matches(pin, row.pin_hash, row.pin_salt)
    values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
    if ok and needs_rehash(row.pin_hash):
        values.update(pin_salt=b"", pin_hash=HASHER.hash(pin).encode())
    elif not ok:
        failed = row.failed_attempts + 1
        lock = lock_after(failed)
        values = {"failed_attempts": failed,
                  "locked_until": now + lock if lock else row.locked_until}
    return ok, values


def clerk_of(row: StoredClerk, **changed: Any) -> Clerk:
    """The domain's Clerk of a stored row (with ``changed`` columns applied)."""
    failed = changed.get("failed_attempts", row.failed_attempts)
    until = changed.get("locked_until", row.locked_until)
    return Clerk(row.id, row.name, row.role, failed, bool(row.active), until)
