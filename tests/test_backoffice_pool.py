"""The back office's PostgreSQL pool is sized from the environment (issue #17): 8 processes at
the old fixed 10 + 20 could open 240 connections against PostgreSQL's default 100."""
from __future__ import annotations

import pytest

from clerk_console.backoffice import db


def test_defaults_let_eight_processes_share_postgres_defaults() -> None:
    pool = db.pool_settings({})
    assert (pool.size, pool.overflow, pool.timeout, pool.pgbouncer) == (5, 5, 10, False)
    assert 8 * pool.most <= 100 - 3  # PostgreSQL keeps 3 for superusers


def test_values_from_the_environment() -> None:
    pool = db.pool_settings({"CLERK_BACKOFFICE_POOL_SIZE": "3", "CLERK_BACKOFFICE_POOL_OVERFLOW": "0",
                             "CLERK_BACKOFFICE_POOL_TIMEOUT": "30", "CLERK_BACKOFFICE_PGBOUNCER": "1"})
    assert (pool.size, pool.overflow, pool.timeout, pool.pgbouncer) == (3, 0, 30, True)


@pytest.mark.parametrize("key,value", [("CLERK_BACKOFFICE_POOL_SIZE", "0"),
                                       ("CLERK_BACKOFFICE_POOL_SIZE", "ten"),
                                       ("CLERK_BACKOFFICE_POOL_OVERFLOW", "-1"),
                                       ("CLERK_BACKOFFICE_POOL_TIMEOUT", "301"),
                                       ("CLERK_BACKOFFICE_PGBOUNCER", "yes")])
def test_bad_values_are_refused_in_chinese(key, value) -> None:
    with pytest.raises(ValueError, match=f"环境变量 {key}"):
        db.pool_settings({key: value})


def test_the_engine_uses_the_pool_settings() -> None:
    pytest.importorskip("psycopg")
    from sqlalchemy.pool import NullPool, QueuePool

    url = "postgresql://clerk@localhost:1/none"  # never connected: create=False
    engine = db.make_engine(url, create=False, pool=db.PoolSettings(size=4, overflow=2, timeout=7))
    assert isinstance(engine.pool, QueuePool)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (4, 2, 7)
    bounced = db.make_engine(url, create=False, pool=db.PoolSettings(pgbouncer=True))
    assert isinstance(bounced.pool, NullPool)
