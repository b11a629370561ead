"""An in-memory implementation of the services' port (``clerk_console.services.ports``).

It keeps what the SQLite replica keeps, as plain dicts and lists, and follows the same
rules the services rely on: numbering per window and day, a stale case version refused, one
rating per case, one outbox event and one audit entry per save, and ``write()`` as a unit of
work (everything inside rolls back together on an error). The credit rules are the domain's
(``domain.credit``), so a service test gets the same verdicts on both.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from clerk_console.domain import credit as credit_rules
from clerk_console.domain.accounts import Clerk, check_pin, check_role, lock_after
from clerk_console.domain.calendar import WorkCalendar, default_calendar
from clerk_console.domain.case import (SUPPLY_STATUSES, Case, Decision, Outcome,
                                       Status, decidable, transition)
from clerk_console.domain.catalogue import Catalogue, Level
from clerk_console.domain.errors import RuleError
from clerk_console.domain.ids import format_case_no, new_id
from clerk_console.domain.parties import Applicant, BlacklistEntry, ELicence
from clerk_console.domain.followup import Followup
from clerk_console.domain.rating import Rating
from clerk_console.domain.review import ItemDecision, MergedLicence
from clerk_console.domain.rules import CreditRecord
from clerk_console.domain.window import WindowInfo
from clerk_console.domain.messages import contact_key
from clerk_console.storage.db import ReplicaError
from clerk_console.storage.replica.codecs import contact_to_dict, followup_to_dict, rating_to_dict


@dataclass(frozen=True, slots=True)
class Event:
    """An outbox event or an audit entry as the fake records it."""

    id: str
    kind: str  # entity of an outbox event, action of an audit entry
    subject: str
    detail: dict[str, Any]
    at: datetime | None
    clerk_id: str = ""

    # the names the SQLite replica's OutboxEvent and AuditEntry use
    @property
    def entity(self) -> str:
        return self.kind

    @property
    def entity_id(self) -> str:
        return self.subject

    @property
    def action(self) -> str:
        return self.kind


@dataclass
class _State:
    catalogue: Catalogue | None = None
    window: WindowInfo | None = None
    clerks: dict[str, tuple[Clerk, str]] = field(default_factory=dict)  # id -> (clerk, PIN)
    applicants: dict[str, Applicant] = field(default_factory=dict)
    related: dict[str, dict[str, str]] = field(default_factory=dict)  # enterprise -> roles
    elicences: list[ELicence] = field(default_factory=list)
    blacklist: dict[str, BlacklistEntry] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)  # by id
    false_commitments: set[str] = field(default_factory=set)  # case ids
    item_decisions: dict[str, dict[str, ItemDecision]] = field(default_factory=dict)
    merged: dict[str, MergedLicence | None] = field(default_factory=dict)
    seq: dict[tuple[str, date], int] = field(default_factory=dict)
    usage: dict[tuple[str, str], int] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)  # by case number
    followups: dict[str, Followup] = field(default_factory=dict)
    outbox: list[Event] = field(default_factory=list)
    audit: list[Event] = field(default_factory=list)
    kv: dict[str, str] = field(default_factory=dict)
    notices: dict[str, datetime | None] = field(default_factory=dict)  # case no -> saved at


class FakeReplica:
    """The port in memory. ``path`` only locates a ``settings.toml`` (none: defaults)."""

    def __init__(self, path: Path | None = None, *, calendar: WorkCalendar | None = None) -> None:
        self.path = Path(path) if path is not None else Path("/nonexistent/replica.sqlite3")
        self._state = _State()
        self._calendar = calendar
        self._depth = 0

    # ------------------------------------------------------------------ unit of work

    @contextmanager
    def write(self) -> Iterator[object]:
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        saved = copy.deepcopy(self._state)
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._state = saved
            raise
        finally:
            self._depth = 0

    def close(self) -> None:
        pass

    # ------------------------------------------------------------------ reference data

    def store_catalogue(self, cat: Catalogue, *, at: datetime | None = None) -> None:
        self._state.catalogue = cat

    def catalogue(self) -> Catalogue:
        if self._state.catalogue is None:
            raise ReplicaError("本机尚无事项目录，请先与后台同步（或运行 clerk-console demo）")
        return self._state.catalogue

    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = default_calendar({})
        return self._calendar

    def set_window(self, code: str, name: str, hall: str, level: Level = Level.CITY,
                   levels: Iterable[Level] = (Level.CITY, Level.COUNTY)) -> WindowInfo:
        self._state.window = WindowInfo(code, name, hall, Level(level),
                                        frozenset(Level(v) for v in levels))
        return self._state.window

    def window(self) -> WindowInfo | None:
        return self._state.window

    # ------------------------------------------------------------------ applicants

    def find_applicant(self, id_number: str) -> Applicant | None:
        return self._state.applicants.get(id_number)

    def save_applicant(self, applicant: Applicant, clerk_id: str, *,
                       at: datetime | None = None) -> None:
        with self.write():
            existed = applicant.id_number in self._state.applicants
            self._state.applicants[applicant.id_number] = applicant
            if applicant.legal_rep_id:
                roles = self._state.related.setdefault(applicant.id_number, {})
                roles[applicant.legal_rep_id] = credit_rules.LEGAL_REP
            self.audit(clerk_id, "applicant.update" if existed else "applicant.create",
                       applicant.id_number, {"name": applicant.name}, at=at)

    def save_related_persons(self, enterprise_id: str,
                             persons: Iterable[tuple[str, str, str]]) -> None:
        pairs = [(pid, role) for pid, role, _name in persons]
        self._state.related[enterprise_id] = credit_rules.rank_roles(pairs)

    def related_roles(self, enterprise_id: str) -> dict[str, str]:
        return dict(self._state.related.get(enterprise_id, {}))

    def save_elicences(self, licences: Iterable[ELicence]) -> None:
        self._state.elicences.extend(licences)

    def elicences(self, holder_id: str) -> list[ELicence]:
        return sorted((lic for lic in self._state.elicences if lic.holder_id == holder_id),
                      key=lambda lic: lic.type_code)

    def save_blacklist(self, entries: Iterable[BlacklistEntry]) -> None:
        self._state.blacklist.update((e.subject_id, e) for e in entries)

    def credit(self, applicant: Applicant) -> CreditRecord:
        roles = self.related_roles(applicant.id_number)
        subject, ids = credit_rules.credit_subject(applicant, roles)
        listed = {i: self._state.blacklist[i] for i in ids if i in self._state.blacklist}
        own = [c for c in self._state.cases.values() if c.applicant_id == applicant.id_number]
        return credit_rules.credit_record(
            subject, listed, roles,
            broken_deferral=any(credit_rules.is_broken_deferral(c) for c in own),
            false_commitment=any(c.id in self._state.false_commitments for c in own))

    # ------------------------------------------------------------------ cases

    def next_case_no(self, window_code: str, day: date) -> str:
        seq = self._state.seq.get((window_code, day), 0) + 1
        self._state.seq[(window_code, day)] = seq
        return format_case_no(window_code, day, seq)

    def queue_notice(self, case_no: str, at: datetime) -> None:
        with self.write():
            self._state.notices.setdefault(case_no, at)

    def notice_printed(self, case_no: str) -> None:
        self._state.notices.pop(case_no, None)

    def unprinted_notices(self) -> list[Case]:
        by_no = {c.case_no: c for c in self._state.cases.values()}
        return [by_no[no] for no in self._state.notices if no in by_no]

    def save_case(self, case: Case, *, clerk_id: str, action: str,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> Case:
        if not case.case_no:
            raise ReplicaError("办件尚未编号，不能保存")
        stored = self._state.cases.get(case.id)
        if stored is not None and stored.version > case.version:
            raise ReplicaError(f"办件 {case.case_no} 已被更新（版本 {stored.version}），"
                               "请重新打开该办件后再操作")
        with self.write():
            self._state.cases[case.id] = case
            self._state.outbox.append(Event(new_id(), "case", case.id, {"case": case}, at))
            self.audit(clerk_id, action, case.case_no,
                       {"status": case.status.value, **(detail or {})}, at=at)
        return case

    def get_case(self, case_no: str) -> Case | None:
        return next((c for c in self._state.cases.values() if c.case_no == case_no.strip()),
                    None)

    def cases_of(self, applicant_id: str, open_only: bool = False) -> list[Case]:
        return sorted((c for c in self._state.cases.values() if c.applicant_id == applicant_id
                       and (not open_only or c.is_open)),
                      key=lambda c: c.created_at or datetime.min, reverse=True)

    def count_cases(self) -> int:
        return len(self._state.cases)

    def apply_decision(self, case_id: str, decision: Decision | None,
                       decided_at: datetime | None, *,
                       false_commitment: bool = False) -> Case | None:
        case = self._state.cases.get(case_id)
        if case is None:
            return None
        if false_commitment:
            self._state.false_commitments.add(case_id)
        if decision is None or not decidable(case.status):
            return case
        decision = Decision(decision)
        decided = transition(case, Status.DECIDED, decision=decision, decided_at=decided_at)
        return self.save_case(decided, clerk_id="backoffice", action="case.decided",
                              detail={"decision": decision.value}, at=decided_at)

    def store_decisions(self, case_id: str, items: Iterable[ItemDecision],
                        merged: MergedLicence | None) -> None:
        """What a ``decisions`` record leaves on the SQLite replica (tests set it directly)."""
        self._state.item_decisions[case_id] = {d.item: d for d in items}
        self._state.merged[case_id] = merged

    def item_decisions(self, case_id: str) -> dict[str, ItemDecision]:
        return dict(self._state.item_decisions.get(case_id, {}))

    def merged_licence(self, case_id: str) -> MergedLicence | None:
        return self._state.merged.get(case_id)

    def note_item_usage(self, clerk_id: str, items: Iterable[str], at: datetime) -> None:
        for item in dict.fromkeys(items):
            self._state.usage[(clerk_id, item)] = self._state.usage.get((clerk_id, item), 0) + 1

    def item_usage(self, clerk_id: str, limit: int = 50) -> dict[str, int]:
        mine = [(item, n) for (who, item), n in self._state.usage.items() if who == clerk_id]
        return dict(sorted(mine, key=lambda p: -p[1])[:limit])

    # ------------------------------------------------------------------ day figures

    def _on(self, day: date) -> list[Case]:
        return [c for c in self._state.cases.values()
                if c.created_at is not None and c.created_at.date() == day]

    def outcome_counts(self, day: date) -> dict[Outcome | None, int]:
        counts: dict[Outcome | None, int] = {}
        for c in self._on(day):
            counts[c.outcome] = counts.get(c.outcome, 0) + 1
        return counts

    def handling_minutes(self, day: date) -> list[float]:
        return [(c.accepted_at - c.created_at).total_seconds() / 60 for c in self._on(day)
                if c.accepted_at is not None and c.created_at is not None]

    def deferrals_due(self, today: date, limit: int = 500) -> list[Case]:
        """Cases with a supply-by date today or past, earliest first."""
        due = [c for c in self._state.cases.values() if c.status in SUPPLY_STATUSES
               and c.deadline is not None and c.deadline <= today]
        return sorted(due, key=lambda c: (c.deadline or today, c.case_no))[:limit]

    def deferral_counts(self, today: date) -> tuple[int, int]:
        deferred = [c.deadline for c in self._state.cases.values()
                    if c.status in SUPPLY_STATUSES and c.deadline is not None]
        return (sum(1 for d in deferred if d == today), sum(1 for d in deferred if d < today))

    # ------------------------------------------------------------------ clerks

    def add_clerk(self, clerk_id: str, name: str, pin: str, role: str = "clerk") -> Clerk:
        try:
            clerk = Clerk(clerk_id, name, check_role(role))
            self._state.clerks[clerk_id] = (clerk, check_pin(pin))
        except RuleError as exc:
            raise ReplicaError(str(exc)) from None
        return clerk

    def get_clerk(self, clerk_id: str) -> Clerk | None:
        found = self._state.clerks.get(clerk_id)
        return found[0] if found else None

    def list_clerks(self) -> list[Clerk]:
        return [self._state.clerks[k][0] for k in sorted(self._state.clerks)]

    def _update(self, clerk_id: str, **changes: Any) -> None:
        if clerk_id not in self._state.clerks:
            raise ReplicaError(f"工号 {clerk_id} 不存在")
        clerk, pin = self._state.clerks[clerk_id]
        pin = changes.pop("pin", pin)
        fields = {f: getattr(clerk, f) for f in ("id", "name", "role", "failed_attempts",
                                                 "active", "locked_until")}
        self._state.clerks[clerk_id] = (Clerk(**{**fields, **changes}), pin)

    def set_pin(self, clerk_id: str, pin: str) -> None:
        try:
            check_pin(pin)
        except RuleError as exc:
            raise ReplicaError(str(exc)) from None
        self._update(clerk_id, pin=pin, failed_attempts=0, locked_until=None)

    def set_active(self, clerk_id: str, active: bool) -> None:
        self._update(clerk_id, active=bool(active))

    def unlock_clerk(self, clerk_id: str) -> None:
        if clerk_id in self._state.clerks:
            self._update(clerk_id, failed_attempts=0, locked_until=None)

    def verify_pin(self, clerk_id: str, pin: str, now: datetime) -> Clerk | None:
        found = self._state.clerks.get(clerk_id)
        if found is None or not found[0].active or found[0].locked_at(now):
            return None
        ok = pin == found[1]
        failed = 0 if ok else found[0].failed_attempts + 1
        lock = lock_after(failed)
        self._update(clerk_id, failed_attempts=failed,
                     locked_until=None if ok else (now + lock if lock else found[0].locked_until))
        return self.get_clerk(clerk_id) if ok else None

    # ------------------------------------------------------------------ audit, ratings, outbox

    def audit(self, clerk_id: str, action: str, subject: str,
              detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
        self._state.audit.append(Event(new_id(), action, subject, dict(detail or {}), at,
                                       clerk_id))

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[Event]:
        """Newest first, as the SQLite replica lists them."""
        return [e for e in reversed(self._state.audit)
                if subject is None or e.subject == subject][:limit]

    def outbox_pending(self, limit: int = 500) -> list[Event]:
        return self._state.outbox[:limit]

    def save_rating(self, rating: Rating, *, followup: Followup | None = None) -> None:
        if rating.case_no in self._state.ratings:
            raise ReplicaError(f"办件 {rating.case_no} 已评价过，每次服务只能评价一次")
        with self.write():
            self._state.ratings[rating.case_no] = rating
            rating_id = new_id()  # the payloads are the SQLite replica's (its codecs)
            self._state.outbox.append(Event(new_id(), "rating", rating_id,
                                            rating_to_dict(rating, rating_id), rating.at))
            if followup is not None:
                self._state.followups[followup.id] = followup
                self._state.outbox.append(Event(new_id(), "followup", followup.id,
                                                followup_to_dict(followup), rating.at))

    def get_kv(self, key: str, default: str | None = None) -> str | None:
        return self._state.kv.get(key, default)

    def set_kv(self, key: str, value: str) -> None:
        self._state.kv[key] = value

    def save_contact(self, case_no: str, phone: str, opt_out: bool, at: datetime) -> None:
        self._state.outbox.append(Event(new_id(), "contact", contact_key(case_no),
                                        contact_to_dict(case_no, phone, opt_out, at), at))

    def rating(self, case_no: str) -> Rating | None:
        return self._state.ratings.get(case_no)

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]:
        return sorted((r for r in self._state.ratings.values() if start <= r.at < end),
                      key=lambda r: r.at)

    def followups(self, status: str | None = "open") -> list[Followup]:
        return sorted((f for f in self._state.followups.values()
                       if status is None or f.status == status), key=lambda f: (f.due, f.id))

    def get_followup(self, followup_id: str) -> Followup | None:
        return self._state.followups.get(followup_id)

    def save_followup(self, followup: Followup) -> None:
        found = self._state.followups.get(followup.id)
        if found is None or found.version != followup.version - 1:
            raise ReplicaError("该差评回访已被他人办理或不存在，请刷新后重试")
        with self.write():
            self._state.followups[followup.id] = followup
            self._state.outbox.append(Event(new_id(), "followup", followup.id,
                                            followup_to_dict(followup), followup.history[-1].at))
