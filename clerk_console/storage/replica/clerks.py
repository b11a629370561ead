"""Clerk accounts, this window, and each clerk's item usage.

The PIN rules (argon2id hashes, legacy scrypt ones rehashed, the wrong-PIN count and lock, one
hash whatever the id) are ``storage/pins.py``'s, shared with the sign-in gate; this module
reads and writes the row around them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from clerk_console.domain import accounts
from clerk_console.domain.accounts import ROLES
from clerk_console.domain.catalogue import Level
from clerk_console.domain.errors import RuleError

from .. import pins
from ..db import ReplicaError
from ..pins import check_pin, pin_values
from ..sqltext import local
from ..tables import ClerkRow, ItemUsageRow, WindowRow
from .base import ReplicaBase
from .codecs import upsert
from .values import Clerk, WindowInfo

__all__ = ["Clerks", "check_pin", "ROLES"]


class Clerks(ReplicaBase):
    def add_clerk(self, clerk_id: str, name: str, pin: str, role: str = "clerk") -> Clerk:
        try:
            accounts.check_role(role)
        except RuleError as exc:
            raise ReplicaError(str(exc)) from None
        with self.write() as s:
            upsert(s, ClerkRow, {"id": clerk_id, "name": name, "role": role,
                                 **pin_values(pin), "active": True}, ["id"])
        return Clerk(clerk_id, name, role)

    def list_clerks(self) -> list[Clerk]:
        """Every clerk account, by id (no PIN data)."""
        with self.tx.read() as s:
            rows = s.execute(select(ClerkRow).order_by(col(ClerkRow.id))).scalars().all()
        return [pins.clerk_of(r) for r in rows]

    def set_pin(self, clerk_id: str, pin: str) -> None:
        """A new PIN (validated and hashed as by ``add_clerk``); wrong-PIN count back to 0."""
        self._update_clerk(clerk_id, **pin_values(pin))

    def set_active(self, clerk_id: str, active: bool) -> None:
        """Disable (a clerk who left) or enable an account; a disabled one cannot sign in."""
        self._update_clerk(clerk_id, active=bool(active))

    def _update_clerk(self, clerk_id: str, **values: Any) -> None:
        with self.write() as s:
            # sqlmodel's Session.execute is typed Result; an UPDATE's is a CursorResult
            done = cast(CursorResult[Any], s.execute(
                update(ClerkRow).where(col(ClerkRow.id) == clerk_id).values(**values)))
            if done.rowcount != 1:
                raise ReplicaError(f"工号 {clerk_id} 不存在")

    def get_clerk(self, clerk_id: str) -> Clerk | None:
        with self.tx.read() as s:
            row = s.get(ClerkRow, clerk_id)
            return pins.clerk_of(row) if row else None

    def verify_pin(self, clerk_id: str, pin: str, now: datetime) -> Clerk | None:
        """The clerk when the PIN matches and no lock is in force at ``now``; a wrong PIN is
        counted and every MAX_PIN_ATTEMPTS-th locks for a growing time (``lock_after``).
        One hash is computed whatever the id (unknown, disabled and locked ids included)."""
        now = local(now) or now
        with self.write() as s:
            row = s.get(ClerkRow, clerk_id)
            ok, values = pins.attempt(row, pin, now)
            if row is None or values is None:
                return None
            s.execute(update(ClerkRow).where(col(ClerkRow.id) == clerk_id).values(**values))
            s.flush()
            s.refresh(row)
            return pins.clerk_of(row) if ok else None

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
            rows = s.execute(select(col(ItemUsageRow.item), col(ItemUsageRow.count))
                          .where(col(ItemUsageRow.clerk_id) == clerk_id)
                          .order_by(col(ItemUsageRow.count).desc(),
                                    col(ItemUsageRow.last_used).desc())
                          .limit(limit)).all()
        return {item: count for item, count in rows}
