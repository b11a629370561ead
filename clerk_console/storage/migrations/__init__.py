"""Schema migrations of the replica, run in code (no alembic.ini needed at run time).

``upgrade(path)`` brings a replica file to the newest revision. A plaintext file of a console
before 0.10 is first encrypted in place (:func:`encrypt_in_place`). An existing file that needs
migrating is first copied (SQLite online backup between keyed connections: the backup is
encrypted too) to ``<dir>/backups/``; the whole upgrade runs
in one ``BEGIN IMMEDIATE`` transaction, so a failing revision rolls back and leaves the file as
it was. Failures raise ``ReplicaError`` with a Chinese message; nothing is ever wiped.

Alembic is imported only when a file needs migrating: a replica already at the head written in
the version files opens without it (it is ~0.1 s of the console's start).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from clerk_console.private_files import private_dir, private_file

from ..db import (BACKUP_DIR, ReplicaError, connect, is_plaintext, make_engine, replica_key,
                  writer)
from ..integrity import backups, prune_backups
from ..revisions import written_head

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["written_head", "head", "current", "upgrade", "encrypt_in_place", "backup"]

HERE = Path(__file__).resolve().parent


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    locations = [str(HERE / "versions"), *(str(p) for p in extra_versions)]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


def head(extra_versions: Sequence[Path] = ()) -> str | None:
    """The head revision as alembic reads it (None: no version files)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(extra_versions)).get_current_head()


def current(path: Path) -> str | None:
    """The revision a replica file is at (None: new or empty file); opened read-only."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    conn = connect(path, readonly=True, plaintext=is_plaintext(path))
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise ReplicaError(f"{path} 不是受理终端的数据库（缺少版本信息），文件未做任何改动")
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _checked_current(path: Path) -> str | None:
    """``current``, any failure but ReplicaError said in Chinese."""
    try:
        return current(path)
    except ReplicaError:
        raise
    except Exception as exc:  # not a SQLite file, unreadable, locked ...
        raise ReplicaError(f"无法打开本机数据库 {path}：{exc}。文件未做任何改动，"
                           "请联系技术支持，切勿删除该文件。") from exc


def backup(path: Path, rev: str | None, now: datetime | None = None) -> Path:
    """Copy the replica (consistently, WAL included) to ``<dir>/backups/``."""
    now = now or datetime.now()
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    folder = private_dir(Path(path).parent / BACKUP_DIR)
    target = folder / f"replica-{rev or 'none'}-{stamp}.sqlite3"
    src = connect(path)
    try:
        dst = connect(target, key=replica_key(Path(path).parent))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    private_file(target)
    prune_backups(path, now)
    return target


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _encrypt_file(path: Path, key: bytes) -> None:
    """Rewrite the plaintext SQLite file ``path`` encrypted under ``key`` (``sqlcipher_export``
    into a new file, then renamed over it: a crash leaves the plaintext file as it was)."""
    tmp = path.with_name(path.name + ".encrypting")
    tmp.unlink(missing_ok=True)
    plain = connect(path, plaintext=True)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL's commits into the file
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(tmp), f"x'{key.hex()}'"))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    private_file(tmp)
    _fsync(tmp)
    for suffix in ("-wal", "-shm"):  # empty after the checkpoint; the plaintext's, not the new's
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, path)
    if os.name != "nt":
        _fsync(path.parent)


def encrypt_in_place(path: Path, now: datetime | None = None) -> Path | None:
    """A replica written before encryption (a plaintext SQLite file) is encrypted under its
    folder's key (made now), once; the plaintext backups beside it too. Returns the backup
    kept of it (encrypted), None when there was nothing to do. The caller audits it."""
    path = Path(path)
    if not path.exists() or not is_plaintext(path):
        return None
    key = replica_key(path.parent, create=True)
    try:
        rev = current(path)
        _encrypt_file(path, key)
        for old in backups(path):
            if is_plaintext(old):
                _encrypt_file(old, key)
    except ReplicaError:
        raise
    except Exception as exc:
        raise ReplicaError(f"本机数据库 {path} 加密失败：{type(exc).__name__}。文件未做改动"
                           "（仍是未加密的旧格式），受理终端暂不能启动，请联系技术支持，"
                           "切勿删除数据文件。") from exc
    return backup(path, f"{rev or 'none'}-plaintext", now)


def upgrade(path: Path, *, target: str | None = None,
            extra_versions: Sequence[Path] = ()) -> Path | None:
    """Bring ``path`` to ``target`` (default: head); returns the backup made (None when the
    file was new or already there)."""
    path = Path(path)
    encrypt_in_place(path)
    if target is None and not extra_versions:
        written = written_head()
        if written is not None and _checked_current(path) == written:
            return None  # the usual start: nothing to do, alembic not imported
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(extra_versions)
    try:
        script = ScriptDirectory.from_config(cfg)
        target = target or script.get_current_head()
        if target is None:
            raise RuntimeError("no revision files")
    except Exception as exc:  # a broken installation: refuse before touching the file
        raise ReplicaError(f"受理终端程序的数据库升级脚本有误（{exc}），数据库未做任何改动，"
                           "请重新安装程序或联系技术支持。") from exc
    rev = _checked_current(path)
    if rev == target:
        return None
    if rev is not None:
        try:
            script.get_revision(rev)
        except Exception as exc:
            raise ReplicaError(f"本机数据库版本（{rev}）比本程序新或无法识别，请升级受理终端程序；"
                               "数据库未做任何改动。") from exc
    saved = backup(path, rev) if rev is not None else None
    engine = make_engine(path, foreign_keys=False)  # batch migrations recreate tables
    try:
        with writer(engine).begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"外键检查未通过：{problems[:3]}")
    except Exception as exc:
        where = f"升级前的备份在 {saved}。" if saved else ""
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ReplicaError(f"本机数据库升级失败（{rev or '空库'} → {target}）：{first}。"
                           f"数据库已回滚、未做改动，{where}受理终端暂不能启动，请联系技术支持，"
                           "切勿删除数据文件。") from exc
    finally:
        engine.dispose()
    return saved
