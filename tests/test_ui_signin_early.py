"""A clerk who signs in the moment the PIN can be checked, while the catalogue and its search
index are still loading behind the sign-in screen, gets the intake screen (it says it is still
loading) and can pick items once they are in — no crash (#9, #17)."""
from __future__ import annotations

import threading

from clerk_console.ui.desk import Desk
from clerk_console.ui.guard import APOLOGY
from support.pilot import until
from support.ui import new_app, type_text


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
        await pilot.pause(0.1)
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "IntakeScreen", "signed in")
        await pilot.pause(0.2)
        assert app.is_running and not app.desk.ready
        release.set()
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await pilot.pause(0.2)
        await type_text(pilot, "kfd")
        await pilot.pause(0.3)
        assert app.is_running and type(app.screen).__name__ == "IntakeScreen"
        shown = " ".join(str(n.message) for n in app._notifications)
        assert APOLOGY not in shown and "出错" not in shown, shown


async def test_enter_typed_ahead_signs_in_as_the_replica_opens(home, monkeypatch) -> None:
    from clerk_console.storage.replica import Replica

    opened, indexed = threading.Event(), threading.Event()
    real_open, real_index = Replica.open.__func__, Desk.rebuild_index

    def slow_open(cls, path, *a, **kw):
        opened.wait(20)
        return real_open(cls, path, *a, **kw)

    def slow_index(self, *, cached: bool = False) -> None:
        indexed.wait(20)
        real_index(self, cached=cached)

    monkeypatch.setattr(Replica, "open", classmethod(slow_open))
    monkeypatch.setattr(Desk, "rebuild_index", slow_index)
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        for ch in "1001":
            await pilot.press(ch)
        await pilot.press("enter")
        for ch in "123412":
            await pilot.press(ch)
        await pilot.press("enter")  # typed ahead: the PIN can't be checked yet
        await pilot.pause(0.2)
        opened.set()
        await until(pilot, lambda: type(app.screen).__name__ == "IntakeScreen"
                    or not app.is_running, "signed in")
        await pilot.pause(0.3)
        shown = " ".join(str(n.message) for n in app._notifications)
        assert app.is_running and APOLOGY not in shown, shown
        indexed.set()
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await type_text(pilot, "kfd")
        await pilot.pause(0.3)
        shown = " ".join(str(n.message) for n in app._notifications)
        assert app.is_running and APOLOGY not in shown, shown
