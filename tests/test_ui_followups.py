"""The console's 差评回访 and 评价器配对 screens at 80x24 (issue #18): the open follow-ups with
the overdue ones first, each step of the loop typed at the keyboard with its note (a
supervisor's PIN for 核实 and 复核), the domain's refusals shown as worded there; the pad's
one-time code on the console and its paired state, against the real pad server on loopback."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import httpx
import pytest
from textual.command import CommandList, CommandPalette

from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.followup import FollowupRules, open_followup
from clerk_console.domain.rating import Rating
from clerk_console.pad.server import PadServer
from clerk_console.storage.replica import Replica
from clerk_console.ui.app import ClerkApp
from support.pilot import until
from support.ui import NOW, authorise, keys, new_app, sign_in, type_text

SIZE = (80, 24)
RULES = FollowupRules(verify_days=1, fix_days=3, answer_days=1, appeal_days=3)
OLD = "YT0101-20261118-0003"  # rated a week before NOW: its 核实 is overdue
NEW = "YT0101-20261127-0001"  # rated this morning: due on Monday
OTHER = "YT0101-20261126-0002"  # rated yesterday, the supervisor's own service


def rate_badly(r: Replica, case_no: str, at: datetime, clerk: str) -> None:
    f = open_followup(f"fu-{case_no[-4:]}", case_no, clerk, at, default_calendar(), RULES)
    r.save_rating(Rating(case_no, 5, "排队太久", clerk, at), followup=f)


@pytest.fixture
def home(template_home, tmp_path):
    """The prepared window (test_ui) with three bad ratings, one of them overdue."""
    target = tmp_path / "window"
    shutil.copytree(template_home, target)
    with Replica.open(target / "replica.sqlite3") as r:
        rate_badly(r, NEW, NOW - timedelta(hours=1), "1001")
        rate_badly(r, OLD, NOW - timedelta(days=9), "1001")
        rate_badly(r, OTHER, NOW - timedelta(days=1, hours=-1), "9001")
    return target


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def rows(app) -> list[str]:
    options = app.screen.query_one("#followup-list")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def followup(home, case_no):
    with Replica.open(home / "replica.sqlite3") as r:
        return next(f for f in r.followups(None) if f.case_no == case_no)


def top_hit(app) -> str:
    """The command the palette would run on Enter (its highlighted hit), as text."""
    found = app.screen.query(CommandList)
    if not found or found.first().highlighted is None:
        return ""
    hits = found.first()
    return str(hits.get_option_at_index(hits.highlighted).prompt)


async def open_followups(app, pilot):
    await sign_in(app, pilot)
    await keys(pilot, "ctrl+f")
    return await until(pilot, lambda: app.screen.id == "followups" and app.screen,
                       "Ctrl+F opens 差评回访")


async def note(pilot, app, words: str) -> None:
    """Type a note in the prompt, stop, then Enter (typed text is no scanner burst)."""
    await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen", "the note prompt")
    await type_text(pilot, words)
    await keys(pilot, "enter")


async def choose(pilot, app, *moves: str) -> None:
    await until(pilot, lambda: type(app.screen).__name__ == "ChoiceScreen", "the choice")
    await keys(pilot, *moves, "enter")


async def test_overdue_first_and_a_bad_rating_runs_through_to_the_answer(home):
    app = new_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_followups(app, pilot)
        listed = rows(app)
        assert [r.split()[0] for r in listed] == [OLD, OTHER, NEW]
        assert "逾期" in listed[0] and "逾期" not in listed[2]
        assert "未办结 3 件，其中逾期" in text(app, "#followups-title")
        await keys(pilot, "down", "down")  # NEW
        assert NEW in text(app, "#followup-detail")

        await keys(pilot, "enter")  # 核实: founded, a note, the supervisor's PIN
        await choose(pilot, app)
        await note(pilot, app, "电话回访属实")
        await until(pilot, lambda: type(app.screen).__name__ == "SupervisorScreen",
                    "核实 asks a supervisor")
        await authorise(pilot)
        await until(pilot, lambda: followup(home, NEW).step.value == "fix", "核实 saved")
        assert app.screen.id == "followups" and "整改" in rows(app)[2]

        await keys(pilot, "enter")  # 整改: the clerk's own step, no PIN
        await note(pilot, app, "增开午间窗口")
        await until(pilot, lambda: followup(home, NEW).step.value == "answer", "整改 saved")

        await keys(pilot, "enter")  # 反馈: how (电话, the first) and what
        await choose(pilot, app)
        await note(pilot, app, "已致电告知")
        await until(pilot, lambda: followup(home, NEW).status == "closed", "反馈 closes it")
        assert [r.split()[0] for r in rows(app)] == [OLD, OTHER]
    done = followup(home, NEW)
    assert [(r.result, r.clerk_id, r.note) for r in done.history] == [
        ("founded", "9001", "电话回访属实"), ("fixed", "1001", "增开午间窗口"),
        ("answered", "1001", "已致电告知")]
    assert done.history[-1].channel == "电话" and done.answer == "已致电告知"


async def test_an_appeal_is_filed_and_upheld_by_a_supervisor(home):
    app = new_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_followups(app, pilot)
        await keys(pilot, "s")  # 申诉 on OLD: 恶意差评
        await choose(pilot, app)
        await note(pilot, app, "申请人当场表示误点")
        await until(pilot, lambda: followup(home, OLD).step.value == "appeal", "申诉 filed")
        assert "申诉复核" in rows(app)[[r.split()[0] for r in rows(app)].index(OLD)]
        app.screen.query_one("#followup-list").highlighted = [
            r.split()[0] for r in rows(app)].index(OLD)
        await keys(pilot, "enter")  # 复核: upheld
        await choose(pilot, app)
        await note(pilot, app, "监控录像可证")
        await authorise(pilot)
        await until(pilot, lambda: followup(home, OLD).status == "closed", "复核 closes it")
    upheld = followup(home, OLD)
    assert upheld.excluded and upheld.history[-1].clerk_id == "9001"
    with Replica.open(home / "replica.sqlite3") as r:
        actions = [e.action for e in r.audit_entries(limit=50)]
    assert "followup.appeal" in actions and "followup.decide_appeal" in actions


async def test_the_domain_refusal_is_shown_and_nothing_changes(home):
    """The supervisor may not verify the rating of their own service: the domain says so."""
    app = new_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, clerk="9001", pin="999999")
        await keys(pilot, "ctrl+f")
        await until(pilot, lambda: app.screen.id == "followups", "差评回访")
        await keys(pilot, "down")  # OTHER, rated 9001
        assert OTHER in text(app, "#followup-detail")
        await keys(pilot, "enter")
        await choose(pilot, app, "down")  # 不属实
        await note(pilot, app, "不是窗口的问题")  # no PIN asked: the clerk is a supervisor
        await until(pilot, lambda: "本人不能核实差评" in text(app, "#followup-error"),
                    "the domain's refusal on screen")
        assert app.screen.id == "followups"
    assert followup(home, OTHER).step.value == "verify"


async def test_reached_from_the_palette_and_from_the_day_view(home):
    app = new_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await keys(pilot, "f10")
        await until(pilot, lambda: type(app.screen).__name__ == "DayScreen", "the day view")
        assert f"{OLD} 核实" in text(app, "#day-stats")  # overdue steps in the day view
        await keys(pilot, "f")
        await until(pilot, lambda: app.screen.id == "followups", "F in the day view")
        await keys(pilot, "escape")
        await until(pilot, lambda: app.screen.id == "intake", "back to the intake")
        for wanted, screen_id in (("差评回访", "followups"), ("评价器配对", "pairing")):
            def there(screen_id=screen_id):
                return app.screen.id == screen_id

            await keys(pilot, "ctrl+p")
            await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
            await type_text(pilot, wanted)
            await until(pilot, lambda wanted=wanted: top_hit(app).startswith(wanted),
                        f"the palette's first hit: {wanted}")
            await keys(pilot, "enter")
            await until(pilot, there, f"palette: {wanted}")
            await keys(pilot, "escape")
            await until(pilot, lambda: app.screen.id == "intake", "back")


# -- 评价器配对 ---------------------------------------------------------------------------------

def pad_app(home, started: list) -> ClerkApp:
    def start(clock):
        pad = PadServer(home / "replica.sqlite3", "127.0.0.1", 0, clock=clock).start()
        started.append(pad)
        return pad

    return new_app(home, pad=start)


async def open_pairing(app, pilot):
    await sign_in(app, pilot)
    await keys(pilot, "ctrl+g")
    return await until(pilot, lambda: app.screen.id == "pairing" and app.screen,
                       "Ctrl+G opens 评价器配对")


async def test_pairing_shows_the_code_a_pad_pairs_with_and_then_the_paired_state(home):
    started: list = []
    app = pad_app(home, started)
    async with app.run_test(size=SIZE) as pilot:
        await open_pairing(app, pilot)
        pad = started[0]
        assert pad.url in text(app, "#pad-url")
        shown = text(app, "#pad-code")
        code = pad.pairing.code.value
        assert f"配对码：{code}" in shown and "未配对" in text(app, "#pad-state")
        with httpx.Client(base_url=pad.url, timeout=10) as pad_browser:
            assert pad_browser.post("/api/pair", json={"code": "000000" if code != "000000"
                                                       else "111111"}).status_code == 403
            assert pad_browser.post("/api/pair", json={"code": code}).status_code == 200
            assert pad_browser.get("/api/state").json()["mode"] == "idle"
        await until(pilot, lambda: "已配对，评价器在线" in text(app, "#pad-state"),
                    "the console shows the pad paired")
        assert "已使用或已失效" in text(app, "#pad-code")
        await keys(pilot, "n")  # a new code (pairing again would replace this pad)
        assert pad.pairing.code is not None and pad.pairing.code.value in text(app, "#pad-code")
    assert started and len(started) == 1  # stopped with the console (the port is free again)
    with pytest.raises(httpx.HTTPError):
        httpx.get(started[0].url, timeout=2)


async def test_without_a_pad_address_the_screen_says_how_to_set_one(home):
    app = new_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_pairing(app, pilot)
        assert "pad_bind" in text(app, "#pad-url")
        assert "窗口代录" in text(app, "#pad-url")


async def test_an_address_in_use_is_told_in_chinese(home):
    def taken(clock):
        raise OSError(98, "Address already in use")

    app = new_app(home, pad=taken)
    async with app.run_test(size=SIZE) as pilot:
        await open_pairing(app, pilot)
        assert "无法在" in text(app, "#pad-error") and "端口是否被占用" in text(app, "#pad-error")


# -- snapshots at 80x24 -------------------------------------------------------------------------

def test_followups_screen_snapshot(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await open_followups(app, pilot)
        await app.workers.wait_for_complete()
        app.clear_notifications()  # the screenshot waits for the screen to settle

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_pairing_screen_snapshot(snap_compare, home):
    started: list = []

    def start(clock):
        pad = PadServer(home / "replica.sqlite3", "127.0.0.1", 0, clock=clock,
                        ).start()
        pad.pairing._randbelow = lambda n: 246813  # the shown code, fixed for the picture
        started.append(pad)
        return pad

    app = new_app(home, pad=start)

    async def before(pilot):
        await open_pairing(app, pilot)
        # the port is the system's choice: show a fixed address in the picture
        app.screen.query_one("#pad-url").update(
            "在评价器（平板或第二块屏幕）的浏览器中打开：http://192.168.1.20:8765/")
        await keys(pilot, "n")
        app.clear_notifications()  # the screenshot waits for the screen to settle

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
