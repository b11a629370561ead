"""Clerk accounts (PINs hashed with argon2id), this window, and each clerk's item usage.

A PIN is stored as its argon2id hash in PHC form (``$argon2id$v=19$m=…``, salt inside) in
``pin_hash``, with ``pin_salt`` empty. Hashes of older consoles (scrypt, 16-byte salt in
``pin_salt``) are still verified, and replaced by an argon2id hash at the next right PIN.
Every verification costs one hash, also for an unknown, disabled or locked id, so the time
of a refusal does not tell which ids exist.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert

from clerk_console.domain import accounts, passwords
from clerk_console.domain.accounts import ROLES, lock_after, lock_in_force
from clerk_console.domain.catalogue import Level
from clerk_console.domain.errors import RuleError

from ..db import ReplicaError
from ..tables import ClerkRow, ItemUsageRow, WindowRow
from .base import ReplicaBase
from .codecs import local, upsert
from .values import Clerk, WindowInfo

__all__ = ["Clerks", "check_pin", "ROLES"]
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # consoles before 0.9: verified, then rehashed
# the one argon2id setting (domain.passwords), shared with the back office's accounts
_ARGON2 = passwords.HASHER
# verified when the id is unknown, disabled or locked: the same work as a real check
_DUMMY_HASH = passwords.DUMMY_HASH.encode()


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


def pin_matches(pin: str, pin_hash: bytes, pin_salt: bytes = b"") -> bool:
    """Whether ``pin`` is the one hashed (argon2id in PHC form, or a legacy scrypt hash)."""
    if pin_hash.startswith(b"$argon2"):
        try:
            return _ARGON2.verify(pin_hash.decode(), pin)
        except (VerificationError, InvalidHashError):
            return False
    return hmac.compare_digest(_scrypt(pin, pin_salt), pin_hash)


def needs_rehash(pin_hash: bytes) -> bool:
    """Whether a stored hash is older than the current argon2id setting."""
    if not pin_hash.startswith(b"$argon2"):
        return True
    try:
        return _ARGON2.check_needs_rehash(pin_hash.decode())
    except InvalidHashError:
        return True


def check_pin(pin: str) -> str:
    """The PIN when it follows the domain's rule (``accounts.check_pin``), else
    ``ReplicaError`` with the rule's message."""
    try:
        return accounts.check_pin(pin)
    except RuleError as exc:
        raise ReplicaError(str(exc)) from None


def _pin_values(pin: str) -> dict[str, Any]:
    """The stored columns of a new PIN: argon2id hash (salt inside), wrong-PIN count reset."""
    return {"pin_salt": b"", "pin_hash": _ARGON2.hash(check_pin(pin)).encode(),
            "failed_attempts": 0, "locked_until": None}


def _clerk(row: ClerkRow) -> Clerk:
    return Clerk(row.id, row.name, row.role, row.failed_attempts, row.active, row.locked_until)


