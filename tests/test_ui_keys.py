"""The key bar, the status bar and Enter as LF: what a clerk sees and types at 80 columns."""
from __future__ import annotations

from clerk_console.sync.worker import NOT_ENROLLED
from clerk_console.ui.widgets.keybar import KeyBar, KeyEntry, pack
from clerk_console.ui.widgets.status import StatusBar
from support.keyclock import press_as_clerk, send_burst, type_as_clerk
from support.pilot import until
from support.ui import PERSON, intake, new_app, sign_in

FKEYS = [f"F{n}" for n in range(2, 11)]


def test_pack_wraps_to_a_second_line_and_keeps_the_palette():
    found = [KeyEntry(f"F{n}", "四个汉字") for n in range(2, 11)] + [KeyEntry("^p", "命令")]
    one = pack(found, 500)
    assert len(one) == 1 and one[0] == found
    two = pack(found, 80)
    assert len(two) == 2 and [e for line in two for e in line] == found
    assert all(sum(e.width for e in line) <= 80 for line in two)
    cut = pack(found, 30)  # too narrow even for two lines: the palette stays, at the end
    assert len(cut) == 2 and cut[-1][-1] == found[-1]
    assert all(sum(e.width for e in line) <= 30 for line in cut)


async def test_every_function_key_is_shown_at_80_columns(home):  # noqa: F811
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert bar.size.height == 2, text
        for key in FKEYS:
            assert f" {key} " in text, (key, text)
        assert "^p 命令" in text
    async with new_app(home).run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        assert pilot.app.screen.query_one(KeyBar).size.height == 1


async def test_a_dialog_key_bar_covers_the_bar_below(home):  # noqa: F811
    from clerk_console.ui.screens.dialogs import ConfirmScreen

    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        below = app.screen.query_one(KeyBar)
        assert below.size.height == 2
        app.push_screen(ConfirmScreen("确认", "确认吗？"))
        await pilot.pause()
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert bar.size.height == 2 and bar.region.y == below.region.y, (bar.region, below.region)
        assert "F2" not in str(bar.render())


async def test_status_bar_says_when_the_window_is_not_enrolled(home):  # noqa: F811
    from clerk_console.sync.worker import SyncWorker

    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        worker = app.desk.worker = SyncWorker(app.desk.replica, app.desk.settings,
                                              home=home).start()
        await until(pilot, lambda: not worker.status().enrolled,  # its first round finds none
                    "the worker's first round", seconds=5)
        bar = app.screen.query_one(StatusBar)
        bar.refresh_status()
        await pilot.pause()
        assert NOT_ENROLLED in str(bar.render()) and "待同步 0" in str(bar.render())
        worker.stop()
        app.desk.worker = FakeWorker()  # enrolled, and the last round reached the back office
        bar.refresh_status()
        await pilot.pause()
        assert NOT_ENROLLED not in str(bar.render()) and "在线" in str(bar.render())
        app.desk.worker = None


class FakeWorker:
    """What the sync worker reports; only ``status()`` is read by the status bar."""

    def status(self):
        from clerk_console.sync.worker import SyncStatus

        return SyncStatus(True, 0, None, "")

    def stop(self):
        pass


async def send(app, keys: list[tuple[str, str]], pilot) -> None:
    """Keys in one go, as a scanner (or the tty's typed-ahead buffer) delivers them."""
    assert pilot.app is app
    await send_burst(pilot, keys)


async def test_lf_is_enter_and_a_cr_lf_scan_presses_enter_once(home):  # noqa: F811
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await send(app, [(c, c) for c in PERSON] + [("enter", "\r")], pilot)
        query = app.screen.query_one("#item-query")
        assert app.focused is query
        await type_as_clerk(pilot, "kfd")  # a person typed that, not a scanner
        # the same applicant scanned again by a scanner set to CR LF: the LF must not also
        # submit the search the clerk typed
        await send(app, [(c, c) for c in PERSON] + [("enter", "\r"), ("ctrl+j", "\n")], pilot)
        assert intake(app).current.view.code == PERSON
        assert query.value == "kfd" and intake(app).current.items == []
        # LF typed by hand (or left by the tty's line mode) is Enter: it submits the search
        await press_as_clerk(pilot, "ctrl+j")
        await until(pilot, lambda: intake(app).current.items, "the search submitted")
        assert intake(app).current.items == ["SP01", "ZP01", "XF01"]


async def test_keys_typed_before_start_sign_in_with_lf(home):  # noqa: F811
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(app, [(c, c) for c in "1001"] + [("ctrl+j", "\n")], pilot)
        await send(app, [(c, c) for c in "123412"] + [("ctrl+j", "\n")], pilot)
        await until(pilot, lambda: app.clerk is not None, "signed in", seconds=4)
        assert app.clerk.clerk_id == "1001"


def test_a_long_material_name_wraps_under_itself_not_under_its_mark():
    from rich.console import Console

    from clerk_console.domain.case import CaseMaterial, MaterialState
    from clerk_console.ui.widgets.checklist import material_line

    name = "公众聚集场所投入使用、营业前消防安全检查申请表"
    console = Console(width=40, record=True, color_system=None)
    console.print(material_line(CaseMaterial("xf", name, True, MaterialState.PENDING, False)))
    lines = console.export_text().rstrip("\n").split("\n")
    assert len(lines) >= 2
    assert lines[0].startswith("· 公众聚集场所"), lines  # the mark keeps its name beside it
    assert all(line.startswith("  ") and line.strip() for line in lines[1:]), lines
    assert "".join(line.strip() for line in lines).removeprefix("· ").startswith(name)
