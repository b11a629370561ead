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
    chinese_calendar_years,
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
    """2027 (unpublished): 除夕 Friday 5 February, 初一 Saturday 6 February; Spring Festival is
    8 days from 除夕 (国办发明电〔2024〕12号), so nothing works from 5 to 12 February."""
    days = statutory_days(2027)
    assert [d for d, name in days.items() if name == SPRING_FESTIVAL] == [
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert not CAL.is_workday(date(2027, 2, 5))  # Friday
    assert not CAL.is_workday(date(2027, 2, 8))  # Monday
    assert not CAL.is_workday(date(2027, 2, 12))  # Friday, 初七
    assert CAL.add_workdays(date(2027, 2, 4), 1).day == date(2027, 2, 15)
    assert CAL.workdays_between(date(2027, 2, 1), date(2027, 2, 19)) == 8


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
    assert not CAL.is_workday(date(2028, 10, 6))  # 8 days merged (国办发明电〔2024〕12号)
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
        assert not cal.is_workday(d)
    assert cal.is_estimated(year) and schedule.holidays.keys() >= days.keys()


# ------------------------------------------------ estimates for unpublished years (issue #12)


def _off_weekdays(cal: WorkCalendar, year: int) -> set[date]:
    d, out = date(year, 1, 1), set()
    while d.year == year:
        if d.weekday() < 5 and not cal.is_workday(d):
            out.add(d)
        d += timedelta(days=1)
    return out


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_gives_the_weekdays_off_the_published_schedules_gave(year):
    """全国年节及纪念日放假办法 (2024) art. 2 and 6 with the 调休 pattern of 国办发明电〔2024〕12号
    reproduce every weekday off of the first two years under the amended law."""
    published = WorkCalendar({year: schedule_from_chinese_calendar(year)})
    estimated = WorkCalendar({})
    assert estimated.is_estimated(year) and not published.is_estimated(year)
    assert _off_weekdays(estimated, year) == _off_weekdays(published, year)


@pytest.mark.parametrize("year", [2025, 2026])
def test_an_estimated_deadline_never_comes_before_the_published_one(year):
    """The estimate leaves out make-up workdays: counted on it, a deadline can only end on or
    after the one the published schedule gives (issue #12: never earlier)."""
    published = WorkCalendar({y: schedule_from_chinese_calendar(y) for y in (year, year + 1)
                              if y in chinese_calendar_years()})
    estimated = WorkCalendar({})
    start = date(year, 1, 1)
    while start.year == year:
        for n in (1, 2, 5, 10, 20, 30):
            assert estimated.add_workdays(start, n).day >= published.add_workdays(start, n).day, \
                (start, n)
        start += timedelta(days=1)


def test_weekend_holidays_get_their_substitute_day_and_wednesdays_stand_alone():
    """art. 6: a holiday on a Saturday or Sunday gives the Monday off; 国办发明电〔2024〕12号:
    a one-day holiday on a Tuesday or Thursday is bridged, on a Wednesday it is that day only."""
    assert date(2028, 1, 1).weekday() == 5 and not CAL.is_workday(date(2028, 1, 3))  # 元旦 Sat
    assert date(2027, 6, 9).weekday() == 2  # 端午 on a Wednesday
    assert not CAL.is_workday(date(2027, 6, 9))
    assert CAL.is_workday(date(2027, 6, 8)) and CAL.is_workday(date(2027, 6, 10))
    assert not CAL.is_workday(date(2028, 4, 3))  # 清明 Tuesday 4 April 2028: Monday bridged
    assert CAL.holiday_name(date(2028, 4, 3)) == "清明节"


def test_a_tuesday_new_year_gives_the_last_monday_of_december_off():
    """元旦 2030 is a Tuesday: the estimate for 2030 gives Monday 31 December 2029 off, and a
    count across it says it rests on the estimated 2030."""
    cal = WorkCalendar({})
    assert date(2030, 1, 1).weekday() == 1
    assert not cal.is_workday(date(2029, 12, 31))
    result = cal.add_workdays(date(2029, 12, 28), 1)
    assert result.day == date(2030, 1, 2)
    assert 2030 in result.estimated_years
    published = YearSchedule(year=2030, holidays=legal_holidays(2030), workdays=frozenset(),
                             source="测试通知", published=date(2029, 11, 10))
    assert WorkCalendar({2030: published}).is_workday(date(2029, 12, 31))  # the notice decides
