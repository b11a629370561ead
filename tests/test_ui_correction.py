"""The returning applicant of a one-time notice (补正) at the window: the scan shows the open
补正 case (not accepted, unlike a 容缺 deferral); F5 continues that same case, and once all is
in it is accepted and its receipt printed (行政许可法 art. 32(1)(4)-(5))."""
from __future__ import annotations

from datetime import datetime

from clerk_console.domain.case import Outcome
from clerk_console.services import intake as intake_service
from clerk_console.storage.replica import Replica

from support.pilot import until
from support.ui import NOW, PERSON, keys, new_app, panel, replica_of, sign_in, burst


def seed_notice(home_dir, when: datetime):
    r = Replica.open(home_dir / "replica.sqlite3")
    try:
        draft = intake_service.new_draft(r, window="YT0101", clerk_id="1001",
                                         applicant=r.find_applicant(PERSON), items=["SP01"],
                                         now=when)
        case = intake_service.close_intake(r, draft, Outcome.NOTIFIED, clerk_id="1001", now=when)
        r.notice_printed(case.case_no)
        return case
    finally:
        r.close()


async def test_a_returning_applicant_continues_the_open_correction(home):  # noqa: F811
    case = seed_notice(home, datetime(2026, 11, 24, 9, 0))
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        shown = panel(app)
        assert "待补正（未受理）" in shown and case.case_no in shown and "容缺待补" not in shown
        await keys(pilot, "f5")
        assert type(app.screen).__name__ == "SupplementScreen"
        title = str(app.screen.query_one(".pane-title").render())
        assert "补正材料（尚未受理，补齐即受理）" in title and case.case_no in title
        await keys(pilot, "a", "enter")
        done = replica_of(app).get_case(case.case_no)
        assert done.status.value == "accepted" and done.accepted_at == NOW
        assert done.correction.completed_on == NOW.date() and not done.owed
        await until(pilot, lambda: not replica_of(app).unprinted_notices())  # receipt printed
        assert (home / "notices" / f"{case.case_no}-receipt.pdf").is_file()
