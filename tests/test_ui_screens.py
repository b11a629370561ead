"""Issue #9, screens at 80x24: agents, the project owner, wording, the rating's reason step,
case numbers in the panel, focus without select-all. Pilot on a real replica file."""
from __future__ import annotations

import pytest

from test_ui import (COMPANY, NOW, PERSON, UNKNOWN, burst, home, intake, keys, new_app, panel,
                     sign_in, template_home, type_text)

__all__ = ["home", "template_home"]  # fixtures


async def test_an_unknown_agent_of_an_enterprise_is_asked_for_a_name(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        await burst(app, pilot, UNKNOWN)
        await pilot.pause(0.3)
        title = str(app.screen.query_one(".dialog-title").render())
        assert "登记经办人" in title and "烟台海风咖啡有限公司" in title
        await type_text(pilot, "abc")
        app.screen.query_one("#qe-name").value = "陈晨"
        await pilot.press("enter")  # the phone of an agent may stay empty
        await pilot.pause(0.3)
        cur = intake(app).current
        assert cur.view.code == COMPANY
        assert (cur.agent.id_number, cur.agent.name) == (UNKNOWN, "陈晨")
        assert "经办人 陈晨" in panel(app)
        assert app.desk.replica.find_applicant(UNKNOWN).name == "陈晨"
