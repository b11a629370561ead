"""The port the services use: what they need of the window's storage, and nothing else.

``clerk_console.storage.replica.Replica`` implements it on SQLite; ``tests/support/fake_replica``
implements it in memory so a service test runs without a file (Cosmic Python's repository and
unit of work, as one small typed interface split by concern).

``write()`` is the unit of work: every call inside ``with replica.write():`` commits together
or not at all; each call on its own commits by itself.
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from clerk_console.domain.accounts import Clerk
from clerk_console.domain.calendar import WorkCalendar
from clerk_console.domain.case import Case, Decision, Outcome
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.parties import Applicant, ELicence
from clerk_console.domain.followup import Followup
from clerk_console.domain.rating import Rating
from clerk_console.domain.review import ItemDecision, MergedLicence
from clerk_console.domain.rules import CreditRecord
from clerk_console.domain.window import WindowInfo


class UnitOfWork(Protocol):
    path: Path  # the replica file; the window's settings.toml is beside it

    def write(self) -> AbstractContextManager[object]: ...


class ReferenceData(Protocol):
    def catalogue(self) -> Catalogue: ...

    def calendar(self) -> WorkCalendar: ...

    def window(self) -> WindowInfo | None: ...


class Applicants(Protocol):
    def find_applicant(self, id_number: str) -> Applicant | None: ...

    def elicences(self, holder_id: str) -> list[ELicence]: ...

    def credit(self, applicant: Applicant) -> CreditRecord: ...


class Cases(Protocol):
    def next_case_no(self, window_code: str, day: date) -> str: ...

    def save_case(self, case: Case, *, clerk_id: str, action: str,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> Case: ...

    def get_case(self, case_no: str) -> Case | None: ...

    def queue_notice(self, case_no: str, at: datetime) -> None: ...

    def apply_decision(self, case_id: str, decision: Decision | None,
                       decided_at: datetime | None, *,
                       false_commitment: bool = False) -> Case | None: ...

    def item_decisions(self, case_id: str) -> dict[str, ItemDecision]: ...

    def merged_licence(self, case_id: str) -> MergedLicence | None: ...

    def note_item_usage(self, clerk_id: str, items: Iterable[str], at: datetime) -> None: ...


class Clerks(Protocol):
    def get_clerk(self, clerk_id: str) -> Clerk | None: ...

    def list_clerks(self) -> list[Clerk]: ...

    def add_clerk(self, clerk_id: str, name: str, pin: str, role: str = "clerk") -> Clerk: ...

    def verify_pin(self, clerk_id: str, pin: str, now: datetime) -> Clerk | None: ...

    def set_pin(self, clerk_id: str, pin: str) -> None: ...

    def set_active(self, clerk_id: str, active: bool) -> None: ...

    def unlock_clerk(self, clerk_id: str) -> None: ...


class Audit(Protocol):
    def audit(self, clerk_id: str, action: str, subject: str,
              detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None: ...

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[Any]:
        """Newest first; each has ``at``, ``clerk_id``, ``action``, ``subject``, ``detail``."""
        ...


class Ratings(Protocol):
    def save_rating(self, rating: Rating, *, followup: Followup | None = None) -> None: ...

    def rating(self, case_no: str) -> Rating | None: ...

    def followups(self, status: str | None = "open") -> list[Followup]: ...

    def get_followup(self, followup_id: str) -> Followup | None: ...

    def save_followup(self, followup: Followup) -> None: ...

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]: ...


class Contacts(Protocol):
    def save_contact(self, case_no: str, phone: str, opt_out: bool, at: datetime) -> None: ...


class Kv(Protocol):
    def get_kv(self, key: str, default: str | None = None) -> str | None: ...

    def set_kv(self, key: str, value: str) -> None: ...


class DayFigures(Protocol):
    def outcome_counts(self, day: date) -> dict[Outcome | None, int]: ...

    def handling_minutes(self, day: date) -> list[float]: ...

    def deferral_counts(self, today: date) -> tuple[int, int]: ...


class ReplicaPort(UnitOfWork, ReferenceData, Applicants, Cases, Clerks, Audit, Ratings,
                  Contacts, Kv, DayFigures, Protocol):
    """Everything the services use of the replica."""
