"""Appending to the hash-chained audit log, without SQLAlchemy: the one way an entry is
written, by the replica (through its session's connection, ``replica/audit.py: append``) and
by the sign-in gate (its DB-API connection). Stored as the ``audit_log`` table's types store
them (``sqltext``), so the replica's ``audit_chain_problem`` verifies the gate's entries."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from clerk_console.domain.hashing import audit_entry_hash
from clerk_console.domain.ids import new_id

from .sqltext import datetime_text, json_text, local

Execute = Callable[[str, tuple], Any]  # runs one statement; the result has fetchone()

_LAST = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
_INSERT = ("INSERT INTO audit_log (id, at, clerk_id, action, subject, detail, seq, prev_hash, "
           "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def append_entry(execute: Execute, clerk_id: str, action: str, subject: str,
                 detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
    """Append one entry inside the caller's (write) transaction, chained to the last one.
    ``execute``: a DB-API cursor's ``execute``, or a SQLAlchemy connection's
    ``exec_driver_sql``."""
    last = execute(_LAST, ()).fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, "")
    entry_id, at = new_id(), local(at) or datetime.now()
    detail = json.loads(json.dumps(detail or {}, default=str))
    digest = audit_entry_hash(prev, seq, entry_id, at, clerk_id, action, subject, detail)
    execute(_INSERT, (entry_id, datetime_text(at), clerk_id, action, subject, json_text(detail),
                      seq, prev, digest))
