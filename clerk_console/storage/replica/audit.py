"""The append-only audit log (the table refuses UPDATE and DELETE)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from clerk_console.domain.ids import new_id

from ..tables import AuditLogRow
from .base import ReplicaBase
from .codecs import local
from .values import AuditEntry


def append(s: Session, clerk_id: str, action: str, subject: str,
           detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
    """Append one entry inside the caller's transaction."""
    s.execute(insert(AuditLogRow).values(
        id=new_id(), at=local(at) or datetime.now(), clerk_id=clerk_id, action=action,
        subject=subject, detail=json.loads(json.dumps(detail or {}, default=str))))


class AuditLog(ReplicaBase):
    def audit(self, clerk_id: str, action: str, subject: str,
              detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
        """Append one entry to the audit log (the table refuses UPDATE and DELETE)."""
        with self.write() as s:
            append(s, clerk_id, action, subject, detail, at=at)

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        stmt = select(AuditLogRow)
        if subject is not None:
            stmt = stmt.where(AuditLogRow.subject == subject)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(AuditLogRow.id.desc()).limit(limit)).scalars().all()
        return [AuditEntry(r.id, r.at, r.clerk_id, r.action, r.subject, r.detail) for r in rows]
