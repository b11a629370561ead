"""A replica already at the head opens without importing alembic (start-up time, issue #17);
the head read off the version files is alembic's own, and one that needs migrating still is."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clerk_console.storage import migrations
from clerk_console.storage.replica import Replica

PROBE = ("import sys; from clerk_console.storage.replica import Replica;"
         "Replica.open(sys.argv[1]).close(); print('alembic' in sys.modules)")


def imports_alembic(path: Path) -> bool:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                         text=True, check=True)
    return out.stdout.strip() == "True"


def test_the_written_head_is_alembics_head() -> None:
    assert migrations.written_head() == migrations.head()


def test_at_head_no_alembic_behind_it_migrated(tmp_path) -> None:
    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0001")
    assert imports_alembic(path)  # needs migrating: alembic runs
    assert migrations.current(path) == migrations.head()
    assert not imports_alembic(path)  # at head: the fast path


def test_the_fast_path_still_refuses_a_foreign_file(tmp_path) -> None:
    import sqlite3

    import pytest

    from clerk_console.storage.db import ReplicaError

    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ReplicaError, match="不是受理终端的数据库"):
        migrations.upgrade(path)
    with Replica.open(tmp_path / "new.sqlite3") as fresh:  # a new file is still created at head
        assert migrations.current(fresh.path) == migrations.head()
