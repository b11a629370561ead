"""Run a command in a real pseudo-terminal and time until given text is on its screen.

Used by the start-up bench: the child gets a pty as stdin/stdout/stderr (so Textual draws as
in a terminal), we read everything it writes, strip escape sequences and look for the marker.
"""
from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field
from typing import Callable

# CSI ... final byte, OSC ... BEL/ST, two-byte ESC sequences, and C0 controls (CR, LF, BEL)
ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x1f]")


class PtyTimeout(RuntimeError):
    pass


@dataclass
class PtyRun:
    seconds: float  # spawn to (the last) marker on screen
    output: str  # screen text seen so far (escape sequences removed)
    marks: dict[str, float] = field(default_factory=dict)  # each marker -> seconds to it
    probe: object = None  # what ``probe(pid)`` returned when the last marker was seen


def screen_text(raw: bytes) -> str:
    return ANSI_RE.sub("", raw.decode("utf-8", errors="replace"))


def time_to_text(argv: list[str], marker: str, *, env: dict[str, str] | None = None,
                 cols: int = 120, rows: int = 40, timeout: float = 60.0,
                 cwd: str | None = None) -> PtyRun:
    """Spawn ``argv`` on a new pty; seconds until ``marker`` appears in its screen output.

    The child is terminated (its whole process group) once the marker is seen.
    """
    return time_to_texts(argv, [marker], env=env, cols=cols, rows=rows, timeout=timeout, cwd=cwd)


def time_to_texts(argv: list[str], markers: list[str], *, env: dict[str, str] | None = None,
                  cols: int = 120, rows: int = 40, timeout: float = 60.0, cwd: str | None = None,
                  probe: Callable[[int], object] | None = None) -> PtyRun:
    """Like ``time_to_text`` for several markers: the seconds to each one (``marks``); the
    child is stopped once all are seen, after ``probe(child pid)`` ran (RSS, for example)."""
    marker = markers[-1]
    marks: dict[str, float] = {}
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("TERM", "xterm-256color")
    child_env.setdefault("COLORTERM", "truecolor")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=child_env, cwd=cwd,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    raw = bytearray()
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise PtyTimeout(f"no {[m for m in markers if m not in marks]!r} after {timeout:.0f} s; screen: {screen_text(bytes(raw))[-400:]!r}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    raise PtyTimeout(f"exited ({proc.returncode}) before {marker!r}; "
                                     f"screen: {screen_text(bytes(raw))[-400:]!r}")
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the pty
                chunk = b""
            if not chunk:
                raise PtyTimeout(f"pty closed before {marker!r}; screen: {screen_text(bytes(raw))[-400:]!r}")
            raw += chunk
            now, text = time.perf_counter() - start, screen_text(bytes(raw))
            for m in markers:
                if m not in marks and m in text:
                    marks[m] = now
            if len(marks) == len(markers):
                seen = probe(proc.pid) if probe else None
                return PtyRun(max(marks.values()), text, marks, seen)
    finally:
        _stop(proc, master)


def _stop(proc: subprocess.Popen, master: int) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < deadline:
            # keep draining so the child never blocks writing to a full pty
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    proc.wait()
    os.close(master)
