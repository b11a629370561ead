"""Issue #9, screens at 80x24: agents, the project owner, wording, the rating's reason step,
case numbers in the panel, focus without select-all. Pilot on a real replica file."""
from __future__ import annotations

from support.pilot import until
from support.ui import (
    COMPANY, NOW, PERSON, UNKNOWN, burst, intake, keys, new_app, panel, sign_in, type_text)

async def test_an_unknown_agent_of_an_enterprise_is_asked_for_a_name(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        await burst(app, pilot, UNKNOWN)
        await until(pilot, lambda: app.screen.query(".dialog-title"), "the agent's form")
        title = str(app.screen.query_one(".dialog-title").render())
        assert "登记经办人" in title and "烟台海风咖啡有限公司" in title
        await type_text(pilot, "abc")
        app.screen.query_one("#qe-name").value = "陈晨"
        await pilot.press("enter")  # the phone of an agent may stay empty
        await until(pilot, lambda: intake(app).current.agent is not None, "the agent recorded")
        cur = intake(app).current
        assert cur.view.code == COMPANY
        assert (cur.agent.id_number, cur.agent.name) == (UNKNOWN, "陈晨")
        assert "经办人 陈晨" in panel(app)
        assert app.desk.replica.find_applicant(UNKNOWN).name == "陈晨"


PROJECT = "2026-370613-34-03-000128"


async def test_the_project_panel_shows_the_owner_company(home):
    from clerk_console.domain.parties import Applicant, ApplicantKind
    from clerk_console.storage.replica import Replica

    r = Replica.open(home / "replica.sqlite3")
    r.save_applicant(Applicant(PROJECT, "project_code", ApplicantKind.PROJECT,
                               "年产10万套车桥飞轮项目"), "setup")
    r.save_related_persons(PROJECT, [(COMPANY, "项目单位", "")])
    r.close()
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PROJECT)
        assert "项目单位 烟台海风咖啡有限公司" in panel(app)


async def test_the_checklist_header_says_what_the_key_bar_says(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter")
        title = str(intake(app).query_one("#work-title").render())
        bar = str(intake(app).query_one("KeyBar").render())
        assert "A 全部收到" in title and "a 主要材料全收" in title
        assert "A 主要材料全收" not in title
        assert "全部收到" in bar and "主要材料全收" in bar


async def test_the_reason_step_of_a_bad_rating_shows_the_level_chosen(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter", "4")
        assert app.screen.query_one("#reason").has_focus
        assert "4 不满意" in str(app.screen.query_one("#rating-chosen").render())


async def test_open_cases_in_the_panel_show_their_date(home):
    from datetime import timedelta

    from support.ui import seed_case

    seed_case(home, PERSON, NOW - timedelta(days=1), deferred=False)
    seed_case(home, PERSON, NOW, deferred=False)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        text = panel(app)
        assert "11-26-0001" in text and "11-27-0001" in text


async def test_tabbing_into_a_filled_field_keeps_its_text(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, UNKNOWN)
        await until(pilot, lambda: type(app.screen).__name__ == "QuickEntryScreen", "the form")
        form = app.screen
        form.query_one("#qe-name").insert_text_at_cursor("陈晨")
        await keys(pilot, "tab")
        assert form.query_one("#qe-phone").has_focus
        await keys(pilot, "shift+tab")
        assert form.query_one("#qe-name").has_focus
        await keys(pilot, "x")
        assert form.query_one("#qe-name").value.startswith("陈晨")
