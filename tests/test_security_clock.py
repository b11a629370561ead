"""Issue #10: a server time 400 days off was stored as the trusted offset (every deadline
moved by 400 days). Now an offset beyond a day is not used until a supervisor accepts it."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from clerk_console.commands.embedded import enroll_replica
from clerk_console.storage.replica import Replica
from clerk_console.sync.client import SyncClient
from clerk_console.sync.runner import KV_CLOCK_PENDING, sync_once
from clerk_console.sync.token_store import window_token


@pytest.fixture()
def window(tmp_path, bo, engine):
    r = Replica.open(tmp_path / "window" / "replica.sqlite3")
    r.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    r.add_clerk("boss", "刘主任", "654321", "supervisor")
    enroll_replica(engine, r, bo.url, region="370602")
    yield r
    r.close()


def _round(replica, skew: float):
    with SyncClient(replica.get_kv("sync_url"), window_token(replica),
                    clock=lambda: time.time() + skew) as client:
        return sync_once(replica, client)


def test_a_server_400_days_off_is_not_trusted_until_a_supervisor_accepts(window):
    report = _round(window, -400 * 86400)  # as if the server's clock were 400 days ahead
    assert abs(report.clock_offset - 400 * 86400) < 60  # measured and reported …
    assert "超过一天，未采用" in report.clock_warning
    assert window.clock_offset == 0.0  # … but not used for deadlines
    assert window.get_kv(KV_CLOCK_PENDING)
    window.close()
    home = window.path.parent

    def accept(stdin: str):
        return subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir", str(home),
                               "sync", "--accept-clock", "--as", "boss"], input=stdin,
                              capture_output=True, text=True, timeout=120)

    out = accept("000000\n")
    assert out.returncode == 1 and "工号或 PIN 错误" in out.stderr
    out = accept("654321\n")
    assert out.returncode == 0 and "已采用后台时间" in out.stdout, out.stderr
    with Replica.open(window.path) as again:
        assert abs(again.clock_offset - 400 * 86400) < 60
        assert [e.clerk_id for e in again.audit_entries() if e.action == "clock.accept"] == ["boss"]
        report = _round(again, -400 * 86400)  # the accepted offset is used from now on
        assert "未采用" not in report.clock_warning and "本机时钟比后台慢" in report.clock_warning
        report = _round(again, -800 * 86400)  # another jump asks again
        assert "未采用" in report.clock_warning
        assert abs(again.clock_offset - 400 * 86400) < 60
    out = accept("654321\n")  # a pending jump waits; accepting without one says so
    assert out.returncode == 0
    out = accept("654321\n")
    assert out.returncode == 1 and "没有待确认的后台时间" in out.stderr
