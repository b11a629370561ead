"""Small key/value settings of the window (sync token, clock offset, last sync)."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import Session, col

from ..tables import KvRow
from .base import ReplicaBase
from .codecs import upsert

KV_CLOCK_OFFSET = "clock_offset_seconds"
KV_LAST_SYNC = "last_sync_at"
KV_SYNC_URL = "sync_url"  # the back office's address, kept at enrollment
KV_WINDOW_TOKEN = "window_token"  # only consoles before 0.9: now sync/token_store.py


def get(s: Session, key: str) -> str | None:
    value: str | None = s.execute(select(col(KvRow.value)).where(col(KvRow.key) == key)).scalar()
    return value


def put(s: Session, key: str, value: str | None) -> None:
    """Set ``key`` (None deletes it) inside the caller's transaction."""
    if value is None:
        s.execute(delete(KvRow).where(col(KvRow.key) == key))
    else:
        upsert(s, KvRow, {"key": key, "value": value}, ["key"])


class Kv(ReplicaBase):
    def get_kv(self, key: str, default: str | None = None) -> str | None:
        with self.tx.read() as s:
            value = get(s, key)
            return default if value is None else value

    def set_kv(self, key: str, value: str) -> None:
        with self.write() as s:
            put(s, key, value)

    @property
    def clock_offset(self) -> float:
        """Seconds to add to the local clock to get the server's (measured at each sync)."""
        return float(self.get_kv(KV_CLOCK_OFFSET, "0") or 0)

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        self.set_kv(KV_CLOCK_OFFSET, repr(float(seconds)))
