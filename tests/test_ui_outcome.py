"""The outcome pane shows the same deferral deadline the saved case and its notice carry."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from clerk_console.domain.catalogue import Bundle, ItemMaterial
from clerk_console.storage.replica import Replica
from support.ui import (
    COMPANY, AGENT, PERSON, burst, catalogue, intake, item, keys, new_app, replica_of, sign_in)


def with_instant_item(home) -> None:
    """The coffee-shop bundle plus an item promised in 1 working day whose only material the
    applicant's e-licences cover: it owes nothing, so it must not shorten the deferral."""
    cat = catalogue()
    quick = item("JB01", "食品经营备案", "SCJG", [ItemMaterial("sfz", True)], promised=1)
    bundle = Bundle("KFD", "开办咖啡店", "industry", ("SP01", "ZP01", "XF01", "JB01"),
                    keywords=("咖啡馆",))
    r = Replica.open(home / "replica.sqlite3")
    try:
        r.store_catalogue(replace(cat, version="test-2", items={**cat.items, "JB01": quick},
                                  bundles={"KFD": bundle}))
    finally:
        r.close()


async def test_shown_deferral_deadline_is_the_saved_one(home):  # noqa: F811
    with_instant_item(home)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter")
        screen = intake(app)
        assert "JB01" in screen.current.items
        assert screen.query_one("#outcomes").highlighted_option.id == "deferred"
        detail = str(screen.query_one("#outcome-detail").render())
        assert "2026-12-04" in detail, detail  # 5 working days: JB01 owes nothing
        await keys(pilot, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [case] = replica_of(app).cases_of(PERSON)
        assert case.deadline == date(2026, 12, 4)


async def test_the_next_person_after_a_closed_enterprise_case_is_a_new_applicant(home):  # noqa: F811
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        await burst(app, pilot, AGENT)  # the enterprise's agent, during its intake
        assert intake(app).current.agent.id_number == AGENT
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter")
        assert type(app.screen).__name__ == "RatingScreen"
        await keys(pilot, "1")
        await app.workers.wait_for_complete()
        [case] = replica_of(app).cases_of(COMPANY)
        assert case.agent_id == AGENT
        await burst(app, pilot, PERSON)  # the next citizen in the queue
        assert intake(app).current.view.code == PERSON
        assert intake(app).current.agent is None


async def test_not_accepted_asks_reasons_then_the_competent_body(home):  # noqa: F811
    """不予受理 at the window (行政许可法 art. 32(1)): never preselected; Enter on it asks the
    reasons (an empty answer is refused), then the body to apply to; the case is saved with
    both and its notice is the 不予受理通知书."""
    from clerk_console.domain.case import Status

    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter")
        screen = intake(app)
        outcomes = screen.query_one("#outcomes")
        assert outcomes.highlighted_option.id != "not_accepted"
        while outcomes.highlighted_option.id != "not_accepted":
            await keys(pilot, "down")
        await keys(pilot, "enter", "enter")  # an empty reason: refused, the prompt stays
        assert "不予受理须写明理由" in str(app.screen.query_one("#prompt-error").render())
        for ch in "申请事项不属于本机关职权范围":
            await pilot.press(ch)
        await keys(pilot, "enter")
        assert "有权受理的机关" in str(app.screen.query_one(".dialog-title").render())
        await keys(pilot, "down", "enter")  # the first department of the catalogue
        await app.workers.wait_for_complete()
        await pilot.pause()
        [case] = replica_of(app).cases_of(PERSON)
        assert case.status is Status.NOT_ACCEPTED
        assert case.note == "申请事项不属于本机关职权范围" and case.signpost_dept
