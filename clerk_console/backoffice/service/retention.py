"""Retention of received events (``bo_received_event``): the de-duplication record of pushes.

An event id only matters while its window may still send it again: a push whose answer was
lost is retried on the window's next round. The rule: an event received more than
``days`` ago is deleted once its window has pushed something newer since that cutoff (the
window is in contact again, so its old batches were answered). A window silent since before
the cutoff keeps everything (it may come back and retry). ``CLERK_BACKOFFICE_EVENT_RETENTION_DAYS``
sets ``days`` (default 180; 0 keeps events for ever).
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, exists, select
from sqlalchemy.orm import aliased

from .common import EV, BackofficeError

RETENTION_ENV = "CLERK_BACKOFFICE_EVENT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 180
PRUNE_EVERY_SECONDS = 3600  # how often a serving process prunes


def retention_days(environ: dict[str, str] | None = None) -> int:
    """Days to keep received events; 0 = for ever. A bad value is refused in Chinese
    (BackofficeError)."""
    env = os.environ if environ is None else environ
    raw = env.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.isdigit() or int(raw) > 36_500:
        raise BackofficeError(f"环境变量 {RETENTION_ENV}={raw!r} 无效：应为 0 到 36500 之间的天数"
                         "（0 表示永久保留）")
    return int(raw)


def prune_events(conn: Connection, *, now: datetime, days: int) -> int:
    """Delete the received events the retention rule lets go; returns how many."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    newer = aliased(EV)
    since = exists().where((newer.c.window_id == EV.c.window_id)
                           & (newer.c.received_at >= cutoff))
    ids = select(EV.c.id).where((EV.c.received_at < cutoff) & since)
    return conn.execute(delete(EV).where(EV.c.id.in_(ids))).rowcount or 0
