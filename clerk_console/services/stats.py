"""The day view: what this window did today, and the 差评 steps overdue."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from clerk_console.domain.case import Outcome
from clerk_console.domain.deadlines import workdays_left
from clerk_console.domain.followup import Followup, overdue
from clerk_console.domain.rating import is_bad

from .common import require_supervisor
from .ports import ReplicaPort


def close_day(replica: ReplicaPort, day: date, *, supervisor_id: str, summary: str) -> None:
    """日结: a supervisor closes the window's day; the audit log keeps who did and what the
    day counted (``summary``, the day view's text)."""
    boss = require_supervisor(replica, supervisor_id)
    window = replica.window()
    replica.audit(boss.id, "day_close", f"{window.code if window else '未注册'}:{day}",
                  {"summary": summary})


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    total: int
    by_outcome: dict[Outcome, int] = field(default_factory=dict)
    median_handling_minutes: float | None = None  # created_at -> accepted_at, accepted ones
    ratings: int = 0
    bad_ratings: int = 0
    clerk_entered: int = 0  # ratings typed on the clerk's keys, not the applicant's own pad
    satisfaction_rate: float | None = None  # share of ratings 1-3 (满意及以上含基本满意)
    overdue_deferrals: int = 0  # deferrals whose supply-by date has passed
    due_today: int = 0  # deferrals to supply today
    # open 差评 steps past their deadline, with the working days each is late
    overdue_followups: tuple[tuple[Followup, int], ...] = ()

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows for the screen, in Chinese."""
        rows = [("今日办件", str(self.total))]
        rows += [(o.label, str(self.by_outcome.get(o, 0))) for o in Outcome]
        rows.append(("受理用时中位数", "—" if self.median_handling_minutes is None
                     else f"{self.median_handling_minutes:.1f} 分钟"))
        rows.append(("评价数", str(self.ratings)))
        rows.append(("其中窗口代录", str(self.clerk_entered)))
        rows.append(("满意率", "—" if self.satisfaction_rate is None
                     else f"{self.satisfaction_rate:.1%}"))
        rows.append(("今日到期容缺", str(self.due_today)))
        rows.append(("逾期未补正", str(self.overdue_deferrals)))
        rows.append(("逾期差评回访", str(len(self.overdue_followups))))
        return rows

    @property
    def followup_lines(self) -> list[str]:
        """One line per overdue 差评 step: case number, step, deadline, working days late."""
        return [f"{f.case_no} {f.step.label} 期限{f.due.isoformat()} 已逾期{late}个工作日"
                for f, late in self.overdue_followups]


def overdue_followups(replica: ReplicaPort, today: date) -> tuple[tuple[Followup, int], ...]:
    """Open 差评 steps past their deadline, oldest first, each with its working days late."""
    cal = replica.calendar()
    return tuple((f, -workdays_left(cal, today, f.due))
                 for f in overdue(replica.followups("open"), today))


def stats(replica: ReplicaPort, day: date) -> DayStats:
    counts = replica.outcome_counts(day)
    by_outcome = {o: counts.get(o, 0) for o in Outcome}
    minutes = replica.handling_minutes(day)
    ratings = replica.ratings_between(datetime(day.year, day.month, day.day),
                                      datetime.fromordinal(day.toordinal() + 1))
    # a bad rating found malicious or mistaken on appeal (申诉复核) is not counted
    excluded = {f.case_no for f in replica.followups("closed") if f.excluded}
    ratings = [r for r in ratings if r.case_no not in excluded]
    bad = sum(1 for r in ratings if is_bad(r.level))
    due_today, overdue = replica.deferral_counts(day)
    return DayStats(
        day=day, total=sum(counts.values()), by_outcome=by_outcome,
        median_handling_minutes=round(statistics.median(minutes), 2) if minutes else None,
        ratings=len(ratings), bad_ratings=bad,
        clerk_entered=sum(1 for r in ratings if r.entered_by == "clerk"),
        satisfaction_rate=(len(ratings) - bad) / len(ratings) if ratings else None,
        overdue_deferrals=overdue, due_today=due_today,
        overdue_followups=overdue_followups(replica, day))
