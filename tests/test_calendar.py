"""Working-day calendar: published 2026 schedule, the statutory fallback, crossing into 2027."""
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_console.domain.calendar import (
    NEW_YEAR,
    SPRING_FESTIVAL,
    WorkCalendar,
    YearSchedule,
    default_calendar,
    legal_holidays,
    schedule_from_chinese_calendar,
    statutory_days,
    statutory_schedule,
)

CAL = default_calendar()


def test_spring_festival_2026_with_make_up_saturdays():
    # Holiday 02-15..02-23; Saturdays 02-14 and 02-28 are make-up workdays.
    assert CAL.is_workday(date(2026, 2, 13))
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday, 调休上班
    for offset in range(9):
        day = date(2026, 2, 15) + timedelta(days=offset)
        assert not CAL.is_workday(day)
        assert CAL.holiday_name(day) == SPRING_FESTIVAL
    assert CAL.is_workday(date(2026, 2, 24))
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday, 调休上班
    assert CAL.holiday_name(date(2026, 2, 28)) is None
    assert not CAL.is_workday(date(2026, 3, 1))  # ordinary Sunday
    # Friday 02-13: next working days are Sat 02-14, then Tue 02-24 after the holiday.
    assert CAL.add_workdays(date(2026, 2, 13), 1).day == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 13), 2).day == date(2026, 2, 24)
    assert CAL.add_workdays(date(2026, 2, 13), 5).day == date(2026, 2, 27)
    assert CAL.add_workdays(date(2026, 2, 13), 6).day == date(2026, 2, 28)
    assert CAL.workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert not CAL.add_workdays(date(2026, 2, 13), 6).estimated


def test_national_day_2026_make_up_weekend():
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday
    assert not CAL.is_workday(date(2026, 9, 25))  # 中秋节
    assert not CAL.is_workday(date(2026, 10, 7))
    assert not CAL.is_workday(date(2026, 10, 11))  # Sunday after the make-up Saturday
    # Friday 09-18 -> Sun 09-20 is the 1st working day, Mon 09-21 the 2nd.
    assert CAL.add_workdays(date(2026, 9, 18), 1).day == date(2026, 9, 20)
    # Thu 09-24 -> 中秋 09-25..27 off -> Mon 09-28.
    assert CAL.add_workdays(date(2026, 9, 24), 1).day == date(2026, 9, 28)
    # Wed 09-30 -> 10-01..10-07 off -> Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12.
    assert CAL.add_workdays(date(2026, 9, 30), 1).day == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 9, 30), 3).day == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 9, 30), 4).day == date(2026, 10, 12)
    assert CAL.workdays_between(date(2026, 9, 18), date(2026, 10, 12)) == 12


def test_agrees_with_chinese_calendar_over_2025_and_2026():
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert not CAL.is_estimated(2025) and not CAL.is_estimated(2026)


def test_december_2026_crosses_into_estimated_2027():
    assert chinese_calendar.__version__ == "1.11.0"
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert CAL.is_estimated(2027)
    # Thu 2026-12-31 -> 2027-01-01 (元旦, Friday) skipped -> Mon 2027-01-04.
    result = CAL.add_workdays(date(2026, 12, 31), 1)
    assert result.day == date(2027, 1, 4)
    assert result.estimated_years == (2027,)
    assert CAL.holiday_name(date(2027, 1, 1)) == NEW_YEAR
    # A count that stays inside 2026 is not estimated.
    assert CAL.add_workdays(date(2026, 12, 21), 5).estimated_years == ()


