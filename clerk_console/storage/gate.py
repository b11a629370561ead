"""The sign-in gate: the replica opened for signing in alone, before SQLAlchemy is imported.

Opening the full replica (``replica.Replica.open``) imports SQLAlchemy and SQLModel and runs
the integrity check, the migration check and the audit chain check: most of a second on a
window PC. The clerk's first action needs none of it — the window's name on the sign-in
screen, then one PIN check. :meth:`SignInGate.open` opens the file with the raw DB-API
connection (``cipher.connect``: SQLCipher, the folder's key), only when it is already
encrypted and at the schema's head (else None: the caller opens the full replica, which
converts, migrates or refuses it); it reads the window and implements exactly what
``services.audit.login`` needs of the replica port — ``write``, ``get_clerk``, ``verify_pin``
and ``audit`` — with the replica's own rules (``pins``, ``audit_chain``): one hash whatever
the id, the wrong-PIN count and one hash-chained audit entry in one commit. The console
(``ui/desk.py``) drops it once the full replica is open.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from clerk_console.domain.accounts import Clerk

from .cipher import DBAPIConnection, ReplicaError, connect, connection_pragmas, dbapi, is_plaintext
from .revisions import written_head
from .sqltext import datetime_text, local, parse_datetime

_CLERK = ("SELECT id, name, role, pin_salt, pin_hash, failed_attempts, locked_until, active "
          "FROM clerk WHERE id = ?")


class ClerkColumns(NamedTuple):
    """A clerk's row as stored (what ``pins.attempt`` reads)."""

    id: str
    name: str
    role: str
    pin_salt: bytes
    pin_hash: bytes
    failed_attempts: int
    locked_until: datetime | None
    active: bool


class WindowColumns(NamedTuple):
    """This window's row as the sign-in screen shows it (the replica's ``window()`` gives the
    domain's WindowInfo, with its levels)."""

    code: str
    name: str
    hall: str


class SignInGate:
    """The window line and the PIN check on the replica file, on one DB-API connection."""

    def __init__(self, path: Path, conn: DBAPIConnection, window: WindowColumns | None) -> None:
        self.path = path
        self._conn = conn
        self._window = window
        self._lock = threading.RLock()  # one connection, used from the UI and worker threads
        self._depth = 0  # nesting of write()

    @classmethod
    def open(cls, path: Path) -> SignInGate | None:
        """The gate on ``path``; None when the full open must come first: no file, a
        plaintext one (to be encrypted), one not at the head (to be migrated), no key for it
        on this PC or one that does not read (the full open says why, in Chinese)."""
        path = Path(path)
        try:
            if not path.is_file() or path.stat().st_size == 0 or is_plaintext(path):
                return None
            head = written_head()
            if head is None:
                return None
            # transactions are ours (BEGIN IMMEDIATE in write()), as on the engine's connections
            conn = connect(path, check_same_thread=False, isolation_level=None)
        except (ReplicaError, OSError):
            return None
        try:
            connection_pragmas(conn)
            version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if version != [(head,)]:
                conn.close()
                return None
            row = conn.execute("SELECT code, name, hall FROM window LIMIT 1").fetchone()
            window = WindowColumns(*row) if row is not None else None
        except dbapi().Error:
            conn.close()
            return None
        return cls(path, conn, window)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def window(self) -> WindowColumns | None:
        return self._window

    @contextmanager
    def write(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error;
        calls inside it join it (``services.audit.login`` is one commit)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _row(self, clerk_id: str) -> ClerkColumns | None:
        row = self._conn.execute(_CLERK, (clerk_id,)).fetchone()
        if row is None:
            return None
        return ClerkColumns(row[0], row[1], row[2], bytes(row[3] or b""), bytes(row[4]),
                            int(row[5] or 0), parse_datetime(row[6]), bool(row[7]))

    def get_clerk(self, clerk_id: str) -> Clerk | None:
        from .pins import clerk_of

        with self._lock:
            row = self._row(clerk_id)
        return clerk_of(row) if row else None

    def verify_pin(self, clerk_id: str, pin: str, now: datetime) -> Clerk | None:
        """As the replica's ``verify_pin``: the same rules (``pins.attempt``), one hash
        whatever the id, the columns it changes stored in the caller's transaction."""
        from .pins import STORED, attempt, clerk_of  # argon2: imported after the window line

        now = local(now) or now
        with self.write():
            row = self._row(clerk_id)
            ok, values = attempt(row, pin, now)
            if row is None or values is None:
                return None
            assert set(values) <= set(STORED)
            stored = {k: datetime_text(v) if k == "locked_until" else v
                      for k, v in values.items()}
            sets = ", ".join(f"{k} = ?" for k in stored)
            self._conn.execute(f"UPDATE clerk SET {sets} WHERE id = ?",
                               (*stored.values(), clerk_id))
            return clerk_of(row, **values) if ok else None

    def audit(self, clerk_id: str, action: str, subject: str,
              detail: dict[str, Any] | None = None, *, at: datetime | None = None) -> None:
        """Append one entry to the audit log (``audit_chain``: as the replica does)."""
        from .audit_chain import append_entry  # its ids (uuid6) read package metadata: later

        with self.write():
            append_entry(self._conn.execute, clerk_id, action, subject, detail, at=at)

