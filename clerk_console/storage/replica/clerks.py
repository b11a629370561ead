"""Clerk accounts (PINs scrypt-hashed), this window, and each clerk's item usage."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert

from clerk_console.domain import accounts
from clerk_console.domain.accounts import ROLES, is_locked
from clerk_console.domain.catalogue import Level
from clerk_console.domain.errors import RuleError

from ..db import ReplicaError
from ..tables import ClerkRow, ItemUsageRow, WindowRow
from .base import ReplicaBase
from .codecs import local, upsert
from .values import Clerk, WindowInfo

__all__ = ["Clerks", "check_pin", "ROLES"]
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


def check_pin(pin: str) -> str:
    """The PIN when it follows the domain's rule (``accounts.check_pin``), else
    ``ReplicaError`` with the rule's message."""
    try:
        return accounts.check_pin(pin)
    except RuleError as exc:
        raise ReplicaError(str(exc)) from None


def _pin_values(pin: str) -> dict[str, Any]:
    """The stored columns of a new PIN: fresh salt, scrypt hash, wrong-PIN count reset."""
    salt = secrets.token_bytes(16)
    return {"pin_salt": salt, "pin_hash": _hash_pin(check_pin(pin), salt), "failed_attempts": 0}


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
        return [Clerk(r.id, r.name, r.role, r.failed_attempts, r.active) for r in rows]

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
            return Clerk(row.id, row.name, row.role, row.failed_attempts, row.active) \
                if row else None

    def verify_pin(self, clerk_id: str, pin: str) -> Clerk | None:
        """The clerk when the PIN matches; counts failures, refuses after MAX_PIN_ATTEMPTS."""
        with self.write() as s:
            row = s.get(ClerkRow, clerk_id)
            if row is None or not row.active or is_locked(row.failed_attempts):
                return None
            ok = hmac.compare_digest(_hash_pin(pin, row.pin_salt), row.pin_hash)
            attempts = 0 if ok else row.failed_attempts + 1
            s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id)
                      .values(failed_attempts=attempts))
            return Clerk(row.id, row.name, row.role, attempts, row.active) if ok else None

    def unlock_clerk(self, clerk_id: str) -> None:
        with self.write() as s:
            s.execute(update(ClerkRow).where(ClerkRow.id == clerk_id).values(failed_attempts=0))

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
