"""The one canonical JSON form of a record and its hash (the same on every side of sync)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def canonical_json(payload: Any) -> str:
    """Sorted keys, no spaces, non-ASCII kept; what is hashed and what is stored."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def payload_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON form; equal payloads hash equal on both sides."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def audit_entry_hash(prev_hash: str, seq: int, entry_id: str, at: datetime, clerk_id: str,
                     action: str, subject: str, detail: dict[str, Any]) -> str:
    """SHA-256 over the previous audit entry's hash and everything of this entry: the chain
    the window checks on open and the back office checks on every pushed entry."""
    return payload_hash([prev_hash, seq, entry_id, at.isoformat(timespec="microseconds"),
                         clerk_id, action, subject, detail])
