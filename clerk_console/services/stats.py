"""The day view: what this window did today."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from clerk_console.domain.case import Outcome
from clerk_console.domain.rating import is_bad

from .ports import ReplicaPort


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    total: int
    by_outcome: dict[Outcome, int] = field(default_factory=dict)
    median_handling_minutes: float | None = None  # created_at -> accepted_at, accepted ones
    ratings: int = 0
    bad_ratings: int = 0
    satisfaction_rate: float | None = None  # share of ratings 1-3 (满意及以上含基本满意)
    overdue_deferrals: int = 0  # deferrals whose supply-by date has passed
    due_today: int = 0  # deferrals to supply today

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows for the screen, in Chinese."""
        rows = [("今日办件", str(self.total))]
        rows += [(o.label, str(self.by_outcome.get(o, 0))) for o in Outcome]
        rows.append(("受理用时中位数", "—" if self.median_handling_minutes is None
                     else f"{self.median_handling_minutes:.1f} 分钟"))
        rows.append(("评价数", str(self.ratings)))
        rows.append(("满意率", "—" if self.satisfaction_rate is None
                     else f"{self.satisfaction_rate:.1%}"))
        rows.append(("今日到期容缺", str(self.due_today)))
        rows.append(("逾期未补正", str(self.overdue_deferrals)))
        return rows


def stats(replica: ReplicaPort, day: date) -> DayStats:
    counts = replica.outcome_counts(day)
    by_outcome = {o: counts.get(o, 0) for o in Outcome}
    minutes = replica.handling_minutes(day)
    ratings = replica.ratings_between(datetime(day.year, day.month, day.day),
                                      datetime.fromordinal(day.toordinal() + 1))
    bad = sum(1 for r in ratings if is_bad(r.level))
    due_today, overdue = replica.deferral_counts(day)
    return DayStats(
        day=day, total=sum(counts.values()), by_outcome=by_outcome,
        median_handling_minutes=round(statistics.median(minutes), 2) if minutes else None,
        ratings=len(ratings), bad_ratings=bad,
        satisfaction_rate=(len(ratings) - bad) / len(ratings) if ratings else None,
        overdue_deferrals=overdue, due_today=due_today)
