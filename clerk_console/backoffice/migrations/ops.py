"""What the back office's revisions do beyond plain alembic: tables and indexes created only
where missing, and the columns a table made by an older ``create_all`` lacks added to it, so
the baseline brings any earlier database to one shape."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import IntegrityError

log = logging.getLogger("clerk_backoffice")
_FILL = {"VARCHAR": "''", "TEXT": "''", "INTEGER": "0", "BIGINT": "0", "BOOLEAN": "false"}


def table(name: str, *elements: Any) -> None:
    """``op.create_table`` if the table is missing, else add the columns it lacks (a column
    that may not be NULL gets its type's empty value on the rows already there)."""
    bind = op.get_bind()
    t = sa.Table(name, sa.MetaData(), *elements)
    inspector = sa.inspect(bind)
    if not inspector.has_table(name):
        t.create(bind)
        return
    have = {c["name"] for c in inspector.get_columns(name)}
    for column in t.columns:
        if column.name in have:
            continue
        kind = column.type.compile(dialect=bind.dialect)
        fill = next((v for k, v in _FILL.items() if kind.upper().startswith(k)), None)
        rule = f" NOT NULL DEFAULT {fill}" if not column.nullable and fill else ""
        op.execute(f"ALTER TABLE {name} ADD COLUMN {column.name} {kind}{rule}")


def index(name: str, table_name: str, columns: list[str], *, unique: bool = False,
          where: dict[str, str] | None = None) -> None:
    """``op.create_index`` if missing; a unique index that rows from before break is left out
    with a warning (the code refuses new duplicates), as the old in-place upgrade did.
    ``where``: a partial index, its condition per dialect (``{"postgresql": …, "sqlite": …}``)."""
    bind = op.get_bind()
    if name in {i["name"] for i in sa.inspect(bind).get_indexes(table_name)}:
        return
    partial = {f"{dialect}_where": sa.text(cond) for dialect, cond in (where or {}).items()}
    try:
        with bind.begin_nested():
            op.create_index(name, table_name, columns, unique=unique, **partial)
    except IntegrityError:
        log.warning("index %s not created: existing rows break it", name)


def counter_row() -> None:
    """The change log's sequence counter, once."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM bo_counter WHERE name = 'change_log'")).first() is None:
        bind.execute(sa.text("INSERT INTO bo_counter (name, value) VALUES ('change_log', 0)"))
