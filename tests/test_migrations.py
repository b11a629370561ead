"""Migrations on real files: data kept across upgrades, backups made, failures roll back."""
from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from clerk_console.storage.db import connect as raw_connect
from clerk_console.domain.case import Status
from clerk_console.domain.parties import ELicence
from clerk_console.storage import migrations
from clerk_console.storage.db import make_engine
from clerk_console.storage.replica import Replica, ReplicaError
from clerk_console.storage.tables import metadata

CASE_ID = "0192f0c0-0000-7000-8000-000000000001"


def old_replica(tmp_path):
    """A replica at revision 0001 holding one applicant, one case with a material and an
    audit entry, written with plain SQL as the 0001 program would have."""
    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0001")
    conn = raw_connect(path)
    with conn:
        conn.execute("INSERT INTO applicant VALUES ('370602199203154321', 'resident_id', "
                     "'person', '李小梅', '', '', '', '', '[]', '', '', NULL)")
        conn.execute(
            'INSERT INTO "case" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 0, ?, '
            "'', NULL, NULL, NULL, '', 1, 0)",
            (CASE_ID, "YT0101-20261127-0001", "YT0101", "c1", "370602199203154321", "李小梅",
             "person", '["SIGN"]', "2026-11-27 09:30:00.000000", "deferred", "deferred", "", "",
             "2026-11-27 09:40:00.000000", "2026-12-04", "2026-12-04"))
        conn.execute("INSERT INTO case_material (case_id, position, code, name, main, state, "
                     "original, reason, elicence_number) VALUES (?, 0, 'plan', '平面图', 0, "
                     "'missing', 0, '未带', '')", (CASE_ID,))
        conn.execute("INSERT INTO audit_log VALUES ('a1', '2026-11-27 09:40:00.000000', 'c1', "
                     "'intake.deferred', 'YT0101-20261127-0001', '{}')")
    conn.close()
    return path


def test_upgrade_keeps_data_and_backs_up(tmp_path):
    path = old_replica(tmp_path)
    assert migrations.current(path) == "0001"
    with Replica.open(path) as rep:
        case = rep.get_case("YT0101-20261127-0001")
        assert case.status is Status.DEFERRED and case.deadline == date(2026, 12, 4)
        assert [m.code for m in case.owed] == ["plan"]
        assert rep.find_applicant("370602199203154321").name == "李小梅"
        assert [e.action for e in rep.audit_entries()] == ["intake.deferred"]
        assert rep.rating("YT0101-20261127-0001") is None  # 0002's table is there
    assert migrations.current(path) == migrations.head()
    backups = list((tmp_path / "backups").glob("replica-0001-*.sqlite3"))
    assert len(backups) == 1
    assert migrations.current(backups[0]) == "0001"
    with raw_connect(backups[0]) as b:
        assert b.execute('SELECT case_no FROM "case"').fetchall() == [("YT0101-20261127-0001",)]
    with Replica.open(path):  # already at head: no second backup
        pass
    assert len(list((tmp_path / "backups").glob("*.sqlite3"))) == 1


def test_failing_migration_leaves_file_and_backup_intact(tmp_path):
    path = old_replica(tmp_path)
    migrations.upgrade(path)
    head = migrations.head()
    before = _dump(path)
    extra = tmp_path / "broken_versions"
    extra.mkdir()
    (extra / "9001_broken.py").write_text(
        'import sqlalchemy as sa\nfrom alembic import op\n'
        f'revision = "9001"\ndown_revision = "{head}"\nbranch_labels = None\ndepends_on = None\n'
        'def upgrade():\n'
        '    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))\n'
        '    op.execute("UPDATE applicant SET name = \'touched\'")\n'
        '    op.execute("INSERT INTO no_such_table VALUES (1)")\n'
        'def downgrade():\n    pass\n', encoding="utf-8")
    with pytest.raises(ReplicaError, match="升级失败.*备份"):
        migrations.upgrade(path, extra_versions=[extra])
    assert migrations.current(path) == head
    assert _dump(path) == before  # no half_done table, no touched name
    backups = list((tmp_path / "backups").glob(f"replica-{head}-*.sqlite3"))
    assert len(backups) == 1 and _dump(backups[0]) == before


def test_newer_replica_is_refused_untouched(tmp_path):
    path = old_replica(tmp_path)
    with raw_connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = _dump(path)
    with pytest.raises(ReplicaError, match="比本程序新"):
        Replica.open(path)
    assert _dump(path) == before and not (tmp_path / "backups").exists()


