"""The append-only, hash-chained audit log.

Triggers refuse UPDATE, DELETE and an INSERT over an existing entry (``INSERT OR REPLACE``
deletes without firing the DELETE trigger). Triggers can be dropped by whoever holds the
file, so each entry also carries ``seq`` (1, 2, 3 …), the hash of the entry before it and its
own hash over both and its content: rewriting, replacing or deleting an entry breaks the
chain, which :meth:`AuditLog.audit_chain_problem` finds (``clerk-console audit verify``).
Cutting entries off the end leaves a valid chain; the copy the back office keeps of the
pushed entries shows that.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from clerk_console.domain.hashing import audit_entry_hash as entry_hash

from ..audit_chain import append_entry
from ..tables import AuditLogRow
from .base import ReplicaBase
from .values import AuditEntry

if TYPE_CHECKING:
    from typing import Self

log = logging.getLogger(__name__)
OPEN_CHECK_ENTRIES = 2000  # the newest entries checked on every open (~20 ms); the CLI checks all

APPEND_ONLY_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for verb in ("UPDATE", "DELETE")) + (
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR seq = NEW.seq) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",)


def append(s: Session, clerk_id: str, action: str, subject: str,
           detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
    """Append one entry inside the session's (write) transaction, chained to the last one
    (``storage/audit_chain.py``: the same function the sign-in gate appends with)."""
    s.flush()  # the session's pending rows first, as a query through it would
    append_entry(s.connection().exec_driver_sql, clerk_id, action, subject, detail, at=at)


class AuditLog(ReplicaBase):
    audit_problem = ""  # what the check on open found ("" = the newest entries chain)

    @classmethod
    def open(cls, path: Path) -> Self:
        """Open as :meth:`ReplicaBase.open`, then check the newest entries' chain; a break is
        logged and kept in ``audit_problem`` (the window keeps working: the break stays in
        the file for ``clerk-console audit verify`` and the back office's copy)."""
        replica = super().open(path)
        replica.audit_problem = replica.audit_chain_problem(last=OPEN_CHECK_ENTRIES)
        if replica.audit_problem:
            log.error("audit chain broken: %s", replica.audit_problem)
        return replica

    def audit(self, clerk_id: str, action: str, subject: str,
              detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
        """Append one entry to the audit log (append-only, hash-chained)."""
        with self.write() as s:
            append(s, clerk_id, action, subject, detail, at=at)

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        stmt = select(AuditLogRow)
        if subject is not None:
            stmt = stmt.where(col(AuditLogRow.subject) == subject)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(col(AuditLogRow.seq).desc()).limit(limit)) \
                .scalars().all()
        return [AuditEntry(r.id, r.at, r.clerk_id, r.action, r.subject, r.detail) for r in rows]

    def audit_after(self, seq: int, limit: int) -> list[AuditLogRow]:
        """The entries after ``seq``, oldest first (what the back office has not confirmed)."""
        with self.tx.read() as s:
            rows = s.execute(select(AuditLogRow).where(col(AuditLogRow.seq) > seq)
                             .order_by(col(AuditLogRow.seq)).limit(limit)).scalars().all()
            s.expunge_all()
        return list(rows)

    def audit_count(self) -> int:
        with self.tx.read() as s:
            return int(s.execute(select(func.count()).select_from(AuditLogRow)).scalar() or 0)

    def audit_chain_problem(self, last: int | None = None) -> str:
        """"" when the chain holds, else (in Chinese) the first entry where it breaks.
        ``last``: check only the newest that many entries (the check on open)."""
        with self.tx.read() as s:
            stmt = select(AuditLogRow).order_by(col(AuditLogRow.seq))
            if last is not None:
                top = s.execute(select(col(AuditLogRow.seq)).order_by(col(AuditLogRow.seq).desc())
                                .limit(1)).scalar() or 0
                stmt = stmt.where(col(AuditLogRow.seq) > top - last - 1)
            prev_seq, prev_hash = None, None
            for r in s.execute(stmt.execution_options(yield_per=2000)).scalars():
                where = f"审计日志第 {r.seq} 条（{r.at:%Y-%m-%d %H:%M} {r.action}）"
                if r.seq is None:
                    return f"审计日志有一条没有序号的记录（{r.id}）：日志被改动过"
                if prev_seq is None and last is None and r.seq != 1:
                    return f"审计日志缺少第 1 至 {r.seq - 1} 条：日志被删改过"
                if prev_seq is not None and r.seq != prev_seq + 1:
                    return f"审计日志缺少第 {prev_seq + 1} 至 {r.seq - 1} 条：日志被删改过"
                if prev_hash is not None and r.prev_hash != prev_hash:
                    return f"{where}与上一条衔接不上：日志被删改过"
                if r.hash != entry_hash(r.prev_hash, r.seq, r.id, r.at, r.clerk_id, r.action,
                                        r.subject, r.detail):
                    return f"{where}的内容与其校验值不符：日志被改动过"
                prev_seq, prev_hash = r.seq, r.hash
        return ""
