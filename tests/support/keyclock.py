"""Virtual key time for the Pilot tests (#11).

The console tells a barcode scanner from a clerk's typing by when the keys arrive
(``clerk_console/ui/scanner.py``, ``ClerkApp._scanner_key``). A test's app gets a ``KeyClock``
(``ClerkApp(key_clock=...)``, see ``support.ui.new_app``) and its keys carry virtual times:
"typed by a clerk" is every key ``CLERK_KEY`` after the one before, "burst from a scanner"
is every key at the same instant, whatever the shared machine's load. No test waits in real
time for the keys to look typed. The real timing end to end stays tested without this clock:
tests/test_ui_scanner.py (the detector), tests/test_tty_scanner.py and the other tmux/pty tests
(the console in a terminal).
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from textual import events

CLERK_KEY = 0.3  # seconds between a clerk's keys: slower than any scan gap the tests set
KEY_NAMES = {"\t": "tab", "\r": "enter", "\n": "ctrl+j"}


class KeyClock:
    """The time the app reads for each key it handles (and when it looks whether a held run
    is over). Each look moves the clock on by ``CLERK_KEY``, so keys pressed one by one are a
    clerk's; inside ``burst()`` the clock stands still, so the keys sent there are a scanner's
    (and the burst starts a clerk's key after what came before it).
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._still = 0

    def __call__(self) -> float:
        if not self._still:
            self.now += CLERK_KEY
        return self.now

    @property
    def in_burst(self) -> bool:
        return bool(self._still)

    @contextmanager
    def burst(self):
        """The keys sent inside arrive at one instant, a clerk's key after the last look."""
        if not self._still:
            self.now += CLERK_KEY
        self._still += 1
        try:
            yield self
        finally:
            self._still -= 1


def key_clock(app) -> KeyClock:
    clock = app.key_clock
    assert isinstance(clock, KeyClock), (
        "the app has no virtual key clock: make it with ClerkApp(..., key_clock=KeyClock())")
    return clock


def clerk_pace_premise(app) -> None:
    """The premise of every "typed by a clerk" step: a clerk's keys are further apart than
    the app's scan gap (a test may set a long ``scan_burst_ms``)."""
    assert CLERK_KEY > app.scanner.gap, (CLERK_KEY, app.scanner.gap)


async def keys_released(pilot) -> None:
    """Wait until the keys the app held back (not known yet to be no scan) have gone where
    they were typed, and the app has handled them."""
    from support.pilot import until

    app = pilot.app
    await until(pilot, lambda: not app.keys_held, "the held keys released", seconds=5)
    await pilot.pause()


async def type_as_clerk(pilot, text: str) -> None:
    """Type ``text`` key by key at a clerk's pace (virtual: no real waiting)."""
    app = pilot.app
    assert not key_clock(app).in_burst
    clerk_pace_premise(app)
    for ch in text:
        await pilot.press(ch)
    await keys_released(pilot)


async def press_as_clerk(pilot, *names: str) -> None:
    """Press named keys (``enter``, ``ctrl+f``, ``1`` ...) one by one as a clerk does, each
    handled before the next."""
    app = pilot.app
    assert not key_clock(app).in_burst
    clerk_pace_premise(app)
    for name in names:
        await pilot.press(name)
        await keys_released(pilot)


async def send_burst(pilot, keys: Iterable[tuple[str, str | None]],
                     *more: Iterable[tuple[str, str | None]]) -> None:
    """Send ``(key, character)`` pairs the way a keyboard-mode scanner or card reader does:
    all queued in one go, at one instant of the key clock. Each of ``more`` is sent at that
    same instant once the app has handled the keys before it (a burst whose last keys the
    app sees only after its first ones reached a field)."""
    from support.pilot import until

    app = pilot.app
    with key_clock(app).burst():
        for group in (list(keys), *map(list, more)):
            seen = app.keys_seen + len(group)
            for key, char in group:
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)
            await until(pilot, lambda seen=seen: app.keys_seen >= seen,
                        f"the app handled {len(group)} keys")
            await pilot.pause()
    await keys_released(pilot)


def burst_keys(code: str) -> list[tuple[str, str | None]]:
    """The ``(key, character)`` pairs a scanner types for ``code`` (Tab and line ends as
    their keys)."""
    return [(KEY_NAMES.get(ch, ch), ch) for ch in code]


async def scan(pilot, code: str, enter: bool = True) -> None:
    """Scan ``code``: its characters (Tab and line ends as their keys), then Enter, as a
    burst from a scanner."""
    await send_burst(pilot, burst_keys(code + ("\r" if enter else "")))
