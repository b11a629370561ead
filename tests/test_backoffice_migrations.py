"""The back office's alembic migrations (clerk_console/backoffice/migrations), on SQLite and
on PostgreSQL: a new database migrated to head has exactly the schema of
backoffice/tables.py; a database made by release 0.1.0 (its create_all, with data, written by
a process of its own) is upgraded in place with every row kept and the dashboard's facts
filled in; several processes starting at once migrate once."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlmodel import SQLModel

from clerk_console.backoffice import migrations, service
from clerk_console.backoffice.dashboard.service import dashboard
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.service.common import CASE, COUNTER, RATING
from clerk_console.sync.protocol import Dataset, ItemStatus, PushItem, payload_hash

from support import legacy_backoffice as legacy

LEGACY_SCRIPT = Path(legacy.__file__)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'bo.sqlite3'}"


def _tables(engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_a_new_database_migrated_to_head_has_the_tables_schema(url):
    engine = make_engine(url)
    assert migrations.current(engine) == migrations.head()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert [d for d in diff if d[0] != "remove_table" or d[1].name != migrations.VERSION_TABLE] \
        == [], "backoffice/tables.py changed without a revision in backoffice/migrations"
    with engine.connect() as conn:
        assert conn.execute(select(COUNTER.c.value)).scalar_one() == 0
    engine.dispose()


def test_a_database_of_release_0_1_0_is_upgraded_with_its_data(url):
    # the checkout's own code (a worktree's), not the one the shared venv's editable install names
    root = str(Path(__file__).resolve().parent.parent)
    subprocess.run([sys.executable, str(LEGACY_SCRIPT), url], check=True, timeout=120,
                   env=dict(os.environ, PYTHONPATH=root))
    from sqlalchemy import create_engine

    from clerk_console.backoffice.db import database_url

    before = create_engine(database_url(url))
    assert "bo_followup" not in _tables(before) and migrations.current(before) is None
    before.dispose()

    engine = make_engine(url)  # what `serve` and every admin command do first
    assert migrations.current(engine) == migrations.head()
    with reading(engine) as conn:
        for table, n in legacy.ROWS.items():
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == n, table
        case = conn.execute(select(CASE)).mappings().one()
        assert (case["case_no"], case["version"], case["outcome"], case["taken_on"],
                case["promised_date"], case["item_codes"], case["decided_on"]) == (
            legacy.CASE_NO, 2, "accepted", date(2026, 11, 27), date(2026, 12, 4), "FOOD,SIGN",
            date(2026, 12, 1))
        assert "李小梅" in case["payload"]
        rating = conn.execute(select(RATING.c.rated_on, RATING.c.item_codes)).one()
        assert tuple(rating) == (date(2026, 11, 27), "FOOD,SIGN")
        assert conn.execute(select(COUNTER.c.value)).scalar_one() == legacy.COUNTER
        d = dashboard(conn, date(2026, 11, 27), date(2026, 11, 27), today=date(2026, 12, 8))
        assert (d.total.taken, d.total.items, d.total.on_time, d.total.bad,
                d.total.followup_none) == (1, 2, 2, 1, 1)  # both items decided Dec 1, in time
        assert {r.key for r in d.departments} == {"SCJG", "CG"}
    # the upgraded database works: the old token's window pushes, sequences go on from 7
    window = service.WindowRow("w1", "YT0101", "370602")
    p = {**legacy.CASE, "id": "case-2", "case_no": "YT0101-20261127-0002"}
    with engine.begin() as conn:
        [answer] = service.push(conn, window, [PushItem(
            id="ev-3", entity="case", entity_id="case-2", op="save", payload=p,
            payload_hash=payload_hash(p))], now=legacy.AT)
        service.put_records(conn, Dataset.BLACKLIST, {("", "X1"): {"subject_id": "X1"}})
    assert answer.status is ItemStatus.ACCEPTED
    with reading(engine) as conn:
        assert conn.execute(select(COUNTER.c.value)).scalar_one() == legacy.COUNTER + 1
        assert conn.execute(select(func.count()).select_from(CASE)).scalar_one() == 2
    engine.dispose()


def test_processes_starting_at_once_migrate_once(url):
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start():
        try:
            barrier.wait()
            make_engine(url).dispose()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {migrations.VERSION_TABLE}")
                            ).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(COUNTER)).scalar_one() == 1
    engine.dispose()


def test_the_migrate_command_says_what_it_did(tmp_path, capsys):
    from clerk_console.backoffice import cli

    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    assert cli.main(["--db", db, "migrate"]) == 0
    assert f"未迁移 → {migrations.head()}" in capsys.readouterr().out
    assert cli.main(["--db", db, "migrate"]) == 0
    assert "已是最新" in capsys.readouterr().out
