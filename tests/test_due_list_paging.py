"""The due list after two busy years (issue #17): today's deferrals first, the overdue ones
paged behind them (most recently due first), with true counts whatever the page."""
from __future__ import annotations

from datetime import date, timedelta

from clerk_console.domain.case import Status

from conftest import NOW
from support.cases import make_case


def test_todays_come_first_and_the_overdue_are_paged_behind(replica) -> None:
    today = date(2026, 11, 27)
    with replica.write():
        for i in range(30):  # overdue, the oldest two years back
            replica.save_case(make_case(f"YT0101-20241101-{i + 1:04d}", status=Status.DEFERRED,
                                        deadline=today - timedelta(days=700 - i * 20)),
                              clerk_id="c1", action="x", at=NOW)
        for i in range(3):  # due today, saved last
            replica.save_case(make_case(f"YT0101-20261120-{i + 1:04d}", status=Status.DEFERRED,
                                        deadline=today), clerk_id="c1", action="x", at=NOW)
        replica.save_case(make_case("YT0101-20261126-0001", status=Status.DEFERRED,
                                    deadline=today + timedelta(days=1)),
                          clerk_id="c1", action="x", at=NOW)  # not due yet
    first = replica.deferrals_due(today, limit=10)
    assert [c.deadline for c in first[:3]] == [today] * 3
    assert all(c.deadline < today for c in first[3:])
    deadlines = [c.deadline for c in first]
    assert deadlines == sorted(deadlines, reverse=True)  # most recently due first
    pages = [replica.deferrals_due(today, limit=10, offset=o) for o in (0, 10, 20, 30)]
    seen = [c.case_no for page in pages for c in page]
    assert len(seen) == len(set(seen)) == 33  # every due case once, the later one not
    assert replica.deferral_counts(today) == (3, 30)  # the true totals, not a page's


def test_the_applicant_panel_caps_its_lists_for_hundreds_of_open_cases() -> None:
    """An agency filing for its clients: 417 open cases; the panel lists the first few of each
    kind and says how many more (its text was O(n²) and 285 lines long)."""
    from dataclasses import replace

    from clerk_console.domain.case import Decision
    from clerk_console.domain.parties import Applicant, ApplicantKind
    from clerk_console.ui.desk import ApplicantView
    from clerk_console.ui.widgets.applicant import PANEL_LINES, panel_text

    cases = []
    for i in range(417):
        status = [Status.DEFERRED, Status.ACCEPTED, Status.DECIDED][i % 3]
        case = make_case(f"YT0101-20261101-{i + 1:04d}", status=status,
                         deadline=date(2026, 11, 30))
        cases.append(replace(case, decision=Decision.APPROVE) if status is Status.DECIDED else case)
    view = ApplicantView(code="370602199203154321", kind="resident_id",
                         applicant=Applicant("370602199203154321", "resident_id",
                                             ApplicantKind.PERSON, "李小梅"),
                         open_cases=cases, deferrals=cases[0::3], ready=cases[2::3])
    text = panel_text(view).plain
    assert text.count(" 限 11-30 前补") == PANEL_LINES  # 139 deferrals: the first 8
    assert f"…另 {139 - PANEL_LINES} 件" in text
    assert text.count("YT0101-20261101-") == 2 * PANEL_LINES  # ready: 8 listed too
    assert "在办 139 件" in text  # the others: counted, six short numbers
    small = replace(view, open_cases=cases[:3], deferrals=cases[:1], ready=cases[2:3])
    assert "…另" not in panel_text(small).plain
