"""监管评价: the supervision figures per window and per department, for a range of days.

Every figure is a SQL aggregate over the fact columns (``service/facts.py``), kept per day in
a rollup (``rollup.py``: per day and window, per day and department), so a year is a sum of a
few tens of thousands of rollup rows, not a scan of a million cases; the two figures that
depend on ``today`` (overdue open items, overdue follow-ups) are counted live over the open
items and the open follow-ups only. Departments come from the published catalogue; a set of
items counts once for every department among its items; an item counts for its own
department (``bo_case_item.dept``).

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

from clerk_console.backoffice.service.common import (CASE, DAY_D, DAY_W, FOLLOWUP, ITEM, LOG,
                                                     RATING, W)
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
# what the rollup keeps per day (dashboard/rollup.py): all but the two figures of ``today``
ITEM_ROLLED = ITEM_FIGURES[:-1]
RATING_ROLLED = RATING_FIGURES[:-1]
ROLLED = CASE_FIGURES + ITEM_ROLLED + RATING_ROLLED


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


def _item_columns() -> list[Any]:
    """``ITEM_ROLLED``: the items, decided on time, decided late."""
    i = ITEM.c
    decided = ~i.open & i.decided_at.is_not(None) & (i.verdict != "correct")
    day = china_date(i.decided_at)
    return [func.count(), _n(decided & or_(i.due.is_(None), day <= i.due)),
            _n(decided & (day > i.due))]


def _rating_columns() -> list[Any]:
    """``RATING_ROLLED`` of the ratings joined with their follow-ups."""
    r, f = RATING.c, FOLLOWUP.c
    bad = r.level.in_(sorted(BAD_LEVELS))
    open_ = f.status == "open"

    def at(step: Step) -> Any:
        return _n(bad & open_ & (f.step == step.value))

    return [func.count(), _n(~bad), _n(bad), _n(bad & f.id.is_(None)), at(Step.VERIFY),
            at(Step.FIX), at(Step.ANSWER), at(Step.APPEAL), _n(bad & (f.status == "closed"))]


def departments_in(codes: str, item_dept: dict[str, str]) -> list[str]:
    """The departments a set of items (``item_codes``) counts for: each among its items once;
    an item outside the catalogue, or no item, is ``UNKNOWN_DEPT``."""
    return sorted({item_dept.get(i, UNKNOWN_DEPT[0]) for i in codes.split(",") if i}
                  or {UNKNOWN_DEPT[0]})


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


def dashboard(conn: Connection, start: date, end: date, *, today: date,
              refresh: bool = True) -> Dashboard:
    """The figures of the cases taken and the ratings given from ``start`` to ``end``
    (both included); ``today`` decides what is overdue. The days whose facts changed are
    rebuilt first (``refresh=False``: the caller just did, in a transaction of its own), then
    the days' rollup is added up and the two figures of ``today`` counted live."""
    from . import rollup

    check_range(start, end)
    if refresh:
        rollup.refresh(conn)
    item_dept, names = departments_of(conn)
    windows = _rolled(conn, DAY_W, DAY_W.c.window_id, start, end)
    depts = _rolled(conn, DAY_D, DAY_D.c.dept, start, end)
    i = ITEM.c
    for wid, dept, n in conn.execute(  # 逾期未办结: through ix_case_item_overdue
            select(i.window_id, i.dept, func.count()).where(
                i.open & i.accepted_on.between(start, end) & (i.due < today)
                & (i.case_status != Status.DEFERRED.value) & i.case_status.notin_(NOT_TAKEN))
            .group_by(i.window_id, i.dept)):
        windows.setdefault(wid, Figures()).overdue_open += n
        depts.setdefault(dept or UNKNOWN_DEPT[0], Figures()).overdue_open += n
    r, f = RATING.c, FOLLOWUP.c
    for wid, codes, n in conn.execute(  # 回访逾期: through ix_followup_open
            select(r.window_id, r.item_codes, func.count())
            .select_from(FOLLOWUP.join(RATING, and_(r.window_id == f.window_id,
                                                    r.case_no == f.case_no)))
            .where((f.status == "open") & (f.due < today) & r.level.in_(sorted(BAD_LEVELS))
                   & r.rated_on.between(start, end))
            .group_by(r.window_id, r.item_codes)):
        windows.setdefault(wid, Figures()).followup_overdue += n
        for dept in departments_in(codes or "", item_dept):
            depts.setdefault(dept, Figures()).followup_overdue += n
    codes_of = {wid: code for wid, code in conn.execute(select(W.c.id, W.c.code))}
    window_rows = []
    total = Figures()
    for wid in sorted(windows, key=lambda w: codes_of.get(w, w)):
        row = Row(codes_of.get(wid, wid), codes_of.get(wid, wid), windows[wid])
        total.add(row.figures)
        window_rows.append(row)
    dept_rows = [Row(d, names.get(d, UNKNOWN_DEPT[1] if d == UNKNOWN_DEPT[0] else d), fig)
                 for d, fig in depts.items()]
    dept_rows.sort(key=lambda r: (r.key == UNKNOWN_DEPT[0], r.key))
    return Dashboard(start, end, today, window_rows, dept_rows, total)


def _rolled(conn: Connection, table: Any, key: Any, start: date,
            end: date) -> dict[str, Figures]:
    """The rollup's figures of the days ``start`` to ``end``, added up by ``key``."""
    q = (select(key, *(func.sum(table.c[name]) for name in ROLLED))
         .where(table.c.day.between(start, end)).group_by(key))
    return {row[0]: Figures(**dict(zip(ROLLED, (int(v) for v in row[1:]))))
            for row in conn.execute(q)}
