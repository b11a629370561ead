"""Schema migrations of the replica, run in code (no alembic.ini needed at run time).

``upgrade(path)`` brings a replica file to the newest revision. An existing file that needs
migrating is first copied (SQLite online backup) to ``<dir>/backups/``; the whole upgrade runs
in one ``BEGIN IMMEDIATE`` transaction, so a failing revision rolls back and leaves the file as
it was. Failures raise ``ReplicaError`` with a Chinese message; nothing is ever wiped.

Alembic is imported only when a file needs migrating: a replica already at the head written in
the version files opens without it (it is ~0.1 s of the console's start).
"""
from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from clerk_console.private_files import private_dir, private_file

from ..db import ReplicaError, make_engine, writer
from ..integrity import BACKUP_DIR, prune_backups

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)\s*=\s*(None|"[^"]*"|'[^']*')\s*(?:#.*)?$""", re.M)


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    locations = [str(HERE / "versions"), *(str(p) for p in extra_versions)]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


def head(extra_versions: Sequence[Path] = ()) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(extra_versions)).get_current_head()


def written_head() -> str | None:
    """The head revision read off the version files' ``revision``/``down_revision`` lines,
    without importing alembic; None when it cannot be told that way (no .py files, a merge,
    a line of another form): then alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if set(found) != {"revision", "down_revision"}:
            return None
        revisions.add(found["revision"][1:-1])
        if found["down_revision"] != "None":
            parents.add(found["down_revision"][1:-1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def current(path: Path) -> str | None:
    """The revision a replica file is at (None: new or empty file); opened read-only."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
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
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    private_file(target)
    prune_backups(path, now)
    return target


def upgrade(path: Path, *, target: str | None = None,
            extra_versions: Sequence[Path] = ()) -> Path | None:
    """Bring ``path`` to ``target`` (default: head); returns the backup made (None when the
    file was new or already there)."""
    path = Path(path)
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
