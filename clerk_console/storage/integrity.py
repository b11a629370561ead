"""Checks on the replica file before it is used: an empty or corrupt file is refused with a
Chinese message pointing to the latest backup, never opened as a blank window or left to fail
later with a traceback; backups are pruned by age and count."""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from .db import ReplicaError

BACKUP_DIR = "backups"
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


def _problem(path: Path) -> str:
    """"" when the SQLite file reads back whole, else what is wrong (English, for logs)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if path.stat().st_size <= FULL_CHECK_BYTES:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                return "; ".join(str(r[0]) for r in rows[:3])
        return ""
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()


def _latest_good(path: Path) -> str:
    for backup in backups(path):
        if backup.stat().st_size and not _problem(backup):
            return f"最近的完好备份：{backup}。"
    return "没有找到完好的备份。"


def check_replica(path: Path) -> None:
    """ReplicaError (Chinese) when ``path`` exists but is empty or corrupt."""
    path = Path(path)
    if not path.exists():
        return
    if path.stat().st_size == 0:
        raise ReplicaError(f"本机数据库 {path} 是空文件（0字节），可能在写入时损坏，受理终端拒绝"
                           f"把它当作新窗口打开。{_latest_good(path)}请联系技术支持恢复，"
                           "切勿删除该文件。")
    if _problem(path):
        raise ReplicaError(f"本机数据库 {path} 无法打开：文件已损坏（完整性检查未通过），"
                           "受理终端不能使用它，文件未做任何改动。"
                           f"{_latest_good(path)}请联系技术支持恢复，切勿删除该文件。")
