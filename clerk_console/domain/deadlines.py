"""Deadlines counted in working days: deferral supply-by dates, promised completion, follow-ups.

Pure domain. Every result says whether it rests on an unpublished (estimated) calendar year, so
notices can warn the applicant that the date may move when the State Council publishes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from .calendar import WorkCalendar, WorkdayResult, weekday_name
from .catalogue import Item
from .errors import ClerkError

# 行政许可法 art. 42: 20 working days, the limit when an item states none.
LEGAL_DEFAULT_DAYS = 20


class DeadlineError(ClerkError, ValueError):
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


# The norm chosen for a deferral's supply deadline against the promised date: the time limit
# runs from acceptance (行政许可法 art. 42 "自受理行政许可申请之日起"), and the local 容缺受理
# rules say the supply period "不得超过…承诺时限", i.e. the materials are in before the promise
# ends. So the supply deadline ends at least one working day before the promised completion
# date (that day is left for the review). When the items' limit is too short for that (one
# working day), the promised date is counted from the supply deadline instead.
SUPPLY_RULE = ("补交截止日期早于承诺办结日期，至少留出1个工作日审查"
               "（《中华人民共和国行政许可法》第四十二条：期限自受理之日起计算；"
               "容缺补正时限不得超过承诺办结时限）")


def deferral_deadline(cal: WorkCalendar, accepted_on: date, items: Iterable[Item],
                      days: int) -> Deadline:
    """Supply-by date of a deferral (容缺受理): ``days`` working days after acceptance, ending
    at least one working day before the tightest time limit of the items (``SUPPLY_RULE``)."""
    _check_days(days, "容缺补正期限")
    items = _check_items(items)
    tightest = min(items, key=item_limit)
    cap = max(1, item_limit(tightest) - 1)
    if days <= cap:
        return _from_result(cal.add_workdays(accepted_on, days),
                            f"受理之日起{days}个工作日内补齐")
    kind = "承诺时限" if tightest.promised_days else "法定时限"
    note = (f"补正期限原定{days}个工作日，因须在“{tightest.name}”的{kind}"
            f"（{item_limit(tightest)}个工作日）届满前补齐，按{cap}个工作日计")
    return _from_result(cal.add_workdays(accepted_on, cap), note)


def supply_promised_date(cal: WorkCalendar, promised: Deadline, supply: Deadline) -> Deadline:
    """The promised date of a case owing materials: never on or before the supply deadline
    (``SUPPLY_RULE``); when the limit is too short it is one working day after the supply
    deadline."""
    if promised.day > supply.day:
        return promised
    later = cal.add_workdays(supply.day, 1)
    return Deadline(day=later.day, estimated=later.estimated or supply.estimated,
                    note="承诺时限过短，承诺办结日期自补交截止日期次一工作日计",
                    estimated_years=tuple(sorted(set(later.estimated_years)
                                                 | set(supply.estimated_years))))


def extended_date(cal: WorkCalendar, promised: date, days: int) -> Deadline:
    """The promised date ``days`` working days later (an extension, 行政许可法 art. 42, or
    time not counted, art. 45)."""
    _check_days(days, "延长的工作日")
    return _from_result(cal.add_workdays(promised, days), f"延长{days}个工作日")


def excluded_workdays(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days from ``start`` to ``end``, both included (art. 45: not counted)."""
    return cal.workdays_between(start - timedelta(days=1), end) if end >= start else 0


def counting_start(cal: WorkCalendar, day: date) -> tuple[date, str]:
    """The day the time limits count from, and a warning for the clerk ("" on a working day).

    An intake closed on a rest day (a weekend or holiday the calendar names) is counted from
    the next working day (行政许可法 art. 82: the limits are working days)."""
    if cal.is_workday(day):
        return day, ""
    start = day
    while not cal.is_workday(start):
        start += timedelta(days=1)
    why = cal.holiday_name(day) or "休息日"
    estimated = "（按推算的放假安排）" if cal.is_estimated(day.year) else ""
    return start, (f"今天（{day.isoformat()}，{why}）不是工作日{estimated}：各项期限自下一个工作日"
                   f" {start.isoformat()}（{weekday_name(start)}）起算")


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
