"""Waiting outside Textual on the condition itself (a thread, a child process, a server),
polled, never a fixed sleep: fast when it is ready, patient on a slow machine, and a failure
names what never happened."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], what: str = "", seconds: float = 10.0,
             step: float = 0.05) -> T:
    """Poll ``condition()`` until it is truthy and return it; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {seconds:g} s: {what or condition}")
        time.sleep(step)
