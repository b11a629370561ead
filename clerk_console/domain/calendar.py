"""Working days: published holiday schedules, with a statutory fallback for unpublished years.

Pure domain: no file I/O. The data comes from three places, in this order of precedence:

1. published schedules (``data/calendar/*.toml`` or the back office), loaded by
   ``clerk_console.datafiles.calendar`` and passed in as ``YearSchedule`` objects;
2. the ``chinese_calendar`` package, which carries the State Council schedules for 2004-2026;
3. for any other year, an estimate (``estimated_days_off``): the 13 statutory days of the
   全国年节及纪念日放假办法 (as amended in 2024, art. 2, computed with ``lunar_python``), the
   substitute day off for one falling on a weekend (art. 6, 补假) and the days off of the
   调休 pattern the State Council set with it (国办发明电〔2024〕12号: Spring Festival 8 days
   from 除夕, National Day 7 days from 1 October, 8 with Mid-Autumn, Labour Day 5 days, the
   one-day holidays 3 days unless on a Wednesday). No make-up workday is assumed: a count on
   an estimated year can then only end on or after the day the published schedule will give,
   never before it.

Make-up workdays (调休上班的周六/周日) are workdays; holidays that fall on weekends stay off.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

import chinese_calendar
from chinese_calendar.constants import Holiday
from lunar_python import Lunar, Solar

# Official holiday names as the State Council notices write them.
NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"
NATIONAL_AND_MID_AUTUMN = "国庆节、中秋节"  # as the 2020 notice names the shared days

_CHINESE_CALENDAR_NAMES = {
    Holiday.new_years_day.value: NEW_YEAR,
    Holiday.spring_festival.value: SPRING_FESTIVAL,
    Holiday.tomb_sweeping_day.value: QINGMING,
    Holiday.labour_day.value: LABOUR_DAY,
    Holiday.dragon_boat_festival.value: DRAGON_BOAT,
    Holiday.mid_autumn_festival.value: MID_AUTUMN,
    Holiday.national_day.value: NATIONAL_DAY,
}

CHINESE_CALENDAR_SOURCE = "chinese_calendar {version}（收录国务院办公厅历年节假日安排通知）"
STATUTORY_SOURCE = ("按《全国年节及纪念日放假办法》（2024年修订）第二条、第六条（逢周末补假）和"
                    "国办发明电〔2024〕12号的放假调休原则推算，不含调休上班日")
PATTERN_SOURCE = "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"

# The law as amended in 2024 (13 days) is in force from 2025; earlier years had 11 days.
STATUTORY_LAW_FROM = 2025

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


# China Standard Time: no daylight saving, so a fixed offset is the law's time; a working day
# is a day of this clock, wherever a server runs.
CHINA_TIME = timezone(timedelta(hours=8))

@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's holiday arrangement (放假安排).

    ``holidays`` maps each day off (weekend days inside a holiday block included) to the
    holiday's name; ``workdays`` are the make-up working days (调休上班), normally Saturdays or
    Sundays. Dates normally lie in ``year``; a notice may also move a late-December day of the
    year before (e.g. the 2007 notice made 2006-12-30 a workday).
    """

    year: int
    holidays: dict[date, str] = field(hash=False)
    workdays: frozenset[date]
    source: str
    published: date | None = None  # date of the notice; None if unknown (chinese_calendar) or estimated
    estimated: bool = False  # True: computed from the law, not a published notice


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    day: date
    estimated_years: tuple[int, ...] = ()  # unpublished years the count passed through

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


def weekday_name(d: date) -> str:
    return WEEKDAY_NAMES[d.weekday()]


def _solar(s: Solar) -> date:
    return date(s.getYear(), s.getMonth(), s.getDay())


def _lunar_to_date(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day).getSolar())


