"""Background sync for the console: a daemon thread with its own replica connection.

The UI calls ``SyncWorker(home, replica_path).start()``, reads ``status()`` for the status
bar (never blocks: it returns the last values the thread measured), may call ``nudge()`` after
saving a case, and ``stop()`` on exit.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_console.config import Settings

if TYPE_CHECKING:
    from clerk_console.storage.replica import Replica

log = logging.getLogger(__name__)

QUEUE_REFRESH_SECONDS = 2.0
PRUNE_EVERY_SECONDS = 6 * 3600  # acknowledged outbox events are pruned at most this often
NOT_ENROLLED = "未注册后台"
DISABLED = "已停用"  # the back office stopped this window: no more rounds
ENROLL_HINT = "请管理员用 clerk-console enroll 注册本窗口"
# CPython hands the GIL to a waiting thread only after this long (5 ms by default); a case
# save gives it up at every SQLite call, so beside sync's Python (pages of JSON, rows) a save
# waited up to 5 ms a call: p99 ~100 ms during a pull, ~25 ms at 1 ms (bench_save_during_pull)
SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """Let the clerk's thread have the GIL back within ``SWITCH_INTERVAL_S`` while sync works
    in this process (process-wide; never raises the interval another part set lower)."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


@dataclass(frozen=True)
class SyncStatus:
    online: bool  # the last round reached the back office
    queued: int  # events waiting in the outbox
    last_sync: datetime | None  # end of the last successful round
    clock_warning: str  # Chinese, "" when the clock is within 5 minutes
    message: str = ""  # Chinese: last error, refusals, or what to do when not enrolled
    refused: int = 0  # events the back office refused (shown to the clerk)
    enrolled: bool = True  # False: this window has no back office to sync with yet
    disabled: bool = False  # the back office revoked this window or enrolled another PC

    @property
    def label(self) -> str:
        """Status-bar text, e.g. ``在线 · 待同步 3 · 上次同步 14:05``."""
        state = (DISABLED if self.disabled else NOT_ENROLLED if not self.enrolled
                 else "在线" if self.online else "离线")
        last = self.last_sync.strftime("%H:%M") if self.last_sync else "无"
        text = f"{state} · 待同步 {self.queued} · 上次同步 {last}"
        if self.refused:
            text += f" · 被拒 {self.refused}"
        return text


class SyncWorker:
    def __init__(self, home: Path | str | Replica,
                 replica_path: Path | str | Settings | None = None, /, *,
                 interval: float | None = None, **kwargs: Path | str | None) -> None:
        """``SyncWorker(home, replica_path)``; also ``SyncWorker(replica, settings, home=…)``
        (the console's own open replica and settings: the worker opens its own connection)."""
        settings = None
        if not isinstance(home, (str, PathLike)):  # an open Replica
            settings = replica_path if isinstance(replica_path, Settings) else None
            replica_path = home.path
            home = kwargs.pop("home", None) or Path(replica_path).parent
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        if isinstance(replica_path, Settings):
            raise TypeError("SyncWorker(home, replica_path): settings only with an open replica")
        self.home = Path(home)
        self.replica_path = Path(replica_path) if replica_path else self.home / "replica.sqlite3"
        settings = settings or Settings.load(self.home)
        self.interval = interval if interval is not None else settings.sync_interval_seconds
        self.retention = timedelta(days=settings.outbox_retention_days)
        self._pruned_at: float | None = None  # time.monotonic() of the last pruning
        self._status = SyncStatus(False, 0, None, "", "正在连接后台…")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def start(self) -> "SyncWorker":
        if self._thread is None:
            share_the_interpreter()
            self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
            self._thread.start()
        return self

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def nudge(self) -> None:
        """Sync soon (e.g. right after a case was saved)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = SyncStatus(**{**self._status.__dict__, **changes})

    def _run(self) -> None:
        from clerk_console.storage.replica import KV_LAST_SYNC, Replica

        try:
            replica = Replica.open(self.replica_path)
        except Exception as exc:  # the UI shows it; the console keeps working offline
            self._set(online=False, message=f"同步无法打开本机数据：{exc}")
            return
        try:
            last = replica.get_kv(KV_LAST_SYNC)
            self._set(last_sync=datetime.fromisoformat(last) if last else None)
            while not self._stop.is_set():
                again = self._round(replica)
                self._wait(replica, 0 if again else self.interval)
        finally:
            replica.close()

    def _round(self, replica: Replica) -> bool:
        """One round; True when more is waiting (sync again at once)."""
        from clerk_console.sync.client import SyncError, TransportRefused
        from clerk_console.sync.runner import SyncDisabled, client_for, sync_once

        try:
            client = client_for(replica, attempts=3, max_wait=10.0, timeout=20.0)
        except SyncDisabled as exc:  # revoked or replaced: say so, sync no more
            self._set(online=False, disabled=True, message=str(exc),
                      queued=self._queued(replica))
            return False
        except TransportRefused as exc:  # plain http beyond loopback: no round, say why
            self._set(online=False, message=str(exc), queued=self._queued(replica))
            return False
        except SyncError:  # not enrolled: say so, and what to do, in the status bar
            self._set(online=False, enrolled=False, message=ENROLL_HINT,
                      queued=self._queued(replica))
            return False
        try:
            with client:
                report = sync_once(replica, client)
        except Exception as exc:  # never let the thread die: report and retry next round
            # type only: messages of database errors can carry the records' values
            log.error("sync round failed: %s", type(exc).__name__)
            self._set(online=False, message=f"同步出错：{type(exc).__name__}")
            return False
        counts = replica.outbox_queue()
        self._set(online=report.online and not report.disabled, enrolled=True,
                  disabled=report.disabled, queued=counts.get("pending", 0),
                  refused=counts.get("refused", 0),
                  last_sync=datetime.now() if report.online and not report.error
                  else self._status.last_sync,
                  clock_warning=report.clock_warning,
                  message=(report.error or report.audit_problem or report.skipped_warning
                           or client.plain_http_warning))
        if report.online and not report.error:
            self._prune(replica)
        self.rounds += 1  # after the status is set: readers of ``rounds`` see its outcome
        return report.online and not report.error and report.queued > 0

    def _prune(self, replica: Replica) -> None:
        """Drop acknowledged events older than the retention (``outbox_retention_days``)."""
        if self._pruned_at is not None and time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        try:
            n = replica.prune_outbox(datetime.now() - self.retention)
        except Exception as exc:  # pruning is housekeeping: never stop the sync for it
            log.warning("outbox pruning failed: %s", type(exc).__name__)
            return
        if n:
            log.info("pruned %d acknowledged outbox events", n)

    def _queued(self, replica: Replica) -> int:
        try:
            return replica.outbox_queue()["pending"]
        except Exception:
            return self._status.queued

    def _wait(self, replica: Replica, seconds: float) -> None:
        """Sleep until the next round, refreshing the queue length for the status bar."""
        remaining = seconds
        while remaining > 0 and not self._stop.is_set():
            if self._wake.wait(min(QUEUE_REFRESH_SECONDS, remaining)):
                self._wake.clear()
                return
            remaining -= QUEUE_REFRESH_SECONDS
            self._set(queued=self._queued(replica))
