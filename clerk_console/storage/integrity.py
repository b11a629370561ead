"""Checks on the replica file before it is used: an empty or corrupt file, or one this PC has
no key for (or the wrong key), is refused with a Chinese message pointing to the latest backup,
never opened as a blank window or left to fail later with a traceback; backups are pruned by
age and count."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from .db import BACKUP_DIR, ReplicaError, connect, dbapi, is_plaintext, replica_key

BACKUP_KEEP = 10  # newest backups kept
BACKUP_MAX_AGE = timedelta(days=90)  # older ones go, except the newest
FULL_CHECK_BYTES = 128 * 1024 * 1024  # above this only the schema is read on open (~1.6 ms/MB)
_STAMP = re.compile(r"-(\d{8}T\d{6})\d*\.sqlite3$")


def backups(path: Path) -> list[Path]:
    """The replica's backups, newest first."""
    folder = Path(path).parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("replica-*.sqlite3"), key=_taken, reverse=True)


def _taken(backup: Path) -> datetime:
    m = _STAMP.search(backup.name)
    if m:
        return datetime.strptime(m.group(1), "%Y%m%dT%H%M%S")
    return datetime.fromtimestamp(backup.stat().st_mtime)


def prune_backups(path: Path, now: datetime) -> list[Path]:
    """Delete backups beyond the newest BACKUP_KEEP and those older than BACKUP_MAX_AGE
    (the newest one always stays); the deleted files."""
    gone = []
    for i, backup in enumerate(backups(path)):
        if i > 0 and (i >= BACKUP_KEEP or now - _taken(backup) > BACKUP_MAX_AGE):
            backup.unlink(missing_ok=True)
            gone.append(backup)
    return gone


def _problem(path: Path, key: bytes | None = None) -> tuple[str, bool]:
    """("", True) when the file reads back whole, else (what is wrong in English, for logs;
    whether its first page decrypted at all). A plaintext file of an older console is read
    without a key; an encrypted one with ``key`` (default: its folder's)."""
    error = dbapi().Error
    decrypted = False
    try:
        conn = connect(path, key=key, readonly=True, plaintext=is_plaintext(path))
    except ReplicaError as exc:  # no key for it on this PC
        return str(exc), False
    except error as exc:
        return str(exc), False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        decrypted = True
        if path.stat().st_size <= FULL_CHECK_BYTES:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                return "; ".join(str(r[0]) for r in rows[:3]), True
        return "", True
    except error as exc:
        return str(exc), decrypted
    finally:
        conn.close()


def _good_backups(path: Path, key: bytes | None = None) -> list[Path]:
    """The backups that read back whole, newest first (a plaintext one of an older console
    too)."""
    return [b for b in backups(path) if b.stat().st_size and not _problem(b, key)[0]]


def _latest_good(path: Path, key: bytes | None = None) -> str:
    good = _good_backups(path, key)
    return f"最近的完好备份：{good[0]}。" if good else "没有找到完好的备份。"


def check_replica(path: Path) -> None:
    """ReplicaError (Chinese) when ``path`` exists but is empty or corrupt."""
    path = Path(path)
    if not path.exists():
        return
    if path.stat().st_size == 0:
        raise ReplicaError(f"本机数据库 {path} 是空文件（0字节），可能在写入时损坏，受理终端拒绝"
                           f"把它当作新窗口打开。{_latest_good(path)}请联系技术支持恢复，"
                           "切勿删除该文件。")
    key = None if is_plaintext(path) else replica_key(path.parent)  # ReplicaError: no key here
    problem, decrypted = _problem(path, key)
    if not problem:
        return
    if not decrypted and not _good_backups(path, key):
        # its first page does not decrypt, and no backup does either: the wrong key (a folder
        # copied from another PC or window) — or a file damaged from its first page on
        raise ReplicaError(f"本机数据库 {path} 无法解密：本机密钥库中的密钥与它不符（数据文件夹"
                           "是从别的电脑或别的窗口文件夹复制来的？），或文件已损坏。受理终端不能"
                           f"使用它，文件未做任何改动。{_latest_good(path, key)}"
                           "请联系技术支持，切勿删除该文件。")
    if problem:
        raise ReplicaError(f"本机数据库 {path} 无法打开：文件已损坏（完整性检查未通过），"
                           "受理终端不能使用它，文件未做任何改动。"
                           f"{_latest_good(path, key)}请联系技术支持恢复，切勿删除该文件。")
