"""What every part of the replica shares: the file, its transactions and in-memory caches."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from clerk_console.private_files import private_dir, private_sqlite

from .. import migrations
from ..db import Transactions, make_engine
from ..integrity import check_replica

if TYPE_CHECKING:
    from typing import Self

    from clerk_console.domain.calendar import WorkCalendar
    from clerk_console.domain.catalogue import Catalogue

    from .values import WindowInfo


class ReplicaBase:
    """One window's replica file. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, path: Path, tx: Transactions) -> None:
        self.path = path
        self.tx = tx
        self._catalogue: Catalogue | None = None
        self._calendar: WorkCalendar | None = None
        self._window: WindowInfo | None = None

    @classmethod
    def open(cls, path: Path) -> Self:
        """Open (creating if needed) and migrate; ``ReplicaError`` if it cannot be used."""
        path = Path(path)
        private_dir(path.parent)
        check_replica(path)  # an empty or corrupt file is refused, never opened blank
        encrypted = migrations.encrypt_in_place(path)  # a plaintext file of an older console
        migrations.upgrade(path)
        private_sqlite(path)
        replica = cls(path, Transactions(make_engine(path)))
        if encrypted is not None:
            from .audit import append

            with replica.write() as s:
                append(s, "console", "replica.encrypt", path.name, {"backup": encrypted.name})
        return replica

    def close(self) -> None:
        self.tx.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; calls inside it join it (batching, atomic service actions)."""
        with self.tx.write() as session:
            yield session

    @contextmanager
    def background_write(self) -> Iterator[Session]:
        """A short write of sync's or housekeeping's: it starts only when no clerk's write is
        waiting for the lock (see ``db.Transactions``)."""
        with self.tx.write(background=True) as session:
            yield session
