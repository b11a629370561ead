"""README's "Setting up a real window" block, run as written against a loopback back office on
SQLite. The commands are parsed out of README.md, so the test breaks when the README drifts:
only the database (``DB=…``), the back office's address, port and the printed ``CODE`` are
replaced, everything else is executed token for token."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from clerk_console.storage.replica import Replica
from support.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MARK = "<!-- real-window-setup -->"
PIN = "246810"


@dataclass
class Step:
    argv: list[str]
    background: bool


def readme_steps() -> tuple[dict[str, str], list[Step]]:
    """Variables assigned and commands of the README block after ``MARK``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert MARK in text, "README.md lost its real-window setup block"
    block = re.search(r"```sh\n(.*?)```", text[text.index(MARK):], re.S)
    assert block is not None
    variables: dict[str, str] = {}
    steps: list[Step] = []
    for line in block.group(1).splitlines():
        tokens = shlex.split(line, comments=True)
        if not tokens:
            continue
        if len(tokens) == 1 and re.fullmatch(r"[A-Z_]+=.+", tokens[0]):
            name, value = tokens[0].split("=", 1)
            variables[name] = value
            continue
        background = tokens[-1] == "&"
        steps.append(Step(tokens[:-1] if background else tokens, background))
    return variables, steps


def test_readme_block_has_the_steps_issue_9_asks_for():
    """A fresh back office has no catalogue and no calendar: the README must publish both,
    and show `serve --db` (the option after the sub-command, as people write it)."""
    _vars, steps = readme_steps()
    words = [" ".join(s.argv) for s in steps]
    assert any(w.startswith("clerk-backoffice") and "load-catalog data/catalogue" in w
               for w in words)
    assert any("load-calendar data/calendar/" in w for w in words)
    serve = [s for s in steps if s.argv[:2] == ["clerk-backoffice", "serve"]]
    assert len(serve) == 1 and serve[0].background and "--db" in serve[0].argv
    assert steps[-1].argv == ["clerk-console", "run"]


def test_db_option_goes_before_or_after_the_sub_command():
    from clerk_console.backoffice.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["serve", "--db", "sqlite:///a"]).db == "sqlite:///a"
    assert parser.parse_args(["--db", "sqlite:///b", "serve"]).db == "sqlite:///b"
    assert parser.parse_args(["load-catalog", "data/catalogue"]).db is None
    assert parser.parse_args(["--db", "sqlite:///b", "cases", "--db", "sqlite:///c"]).db == \
        "sqlite:///c"  # the nearer one wins


@dataclass
class Walk:
    home: Path
    backoffice_db: Path
    outputs: dict[str, str]
    env: dict[str, str]


def _program(name: str) -> list[str]:
    script = BIN / name
    if script.exists():
        return [str(script)]
    module = {"clerk-console": "clerk_console.cli",
              "clerk-backoffice": "clerk_console.backoffice.cli"}[name]
    return [sys.executable, "-m", module]


@pytest.fixture(scope="module")
def walk(tmp_path_factory) -> Walk:
    tmp = tmp_path_factory.mktemp("readme")
    variables, steps = readme_steps()
    assert "DB" in variables
    db_file = tmp / "backoffice.sqlite3"
    values = {"DB": f"sqlite:///{db_file}"}
    port = str(free_port())
    home = tmp / "window"
    env = {**os.environ, "CLERK_CONSOLE_HOME": str(home),
           "CLERK_BACKOFFICE_HOME": str(tmp / "bo-home"), "PYTHONIOENCODING": "utf-8"}
    env.pop("CLERK_BACKOFFICE_DB", None)
    outputs: dict[str, str] = {}
    server: subprocess.Popen | None = None
    code = None

    def expand(token: str) -> str:
        token = re.sub(r"\$(\w+)", lambda m: values[m.group(1)], token)
        token = token.replace("http://BACKOFFICE:8700", f"http://127.0.0.1:{port}")
        if token == "8700":
            return port
        if token == "0.0.0.0":
            return "127.0.0.1"  # a test listens on loopback only
        if token == "CODE":
            assert code, "the README enrolls before it issues a code"
            return code
        return token

    try:
        for step in steps[:-1]:  # the last one, `clerk-console run`, is the interactive console
            argv = [expand(t) for t in step.argv]
            command = _program(argv[0]) + argv[1:]
            if step.background:
                server = subprocess.Popen(command, cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          text=True)
                _wait_for_ping(server, f"http://127.0.0.1:{port}")
                continue
            stdin = f"{PIN}\n{PIN}\n" if argv[1:3] == ["clerk", "add"] else ""
            done = subprocess.run(command, cwd=ROOT, env=env, input=stdin, text=True,
                                  capture_output=True, timeout=180, start_new_session=True)
            assert done.returncode == 0, (step.argv, done.stdout, done.stderr)
            outputs[" ".join(step.argv[:3])] = done.stdout
            if "enrollment-code" in argv:
                code = done.stdout.strip().splitlines()[-1]
        yield Walk(home, db_file, outputs, env)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)


def _wait_for_ping(proc: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            httpx.get(url + "/v1/ping", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)  # poll step of the wait for the back office's ping
    raise AssertionError("the back office did not answer")


def test_the_window_set_up_by_the_readme_has_catalogue_calendar_and_a_supervisor(walk):
    replica = walk.home / "replica.sqlite3"
    assert replica.exists()
    out = "\n".join(walk.outputs.values())
    assert "已注册到后台" in out and "同步完成" in out
    with Replica.open(replica) as r:
        items = len(r.catalogue().items)
        clerks = [(c.id, c.role) for c in r.list_clerks()]
        window = r.window().code
        calendar = r.calendar()
    assert items >= 79  # the whole published catalogue came down
    published = tomllib.loads((ROOT / "data/calendar/2026.toml").read_text(encoding="utf-8"))
    assert calendar.schedule(2026).source == published["source"]  # load-calendar's file came down
    assert clerks == [("0001", "supervisor")]
    assert window == "YT0101"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_readme_console_opens_and_the_supervisor_signs_in(walk):
    """The last step, `clerk-console run`, in a real terminal (tmux, 80x24)."""
    _vars, steps = readme_steps()
    assert steps[-1].argv == ["clerk-console", "run"]
    name = f"rw-{uuid.uuid4().hex[:8]}"
    command = shlex.join(["env", f"CLERK_CONSOLE_HOME={walk.home}",
                          *_program("clerk-console"), "run"])
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
                   check=True, env=walk.env)
    try:
        _wait_pane(name, "窗口：YT0101")
        _send(name, "0001\r")
        time.sleep(0.3)  # real terminal, no virtual key clock: a clerk's pause before the PIN
        _send(name, PIN + "\r")
        screen = _wait_pane(name, "选事项")
        assert "张三" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def _send(name: str, literal: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", name, "-l", "--", literal], check=True)


def _wait_pane(name: str, needle: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run(["tmux", "capture-pane", "-t", name, "-p"], check=True,
                                capture_output=True, text=True).stdout
        if needle in screen:
            return screen
        time.sleep(0.1)  # poll step of the wait for the pane's text
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")
