"""Waiting in Pilot tests on the condition itself instead of a fixed sleep: fast when the app is
fast, patient when the shared machine is slow, and a failure names what never happened."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def until(pilot, condition: Callable[[], T], what: str = "", seconds: float = 10.0,
                step: float = 0.02) -> T:
    """Pause until ``condition()`` is truthy and return it; fail after ``seconds``."""
    for _ in range(max(1, int(seconds / step))):
        found = condition()
        if found:
            return found
        await pilot.pause(step)
    raise AssertionError(f"not within {seconds:g} s: {what or condition}")


async def settle(app, pilot) -> None:
    """Wait until the app has nothing left to do: its workers done and its message queues idle
    (for a test that something did *not* happen, the premise that it had every chance to)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
