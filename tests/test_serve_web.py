"""``clerk-console serve-web`` (issue #16): the console served by textual-serve on loopback,
opened in the system's headless Chromium, signed in by typing into the page and a scanner's
burst opening an applicant; the page in Chinese with nothing fetched from outside; bad
addresses refused in Chinese."""
from __future__ import annotations

import os
import sys

import httpx
import pytest

from clerk_console.cli import main
from clerk_console.storage.replica import Replica
from support.browser import chromium
from support.webconsole import Terminal, WebConsole
from support.ui import PERSON, make_home

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="the server is stopped with POSIX signals here")


@pytest.fixture
def window(tmp_path):
    return make_home(tmp_path, burst_ms=100)


@pytest.fixture
def served(window):
    pytest.importorskip("textual_serve")
    server = WebConsole(window).start()
    yield server
    server.stop()


@pytest.fixture
def browser():
    yield from chromium()


def logins(home) -> list[str]:
    with Replica.open(home / "replica.sqlite3") as r:
        return [e.clerk_id for e in r.audit_entries(limit=50) if e.action == "clerk.login"]


def test_the_page_is_chinese_and_needs_nothing_from_outside(served):
    page = httpx.get(served.url, timeout=10).text
    assert 'lang="zh-CN"' in page and "综合受理：正在打开" in page and "重新打开" in page
    assert f"ws://127.0.0.1:{served.port}/ws" in page
    assert "googleapis" not in page and "Session ended" not in page
    assert httpx.get(served.url + "static/js/textual.js", timeout=10).status_code == 200


def test_sign_in_and_scan_through_the_browser(served, window, browser):
    term = Terminal(browser, served.url)
    assert term.sign_in("1001", "123412") == (True, True)  # each field showed what was typed
    term.wait_for("王芳")  # signed in: the status bar names the clerk
    assert logins(window) == ["1001"]
    term.settle()  # the catalogue and search index loaded behind the sign-in
    # a keyboard-mode scanner (3 ms a key) through the websocket opens the applicant, the ID
    # masked on the panel (misses and time to show: bench/bench_serve_web.py)
    term.scan(PERSON, "3706**********1235", key_ms=3)
    term.gone(PERSON)  # the burst's keys never stay in the field they went through
    assert "张伟" in term.screen()


def test_each_browser_gets_its_own_console(served, window, browser):
    first, second = Terminal(browser, served.url), Terminal(browser, served.url)
    second.wait_for("工号")
    first.sign_in("1001", "000000")  # a wrong PIN in the first one
    first.wait_for("PIN 错误")
    assert "PIN 错误" not in second.screen() and "工号" in second.screen()


@pytest.mark.parametrize("argv, expected", [
    (["serve-web"], "请给出网页版的地址"),
    (["serve-web", "--bind", "0.0.0.0:8780"], "网页版地址不能是 0.0.0.0"),
    (["serve-web", "--bind", "8780"], "请给出网页版的地址"),
])
def test_bad_addresses_are_refused_in_chinese(window, capsys, argv, expected):
    assert main(["--data-dir", str(window), *argv]) == 2
    assert expected in capsys.readouterr().err


def test_a_folder_without_a_replica_is_refused(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "serve-web", "--bind", "127.0.0.1:8780"]) == 2
    assert "本窗口还没有数据文件" in capsys.readouterr().err


def test_web_bind_in_settings_is_used_and_a_port_in_use_is_told(window, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (window / "settings.toml").open("a", encoding="utf-8") as fh:
            fh.write(f'web_bind = "127.0.0.1:{port}"\n')
        assert main(["--data-dir", str(window), "serve-web"]) == 1
    err = capsys.readouterr().err
    assert f"无法在 127.0.0.1:{port} 上提供网页版" in err and "Traceback" not in err
    assert os.environ.get("TEXTUAL_DRIVER") is None  # nothing leaked into this process