class Clerks(ReplicaBase):
    def add_clerk(self, clerk_id: str, name: str, pin: str, role: str = "clerk") -> Clerk:
        try:
            accounts.check_role(role)
        except RuleError as exc:
            raise ReplicaError(str(exc)) from None
        with self.write() as s:
            upsert(s, ClerkRow, {"id": clerk_id, "name": name, "role": role,
                                 **_pin_values(pin), "active": True}, ["id"])
        return Clerk(clerk_id, name, role)

    def list_clerks(self) -> list[Clerk]:
        """Every clerk account, by id (no PIN data)."""
        with self.tx.read() as s:
            rows = s.execute(select(ClerkRow).order_by(ClerkRow.id)).scalars().all()
        return [_clerk(r) for r in rows]

    def set_pin(self, clerk_id: str, pin: str) -> None:
        """A new PIN (validated and hashed as by ``add_clerk``); wrong-PIN count back to 0."""
        self._update_clerk(clerk_id, **_pin_values(pin))

    def set_active(self, clerk_id: str, active: bool) -> None:
        """Disable (a clerk who left) or enable an account; a disabled one cannot sign in."""
        self._update_clerk(clerk_id, active=bool(active))

    def _update_clerk(self, clerk_id: str, **values: Any) -> None:
        with self.write() as s:
            done = s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id).values(**values))
            if done.rowcount != 1:
                raise ReplicaError(f"工号 {clerk_id} 不存在")

    def get_clerk(self, clerk_id: str) -> Clerk | None:
        with self.tx.read() as s:
            row = s.get(ClerkRow, clerk_id)
            return _clerk(row) if row else None

    def verify_pin(self, clerk_id: str, pin: str, now: datetime) -> Clerk | None:
        """The clerk when the PIN matches and no lock is in force at ``now``; a wrong PIN is
        counted and every MAX_PIN_ATTEMPTS-th locks for a growing time (``lock_after``).
        One hash is computed whatever the id (unknown, disabled and locked ids included)."""
        now = local(now) or now
        with self.write() as s:
            row = s.get(ClerkRow, clerk_id)
            if row is None or not row.active or lock_in_force(row.locked_until, now,
                                                                row.failed_attempts):
                pin_matches(pin, _DUMMY_HASH)
                return None
            ok = pin_matches(pin, row.pin_hash, row.pin_salt)
            values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
            if ok and needs_rehash(row.pin_hash):
                values.update(pin_salt=b"", pin_hash=_ARGON2.hash(pin).encode())
            elif not ok:
                failed = row.failed_attempts + 1
                lock = lock_after(failed)
                values = {"failed_attempts": failed,
                          "locked_until": now + lock if lock else row.locked_until}
            s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id).values(**values))
            s.flush()
            s.refresh(row)
            return _clerk(row) if ok else None

    def unlock_clerk(self, clerk_id: str) -> None:
        self._update_clerk(clerk_id, failed_attempts=0, locked_until=None)

    # ------------------------------------------------------------------ this window

    def window(self) -> WindowInfo | None:
        """This window (cached after the first read; ``set_window`` refreshes it)."""
        if self._window is None:
            with self.tx.read() as s:
                row = s.execute(select(WindowRow).limit(1)).scalars().first()
            if row is None:
                return None
            self._window = WindowInfo(row.code, row.name, row.hall, Level(row.level),
                                      frozenset(Level(v) for v in row.levels))
        return self._window

    def set_window(self, code: str, name: str, hall: str, level: Level = Level.CITY,
                   levels: Iterable[Level] = (Level.CITY, Level.COUNTY)) -> WindowInfo:
        info = WindowInfo(code, name, hall, Level(level), frozenset(Level(v) for v in levels))
        with self.write() as s:
            s.execute(delete(WindowRow))
            s.execute(insert(WindowRow).values(code=code, name=name, hall=hall,
                                               level=info.level.value,
                                               levels=sorted(v.value for v in info.levels)))
        self._window = None
        return info

    # ------------------------------------------------------------------ item usage

    def note_item_usage(self, clerk_id: str, items: Iterable[str], at: datetime) -> None:
        at = local(at) or at
        with self.write() as s:
            for item in dict.fromkeys(items):
                stmt = insert(ItemUsageRow).values(clerk_id=clerk_id, item=item, count=1,
                                                   last_used=at)
                s.execute(stmt.on_conflict_do_update(
                    index_elements=["clerk_id", "item"],
                    set_={"count": ItemUsageRow.count + 1, "last_used": at}))

    def item_usage(self, clerk_id: str, limit: int = 50) -> dict[str, int]:
        """item code -> times used by this clerk, most used first (for the item picker)."""
        with self.tx.read() as s:
            rows = s.execute(select(ItemUsageRow.item, ItemUsageRow.count)
                          .where(ItemUsageRow.clerk_id == clerk_id)
                          .order_by(ItemUsageRow.count.desc(), ItemUsageRow.last_used.desc())
                          .limit(limit)).all()
        return {item: count for item, count in rows}
