"""The sign-in gate opened from the first line of ``clerk-console run``, while the UI imports
(storage/early_gate.py, #17): the window line is in the sign-in screen's first paint, a PIN
signs in through it, and an error opening it is shown as the desk's own open shows one."""
from __future__ import annotations

import threading
import time

import pytest

from clerk_console.storage.db import ReplicaError
from clerk_console.storage.early_gate import EarlyGate
from clerk_console.storage.gate import SignInGate
from clerk_console.ui.desk import Desk
from support.pilot import until
from support.ui import intake_shown, new_app, text_of, type_text


def opened(early: EarlyGate) -> EarlyGate:
    deadline = time.monotonic() + 10
    while not early.ready:
        assert time.monotonic() < deadline, "the early gate never opened"
        time.sleep(0.01)  # poll step of this wait for the gate's thread
    return early


async def test_the_window_line_is_in_the_first_paint(home, monkeypatch):
    early = opened(EarlyGate(home / "replica.sqlite3"))
    release = threading.Event()
    real_open = Desk.open

    def held_open(self, signin_ready=lambda: None):  # the desk's own open waits: only the
        release.wait(10)  # early gate can have put the window line there
        real_open(self, signin_ready)

    monkeypatch.setattr(Desk, "open", held_open)
    app = new_app(home, desk=Desk(home, early_gate=early))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert text_of(app, "#window-line").startswith("窗口：YT0101"), text_of(app, "#window-line")
        assert app.desk.can_sign_in and app.desk.replica is None
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123412")
        await pilot.press("enter")
        release.set()
        await until(pilot, lambda: app.clerk is not None, "signed in", seconds=10)
        await intake_shown(app, pilot)
        assert app.clerk.clerk_id == "1001"


@pytest.mark.parametrize("error, shown", [
    (ReplicaError("本窗口数据文件无法打开（测试）"), "打开数据失败：本窗口数据文件无法打开（测试）"),
    # not a ClerkError (a bug, a missing module): the apology, never the exception's own text
    (RuntimeError("internal detail /home/x 370602199003071235"), None),
], ids=["clerk-error", "defect"])
async def test_an_error_opening_early_is_shown_as_the_desks_open_shows_it(home, monkeypatch,
                                                                          error, shown):
    def broken(path):
        raise error

    monkeypatch.setattr(SignInGate, "open", staticmethod(broken))
    early = EarlyGate(home / "replica.sqlite3")
    assert early._done.wait(10) and not early.ready
    app = new_app(home, desk=Desk(home, early_gate=early))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.open_error, "the open error shown", seconds=10)
        assert app.desk.gate is None and app.desk.replica is None
        if shown is not None:
            assert app.open_error == shown
        else:
            assert app.open_error.startswith("打开数据失败：")
            assert "internal detail" not in app.open_error and "3706" not in app.open_error
