"""The outcome pane shows the same deferral deadline the saved case and its notice carry."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from clerk_console.domain.catalogue import Bundle, ItemMaterial
from clerk_console.storage.replica import Replica
from test_ui import (COMPANY, AGENT, PERSON, burst, catalogue, home, intake, item, keys,  # noqa: F401
                     new_app, replica_of, sign_in, template_home)


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
