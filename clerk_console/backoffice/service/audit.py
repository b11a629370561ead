"""The back office's copy of each window's audit log, and the check of every pushed entry.

An entry is kept only if it chains: its hash is right for its content and the hash before it,
and that hash is the one the back office holds for the entry before. The window pushes from
the first entry it has not had confirmed, so a window whose log was rewritten, had entries
replaced or cut off and new ones written after, pushes an entry that no longer chains to the
copy here: it is refused, the finding goes to the admin log, and the copy stays as it was.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from clerk_console.domain.hashing import audit_entry_hash, canonical_json
from clerk_console.sync.protocol import AuditEntryWire

from .admin import log_admin
from .common import AUDIT, W, BackofficeError, WindowRow


def held_through(conn: Connection, window_id: str) -> int:
    """The highest entry held for the window (0: none)."""
    top = conn.execute(select(func.max(AUDIT.c.seq)).where(AUDIT.c.window_id == window_id))
    return int(top.scalar() or 0)


def _entry_problem(e: AuditEntryWire, held: dict[str, Any] | None, prev_hash: str | None,
                   through: int) -> str:
    """Why ``e`` can't be kept ("" = it can): in Chinese, for the window and the admin log."""
    where = f"审计日志第 {e.seq} 条"
    if e.hash != audit_entry_hash(e.prev_hash, e.seq, e.id, e.at, e.clerk_id, e.action,
                                  e.subject, e.detail):
        return f"{where}的内容与其校验值不符：窗口日志被改动过"
    if held is not None:
        return "" if held["hash"] == e.hash else (
            f"{where}与后台已收到的副本不同：窗口日志在上传后被改写过")
    if e.seq != through + 1:
        return f"{where}之前缺少第 {through + 1} 至 {e.seq - 1} 条：窗口日志被删改过"
    if e.seq > 1 and e.prev_hash != prev_hash:
        return f"{where}与后台已收到的上一条衔接不上：窗口日志被删改过"
    return ""


def receive_audit(conn: Connection, window: WindowRow, entries: list[AuditEntryWire], *,
                  now: datetime) -> tuple[int, str]:
    """Keep the pushed entries that chain, in order, up to the first that does not; answer
    the highest entry now held and the problem found ("" when all chained)."""
    entries = sorted(entries, key=lambda e: e.seq)
    if not entries:
        return held_through(conn, window.id), ""
    seqs = [e.seq for e in entries]
    rows = conn.execute(select(AUDIT.c.seq, AUDIT.c.hash).where(
        AUDIT.c.window_id == window.id,
        AUDIT.c.seq.between(seqs[0] - 1, seqs[-1]))).mappings()
    held = {r["seq"]: dict(r) for r in rows}
    through = held_through(conn, window.id)
    prev_hash = held[seqs[0] - 1]["hash"] if seqs[0] - 1 in held else None
    new: list[dict[str, Any]] = []
    problem = ""
    for e in entries:
        problem = _entry_problem(e, held.get(e.seq), prev_hash, through)
        if problem:
            break
        if e.seq not in held:
            new.append(dict(window_id=window.id, seq=e.seq, id=e.id,
                            at=e.at.isoformat(timespec="microseconds"),
                            clerk_id=e.clerk_id, action=e.action, subject=e.subject,
                            detail=canonical_json(e.detail), prev_hash=e.prev_hash,
                            hash=e.hash, received_at=now))
            through = e.seq
        prev_hash = e.hash
    if new:
        conn.execute(AUDIT.insert(), new)
    if problem:
        log_admin(conn, actor="system", action="audit-chain-broken", subject=window.code,
                  detail=problem, now=now)
    return through, problem


def window_audit(conn: Connection, window_code: str, limit: int = 100) -> list[dict[str, Any]]:
    """The newest entries held for a window (by its code), newest first (detail parsed)."""
    window_id = conn.execute(select(W.c.id).where(
        W.c.code == window_code.strip().upper())).scalar()
    if window_id is None:
        raise BackofficeError(f"没有编号为{window_code}的窗口：请用已注册的窗口编号", 404)
    rows = conn.execute(select(AUDIT).where(AUDIT.c.window_id == window_id)
                        .order_by(AUDIT.c.seq.desc()).limit(limit)).mappings()
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
