"""监管评价: the supervision figures per window and per department, for a range of days.

Every figure is a SQL aggregate over the fact columns (``service/facts.py``): one scan of the
cases taken in the range and one of the ratings given in it, each grouped by window and by
set of item codes (windows × the item sets in use: thousands of groups, not rows), folded in
Python to windows and to departments. Departments come from the published catalogue; a set
of items counts once for every department among its items.

What counts (cases taken in the range, ``taken_on`` between ``start`` and ``end``):

- **taken** (受理): outcome 受理, 容缺受理 or 承诺即准;
- **on time / late** (按时 / 逾期办结): decided by the back office on or before the promised
  date (承诺办结日期), or after it; a case without a promised date is on time;
- **overdue open** (逾期未办结): not decided, still to decide, promised date before ``today``;
- **deferrals** (容缺): open (materials still owed), supplied (补齐, then decided or delivered),
  voided (废止);
- **commitments broken** (承诺未践行): taken on commitment (承诺即准) owing a material, voided.

Ratings given in the range (``rated_on``): count, good (levels 1-3), bad (4-5), the
satisfaction rate (good / all), and the bad ones by their follow-up's state (核实 → 整改 →
反馈, 申诉复核, 办结, not opened yet) and how many follow-ups are past their step's deadline.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from clerk_console.backoffice.service.common import CASE, FOLLOWUP, LOG, RATING, W
from clerk_console.domain.case import Outcome, Status
from clerk_console.domain.followup import Step
from clerk_console.domain.rating import BAD_LEVELS
from clerk_console.sync.protocol import Dataset

TAKEN = (Outcome.ACCEPTED.value, Outcome.DEFERRED.value, Outcome.APPROVED_ON_COMMITMENT.value)
TO_DECIDE = (Status.ACCEPTED.value, Status.COMPLETED.value,
             Status.APPROVED_ON_COMMITMENT.value)
SUPPLIED = (Status.COMPLETED.value, Status.DECIDED.value, Status.DELIVERED.value)
MAX_DAYS = 3_660  # a range longer than ten years is refused
UNKNOWN_DEPT = ("?", "目录外事项")


class RangeError(ValueError):
    """A date range the dashboard refuses; the message (Chinese) says what to fix."""


@dataclass
class Figures:
    """One row of the dashboard (a window, a department, or all)."""

    taken: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    deferrals_open: int = 0
    deferrals_supplied: int = 0
    deferrals_voided: int = 0
    commitments_broken: int = 0
    rated: int = 0
    good: int = 0
    bad: int = 0
    followup_none: int = 0
    followup_verify: int = 0
    followup_fix: int = 0
    followup_answer: int = 0
    followup_appeal: int = 0
    followup_closed: int = 0
    followup_overdue: int = 0

    @property
    def satisfaction(self) -> float | None:
        """Good ratings over all ratings; None without ratings."""
        return self.good / self.rated if self.rated else None

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


CASE_FIGURES = ("taken", "on_time", "late", "overdue_open", "deferrals_open",
                "deferrals_supplied", "deferrals_voided", "commitments_broken")
RATING_FIGURES = ("rated", "good", "bad", "followup_none", "followup_verify", "followup_fix",
                  "followup_answer", "followup_appeal", "followup_closed", "followup_overdue")


@dataclass
class Row:
    key: str  # window code or department code
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Dashboard:
    start: date
    end: date
    today: date
    windows: list[Row]
    departments: list[Row]
    total: Figures


def check_range(start: date, end: date) -> None:
    if end < start:
        raise RangeError(f"结束日期{end.isoformat()}早于开始日期{start.isoformat()}，请重新选择")
    if (end - start).days > MAX_DAYS:
        raise RangeError("日期范围不能超过十年，请缩小范围")


def _n(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _case_columns(today: date) -> list[Any]:
    c = CASE.c
    decided = c.decided_on.is_not(None)
    return [func.count(),
            _n(decided & or_(c.promised_date.is_(None), c.decided_on <= c.promised_date)),
            _n(decided & (c.decided_on > c.promised_date)),
            _n(c.decided_on.is_(None) & c.status.in_(TO_DECIDE) & (c.promised_date < today)),
            _n((c.outcome == Outcome.DEFERRED.value) & (c.status == Status.DEFERRED.value)),
            _n((c.outcome == Outcome.DEFERRED.value) & c.status.in_(SUPPLIED)),
            _n((c.outcome == Outcome.DEFERRED.value) & (c.status == Status.VOIDED.value)),
            _n((c.outcome == Outcome.APPROVED_ON_COMMITMENT.value)
               & (c.status == Status.VOIDED.value))]


def _rating_columns(today: date) -> list[Any]:
    r, f = RATING.c, FOLLOWUP.c
    bad = r.level.in_(sorted(BAD_LEVELS))
    open_ = f.status == "open"

    def at(step: Step) -> Any:
        return _n(bad & open_ & (f.step == step.value))

    return [func.count(), _n(~bad), _n(bad), _n(bad & f.id.is_(None)), at(Step.VERIFY),
            at(Step.FIX), at(Step.ANSWER), at(Step.APPEAL), _n(bad & (f.status == "closed")),
            _n(bad & open_ & (f.due < today))]


Sums = dict[tuple[str, str], list[int]]  # (window id, item codes) -> figures


def _case_sums(conn: Connection, start: date, end: date, today: date) -> Sums:
    """One scan of the cases taken in the range, grouped by window and set of items."""
    c = CASE.c
    q = (select(c.window_id, c.item_codes, *_case_columns(today))
         .where(c.taken_on.between(start, end) & c.outcome.in_(TAKEN))
         .group_by(c.window_id, c.item_codes))
    return {(row[0], row[1] or ""): [int(v) for v in row[2:]] for row in conn.execute(q)}


def _rating_sums(conn: Connection, start: date, end: date, today: date) -> Sums:
    """One scan of the ratings given in the range (with their follow-ups), grouped alike."""
    r, f = RATING.c, FOLLOWUP.c
    source = RATING.outerjoin(FOLLOWUP, and_(f.window_id == r.window_id,
                                             f.case_no == r.case_no))
    q = (select(r.window_id, r.item_codes, *_rating_columns(today)).select_from(source)
         .where(r.rated_on.between(start, end)).group_by(r.window_id, r.item_codes))
    return {(row[0], row[1] or ""): [int(v) for v in row[2:]] for row in conn.execute(q)}


def _fold(sums: Sums, by: int) -> dict[str, list[int]]:
    """``sums`` added up by window (``by=0``) or by set of items (``by=1``)."""
    out: dict[str, list[int]] = {}
    for key, values in sums.items():
        have = out.get(key[by])
        out[key[by]] = values if have is None else [a + b for a, b in zip(have, values)]
    return out


def _figures(cases: list[int] | None, ratings: list[int] | None) -> Figures:
    values = dict(zip(CASE_FIGURES, cases or [0] * len(CASE_FIGURES), strict=True))
    values.update(zip(RATING_FIGURES, ratings or [0] * len(RATING_FIGURES), strict=True))
    return Figures(**values)


def departments_of(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """``({item code: department code}, {department code: short name})`` of the published
    catalogue (empty when none is published)."""
    payload = conn.execute(select(LOG.c.payload).where(
        (LOG.c.dataset == Dataset.CATALOGUE.value) & (LOG.c.key == "catalogue")
        & LOG.c.deleted.is_(False))).scalar()
    if payload is None:
        return {}, {}
    data = json.loads(payload)
    names = {d["code"]: d.get("short_name") or d["name"] for d in data.get("departments", [])}
    return {i["code"]: i["dept"] for i in data.get("items", [])}, names


def dashboard(conn: Connection, start: date, end: date, *, today: date) -> Dashboard:
    """The figures of the cases taken and the ratings given from ``start`` to ``end``
    (both included); ``today`` decides what is overdue."""
    check_range(start, end)
    windows = {wid: code for wid, code in conn.execute(select(W.c.id, W.c.code))}
    cases, ratings = _case_sums(conn, start, end, today), _rating_sums(conn, start, end, today)
    by_window_cases, by_window_ratings = _fold(cases, 0), _fold(ratings, 0)
    window_rows = []
    total = Figures()
    for wid in sorted(set(by_window_cases) | set(by_window_ratings),
                      key=lambda w: windows.get(w, w)):
        row = Row(windows.get(wid, wid), windows.get(wid, wid),
                  _figures(by_window_cases.get(wid), by_window_ratings.get(wid)))
        total.add(row.figures)
        window_rows.append(row)
    return Dashboard(start, end, today, window_rows,
                     _department_rows(conn, _fold(cases, 1), _fold(ratings, 1)), total)


def _department_rows(conn: Connection, cases: dict[str, list[int]],
                     ratings: dict[str, list[int]]) -> list[Row]:
    item_dept, names = departments_of(conn)
    rows: dict[str, Row] = {}
    for codes in set(cases) | set(ratings):
        part = _figures(cases.get(codes), ratings.get(codes))
        for dept in sorted({item_dept.get(i, UNKNOWN_DEPT[0]) for i in codes.split(",") if i}
                           or {UNKNOWN_DEPT[0]}):
            label = names.get(dept, UNKNOWN_DEPT[1] if dept == UNKNOWN_DEPT[0] else dept)
            rows.setdefault(dept, Row(dept, label)).figures.add(part)
    return sorted(rows.values(), key=lambda r: (r.key == UNKNOWN_DEPT[0], r.key))
