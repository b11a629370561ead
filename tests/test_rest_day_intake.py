"""An intake closed on a day the calendar says is not a working day (行政许可法 art. 82: time
limits count working days): the clerk is warned in the outcome pane, and every limit counts
from the next working day."""
from __future__ import annotations

from datetime import date, datetime

from clerk_console.domain.case import Outcome
from clerk_console.services import intake

from conftest import NOW
from support.services import draft_for
from support.ui import PERSON, burst, keys, new_app, replica_of, sign_in

SATURDAY = datetime(2026, 11, 28, 10, 0)


def test_a_saturday_acceptance_counts_from_monday(shop):  # noqa: F811
    """10 working days from Mon 2026-11-30 (not from Sat 11-28): 2026-12-14."""
    assert NOW.date() == date(2026, 11, 27)
    case = intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=SATURDAY)
    assert case.accepted_at == SATURDAY and case.promised_date == date(2026, 12, 14)


async def test_the_outcome_pane_warns_on_a_rest_day_and_the_deadline_counts_from_monday(home):  # noqa: F811
    app = new_app(home, clock=lambda: SATURDAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter")
        screen = next(s for s in app.screen_stack if type(s).__name__ == "IntakeScreen")
        detail = str(screen.query_one("#outcome-detail").render())
        assert "不是工作日" in detail and "2026-11-30" in detail
        assert "2026-12-07" in detail  # the 5-day supply deadline counted from Monday
        await keys(pilot, "enter", "1")
        await app.workers.wait_for_complete()
        [case] = replica_of(app).cases_of(PERSON)
        assert case.deadline == date(2026, 12, 7)
