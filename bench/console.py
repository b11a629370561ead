"""Driving the real console (ClerkApp) headless for the app benches."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import gen_replica


def new_app(home: Path, hour: int = 10):
    """The console on ``home``, its clock fixed on the generated replica's day."""
    from clerk_console.ui.app import ClerkApp

    now = datetime.combine(gen_replica.TODAY, datetime.min.time()).replace(hour=hour)
    return ClerkApp(home, clock=lambda: now)


async def sign_in(app, pilot, clerk: tuple[str, str]) -> None:
    """Wait until the window's data is open, then sign in with (clerk id, PIN)."""
    while not (app.desk.ready or app.open_error):
        await pilot.pause(0.05)
    if app.open_error:
        raise RuntimeError(app.open_error)
    for text in clerk:
        for ch in text:
            await pilot.press(ch)
        await pilot.press("enter")
    await pilot.pause()


def scan_burst(app, code: str) -> None:
    """Queue a scanner burst: every character and the final Enter at once, as a keyboard-mode
    scanner types them (Pilot's press() would pause between keys)."""
    from textual import events

    for key, char in [(ch, ch) for ch in code] + [("enter", "\r")]:
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