def legal_holidays(year: int) -> dict[date, str]:
    """The dates the law names for ``year`` (as amended in 2024), date -> name.

    Spring Festival is lunar New Year's Eve (the last day of the 12th lunar month, the 29th or
    the 30th) and the 1st-3rd of the first month; Qingming is the Qingming solar-term day.
    13 dates, or 12 when Mid-Autumn falls on 1-3 October (that date is named for both).
    """
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    new_year = _lunar_to_date(year, 1, 1)
    for offset in range(-1, 3):  # 除夕 is simply the day before 正月初一
        days[new_year + timedelta(days=offset)] = SPRING_FESTIVAL
    # Mid-April always lies in lunar year ``year``; its solar-term table holds that 清明.
    terms = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()
    days[_solar(terms["清明"])] = QINGMING
    days[date(year, 5, 1)] = LABOUR_DAY
    days[date(year, 5, 2)] = LABOUR_DAY
    days[_lunar_to_date(year, 5, 5)] = DRAGON_BOAT
    for d in (1, 2, 3):
        days[date(year, 10, d)] = NATIONAL_DAY
    mid_autumn = _lunar_to_date(year, 8, 15)
    days[mid_autumn] = NATIONAL_AND_MID_AUTUMN if mid_autumn in days else MID_AUTUMN
    return dict(sorted(days.items()))


def statutory_days(year: int) -> dict[date, str]:
    """The 13 statutory days off of ``year`` for the estimate: ``legal_holidays``, plus 4 October
    when Mid-Autumn falls on 1-3 October (2009, 2020, next 2028): the notices then kept all four
    days (8 days off instead of 7), so the estimate keeps 13 days too."""
    days = legal_holidays(year)
    if len(days) == 12:
        days[date(year, 10, 4)] = NATIONAL_AND_MID_AUTUMN
    return dict(sorted(days.items()))


# The one-day holidays (元旦, 清明, 端午, 中秋) by weekday: the days off around them that the
# pattern gives (国办发明电〔2024〕12号 "放假调休或连休3天（如逢周三则只在当日放假）"; a weekend
# holiday's substitute day is the Monday, art. 6). Offsets from the holiday, Monday = 0.
_ONE_DAY_OFF = {0: (0,), 1: (-1, 0), 2: (0,), 3: (0, 1), 4: (0,), 5: (0, 2), 6: (0, 1)}


def estimated_days_off(year: int) -> dict[date, str]:
    """Every weekday (and statutory day) off that ``year``'s schedule will give by the law and
    the State Council's 调休 pattern, date -> holiday name. Dates of the year before appear
    when 元旦 falls on a Tuesday (the Monday before it, 31 December, is off).

    Checked against the published 2025 and 2026 schedules, whose days off it reproduces; make-
    up workdays are left out (they cannot be known and would only bring deadlines forward)."""
    days = dict(statutory_days(year))

    def off(d: date, name: str) -> None:
        days.setdefault(d, name)

    eve = _lunar_to_date(year, 1, 1) - timedelta(days=1)
    for i in range(8):  # 春节自农历除夕起放假调休8天
        off(eve + timedelta(days=i), SPRING_FESTIVAL)
    for d in range(1, 6):  # 劳动节放假调休5天
        off(date(year, 5, d), LABOUR_DAY)
    mid_autumn = _lunar_to_date(year, 8, 15)
    merged = date(year, 9, 29) <= mid_autumn <= date(year, 10, 8)  # 国庆节放假如逢中秋节则合并放假8天
    national = NATIONAL_AND_MID_AUTUMN if merged else NATIONAL_DAY
    for d in range(1, 9 if merged else 8):  # 国庆节自10月1日起放假调休7天
        off(date(year, 10, d), national)
    for d in range((date(year, 10, 1) - mid_autumn).days if merged else 0):
        off(mid_autumn + timedelta(days=d), national)  # merged from a Mid-Autumn in September
    singles = [(date(year, 1, 1), NEW_YEAR), (_lunar_to_date(year, 5, 5), DRAGON_BOAT)]
    singles += [(d, QINGMING) for d, n in statutory_days(year).items() if n == QINGMING]
    if not merged:
        singles.append((mid_autumn, MID_AUTUMN))
    for day, name in singles:
        for offset in _ONE_DAY_OFF[day.weekday()]:
            off(day + timedelta(days=offset), name)
    return dict(sorted(days.items()))


def statutory_schedule(year: int) -> YearSchedule:
    """Fallback for a year without a published schedule: ``estimated_days_off``, no make-up
    workdays."""
    return YearSchedule(year=year, holidays=estimated_days_off(year), workdays=frozenset(),
                        source=STATUTORY_SOURCE, published=None, estimated=True)


def chinese_calendar_years() -> range:
    """The years the installed chinese_calendar package carries (2004-2026 for 1.11.0)."""
    years = {d.year for d in chinese_calendar.constants.holidays}
    return range(min(years), max(years) + 1)


