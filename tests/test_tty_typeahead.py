"""Keys typed before the console's first paint keep their order and their target, Tab
included: `demo` Tab `123456` Enter sent right after launch signs in, and the PIN is never
shown (issue 9, "typed before start-up"). The real console in a real terminal (tmux)."""
from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import pytest

from support.tty import BIN, Pane

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
              pytest.mark.slow]

SIGN_IN_BOX = "政务服务综合受理 · 登录"
SOCKET = f"typeahead-{uuid.uuid4().hex[:8]}"  # a tmux server of our own: others kill theirs


class OwnPane(Pane):
    def tmux(self, *args: str) -> str:
        return super().tmux("-L", SOCKET, *args)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("typeahead") / "demo"
    subprocess.run([str(BIN / "clerk-console"), "--data-dir", str(home), "demo", "--init-only"],
                   check=True, capture_output=True, timeout=300)
    return home


def launch_and_type(home, keys: str, delay: float) -> tuple[Pane, list[str]]:
    """Start the console and send ``keys`` in one write ``delay`` seconds after launch; the
    frames seen until the intake screen shows (or 60 s)."""
    name = f"cc-{uuid.uuid4().hex[:8]}"
    command = f"{BIN / 'clerk-console'} --data-dir {home} run"
    pane = OwnPane(name)
    pane.tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30",
              "env", "TERM=xterm-256color", *command.split())
    time.sleep(delay)  # real time on purpose: keys sent this long after launch (the parameter)
    pane.send(keys)
    frames = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frames.append(pane.text())
        if "选事项" in frames[-1]:
            break
        time.sleep(0.02)  # poll step: every frame captured until the intake screen shows
    return pane, frames


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_sign_in_typed_before_the_first_paint(demo_home, delay):
    pane, frames = launch_and_type(demo_home, "demo\t123456\r", delay)
    try:
        assert "选事项" in frames[-1], "not signed in; the screen was:\n" + frames[-1]
        painted = [f for f in frames if SIGN_IN_BOX in f or "选事项" in f]
        assert painted
        # the console's own screens never show the PIN nor the two fields run together
        assert not any("123456" in f or "demo123456" in f for f in painted)
        assert "演示窗口员" in frames[-1]
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", pane.name],
                       capture_output=True)


def test_typeahead_with_a_wrong_pin_lands_in_the_pin_field(demo_home):
    pane, frames = launch_and_type(demo_home, "demo\t111111\r", 0.0)
    try:
        screen = pane.wait_for("PIN 错误", timeout=30)
        assert "demo111111" not in screen and "111111" not in screen
        assert SIGN_IN_BOX in screen
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", pane.name],
                       capture_output=True)
