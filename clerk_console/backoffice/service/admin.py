"""The back office's own audit log of admin actions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from .common import ADMIN


def log_admin(conn: Connection, *, actor: str, action: str, subject: str, detail: str,
              now: datetime) -> None:
    conn.execute(ADMIN.insert().values(at=now, actor=actor, action=action, subject=subject,
                                       detail=detail))


def admin_log(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(select(ADMIN).order_by(ADMIN.c.id.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]
