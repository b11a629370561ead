"""A case saved but its notice never printed (a kill or crash in between, a printer error) is
listed after the next sign-in with the offer to print it (issue 9, "a crash or kill between
saving a case and printing its notice")."""
from __future__ import annotations

from datetime import datetime

import pytest

from clerk_console.printing import printers
from clerk_console.services import intake as intake_service
from clerk_console.storage.replica import Replica
from support.pilot import settle, until
from support.ui import COMPANY, NOW, burst, keys, new_app, search_for, sign_in


def unprinted(home) -> list[str]:
    with Replica.open(home / "replica.sqlite3") as r:
        return [c.case_no for c in r.unprinted_notices()]


async def save_a_case(app, pilot) -> str:
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    await search_for(app, pilot, "kfd")
    await keys(pilot, "enter", "a", "f4", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "RatingScreen", "the rating")
    return app.screen.case.case_no


async def test_a_case_whose_notice_did_not_print_is_offered_after_the_next_sign_in(
        home, monkeypatch):
    def printer_gone(*args, **kwargs):
        raise OSError("the printer went away")  # or the console was killed right here

    monkeypatch.setattr(printers, "print_documents", printer_gone)
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        case_no = await save_a_case(app, pilot)
    assert unprinted(home) == [case_no]

    monkeypatch.undo()
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(app, pilot)
        await until(pilot, lambda: type(app.screen).__name__ == "UnprintedScreen", "the owed list")
        assert case_no in str(app.screen.query_one("#unprinted-list").render())
        await keys(pilot, "escape")  # later: still owed
        assert app.screen.id == "intake"
    assert unprinted(home) == [case_no]

    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(app, pilot)
        await until(pilot, lambda: type(app.screen).__name__ == "UnprintedScreen", "the owed list")
        await keys(pilot, "p")
        await until(pilot, lambda: not unprinted(home), "the owed notice printed")
        assert app.screen.id == "intake"
        await until(pilot, lambda: any("已补打 1 件" in n.message for n in app._notifications),
                    "the reprint reported")
    assert unprinted(home) == []
    assert list((home / "notices").glob("*.pdf"))  # printer = "pdf": the notice is on file

    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(app, pilot)
        await until(pilot, lambda: app.clerk is not None, "signed in")
        await settle(app, pilot)  # the premise: the offer after sign-in had its chance
        assert app.screen.id == "intake"  # nothing owed any more


async def test_a_printed_notice_is_not_listed(home):
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        case_no = await save_a_case(app, pilot)
        await until(pilot, lambda: case_no not in unprinted(home), "the notice printed")
    assert unprinted(home) == []


def test_the_queue_row_is_written_with_the_case_or_not_at_all(home, monkeypatch):
    with Replica.open(home / "replica.sqlite3") as r:
        applicant = r.find_applicant(COMPANY)
        draft = intake_service.new_draft(r, window="YT0101", clerk_id="1001",
                                         applicant=applicant, items=["ZP01"], bundle=None,
                                         now=NOW)

        def broken(*args, **kwargs):
            raise RuntimeError("the PC lost power")

        monkeypatch.setattr(r, "note_item_usage", broken)  # after the case, same transaction
        with pytest.raises(RuntimeError):
            intake_service.close_intake(r, draft, "notified", clerk_id="1001", now=NOW)
        assert r.unprinted_notices() == [] and r.count_cases() == 0
        monkeypatch.undo()
        case = intake_service.close_intake(r, draft, "notified", clerk_id="1001",
                                           now=datetime(2026, 11, 27, 10, 5))
        assert [c.case_no for c in r.unprinted_notices()] == [case.case_no]
        r.notice_printed(case.case_no)
        assert r.unprinted_notices() == []
