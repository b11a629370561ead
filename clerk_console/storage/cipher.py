"""The replica file itself, without SQLAlchemy: its key, the one raw DB-API connection to it
(SQLCipher, keyed first) and the pragmas every connection sets. ``storage/db.py`` builds the
SQLAlchemy engine on these; the sign-in gate (``storage/gate.py``) uses them alone, so the
sign-in screen can check a PIN before SQLAlchemy is imported."""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from clerk_console.domain.errors import ClerkError
from clerk_console.keystore import KEY_DIR_ENV

BACKUP_DIR = "backups"  # <window folder>/backups/: copies of the replica, same key
KEY_KIND = "replica-key"  # keystore entries "replica-key:<id>"
KEY_ID_FILE = "replica.keyid"  # in the window folder: which key (an id, not the key)
SQLITE_HEADER = b"SQLite format 3\x00"  # a plaintext SQLite file (an encrypted one is random)
BUSY_TIMEOUT_MS = 10_000
_KEYS: dict[tuple, bytes] = {}  # replica keys found in this process (see replica_key)
_KEYS_LOCK = threading.Lock()


def _window_folder(path: Path) -> Path:
    """The window folder of a replica file or of one of its backups."""
    path = Path(path)
    return path.parent.parent if path.parent.name == BACKUP_DIR else path.parent


def _key_id(home: Path, *, create: bool) -> str | None:
    """The random id naming the folder's key in the keystore (``replica.keyid``: not secret)."""
    path = Path(home) / KEY_ID_FILE
    try:
        kept = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        kept = ""
    if re.fullmatch(r"[0-9a-f]{32}", kept):
        return kept
    if not create:
        return None
    import secrets

    from clerk_console.private_files import private_file

    made = secrets.token_hex(16)
    tmp = path.with_name(KEY_ID_FILE + ".tmp")
    tmp.write_text(made + "\n", encoding="ascii")
    private_file(tmp)
    os.replace(tmp, path)
    return made


def replica_key(home: Path, *, create: bool = False) -> bytes:
    """The key of the replica of the window folder ``home``: 32 random bytes, in the OS
    keystore (hex) or else in a key file outside the folder, found by the id the folder keeps
    in ``replica.keyid`` (so the folder may move on this PC; a copy taken elsewhere has no
    key). Made when ``create`` and there is none yet; ``ReplicaError`` (Chinese) when there is
    none and it may not be made."""
    key_id = _key_id(home, create=create)
    # one look-up per folder and keystore in a process (the gate, check and engine of one
    # start each need the key; asking the OS keystore is the slow part)
    cached = (str(Path(home).resolve()), key_id, os.environ.get(KEY_DIR_ENV),
              os.environ.get("PYTHON_KEYRING_BACKEND"))
    with _KEYS_LOCK:
        if key_id is not None and cached in _KEYS:
            return _KEYS[cached]
    key = _find_or_make_key(home, key_id, create=create)
    with _KEYS_LOCK:
        _KEYS[cached] = key
    return key


def _find_or_make_key(home: Path, key_id: str | None, *, create: bool) -> bytes:
    from clerk_console.keystore import KEY_BYTES, key_file, keystore_get, keystore_set

    if key_id is not None:
        entry = f"{KEY_KIND}:{key_id}"
        kept = keystore_get(entry)
        if kept and re.fullmatch(r"[0-9a-f]{64}", kept):
            return bytes.fromhex(kept)
        raw = key_file(entry, create=False)
        if raw is not None and len(raw) == KEY_BYTES:
            return raw
    if not create or key_id is None:
        raise ReplicaError(
            f"文件夹 {home} 里的本机数据库无法打开：它是加密的（或根本不是受理终端的数据库），"
            "而本机的密钥库里没有它的密钥（数据文件夹是从别的电脑复制来的，或其中的 "
            f"{KEY_ID_FILE} 文件丢失？）。文件未做任何改动，请联系技术支持，切勿删除该文件。")
    import secrets

    key = secrets.token_bytes(KEY_BYTES)
    if keystore_set(entry, key.hex()):
        return key
    made = key_file(entry, create=True)
    assert made is not None
    return made


def is_plaintext(path: Path) -> bool:
    """True for a SQLite file written without encryption (by a console before 0.10)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


class DBAPICursor(Protocol):
    """What is used of a sqlcipher3 cursor (the package ships no types; its API is pysqlite's)."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class DBAPIConnection(Protocol):
    """What is used of a raw sqlcipher3 connection, as :func:`connect` returns it."""

    def execute(self, sql: str, parameters: Sequence[object] = ..., /) -> DBAPICursor: ...

    def backup(self, target: DBAPIConnection, /) -> None: ...

    def close(self) -> None: ...


@cache
def _sqlcipher() -> ModuleType:
    import sqlcipher3.dbapi2 as sqlcipher

    quiet = sqlcipher.connect(":memory:")  # SQLCipher's own log goes to stderr: the screen
    quiet.execute("PRAGMA cipher_log_level = NONE")  # process-wide; our errors say it in Chinese
    quiet.close()
    module: ModuleType = sqlcipher  # sqlcipher3 ships no types: the import is Any to mypy
    return module


def dbapi() -> ModuleType:
    """The DB-API module of the replica (sqlcipher3.dbapi2): its ``Error`` classes."""
    return _sqlcipher()


def key_of(path: Path) -> bytes:
    """The key of the replica file (or backup) ``path``; made for a new or empty file."""
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    return replica_key(_window_folder(path), create=new)


def connect(path: Path, *, key: bytes | None = None, readonly: bool = False,
            plaintext: bool = False, **kwargs: Any) -> DBAPIConnection:
    """The one raw DB-API connection to a replica file or a backup of it: SQLCipher, the key
    (``key``, else the folder's :func:`replica_key`) applied as the first statement.
    ``plaintext`` (converting a file of an older console) opens it without a key."""
    path = Path(path)
    sqlcipher = _sqlcipher()
    if not plaintext and key is None:
        key = key_of(path)
    if readonly:
        conn: DBAPIConnection = sqlcipher.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                  uri=True, **kwargs)
    else:
        conn = sqlcipher.connect(str(path), **kwargs)
    if not plaintext:
        assert key is not None and len(key) == 32
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def connection_pragmas(conn: Any, *, foreign_keys: bool = True) -> None:
    """What every connection that reads and writes the replica sets: a busy timeout, WAL,
    ``synchronous = FULL`` (a commit is on disk), foreign keys. Transactions are ours
    (``isolation_level = None``: the caller emits BEGIN)."""
    cur = conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    cur.close()


class ReplicaError(ClerkError, RuntimeError):
    """The replica cannot be opened or migrated; the message is Chinese and says what to do."""
