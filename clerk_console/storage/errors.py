"""Storage failures said in Chinese: what happened and what to do, never the SQL, its
parameters or SQLite's English text (which can carry the records' values)."""
from __future__ import annotations

import sqlite3
import traceback

# SQLite's message (lower case, a part of it) -> what the clerk is told
_KNOWN = (
    ("disk is full", "磁盘空间已满，本次操作未保存：请清理本机磁盘（或联系技术支持）后重试，"
                     "已保存的办件不受影响"),
    ("database is locked", "本机数据库正被另一个程序占用，本次操作未保存：请关闭另一个受理终端"
                           "窗口后重试"),
    ("readonly", "本机数据库是只读的，本次操作未保存：请检查数据文件夹的权限"),
    ("read-only", "本机数据库是只读的，本次操作未保存：请检查数据文件夹的权限"),
    ("malformed", "本机数据库已损坏，本次操作未保存：请不要删除数据文件，联系技术支持从备份恢复"),
    ("not a database", "本机数据库已损坏，本次操作未保存：请不要删除数据文件，联系技术支持从备份恢复"),
    ("disk i/o error", "读写磁盘出错，本次操作未保存：请检查磁盘（或U盘、网络盘）后重试"),
    ("unable to open", "无法打开本机数据库文件：请检查数据文件夹是否存在、是否有权限"),
)


def storage_message(exc: BaseException) -> str | None:
    """The Chinese message for a storage error (sqlite3 or SQLAlchemy), None for others."""
    from sqlalchemy.exc import DBAPIError

    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:  # ENOSPC
        return _KNOWN[0][1]
    from .db import dbapi

    if (not isinstance(cause, (sqlite3.Error, dbapi().Error))
            and not isinstance(exc, DBAPIError)):
        return None
    text = str(cause).lower()
    for needle, message in _KNOWN:
        if needle in text:
            return message
    return f"本机数据库出错（{type(cause).__name__}），本次操作未保存：请重试，仍不行请联系技术支持"


def where(exc: BaseException) -> str:
    """Type and frames of an exception for the log: no message, no local variables."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return f"{type(exc).__name__} at " + " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
