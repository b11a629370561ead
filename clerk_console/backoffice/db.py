"""Back-office storage: SQLite file by default, PostgreSQL with ``--db postgresql://…``.

Processes keep no state of their own, so several can serve one PostgreSQL database.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import SQLModel

from clerk_console.backoffice import tables  # noqa: F401  (registers the tables)

DB_ENV = "CLERK_BACKOFFICE_DB"
HOME_ENV = "CLERK_BACKOFFICE_HOME"
DB_FILE = "backoffice.sqlite3"


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


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)  # no personal data in error logs
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                               hide_parameters=True)
    if create:
        create_schema(engine)
    return engine


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
    """Create missing tables and the sequence counter; safe when several processes start."""
    with engine.begin() as conn:
        if not is_sqlite(engine):
            # serialise concurrent first starts on one PostgreSQL
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(870001)")
        SQLModel.metadata.create_all(conn)
        _upgrade(conn)
        table = tables.Counter.__table__
        if conn.execute(table.select().where(table.c.name == "change_log")).first() is None:
            conn.execute(table.insert().values(name="change_log", value=0))


def _upgrade(conn: Connection) -> None:
    """Bring a database made by an older back office up to date: add the columns and indexes
    added since (all nullable or defaulted, so old rows stay valid)."""
    import logging

    from sqlalchemy import inspect
    from sqlalchemy.exc import IntegrityError

    inspector = inspect(conn)
    for table in SQLModel.metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                default = " DEFAULT ''" if kind.upper().startswith(("VARCHAR", "TEXT")) \
                    and not column.nullable else ""
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} "
                                     f"{kind}{default}")
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                try:
                    with conn.begin_nested():
                        index.create(conn)
                except IntegrityError:  # duplicates from before: refuse new ones in code
                    logging.getLogger("clerk_backoffice").warning(
                        "index %s not created: existing rows break it", index.name)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (a snapshot on SQLite that does not block writers)."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        with conn.begin():
            yield conn
