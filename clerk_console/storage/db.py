"""The SQLite engine of the local replica: encrypted, durable pragmas, explicit transactions.

The file, its key and the raw connection are ``storage/cipher.py``'s (no SQLAlchemy there).
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

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import Session

from .cipher import (BACKUP_DIR, BUSY_TIMEOUT_MS, KEY_ID_FILE, KEY_KIND, SQLITE_HEADER,
                     DBAPIConnection, DBAPICursor, ReplicaError, connect, connection_pragmas,
                     dbapi, is_plaintext, key_of, replica_key)

__all__ = ["BACKUP_DIR", "BUSY_TIMEOUT_MS", "KEY_ID_FILE", "KEY_KIND", "SQLITE_HEADER",
           "DBAPIConnection", "DBAPICursor", "ReplicaError", "connect", "dbapi",
           "is_plaintext", "key_of", "replica_key", "make_engine", "writer",
           "Transactions", "pragmas", "pausing", "no_pause"]

BACKGROUND_YIELD_S = 2.0  # longest a background write waits for the clerk's writes to finish
GIVE_WAY_ROWS = 500  # rows of background Python work (~1-3 ms) between two give_way() calls
_BEGIN_OPTION = "clerk_begin"  # execution option read by the begin hook
T = TypeVar("T")


def no_pause() -> None:
    """A ``give_way`` that never waits (work done inside the caller's own transaction)."""


def pausing(items: Iterable[T], give_way: Callable[[], None]) -> Iterator[T]:
    """``items`` one by one, with ``give_way()`` (``Transactions.give_way``) before every
    ``GIVE_WAY_ROWS``-th: background Python work that pauses while a clerk's save runs."""
    for n, item in enumerate(items):
        if n % GIVE_WAY_ROWS == 0:
            give_way()
        yield item


def make_engine(path: Path, *, foreign_keys: bool = True) -> Engine:
    """An engine on the replica file ``path`` (SQLCipher, keyed first) with WAL,
    synchronous=FULL and foreign keys. A new file gets the folder's key (made if needed)."""
    path = Path(path)
    key = key_of(path)
    # hide_parameters: an error's text never carries the values (ID numbers, phones ...)
    # module: SQLAlchemy wraps sqlcipher3's errors (OperationalError, IntegrityError ...)
    engine = create_engine(f"sqlite:///{path}", module=dbapi(), hide_parameters=True,
                           creator=lambda: connect(path, key=key, check_same_thread=False))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:  # a sqlcipher3 connection
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        connection_pragmas(dbapi_conn, foreign_keys=foreign_keys)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but every transaction it begins is ``BEGIN IMMEDIATE``."""
    return engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})


class _Gate:
    """Writers of one database file in this process, handed the lock in turn here rather than
    by SQLite. SQLite's lock is not fair and its busy handler sleeps in growing steps (1, 2, 5,
    10, 15, 20, 25 ... ms), so a clerk's save waiting behind one of sync's transactions woke up
    to 25 ms after the lock was free, and sync, running Python beside it, kept taking the GIL
    from it. Here a background writer (sync, housekeeping) begins only when no clerk's write is
    waiting or running, and a clerk's write waits for the running background transaction on a
    condition that wakes it the moment that transaction ends, while sync's thread sleeps."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.foreground = 0  # clerk's writes waiting for the lock or holding it
        self.background = 0  # background transactions holding the lock (0 or 1)

    @contextmanager
    def foreground_write(self) -> Iterator[None]:
        with self.cond:
            self.foreground += 1
            # after the busy timeout SQLite's own busy handler takes over (and may refuse)
            self.cond.wait_for(lambda: self.background == 0, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            yield
        finally:
            with self.cond:
                self.foreground -= 1
                self.cond.notify_all()

    def give_way(self) -> None:
        """Called by background work between steps of its Python (parsing a page, building
        rows): it sleeps while a clerk's write is waiting or running, so that write has the
        interpreter to itself."""
        if self.foreground:
            with self.cond:
                self.cond.wait_for(lambda: self.foreground == 0, timeout=BACKGROUND_YIELD_S)

    @contextmanager
    def background_write(self) -> Iterator[None]:
        with self.cond:
            self.cond.wait_for(lambda: self.foreground == 0, timeout=BACKGROUND_YIELD_S)
            self.cond.wait_for(lambda: self.background == 0, timeout=BUSY_TIMEOUT_MS / 1000)
            self.background += 1
        try:
            yield
        finally:
            with self.cond:
                self.background -= 1
                self.cond.notify_all()


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

    def give_way(self) -> None:
        """Background work's pause point: returns at once, or when the clerk's writes that
        are waiting or running in this process are done (see ``_Gate.give_way``); at once
        inside a write of this thread's own (it would wait for itself)."""
        if not self.in_write:
            self._gate.give_way()

    def clerk_waiting(self) -> bool:
        """A clerk's write (not a background one) is waiting for the lock in this process:
        a long background transaction should commit now and let it go first."""
        return self._gate.foreground > 0

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
        if writing:
            guard = (self._gate.background_write() if background
                     else self._gate.foreground_write())
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
