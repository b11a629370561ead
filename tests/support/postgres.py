"""The back office on this machine's PostgreSQL server (127.0.0.1:5432, database ``test``):
the server's URL (skipped when unreachable, except in CI with CLERK_REQUIRE_POSTGRES=1, where
that is a failure) and an enrolled window. The ``pg_url`` fixture (conftest.py) gives each
test its own schema."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

NOW = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
USERS = ("postgres", "root")


def server_url() -> str:
    import psycopg

    errors = []
    for user in USERS:
        try:
            with psycopg.connect(host="127.0.0.1", port=5432, dbname="test", user=user,
                                 connect_timeout=3):
                return f"postgresql://{user}@127.0.0.1:5432/test"
        except psycopg.Error as exc:
            errors.append(f"{user}: {exc}".strip())
    reason = "PostgreSQL at 127.0.0.1:5432/test unreachable: " + "; ".join(errors)
    if os.environ.get("CLERK_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def enroll_window(engine, code: str, *, now: datetime = NOW) -> str:
    """Enroll window ``code`` with the back office behind ``engine``; its token."""
    from clerk_console.backoffice import service

    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region="370602", now=now)
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=now)[0]
