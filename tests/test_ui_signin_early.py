"""A clerk who signs in the moment the PIN can be checked, while the catalogue and its search
index are still loading behind the sign-in screen, gets the intake screen (it says it is still
loading) and can pick items once they are in — no crash (#9, #17)."""
from __future__ import annotations

import threading

from clerk_console.storage.gate import SignInGate
from clerk_console.ui.desk import Desk
from clerk_console.ui.guard import APOLOGY
from support.pilot import until
from support.ui import intake_shown, new_app, search_for, text_of, type_text


def no_apology(app) -> None:
    shown = " ".join(str(n.message) for n in app._notifications)
    assert app.is_running and APOLOGY not in shown and "出错" not in shown, shown


async def test_signing_in_before_the_catalogue_has_loaded(home, monkeypatch) -> None:
    release = threading.Event()
    real = Desk.rebuild_index

    def slow_index(self, *, cached: bool = False) -> None:
        release.wait(20)  # the catalogue is still being indexed
        real(self, cached=cached)

    monkeypatch.setattr(Desk, "rebuild_index", slow_index)
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.desk.replica is not None, "the replica open")
        await until(pilot, lambda: "窗口：YT0101" in text_of(app, "#window-line"), "the window line")
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await intake_shown(app, pilot)
        assert app.clerk is not None and not app.desk.ready
        no_apology(app)
        release.set()
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await search_for(app, pilot, "kfd")
        assert type(app.screen).__name__ == "IntakeScreen"
        no_apology(app)


async def test_enter_typed_ahead_signs_in_as_the_replica_opens(home, monkeypatch) -> None:
    from clerk_console.storage.replica import Replica

    opened, indexed = threading.Event(), threading.Event()
    real_gate, real_open = SignInGate.open.__func__, Replica.open.__func__
    real_index = Desk.rebuild_index

    def slow_gate(cls, path):  # the sign-in gate: since #17 the first a PIN can be checked on
        opened.wait(20)
        return real_gate(cls, path)

    def slow_open(cls, path, *a, **kw):
        opened.wait(20)
        return real_open(cls, path, *a, **kw)

    def slow_index(self, *, cached: bool = False) -> None:
        indexed.wait(20)
        real_index(self, cached=cached)

    monkeypatch.setattr(SignInGate, "open", classmethod(slow_gate))
    monkeypatch.setattr(Replica, "open", classmethod(slow_open))
    monkeypatch.setattr(Desk, "rebuild_index", slow_index)
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "正在打开本窗口数据" in text_of(app, "#window-line"),
                    "the sign-in screen")
        for ch in "1001":
            await pilot.press(ch)
        await pilot.press("enter")
        for ch in "123412":
            await pilot.press(ch)
        await pilot.press("enter")  # typed ahead: the PIN can't be checked yet
        await until(pilot, lambda: "打开后自动登录" in text_of(app, "#signin-error"),
                    "Enter taken as typed ahead")
        assert not app.desk.can_sign_in and app.clerk is None
        opened.set()
        await until(pilot, lambda: type(app.screen).__name__ == "IntakeScreen"
                    or not app.is_running, "signed in")
        await intake_shown(app, pilot)
        assert app.clerk is not None and app.clerk.clerk_id == "1001"
        no_apology(app)
        indexed.set()
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await search_for(app, pilot, "kfd")
        no_apology(app)
