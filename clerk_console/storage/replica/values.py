"""Value objects the replica returns besides the domain's own (no behaviour, no I/O).

Clerks, the window, ratings and follow-ups are domain objects (``domain.accounts``,
``domain.window``, ``domain.rating``, ``domain.followup``), re-exported here for the replica's callers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS, Clerk
from clerk_console.domain.followup import Followup
from clerk_console.domain.rating import Rating
from clerk_console.domain.window import WindowInfo

__all__ = ["MAX_PIN_ATTEMPTS", "Clerk", "WindowInfo", "Rating", "Followup", "OutboxEvent",
           "OutboxWire", "AuditEntry"]


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: str
    entity: str
    entity_id: str
    op: str
    payload: dict[str, Any]
    payload_hash: str
    created_at: datetime
    attempts: int = 0
    status: str = "pending"
    last_error: str = ""


class OutboxWire(NamedTuple):
    """A pending event as it goes on the wire: the payload is the stored JSON text."""

    id: str
    entity: str
    entity_id: str
    op: str
    payload_json: str
    payload_hash: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    at: datetime
    clerk_id: str
    action: str
    subject: str
    detail: dict[str, Any]
