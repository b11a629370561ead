"""Sign-in while the window's replica is still opening (a slow PC, a hall server starting a
browser session): a PIN still being typed when the replica opens is no sign-in attempt (it
used to be submitted half-typed, refused, counted toward the lock and cleared under the
clerk's fingers). Enter typed ahead still signs in once the replica is open
(tests/test_tty_typeahead.py)."""
from __future__ import annotations

import threading

from clerk_console.storage.replica import Replica
from clerk_console.ui.desk import Desk
from support.pilot import until
from support.ui import new_app, text_of, type_text


def held_open(monkeypatch) -> threading.Event:
    """Desk.open waits for the returned event before it opens anything."""
    go = threading.Event()
    original = Desk.open

    def slow_open(self, signin_ready=lambda: None):
        go.wait(30)
        original(self, signin_ready)

    monkeypatch.setattr(Desk, "open", slow_open)
    return go


def attempts(home) -> list[str]:
    with Replica.open(home / "replica.sqlite3") as r:
        return [e.action for e in r.audit_entries(limit=20) if e.action.startswith("clerk.login")]


async def test_a_pin_half_typed_when_the_replica_opens_is_no_attempt(home, monkeypatch):
    go = held_open(monkeypatch)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123")
        pin = app.screen.query_one("#pin")
        assert pin.value == "123" and not app.desk.can_sign_in
        go.set()  # the replica opens while the clerk is typing the PIN
        await until(pilot, lambda: app.desk.ready, "the replica opens")
        # the sign-in screen has handled the desk being ready (where the half-typed PIN was
        # submitted): it shows the window line
        await until(pilot, lambda: "窗口：YT0101" in text_of(app, "#window-line"), "the window line")
        await pilot.pause()
        assert pin.value == "123" and app.clerk is None
        assert "错误" not in text_of(app, "#signin-error")
        await type_text(pilot, "412")
        await pilot.press("enter")
        await until(pilot, lambda: app.clerk is not None, "signed in with the whole PIN")
    assert attempts(home) == ["clerk.login"]
