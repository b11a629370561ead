"""Deadlines counted in working days: deferral supply-by dates, promised completion, follow-ups.

Pure domain. Every result says whether it rests on an unpublished (estimated) calendar year, so
notices can warn the applicant that the date may move when the State Council publishes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .calendar import WorkCalendar, WorkdayResult, weekday_name
from .catalogue import Item

# 行政许可法 art. 42: 20 working days, the limit when an item states none.
LEGAL_DEFAULT_DAYS = 20


class DeadlineError(ValueError):
    """Bad input to a deadline computation; the message (Chinese) says what to fix."""


@dataclass(frozen=True, slots=True)
class Deadline:
    day: date
    estimated: bool = False
    note: str = ""
    estimated_years: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        """e.g. ``2027-01-08（星期五）（2027年放假安排尚未公布，按法定节假日推算）``."""
        text = f"{self.day.isoformat()}（{weekday_name(self.day)}）"
        if self.estimated:
            years = "、".join(str(y) for y in (self.estimated_years or (self.day.year,)))
            text += f"（{years}年放假安排尚未公布，按法定节假日推算）"
        return text


def _from_result(result: WorkdayResult, note: str) -> Deadline:
    return Deadline(day=result.day, estimated=result.estimated, note=note,
                    estimated_years=result.estimated_years)


def _check_days(days: int, what: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise DeadlineError(f"{what}应为不小于1的整数（工作日），现为“{days}”，请检查设置")


def _check_items(items: Iterable[Item]) -> tuple[Item, ...]:
    items = tuple(items)
    if not items:
        raise DeadlineError("未选择办理事项，无法计算期限，请先选择事项")
    return items


def item_limit(item: Item) -> int:
    """Working days the office has for ``item``: promised limit, else the legal one (即办件)."""
    return item.promised_days or item.legal_days or LEGAL_DEFAULT_DAYS


def deferral_deadline(cal: WorkCalendar, accepted_on: date, items: Iterable[Item],
                      days: int) -> Deadline:
    """Supply-by date of a deferral (容缺受理): ``days`` working days after acceptance, never
    later than the tightest time limit of the items taken together."""
    _check_days(days, "容缺补正期限")
    items = _check_items(items)
    tightest = min(items, key=item_limit)
    cap = item_limit(tightest)
    if days <= cap:
        return _from_result(cal.add_workdays(accepted_on, days),
                            f"受理之日起{days}个工作日内补齐")
    kind = "承诺时限" if tightest.promised_days else "法定时限"
    note = (f"补正期限原定{days}个工作日，因不得超过“{tightest.name}”的{kind}"
            f"（{cap}个工作日），按{cap}个工作日计")
    return _from_result(cal.add_workdays(accepted_on, cap), note)


def promised_date(cal: WorkCalendar, accepted_on: date, items: Iterable[Item]) -> Deadline:
    """Promised completion date (承诺办结日期). Items are reviewed in parallel, so the longest
    promised limit decides; when every item is immediate (即办件) it is the acceptance day."""
    items = _check_items(items)
    longest = max(items, key=lambda item: item.promised_days)
    if longest.promised_days == 0:
        return Deadline(day=accepted_on, note="即办件，当场办结")
    note = f"并联审批，按最长承诺时限“{longest.name}”{longest.promised_days}个工作日计"
    return _from_result(cal.add_workdays(accepted_on, longest.promised_days), note)


def followup_deadline(cal: WorkCalendar, day: date, days: int) -> Deadline:
    """Answer-by date for a follow-up (e.g. a bad service rating): ``days`` working days."""
    _check_days(days, "处理期限")
    return _from_result(cal.add_workdays(day, days), f"{day.isoformat()}起{days}个工作日内办结")


def workdays_left(cal: WorkCalendar, today: date, deadline: date) -> int:
    """Working days left from ``today`` to ``deadline``: 0 = due today (no working day left
    before it), negative = overdue by that many working days (at least -1 once past)."""
    if deadline >= today:
        return cal.workdays_between(today, deadline)
    return -max(1, cal.workdays_between(deadline, today))
