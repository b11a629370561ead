"""The SQLite engine of the local replica: encrypted, durable pragmas, explicit transactions.

The replica is a SQLCipher 4 file (``sqlcipher3``): every page, the WAL and so every backup are
encrypted under one random 256-bit key per window folder, :func:`replica_key`, kept by
``clerk_console.keystore`` (the OS keystore, else a key file outside the window folder). The
key is applied raw (``PRAGMA key = "x'…'"``: no PBKDF2 on open) as the first statement of every
connection, by :func:`connect` — the one way anything opens the replica file or a backup.

pysqlite opens transactions lazily and never with ``BEGIN IMMEDIATE``; a write that starts as
a read can then fail with "database is locked" half-way through. So the driver's own
transaction handling is switched off (``isolation_level = None``) and SQLAlchemy's ``begin``
event emits the BEGIN itself: ``BEGIN IMMEDIATE`` on connections opened by :func:`write`, a
plain (deferred) ``BEGIN`` for reads. This is SQLAlchemy's documented pysqlite recipe.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import Session

from clerk_console.domain.errors import ClerkError

BACKUP_DIR = "backups"  # <window folder>/backups/: copies of the replica, same key
KEY_KIND = "replica-key"  # keystore entries "replica-key:<id>"
KEY_ID_FILE = "replica.keyid"  # in the window folder: which key (an id, not the key)
SQLITE_HEADER = b"SQLite format 3\x00"  # a plaintext SQLite file (an encrypted one is random)
BUSY_TIMEOUT_MS = 10_000
BACKGROUND_YIELD_S = 2.0  # longest a background write waits for the clerk's writes to finish
_BEGIN_OPTION = "clerk_begin"  # execution option read by the begin hook


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
    from clerk_console.keystore import KEY_BYTES, key_file, keystore_get, keystore_set

    key_id = _key_id(home, create=create)
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


def make_engine(path: Path, *, foreign_keys: bool = True) -> Engine:
    """An engine on the replica file ``path`` (SQLCipher, keyed first) with WAL,
    synchronous=FULL and foreign keys. A new file gets the folder's key (made if needed)."""
    path = Path(path)
    key = key_of(path)
    # hide_parameters: an error's text never carries the values (ID numbers, phones ...)
    # module: SQLAlchemy wraps sqlcipher3's errors (OperationalError, IntegrityError ...)
    engine = create_engine(f"sqlite:///{path}", module=_sqlcipher(), hide_parameters=True,
                           creator=lambda: connect(path, key=key, check_same_thread=False))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:  # a sqlcipher3 connection
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but every transaction it begins is ``BEGIN IMMEDIATE``."""
    return engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})


class _Gate:
    """Writers of one database file in this process: SQLite's lock is not fair (a waiting
    writer sleeps in growing steps while a busy one takes the lock again at once), so
    background writers (sync) start a transaction only when no clerk's write is waiting."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.foreground = 0  # clerk's writes waiting for the lock or holding it

    @contextmanager
    def foreground_write(self) -> Iterator[None]:
        with self.cond:
            self.foreground += 1
        try:
            yield
        finally:
            with self.cond:
                self.foreground -= 1
                self.cond.notify_all()

    def background_turn(self) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.foreground == 0, timeout=BACKGROUND_YIELD_S)


_GATES: dict[str, _Gate] = {}
_GATES_LOCK = threading.Lock()


def _gate(engine: Engine) -> _Gate:
    key = str(Path(engine.url.database or "").resolve()) if engine.url.database else repr(engine)
    with _GATES_LOCK:
        return _GATES.setdefault(key, _Gate())


class Transactions:
    """Sessions on one engine; a write nested in another write (same thread) joins it.

    Nesting lets a batch (``with tx.write(): ...`` around many service calls) commit once,
    while each service call on its own still commits its own transaction. ``write(background=
    True)`` (sync's short transactions) lets every waiting clerk's write go first.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._local = threading.local()
        self._gate = _gate(engine)

    @property
    def in_write(self) -> bool:
        return getattr(self._local, "session", None) is not None

    def write(self, *, background: bool = False) -> AbstractContextManager[Session]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        return self._session(self._writer, writing=True, background=background)

    def read(self) -> AbstractContextManager[Session]:
        """A read-only session (a consistent snapshot); inside a write, the write's session."""
        return self._session(self.engine, writing=False)

    @contextmanager
    def _session(self, engine: Engine, *, writing: bool,
                 background: bool = False) -> Iterator[Session]:
        current = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        guard: AbstractContextManager[None] = nullcontext()
        if writing and background:
            self._gate.background_turn()
        elif writing:
            guard = self._gate.foreground_write()
        with guard, Session(engine, expire_on_commit=False) as session:
            if writing:
                self._local.session = session
            try:
                with session.begin():
                    if writing:
                        session.connection()  # BEGIN IMMEDIATE now: the lock from the start
                    yield session
            finally:
                if writing:
                    self._local.session = None


def pragmas(engine: Engine) -> dict[str, object]:
    """The pragmas that make commits durable, as the connection reports them."""
    with engine.connect() as conn:
        return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}


class ReplicaError(ClerkError, RuntimeError):
    """The replica cannot be opened or migrated; the message is Chinese and says what to do."""
