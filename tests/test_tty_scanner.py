"""The real console in a real terminal (tmux, 80x24): 100 scanner bursts, each one 18
characters and Enter in a single write, must all be recognised and none typed into a field."""
from __future__ import annotations

import shutil
import time

import pytest

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
              pytest.mark.slow]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, WEIGHTS)) % 11]


def hundred_ids() -> list[str]:
    """Valid resident IDs whose masked forms (3706**********NNNN) all differ."""
    out, seen = [], set()
    day = 0
    while len(out) < 100:
        day += 1
        code = resident_id(f"370602{1960 + day % 40}{1 + day % 12:02d}{1 + day % 28:02d}{day % 1000:03d}")
        if code[-4:] not in seen:
            seen.add(code[-4:])
            out.append(code)
    return out


def test_hundred_scanner_bursts_are_all_recognised(console):
    pane = console
    pane.wait_for("窗口：YT0101")  # the replica is open
    pane.send("demo\r")
    time.sleep(0.3)  # real terminal, no virtual key clock: a clerk's pause before the PIN
    pane.send("123456\r")
    pane.wait_for("选事项")
    missed = []
    for code in hundred_ids():
        pane.send(code + "\r")  # 18 characters and Enter in one write, as a scanner does
        masked = code[:4] + "*" * 10 + code[-4:]
        try:
            pane.wait_for(masked, timeout=15)
        except AssertionError:
            missed.append(code)
    assert not missed, f"{len(missed)} bursts not recognised: {missed[:5]}"
    pane.send("\x1b")  # close the quick-entry form of the last (unknown) applicant
    screen = pane.wait_for("首字母(kfd)")  # the item field is still empty: nothing leaked
    assert not any(code in screen for code in hundred_ids())