def test_computed_spring_festival_2027():
    # Lunar new year 2027-02-06 (Saturday); 除夕 2027-02-05 (腊月三十), 初一-初三 02-06..02-08.
    days = statutory_days(2027)
    assert [d for d, name in days.items() if name == SPRING_FESTIVAL] == [
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert not CAL.is_workday(date(2027, 2, 5))  # Friday
    assert not CAL.is_workday(date(2027, 2, 8))  # Monday
    assert CAL.add_workdays(date(2027, 2, 4), 1).day == date(2027, 2, 9)
    assert CAL.workdays_between(date(2027, 2, 1), date(2027, 2, 12)) == 7


def test_new_years_eve_on_the_29th():
    # 2026: 腊月 has 29 days, so 除夕 is 2026-02-16 (腊月二十九), new year 02-17.
    spring = [d for d, name in statutory_days(2026).items() if name == SPRING_FESTIVAL]
    assert spring == [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_fallback_reproduces_published_statutory_days(year):
    days = statutory_days(year)
    assert len(days) == 13
    for day, name in days.items():
        assert chinese_calendar.is_holiday(day), (day, name)
        assert chinese_calendar.get_holiday_detail(day)[1] is not None, (day, name)
    assert schedule_from_chinese_calendar(year).holidays.keys() >= days.keys()


def test_statutory_days_of_other_years():
    days = statutory_days(2028)  # lunar new year 2028-01-26, 除夕 01-25
    assert date(2028, 1, 25) in days and date(2028, 1, 28) in days
    assert date(2028, 4, 4) in days  # Qingming solar term
    assert len(statutory_days(2030)) == 13
    schedule = statutory_schedule(2027)
    assert schedule.estimated and schedule.workdays == frozenset() and schedule.published is None


def test_mid_autumn_on_national_day_keeps_thirteen_days():
    # 2020: Mid-Autumn fell on 1 October and the notice gave 1-8 October (one day more than
    # usual); 2028 (Mid-Autumn 3 October) is the next such year.
    for year, mid_autumn in ((2020, date(2020, 10, 1)), (2028, date(2028, 10, 3))):
        assert len(legal_holidays(year)) == 12
        days = statutory_days(year)
        assert len(days) == 13 and days[mid_autumn] == "国庆节、中秋节"
        assert days[date(year, 10, 4)] == "国庆节、中秋节"
    assert chinese_calendar.is_holiday(date(2020, 10, 8))


def test_published_schedule_overrides_and_removes_estimate():
    published = YearSchedule(
        year=2027, holidays={**statutory_days(2027), date(2027, 2, 9): SPRING_FESTIVAL},
        workdays=frozenset({date(2027, 2, 20)}), source="测试通知", published=date(2026, 11, 10))
    cal = default_calendar({2027: published})
    assert not cal.is_estimated(2027)
    assert not cal.is_workday(date(2027, 2, 9))
    assert cal.is_workday(date(2027, 2, 20))  # Saturday made a workday
    assert cal.add_workdays(date(2026, 12, 31), 1).estimated_years == ()
    # Years chinese_calendar carries are still there.
    assert not cal.is_workday(date(2026, 2, 16))


def test_next_years_notice_may_move_late_december():
    # The 2007 notice made Sat/Sun 2006-12-30/31 workdays; a file for a year may do the same.
    assert CAL.is_workday(date(2006, 12, 30))
    nxt = YearSchedule(year=2028, holidays=statutory_days(2028),
                       workdays=frozenset({date(2027, 12, 26)}), source="测试", published=date(2027, 11, 1))
    cal = WorkCalendar({2028: nxt})
    assert date(2027, 12, 26).weekday() == 6
    assert cal.is_workday(date(2027, 12, 26))
    assert not cal.is_workday(date(2027, 12, 25))


def test_add_zero_and_negative():
    assert CAL.add_workdays(date(2026, 2, 15), 0).day == date(2026, 2, 15)
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 2, 15), -1)
    assert CAL.workdays_between(date(2026, 3, 6), date(2026, 3, 2)) == -4


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=45))
def test_add_workdays_properties(start, n):
    result = CAL.add_workdays(start, n).day
    previous = CAL.add_workdays(start, n - 1).day
    assert CAL.is_workday(result)
    assert result > previous
    assert CAL.workdays_between(start, result) == n
    # No working day is skipped between the (n-1)-th and the n-th.
    assert all(not CAL.is_workday(previous + timedelta(days=i)) for i in range(1, (result - previous).days))
    assert CAL.workdays_between(result, start) == -n
    first = (start + timedelta(days=1)).year
    assert CAL.add_workdays(start, n).estimated_years == tuple(
        y for y in range(first, result.year + 1) if CAL.is_estimated(y))


@settings(max_examples=40, deadline=None)
@given(year=st.integers(min_value=1950, max_value=2100))
def test_statutory_days_follow_the_law_in_any_year(year):
    from lunar_python import Solar

    days = statutory_days(year)
    assert len(days) == 13 and all(d.year == year for d in days)
    spring = [d for d, name in days.items() if name == SPRING_FESTIVAL]
    assert [(d - spring[0]).days for d in spring] == [0, 1, 2, 3]
    eve = Solar.fromYmd(spring[0].year, spring[0].month, spring[0].day).getLunar()
    assert eve.getMonth() == 12 and eve.getDay() in (29, 30)  # 除夕: last day of the 12th month
    first = Solar.fromYmd(spring[1].year, spring[1].month, spring[1].day).getLunar()
    assert (first.getMonth(), first.getDay()) == (1, 1)
    qingming = [d for d, name in days.items() if name == "清明节"]
    assert len(qingming) == 1 and qingming[0].month == 4 and 4 <= qingming[0].day <= 6
    schedule = statutory_schedule(year)
    cal = WorkCalendar({})
    for d in days:
        assert not cal.is_workday(d) and cal.holiday_name(d) == days[d]
    assert cal.is_estimated(year) and schedule.holidays == days