def schedule_from_chinese_calendar(year: int) -> YearSchedule:
    """The State Council schedule of ``year`` as carried by the chinese_calendar package."""
    if year not in chinese_calendar_years():
        raise ValueError(f"chinese_calendar 未收录{year}年的节假日安排")
    holidays = {
        d: _CHINESE_CALENDAR_NAMES.get(name) or Holiday(name).chinese
        for d, name in sorted(chinese_calendar.constants.holidays.items())
        if d.year == year
    }
    workdays = frozenset(d for d in chinese_calendar.constants.workdays if d.year == year)
    source = CHINESE_CALENDAR_SOURCE.format(version=getattr(chinese_calendar, "__version__", ""))
    return YearSchedule(year=year, holidays=holidays, workdays=workdays, source=source)


class WorkCalendar:
    """Working-day arithmetic over per-year schedules; unknown years use the statutory fallback."""

    def __init__(self, schedules: dict[int, YearSchedule]):
        self.schedules = dict(schedules)
        self._fallback: dict[int, YearSchedule] = {}

    def schedule(self, year: int) -> YearSchedule:
        known = self.schedules.get(year)
        if known is not None:
            return known
        if year not in self._fallback:
            self._fallback[year] = statutory_schedule(year)
        return self._fallback[year]

    def is_estimated(self, year: int) -> bool:
        return self.schedule(year).estimated

    def _next_year_says(self, d: date) -> YearSchedule | None:
        """The next year's schedule (published, or estimated) when it moves this late-December
        day (a 元旦 on a Tuesday gives the Monday before it off)."""
        if d.month != 12:
            return None
        nxt = self.schedule(d.year + 1)
        if d in nxt.workdays or d in nxt.holidays:
            return nxt
        return None

    def holiday_name(self, d: date) -> str | None:
        own = self.schedule(d.year)
        if d in own.holidays or d in own.workdays:
            return own.holidays.get(d)
        nxt = self._next_year_says(d)
        return nxt.holidays.get(d) if nxt is not None else None

    def is_workday(self, d: date) -> bool:
        own = self.schedule(d.year)
        for sched in (own, self._next_year_says(d)):
            if sched is None:
                continue
            if d in sched.workdays:
                return True
            if d in sched.holidays:
                return False
        return d.weekday() < 5

    def add_workdays(self, start: date, n: int) -> WorkdayResult:
        """The n-th working day after ``start`` (``start`` itself not counted), n >= 1.

        n == 0 returns ``start`` unchanged.
        """
        if n < 0:
            raise ValueError("工作日天数不能为负数")
        day = start
        estimated: set[int] = set()
        for _ in range(n):
            day += timedelta(days=1)
            while not self._counted(day, estimated):
                day += timedelta(days=1)
        return WorkdayResult(day=day, estimated_years=tuple(sorted(estimated)))

    def _counted(self, day: date, estimated: set[int]) -> bool:
        if self.is_estimated(day.year):
            estimated.add(day.year)
        nxt = self._next_year_says(day)
        if nxt is not None and nxt.estimated:
            estimated.add(nxt.year)
        return self.is_workday(day)

    def days_not_counted(self, start: date, end: date) -> list[tuple[date, str]]:
        """The days after ``start`` up to ``end`` that a working-day count skips, each with why:
        the holiday's name (marked （推算） on an estimated year), else the weekday."""
        out = []
        for i in range(1, (end - start).days + 1):
            d = start + timedelta(days=i)
            if self.is_workday(d):
                continue
            holiday = self.holiday_name(d)
            nxt = self._next_year_says(d)
            guessed = self.is_estimated(d.year) or (nxt is not None and nxt.estimated)
            out.append((d, f"{holiday}（推算）" if holiday and guessed else holiday or weekday_name(d)))
        return out

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` < ``a``.

        ``workdays_between(d, add_workdays(d, n).day) == n`` for every n >= 0.
        """
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))


def default_calendar(published: dict[int, YearSchedule] | None = None) -> WorkCalendar:
    """chinese_calendar's years, overridden by ``published`` schedules; fallback elsewhere."""
    schedules = {y: schedule_from_chinese_calendar(y) for y in chinese_calendar_years()}
    schedules.update(published or {})
    return WorkCalendar(schedules)
