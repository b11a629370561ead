"""Back-office storage: SQLite file by default, PostgreSQL with ``--db postgresql://…``.

Processes keep no state of their own, so several can serve one PostgreSQL database. Each
process's connection pool is sized from the environment (``pool_settings``): processes ×
(size + overflow) must stay below PostgreSQL's ``max_connections`` (100 by default), or the
processes go through PgBouncer (``CLERK_BACKOFFICE_PGBOUNCER=1``: no pool of our own, no
prepared statements, as its transaction pooling needs). See README, "Back office on PostgreSQL".
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event

from clerk_console.backoffice import tables  # noqa: F401  (registers the tables)

DB_ENV = "CLERK_BACKOFFICE_DB"
HOME_ENV = "CLERK_BACKOFFICE_HOME"
DB_FILE = "backoffice.sqlite3"
POOL_ENV = "CLERK_BACKOFFICE_POOL_"  # + SIZE, OVERFLOW, TIMEOUT
PGBOUNCER_ENV = "CLERK_BACKOFFICE_PGBOUNCER"


@dataclass(frozen=True)
class PoolSettings:
    """One process's PostgreSQL connections: ``size`` kept open, up to ``overflow`` more in a
    burst, a request waits ``timeout`` seconds for one; ``pgbouncer``: PgBouncer pools instead."""

    size: int = 5
    overflow: int = 5
    timeout: int = 10
    pgbouncer: bool = False

    @property
    def most(self) -> int:
        return self.size + self.overflow


_POOL_RANGES = {"size": (1, 100), "overflow": (0, 100), "timeout": (1, 300)}


def pool_settings(environ: dict[str, str] | None = None) -> PoolSettings:
    """The pool from ``CLERK_BACKOFFICE_POOL_SIZE`` / ``_OVERFLOW`` / ``_TIMEOUT`` and
    ``CLERK_BACKOFFICE_PGBOUNCER`` (0/1); a bad value is refused in Chinese (ValueError)."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (lo, hi) in _POOL_RANGES.items():
        key = POOL_ENV + name.upper()
        raw = env.get(key, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not lo <= int(raw) <= hi:
            raise ValueError(f"环境变量 {key}={raw!r} 无效：应为 {lo} 到 {hi} 之间的整数")
        values[name] = int(raw)
    raw = env.get(PGBOUNCER_ENV, "").strip()
    if raw not in ("", "0", "1"):
        raise ValueError(f"环境变量 {PGBOUNCER_ENV}={raw!r} 无效：应为 0 或 1")
    return PoolSettings(**values, pgbouncer=raw == "1")  # type: ignore[arg-type]


def backoffice_home() -> Path:
    env = os.environ.get(HOME_ENV)
    if env:
        path = Path(env)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("clerk-backoffice", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(arg: str | None = None) -> str:
    """``--db`` > $CLERK_BACKOFFICE_DB > a SQLite file in the back-office home."""
    url = arg or os.environ.get(DB_ENV) or f"sqlite:///{backoffice_home() / DB_FILE}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None, *, create: bool = True,
                pool: PoolSettings | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)  # no personal data in error logs
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, hide_parameters=True, **_pool_options(pool or pool_settings()))
    if create:
        create_schema(engine)
    return engine


def _pool_options(pool: PoolSettings) -> dict:
    if pool.pgbouncer:  # PgBouncer (transaction pooling) holds the connections
        from sqlalchemy.pool import NullPool

        return {"poolclass": NullPool, "connect_args": {"prepare_threshold": None}}
    return {"pool_pre_ping": True, "pool_size": pool.size, "max_overflow": pool.overflow,
            "pool_timeout": pool.timeout}


def _sqlite_setup(engine: Engine) -> None:
    """WAL + synchronous=FULL, and BEGIN IMMEDIATE for every transaction (writers queue up)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # readers pass execution_options(sqlite_begin="DEFERRED") and do not queue
        conn.exec_driver_sql("BEGIN " + conn.get_execution_options().get("sqlite_begin",
                                                                         "IMMEDIATE"))


def create_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (``backoffice/migrations``): a new database
    is created, an older one upgraded in place with its data; safe when several processes
    start at once (one migrates, the others wait and find it done)."""
    from clerk_console.backoffice import migrations

    migrations.upgrade(engine)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (a snapshot on SQLite that does not block writers)."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        with conn.begin():
            yield conn
