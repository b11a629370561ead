"""Schema migrations of the back office (alembic, run in code: no alembic.ini at run time),
apart from the console's replica (``storage/migrations``).

``upgrade(engine)`` brings the database to the newest revision in one transaction; on
PostgreSQL it first takes an advisory lock, so several processes starting at once upgrade it
once and the others find it done. The versions are kept in ``bo_alembic_version``.

The first revision (``bo0001``, the baseline) creates what is missing and adds the columns and
indexes a database made before migrations lacks (``create_all`` of an older back office, back to
release 0.1.0), so such a database is upgraded in place with its data kept; the facts of the
supervision dashboard are filled in for the rows it already holds. Every later change to
``backoffice/tables.py`` comes with a revision here (tests/test_backoffice_migrations.py checks
that the migrated schema equals the tables).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "bo_alembic_version"
LOCK_KEY = 870001  # pg_advisory_xact_lock: one process migrates at a time


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    cfg.set_main_option("path_separator", "os")
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: not migrated yet, new or made by create_all)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database to ``target`` (default: head), in one transaction."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
