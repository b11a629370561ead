"""Value objects the replica returns besides the domain's own (no behaviour, no I/O)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from clerk_console.domain.catalogue import Level
from clerk_console.domain.rules import WindowScope

MAX_PIN_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class WindowInfo:
    code: str
    name: str
    hall: str
    level: Level = Level.CITY
    levels: frozenset[Level] = frozenset({Level.CITY, Level.COUNTY})

    @property
    def scope(self) -> WindowScope:
        return WindowScope(self.level, self.levels)


@dataclass(frozen=True, slots=True)
class Clerk:
    id: str
    name: str
    role: str  # clerk | supervisor
    failed_attempts: int = 0
    active: bool = True

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def locked(self) -> bool:
        return self.failed_attempts >= MAX_PIN_ATTEMPTS


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


@dataclass(frozen=True, slots=True)
class Rating:
    case_no: str
    level: int
    comment: str
    clerk_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Followup:
    id: str
    case_no: str
    due: date
    due_estimated: bool
    status: str  # open | closed
    opened_at: datetime
    closed_at: datetime | None = None
    answer: str = ""
