"""The real console in a real terminal: a tmux pane to type into and read, and ``console``,
the demo window running in one (80x24)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


class Pane:
    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout

    def text(self) -> str:
        return self.tmux("capture-pane", "-t", self.name, "-p")

    def send(self, literal: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", "--", literal)

    def wait_for(self, needle: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.text()}")


@pytest.fixture
def console(tmp_path):
    home = tmp_path / "window"
    env = {**os.environ, "CLERK_CONSOLE_HOME": str(home), "CLERK_CONSOLE_DEMO_HOME": str(home),
           "TERM": "xterm-256color"}
    subprocess.run([str(BIN / "clerk-console"), "demo", "--init-only"], env=env, check=True,
                   capture_output=True, timeout=300)
    name = f"cc-{uuid.uuid4().hex[:8]}"
    command = f"env CLERK_CONSOLE_HOME={home} {BIN / 'clerk-console'} run"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
                   check=True, env=env)
    pane = Pane(name)
    try:
        yield pane
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
