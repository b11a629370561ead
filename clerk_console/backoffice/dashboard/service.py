"""监管评价: the supervision figures per window and per department, for a range of days.

Every figure is a SQL aggregate over the fact columns (``service/facts.py``): one scan of the
cases taken in the range and one of the ratings given in it, each grouped by window and by
set of item codes (windows × the item sets in use: thousands of groups, not rows), folded in
Python to windows and to departments. Departments come from the published catalogue; a set
of items counts once for every department among its items.

What counts (cases taken in the range, ``taken_on`` between ``start`` and ``end``):

- **taken** (受理): outcome 受理, 容缺受理 or 承诺即准;
- **items** (事项): the items of those cases (``bo_case_item``, one row per item, its
  department and its own 承诺时限 ``due``), and of them
- **on time / late** (按时 / 逾期办结): decided (准予 or 不予 on the workbench, or the whole
  case decided at once) on or before the item's due day, or after it; no due day is on time;
- **overdue open** (逾期未办结): not decided, waiting in its department's queue (not a
  deferral still owing materials), due before ``today``;
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

from sqlalchemy import Connection, Date, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from clerk_console.backoffice.service.common import CASE, FOLLOWUP, ITEM, LOG, RATING, W
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
NOT_TAKEN = (Status.DRAFT.value, Status.NOTIFIED.value, Status.SIGNPOSTED.value,
             Status.NOT_ACCEPTED.value)


class RangeError(ValueError):
    """A date range the dashboard refuses; the message (Chinese) says what to fix."""


@dataclass
class Figures:
    """One row of the dashboard (a window, a department, or all)."""

    taken: int = 0
    items: int = 0
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


CASE_FIGURES = ("taken", "deferrals_open", "deferrals_supplied", "deferrals_voided",
                "commitments_broken")
ITEM_FIGURES = ("items", "on_time", "late", "overdue_open")
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


class china_date(FunctionElement):  # noqa: N801  (reads as the SQL function it is)
    """The China calendar day of an aware timestamp column, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(china_date, "sqlite")
def _china_date_sqlite(element, compiler, **kw):  # stored as UTC text
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(china_date, "postgresql")
def _china_date_pg(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai')::date"


def _case_columns() -> list[Any]:
    c = CASE.c
    return [func.count(),
            _n((c.outcome == Outcome.DEFERRED.value) & (c.status == Status.DEFERRED.value)),
            _n((c.outcome == Outcome.DEFERRED.value) & c.status.in_(SUPPLIED)),
            _n((c.outcome == Outcome.DEFERRED.value) & (c.status == Status.VOIDED.value)),
            _n((c.outcome == Outcome.APPROVED_ON_COMMITMENT.value)
               & (c.status == Status.VOIDED.value))]


def _item_columns(today: date) -> list[Any]:
    i = ITEM.c
    decided = ~i.open & i.decided_at.is_not(None) & (i.verdict != "correct")
    day = china_date(i.decided_at)
    return [func.count(),
            _n(decided & or_(i.due.is_(None), day <= i.due)),
            _n(decided & (day > i.due)),
            _n(i.open & (i.case_status != Status.DEFERRED.value) & (i.due < today))]


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


def _case_sums(conn: Connection, start: date, end: date) -> Sums:
    """One scan of the cases taken in the range, grouped by window and set of items."""
    c = CASE.c
    q = (select(c.window_id, c.item_codes, *_case_columns())
         .where(c.taken_on.between(start, end) & c.outcome.in_(TAKEN))
         .group_by(c.window_id, c.item_codes))
    return {(row[0], row[1] or ""): [int(v) for v in row[2:]] for row in conn.execute(q)}


def _item_sums(conn: Connection, start: date, end: date, today: date) -> Sums:
    """One scan of the items of the cases taken in the range, by window and department."""
    i = ITEM.c
    q = (select(i.window_id, i.dept, *_item_columns(today))
         .where(i.accepted_on.between(start, end) & i.case_status.notin_(NOT_TAKEN))
         .group_by(i.window_id, i.dept))
    return {(row[0], row[1] or UNKNOWN_DEPT[0]): [int(v) for v in row[2:]]
            for row in conn.execute(q)}


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


def _figures(cases: list[int] | None, ratings: list[int] | None,
             items: list[int] | None = None) -> Figures:
    values = dict(zip(CASE_FIGURES, cases or [0] * len(CASE_FIGURES), strict=True))
    values.update(zip(RATING_FIGURES, ratings or [0] * len(RATING_FIGURES), strict=True))
    values.update(zip(ITEM_FIGURES, items or [0] * len(ITEM_FIGURES), strict=True))
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
    cases, ratings = _case_sums(conn, start, end), _rating_sums(conn, start, end, today)
    items = _item_sums(conn, start, end, today)
    by_window = [_fold(cases, 0), _fold(ratings, 0), _fold(items, 0)]
    window_rows = []
    total = Figures()
    for wid in sorted(set().union(*by_window), key=lambda w: windows.get(w, w)):
        row = Row(windows.get(wid, wid), windows.get(wid, wid),
                  _figures(*(part.get(wid) for part in by_window)))
        total.add(row.figures)
        window_rows.append(row)
    return Dashboard(start, end, today, window_rows,
                     _department_rows(conn, _fold(cases, 1), _fold(ratings, 1),
                                      _fold(items, 1)), total)


def _department_rows(conn: Connection, cases: dict[str, list[int]],
                     ratings: dict[str, list[int]], items: dict[str, list[int]]) -> list[Row]:
    item_dept, names = departments_of(conn)

    def row(dept: str) -> Row:
        if dept not in rows:
            label = names.get(dept, UNKNOWN_DEPT[1] if dept == UNKNOWN_DEPT[0] else dept)
            rows[dept] = Row(dept, label)
        return rows[dept]

    rows: dict[str, Row] = {}
    for codes in set(cases) | set(ratings):
        part = _figures(cases.get(codes), ratings.get(codes))
        for dept in sorted({item_dept.get(i, UNKNOWN_DEPT[0]) for i in codes.split(",") if i}
                           or {UNKNOWN_DEPT[0]}):
            row(dept).figures.add(part)
    for dept, values in items.items():  # the items know their own department
        row(dept).figures.add(_figures(None, None, values))
    return sorted(rows.values(), key=lambda r: (r.key == UNKNOWN_DEPT[0], r.key))
