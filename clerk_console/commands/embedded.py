"""An embedded back office on loopback for the demo: no setup, sync visibly working.

Not a sub-command: the one place where the console and the back office are put together (the
composition root of ``demo``); nothing below the command layer imports the back office.

``start_embedded(home)`` serves the real back-office app (uvicorn, in a thread) on 127.0.0.1
and a free port, with its SQLite file in ``<home>/backoffice/``; it publishes the shipped
catalogue and calendar and, given the replica, enrolls the window automatically.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from clerk_console.storage.replica import Replica
from clerk_console.sync.token_store import window_token

log = logging.getLogger(__name__)

DEMO_REGION = "370602"  # 烟台市芝罘区


@dataclass
class EmbeddedBackoffice:
    url: str
    db_url: str
    _server: object
    _thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def _publish_shipped_data(engine) -> None:
    """The repository's catalogue and calendar years, if they validate."""
    from clerk_console.backoffice import loaders, service
    from clerk_console.config import data_root
    from clerk_console.sync.protocol import Dataset

    root = data_root()
    sources = [(Dataset.CATALOGUE, lambda: loaders.catalogue_records(root / "catalogue"))]
    sources += [(Dataset.CALENDAR, lambda p=p: loaders.calendar_records(p))
                for p in sorted((root / "calendar").glob("[0-9][0-9][0-9][0-9].toml"))]
    for dataset, read in sources:
        try:
            records = read()
        except loaders.LoadError as exc:
            log.warning("embedded back office: %s", exc)
            continue
        with engine.begin() as conn:
            service.put_records(conn, dataset, records)


DEMO_PASSWORD = "demo-pass-2026"  # the demo's workbench accounts, printed at start
# reviewers of the coffee-shop bundle's four departments, a hall supervisor, an administrator
DEMO_ACCOUNTS = (("scjg", "reviewer", "SCJG"), ("xf", "reviewer", "XF"),
                 ("cg", "reviewer", "CG"), ("xzsp", "reviewer", "XZSP"),
                 ("boss", "supervisor", ""), ("admin", "admin", ""))


def _demo_accounts(engine) -> None:
    """The demo's workbench accounts, once (a department missing from the catalogue: skipped)."""
    from clerk_console.backoffice.service import BackofficeError, accounts

    now = datetime.now(timezone.utc)
    for account_id, role, dept in DEMO_ACCOUNTS:
        try:
            with engine.begin() as conn:
                if any(a["id"] == account_id for a in accounts.list_accounts(conn)):
                    continue
                accounts.add_account(conn, account_id, name=f"演示{account_id}", role=role,
                                     dept=dept, password=DEMO_PASSWORD, actor="demo", now=now)
        except BackofficeError as exc:
            log.warning("embedded back office: demo account %s: %s", account_id, exc)


def enroll_replica(engine, replica: Replica, url: str, *, region: str = DEMO_REGION) -> None:
    """Point the replica at ``url``, enrolling its window unless its token is still valid."""
    from clerk_console.backoffice import service
    from clerk_console.sync.client import SyncClient
    from clerk_console.sync.runner import KV_URL, install_id, save_enrollment

    window = replica.window()
    if window is None:
        raise RuntimeError("演示终端还没有窗口信息，无法自动注册")
    token = window_token(replica)
    if token:
        with engine.begin() as conn:
            try:
                service.authenticate(conn, token)
                valid = True
            except service.BackofficeError:
                valid = False
        if valid:
            replica.set_kv(KV_URL, url)
            return
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        code = service.issue_enrollment_code(conn, window.code, region=region, now=now,
                                             replace=True)  # our old token is not valid
        service.log_admin(conn, actor="demo", action="enrollment-code", subject=window.code,
                          detail=f"region={region}", now=now)
    with SyncClient(url) as client:
        save_enrollment(replica, url, client.enroll(code, install_id(replica)))


def start_embedded(home: Path, replica: Replica | None = None, *,
                   region: str = DEMO_REGION, demo_accounts: bool = False) -> EmbeddedBackoffice:
    import uvicorn

    from clerk_console.backoffice.app import create_app
    from clerk_console.backoffice.db import make_engine

    folder = Path(home) / "backoffice"
    folder.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{folder / 'backoffice.sqlite3'}"
    engine = make_engine(db_url)
    _publish_shipped_data(engine)
    if demo_accounts:
        _demo_accounts(engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="embedded-backoffice", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("内置后台启动失败")
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    if replica is not None:
        enroll_replica(engine, replica, url, region=region)
    return EmbeddedBackoffice(url=url, db_url=db_url, _server=server, _thread=thread)
