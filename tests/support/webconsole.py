"""``clerk-console serve-web`` in a child process and a page of it in the system's headless
Chromium (test and bench code, not shipped): what the console draws is read back from the
websocket frames the browser receives (the terminal itself is a canvas)."""
from __future__ import annotations

import codecs
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class WebConsole:
    """The server on 127.0.0.1 for one window folder, from this checkout's code."""

    def __init__(self, home: Path, port: int | None = None):
        self.home, self.port = Path(home), port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> "WebConsole":
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "clerk_console", "--data-dir", str(self.home), "serve-web",
             "--bind", f"127.0.0.1:{self.port}"], cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve-web ended: {self.proc.stdout.read()}")
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve-web not answering on {self.url} within {timeout:g} s")

    def stop(self) -> str:
        """Stop the server and the console sessions it started (its own process group)."""
        if self.proc is None:
            return ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a console session left behind, if any
        except (ProcessLookupError, PermissionError):
            pass
        return self.proc.stdout.read() if self.proc.stdout else ""


class Terminal:
    """One browser page on the web console. What the console drew is replayed from the
    websocket's output frames into a terminal emulator (pyte) of the browser terminal's size
    (the terminal itself is a canvas), so ``screen()`` is the screen as the clerk sees it."""

    def __init__(self, browser, url: str, size=(1280, 800)):
        import pyte

        self.frames: list[tuple[float, str]] = []  # (arrival, output) as received
        self._screen = pyte.Screen(80, 24)
        self._stream = pyte.Stream(self._screen)
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.page.on("websocket", self._socket)
        self.page.goto(url)

    def _socket(self, ws) -> None:
        ws.on("framereceived", self._frame)
        ws.on("framesent", self._sent)

    def _sent(self, payload) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self._screen.resize(size["height"], size["width"])

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes):  # terminal output; text frames are the server's meta
            text = self._decode(payload)
            self._stream.feed(text)
            self.frames.append((time.perf_counter(), ANSI.sub("", text)))

    def screen(self) -> str:
        return "\n".join(line.rstrip() for line in self._screen.display)

    def text(self, since: int = 0) -> str:
        """All output received (escape sequences dropped) from frame ``since`` on."""
        return "".join(t for _, t in self.frames[since:])

    def wait_for(self, words: str, seconds: float = 30.0, pattern: bool = False) -> float:
        """Wait until the screen shows ``words`` (a regular expression with ``pattern``);
        returns when the frame that drew it arrived."""
        deadline = time.monotonic() + seconds
        found = re.compile(words if pattern else re.escape(words))
        while time.monotonic() < deadline:
            if found.search(self.screen()):
                return self.frames[-1][0] if self.frames else time.perf_counter()
            self.page.wait_for_timeout(10)
        raise AssertionError(f"not on screen within {seconds:g} s: {words}\n{self.screen()}")

    def settle(self, quiet: float = 1.0, seconds: float = 60.0) -> None:
        """Wait until the console has drawn nothing for ``quiet`` seconds (done loading)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            last = self.frames[-1][0] if self.frames else 0.0
            if time.perf_counter() - last >= quiet:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"the console kept drawing for {seconds:g} s")

    def gone(self, words: str, seconds: float = 10.0) -> None:
        """Wait until the screen no longer shows ``words``."""
        deadline = time.monotonic() + seconds
        while words in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"still on screen after {seconds:g} s: {words}")
            self.page.wait_for_timeout(10)

    def focus(self) -> None:
        """Keys to the terminal (xterm's input element), without a click that would move the
        console's focus to whatever field is under the mouse."""
        self.page.wait_for_selector(".xterm-helper-textarea", state="attached")
        self.page.focus(".xterm-helper-textarea")

    def type_slowly(self, text: str, gap_ms: int = 250) -> None:
        """Typed by a person: slower than a scanner's burst, so never taken for one."""
        for ch in text:
            self.page.keyboard.type(ch)
            self.page.wait_for_timeout(gap_ms)

    def field_shows(self, value: str, seconds: float = 10.0) -> bool:
        """A form field (``▊ value ▎``) shows exactly ``value``."""
        try:
            self.wait_for(rf"▊\s+{re.escape(value)}\s+▎", seconds=seconds, pattern=True)
            return True
        except AssertionError:
            return False

    def sign_in(self, clerk: str = "1001", pin: str = "123412") -> tuple[bool, bool]:
        """Type the sign-in as a clerk does; (工号 arrived whole, PIN arrived whole)."""
        self.wait_for("工号")
        self.focus()
        self.type_slowly(clerk)
        id_whole = self.field_shows(clerk)
        self.press("Enter")
        self.page.wait_for_timeout(300)
        self.type_slowly(pin)
        pin_whole = self.field_shows("•" * len(pin))
        self.press("Enter")
        return id_whole, pin_whole

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def scan(self, code: str, shows: str, *, key_ms: int = 3, tries: int = 3) -> int:
        """Scanner bursts of ``code`` until the screen shows ``shows`` (a fresh applicant and a
        quiet console between tries); returns the bursts it took. On a loaded machine the
        keys of a burst can reach the console further apart than ``scan_burst_ms`` and land
        in the field instead (bench/bench_serve_web.py counts how often)."""
        for attempt in range(1, tries + 1):
            self.burst(code, key_ms=key_ms)
            try:
                self.wait_for(shows, seconds=10)
                return attempt
            except AssertionError:
                self.press("Control+n")
                self.settle()
        raise AssertionError(f"{tries} bursts never showed {shows}:\n{self.screen()}")

    def burst(self, code: str, key_ms: int = 3) -> float:
        """A keyboard-mode scanner: the code at ``key_ms`` a key, then Enter; when Enter went."""
        self.page.keyboard.type(code, delay=key_ms)
        sent = time.perf_counter()
        self.page.keyboard.press("Enter")
        return sent
