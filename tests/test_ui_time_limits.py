"""Ctrl+T at the window: a supervisor extends an accepted case's time limit once (行政许可法
art. 42) with a written reason, and the 延期告知书 with the new date prints."""
from __future__ import annotations

from datetime import date, datetime

from support.pilot import until
from support.ui import (
    PERSON, authorise, burst, keys, new_app, replica_of, seed_case, sign_in, type_text)


async def test_a_supervisor_extends_the_time_limit_and_the_notice_prints(home):  # noqa: F811
    case = seed_case(home, PERSON, datetime(2026, 11, 25, 9, 0), deferred=False)
    assert case.promised_date == date(2026, 12, 9)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "ctrl+t")
        assert type(app.screen).__name__ == "SupervisorScreen"
        await authorise(pilot)
        await until(pilot, lambda: type(app.screen).__name__ == "ChoiceScreen", "the choice")
        await keys(pilot, "enter")  # 延长10个工作日
        await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen", "the reason")
        await pilot.press("enter")  # no reason: refused, asked again
        await pilot.pause()
        assert "请填写延期理由" in str(app.screen.query_one("#prompt-error").render())
        await type_text(pilot, "需现场核查")
        await pilot.press("enter")
        moved = await until(pilot, lambda: replica_of(app).get_case(case.case_no).extension,
                            "the extension saved")
        assert moved.reason == "需现场核查" and moved.approved_by == "9001"
        assert replica_of(app).get_case(case.case_no).promised_date == date(2026, 12, 23)
        await until(pilot, lambda: (home / "notices"
                                    / f"{case.case_no}-extension_notice.pdf").is_file(),
                    "the 延期告知书 printed")