def test_download_staged_before_0004_is_carried_over(tmp_path):
    """0003 consoles created sync_stage themselves (one row per key); a download in progress
    there keeps its rows, so its kv position stays true and it resumes."""
    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0003")
    with raw_connect(path) as conn:
        conn.execute("CREATE TABLE sync_stage (dataset TEXT NOT NULL, key TEXT NOT NULL, "
                     "payload TEXT NOT NULL, PRIMARY KEY (dataset, key)) WITHOUT ROWID")
        conn.executemany("INSERT INTO sync_stage VALUES ('elicence', ?, ?)",
                         [("H2|yyzz|2", '{"n":2}'), ("H1|yyzz|1", '{"n":1}')])
        conn.execute("INSERT INTO kv VALUES ('sync_stage_elicence', '40:0')")
    conn.close()
    migrations.upgrade(path)
    with raw_connect(path) as conn:
        rows = conn.execute("SELECT dataset, key, payload FROM sync_stage ORDER BY id").fetchall()
        assert conn.execute("SELECT value FROM kv").fetchall() == [("40:0",)]
    conn.close()
    assert rows == [("elicence", "H1|yyzz|1", '{"n":1}'), ("elicence", "H2|yyzz|2", '{"n":2}')]
    # and back: the newest row of each key, tombstones applied
    with raw_connect(path) as conn:
        conn.execute("INSERT INTO sync_stage (dataset, key, payload) "
                     "VALUES ('elicence', 'H1|yyzz|1', NULL), ('elicence', 'H2|yyzz|2', '{}')")
    conn.close()
    migrations_downgrade(path, "0003")
    with raw_connect(path) as conn:
        assert conn.execute("SELECT key, payload FROM sync_stage").fetchall() == [
            ("H2|yyzz|2", "{}")]
    conn.close()


def test_0015_keeps_every_elicence_and_lets_two_holders_share_a_number(tmp_path):
    """0015 drops the (type, number) constraint: every row of a 0014 replica is kept as it
    was, one kept under the older 'type:number' key takes its one key (so a pull's row of the
    same licence replaces it), and a second holder of a number is then a row of its own."""
    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0014")
    rows = [(f"H{i:03d}|yyzz|N{i}", f"H{i:03d}", "yyzz", "营业执照", f"N{i}", "2024-01-02", None)
            for i in range(300)]
    rows.append(("JHZ:J1", "37061319950303128x", "JHZ", "结婚证", "J1", "2021-05-20", None))
    with raw_connect(path) as conn:
        conn.executemany("INSERT INTO elicence (key, holder_id, type_code, name, number, issued, "
                         "expires) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    migrations.upgrade(path)
    assert migrations.current(path) == migrations.head()
    with raw_connect(path) as conn:
        got = conn.execute("SELECT key, holder_id, type_code, name, number, issued, expires "
                           "FROM elicence ORDER BY id").fetchall()
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE "
                                              "type = 'index' AND tbl_name = 'elicence'")}
    conn.close()
    wife_key = "37061319950303128X|JHZ|J1"
    assert got == [*rows[:-1], (wife_key, *rows[-1][1:])]
    assert "ix_elicence_holder_id" in indexes
    with Replica.open(path) as rep:
        husband = ELicence("370613199311111330", "JHZ", "结婚证", "J1", date(2021, 5, 20))
        wife = ELicence("37061319950303128x", "JHZ", "结婚证", "J1", date(2021, 5, 20))
        rep.save_elicences([wife, husband])
        assert rep.elicences(wife.holder_id) == [wife]
        assert rep.elicences(husband.holder_id) == [husband]
        assert len(rep.elicences("H007")) == 1
    # and back: 0014's constraint again, the newest row of each (type, number) kept
    migrations_downgrade(path, "0014")
    with raw_connect(path) as conn:
        back = conn.execute("SELECT key FROM elicence WHERE type_code = 'JHZ'").fetchall()
        count = conn.execute("SELECT count(*) FROM elicence").fetchone()[0]
    conn.close()
    assert back == [(husband.key,)] and count == 301


def migrations_downgrade(path, target: str) -> None:
    from alembic import command

    from clerk_console.storage.db import writer

    cfg = migrations.alembic_config()
    engine = make_engine(path, foreign_keys=False)
    try:
        with writer(engine).begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, target)
    finally:
        engine.dispose()


def test_migrations_build_the_model_schema(migrated_template):
    engine = make_engine(migrated_template)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diffs == []


def _dump(path) -> list[str]:
    """The schema and every row, as text (sqlcipher3 has no ``iterdump``)."""
    conn = raw_connect(path)
    try:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        out = [repr(row) for row in schema]
        for _type, name, _sql in schema:
            if _type == "table":
                out += sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
        return out
    finally:
        conn.close()
