"""Deadlines: deferral capped by promised limits, parallel-review promised date, labels."""
from datetime import date

import pytest

from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.catalogue import CaseType, Item, Level, Target
from clerk_console.domain.deadlines import (
    Deadline,
    DeadlineError,
    counting_start,
    deferral_deadline,
    supply_promised_date,
    followup_deadline,
    item_limit,
    promised_date,
    workdays_left,
)

CAL = default_calendar()


def item(code, promised, legal=20, name=None):
    return Item(code=code, base_code="B" + code, name=name or f"事项{code}", dept="SCJG",
                item_type="01", level=Level.CITY, target=Target.ENTERPRISE, legal_days=legal,
                promised_days=promised,
                case_type=CaseType.PROMISED if promised else CaseType.IMMEDIATE,
                deferral=True, commitment=False, instant=False, in_hall=True)


def test_deferral_within_limits():
    # Mon 2026-03-02 + 5 working days = Mon 2026-03-09.
    d = deferral_deadline(CAL, date(2026, 3, 2), [item("A", 10), item("B", 15)], 5)
    assert d.day == date(2026, 3, 9)
    assert not d.estimated
    assert "5个工作日" in d.note and "不得超过" not in d.note
    assert d.label == "2026-03-09（星期一）"


def test_deferral_capped_before_the_tightest_promised_limit():
    """Supply deadline ends before the promise (行政许可法 art. 42, limits from acceptance;
    local 容缺 rules: the supply period may not exceed the promised limit): 3-day promise ->
    2 working days to supply, the third is left for the review."""
    items = [item("A", 10), item("B", 3, name="户外广告设置许可")]
    d = deferral_deadline(CAL, date(2026, 3, 2), items, 5)
    assert d.day == date(2026, 3, 4)  # 2 working days
    assert "户外广告设置许可" in d.note and "承诺时限" in d.note and "3个工作日" in d.note
    assert d.day < promised_date(CAL, date(2026, 3, 2), items[1:]).day


def test_immediate_item_caps_with_its_legal_limit():
    items = [item("A", 0, legal=3, name="个体工商户登记")]
    d = deferral_deadline(CAL, date(2026, 3, 2), items, 5)
    assert d.day == date(2026, 3, 4)
    assert "法定时限" in d.note


def test_one_day_promise_moves_the_promised_date_after_the_supply_deadline():
    """A one-day limit leaves no room before the promise: the supply deadline is 1 working day
    and the promised date the working day after it, never the same day (SUPPLY_RULE)."""
    items = [item("A", 1, legal=3)]
    due = deferral_deadline(CAL, date(2026, 3, 6), items, 5)  # Friday
    assert due.day == date(2026, 3, 9)
    promised = supply_promised_date(CAL, promised_date(CAL, date(2026, 3, 6), items), due)
    assert promised.day == date(2026, 3, 10) and promised.day > due.day


def test_intake_on_a_rest_day_counts_from_the_next_working_day():
    """行政许可法 art. 82: limits in working days; an intake on a holiday (国庆节 2026-10-03)
    counts from the next working day and the clerk is warned."""
    start, warning = counting_start(CAL, date(2026, 10, 3))
    assert start == date(2026, 10, 8) and "国庆节" in warning and "2026-10-08" in warning
    assert counting_start(CAL, date(2026, 10, 9)) == (date(2026, 10, 9), "")
    assert counting_start(CAL, date(2026, 10, 10))[1] == ""  # a make-up Saturday is a workday
    assert item_limit(item("Z", 0, legal=0)) == 20


def test_deferral_set_in_december_2026_is_estimated_and_skips_new_year():
    # Mon 2026-12-28 + 5: 29, 30, 31, (01-01 元旦 skipped), 01-04, 01-05.
    d = deferral_deadline(CAL, date(2026, 12, 28), [item("A", 20)], 5)
    assert d.day == date(2027, 1, 5)
    assert d.estimated and d.estimated_years == (2027,)
    assert d.label == "2027-01-05（星期二）（2027年放假安排尚未公布，按法定节假日推算）"


def test_promised_date_crosses_computed_spring_festival_2027():
    # Thu 2027-01-28 + 10 working days; 02-05 (除夕) .. 02-12 (初七) are off: Spring Festival
    # is 8 days from 除夕 (国办发明电〔2024〕12号), no make-up Saturday is assumed.
    d = promised_date(CAL, date(2027, 1, 28), [item("A", 10), item("B", 3)])
    assert d.day == date(2027, 2, 19)
    assert d.estimated
    assert "事项A" in d.note and "10个工作日" in d.note


def test_promised_date_parallel_review_takes_longest():
    d = promised_date(CAL, date(2026, 2, 13), [item("A", 2), item("B", 6), item("C", 0)])
    assert d.day == date(2026, 2, 28)  # make-up Saturday counts
    assert "事项B" in d.note


def test_immediate_items_are_done_the_same_day():
    d = promised_date(CAL, date(2026, 12, 31), [item("A", 0), item("B", 0)])
    assert d == Deadline(day=date(2026, 12, 31), estimated=False, note="即办件，当场办结")


def test_followup_and_bad_input():
    d = followup_deadline(CAL, date(2026, 9, 30), 5)
    assert d.day == date(2026, 10, 13)
    with pytest.raises(DeadlineError, match="不小于1"):
        followup_deadline(CAL, date(2026, 9, 30), 0)
    with pytest.raises(DeadlineError, match="未选择办理事项"):
        promised_date(CAL, date(2026, 9, 30), [])
    with pytest.raises(DeadlineError, match="容缺补正期限"):
        deferral_deadline(CAL, date(2026, 9, 30), [item("A", 5)], -2)


def test_workdays_left():
    deadline = date(2026, 2, 24)  # first working day after the Spring Festival
    assert workdays_left(CAL, date(2026, 2, 13), deadline) == 2  # Sat 02-14, Tue 02-24
    assert workdays_left(CAL, deadline, deadline) == 0
    assert workdays_left(CAL, date(2026, 2, 25), deadline) == -1
    assert workdays_left(CAL, date(2026, 2, 27), deadline) == -3
    # Due Friday, looked at on Saturday: overdue even though no working day has passed.
    assert workdays_left(CAL, date(2026, 3, 7), date(2026, 3, 6)) == -1
