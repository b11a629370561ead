"""The window's files and failures: folders 0700 and files 0600, backups pruned, an empty or
corrupt replica refused in Chinese, SQL errors without their parameters, storage errors and
crashes told in Chinese without local variables."""
from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from clerk_console import cli as console_cli
from clerk_console.storage import integrity, migrations
from clerk_console.storage.db import ReplicaError
from clerk_console.storage.errors import storage_message
from clerk_console.storage.replica import Replica

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows: icacls ACL)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix
def test_replica_backups_and_notices_are_the_users_own(tmp_path, replica):
    old = os.umask(0o022)  # the attack ran with the usual umask: 0644 files in 0755 folders
    try:
        home = tmp_path / "window"
        r = Replica.open(home / "replica.sqlite3")
        with r.write() as s:
            s.execute(text("SELECT 1"))
        saved = migrations.backup(r.path, "test")
        r.close()
        assert mode(home) == 0o700
        for suffix in ("", "-wal", "-shm"):
            f = home / f"replica.sqlite3{suffix}"
            if f.exists():
                assert mode(f) == 0o600, f
        assert mode(saved.parent) == 0o700 and mode(saved) == 0o600
    finally:
        os.umask(old)


@posix
def test_notice_pdfs_are_written_0600(tmp_path, replica, monkeypatch):
    from clerk_console.printing import printers

    class Rendered:
        data = b"%PDF-1.4 test"
        warnings = ()

    class Doc:
        file_stem = "YT0101-20261127-0001"
        warnings = ()

    monkeypatch.setattr("clerk_console.printing.pdf.render", lambda docs, settings: Rendered)
    old = os.umask(0o022)
    try:
        path, _ = printers.save_pdf([Doc()], None, tmp_path / "notices")
    finally:
        os.umask(old)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_backups_are_pruned_by_count_and_age(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 11, 27, 9)
    for days in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 200]:
        at = now - timedelta(days=days)
        (folder / f"replica-x-{at:%Y%m%dT%H%M%S}000000.sqlite3").write_bytes(b"x")
    gone = integrity.prune_backups(tmp_path / "replica.sqlite3", now)
    left = integrity.backups(tmp_path / "replica.sqlite3")
    assert len(left) == integrity.BACKUP_KEEP and len(gone) == 4
    assert all(now - integrity._taken(b) <= integrity.BACKUP_MAX_AGE for b in left)
    # a lone old backup is kept: it may be the only way back
    for b in left[1:]:
        b.unlink()
    assert integrity.prune_backups(tmp_path / "replica.sqlite3", now + timedelta(days=400)) == []


def _good_backup(home: Path) -> Path:
    r = Replica.open(home / "replica.sqlite3")
    r.close()
    return migrations.backup(home / "replica.sqlite3", "good")


def test_an_empty_replica_is_refused_and_the_backup_named(tmp_path, capsys):
    home = tmp_path / "w"
    saved = _good_backup(home)
    (home / "replica.sqlite3").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (home / f"replica.sqlite3{suffix}").unlink(missing_ok=True)
    with pytest.raises(ReplicaError, match="0字节") as exc:
        Replica.open(home / "replica.sqlite3")
    assert str(saved) in str(exc.value)
    assert (home / "replica.sqlite3").stat().st_size == 0  # left as it was
    assert console_cli.main(["--data-dir", str(home), "cases"]) == 1
    err = capsys.readouterr().err
    assert "0字节" in err and "Traceback" not in err


def test_a_corrupt_replica_is_refused_in_chinese(tmp_path, capsys):
    home = tmp_path / "w"
    saved = _good_backup(home)
    path = home / "replica.sqlite3"
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 4096):  # every page after the first: scribbled
        data[i + 10:i + 200] = os.urandom(190)
    path.write_bytes(bytes(data))
    with pytest.raises(ReplicaError, match="已损坏") as exc:
        Replica.open(path)
    assert str(saved) in str(exc.value)
    for command in (["cases"], ["notice", "YT0101-20261127-0001", "--text"]):
        assert console_cli.main(["--data-dir", str(home), *command]) == 1
        err = capsys.readouterr().err
        assert "已损坏" in err and "Traceback" not in err


def test_sql_errors_carry_no_parameters(replica):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as exc:
        with replica.write() as s:
            for _ in range(2):
                s.execute(text("INSERT INTO kv (key, value) VALUES (:k, :v)"),
                          {"k": "370602199203154321", "v": "13800000000"})
    assert "370602199203154321" not in str(exc.value)
    assert "13800000000" not in str(exc.value)


def test_a_full_disk_is_said_in_chinese(tmp_path):
    conn = sqlite3.connect(tmp_path / "tiny.sqlite3")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as exc:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 4000,))
    assert "full" in str(exc.value)
    assert storage_message(exc.value).startswith("磁盘空间已满")
    assert storage_message(ValueError("x")) is None


async def test_a_crash_shows_a_chinese_message_and_no_locals(tmp_path, replica, capsys, caplog):
    """A defect in a callback: the console stays up with a Chinese apology; neither the screen,
    the terminal nor the log gets the callback's locals (the crash guard, ui/guard.py)."""
    from clerk_console.ui.app import ClerkApp
    from clerk_console.ui.guard import APOLOGY

    app = ClerkApp(tmp_path, sync=False)

    def explode():
        pin = "123456"  # noqa: F841  (a local the crash report used to print)
        id_number = "370602199203154321"  # noqa: F841
        raise RuntimeError("boom")

    async with app.run_test(size=(80, 24)) as pilot:
        app.call_later(explode)
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert APOLOGY in messages
    shown = capsys.readouterr().err + "\n".join(messages) + caplog.text
    assert "RuntimeError" in caplog.text
    assert "123456" not in shown and "370602199203154321" not in shown
