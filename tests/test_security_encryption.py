"""Issue #10: the replica at rest. Its file, WAL and backups were plain SQLite: anyone with a
copy of the window folder (a backup, a support zip, a disk) read every ID number and name.
Now a SQLCipher file under a per-folder key kept outside the folder (storage/db.py)."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import date

import pytest
from sqlalchemy import create_engine

from clerk_console import cli as console_cli
from clerk_console.keystore import key_file_path
from clerk_console.storage import integrity, migrations
from clerk_console.storage.db import KEY_ID_FILE, KEY_KIND, connect, is_plaintext
from clerk_console.storage.replica import Replica, ReplicaError
from support.synthetic import add_cases

from conftest import NOW, PERSON

SECRETS = (PERSON.id_number, PERSON.name, PERSON.phone)


def _leaks(folder) -> list[str]:
    """Files of the window folder (replica, -wal, -shm, backups) holding a secret in clear."""
    out = []
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            out += [f"{f.name}: {s}" for s in SECRETS if s.encode() in data]
    return out


def _key_file(home):
    key_id = (home / KEY_ID_FILE).read_text().strip()
    return key_file_path(f"{KEY_KIND}:{key_id}")


def test_a_saved_case_leaves_no_id_number_or_name_in_the_files(replica):
    """The attack: grep the replica, its WAL and its backups for an applicant's ID number,
    name and phone."""
    replica.save_applicant(PERSON, "c1", at=NOW)
    cases = add_cases(replica, 3, window_code="YT0101", day=date(2026, 11, 27))
    home = replica.path.parent
    assert (home / "replica.sqlite3-wal").stat().st_size > 0  # the WAL holds pages now
    assert _leaks(home) == []
    migrations.backup(replica.path, "test")
    replica.close()
    assert _leaks(home) == []
    assert not is_plaintext(replica.path)
    conn = connect(replica.path, readonly=True)  # with the folder's key it all reads back
    try:
        assert conn.execute("SELECT name FROM applicant WHERE id_number = ?",
                            (PERSON.id_number,)).fetchone() == (PERSON.name,)
        assert conn.execute('SELECT count(*) FROM "case" WHERE case_no = ?',
                            (cases[0].case_no,)).fetchone() == (1,)
    finally:
        conn.close()
    plain = sqlite3.connect(replica.path)  # and plain SQLite cannot read it at all
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_the_wrong_key_or_no_key_is_refused_in_chinese(replica, tmp_path, monkeypatch, capsys):
    replica.save_applicant(PERSON, "c1", at=NOW)
    replica.close()
    home = replica.path.parent
    # a copy of the folder taken to another PC: its keystore has no key for it
    other_pc = tmp_path / "other-pc-keys"
    monkeypatch.setenv("CLERK_CONSOLE_KEY_DIR", str(other_pc))
    with pytest.raises(ReplicaError, match="密钥库里没有它的密钥"):
        Replica.open(replica.path)
    assert console_cli.main(["--data-dir", str(home), "cases"]) == 1
    err = capsys.readouterr().err
    assert "密钥" in err and "Traceback" not in err and "not a database" not in err
    # that PC holding another key under the same id (or the file swapped for another's)
    monkeypatch.undo()
    real = _key_file(home)
    other_pc.mkdir()
    shutil.copy(real, other_pc / real.name)
    (other_pc / real.name).write_bytes(bytes(32))
    monkeypatch.setenv("CLERK_CONSOLE_KEY_DIR", str(other_pc))
    before = replica.path.read_bytes()
    with pytest.raises(ReplicaError, match="无法解密"):
        Replica.open(replica.path)
    assert console_cli.main(["--data-dir", str(home), "cases"]) == 1
    err = capsys.readouterr().err
    assert "无法解密" in err and "Traceback" not in err and "not a database" not in err
    assert replica.path.read_bytes() == before  # left as it was
    monkeypatch.undo()  # this PC's own key: it opens again
    with Replica.open(replica.path) as again:
        assert again.find_applicant(PERSON.id_number).name == PERSON.name


def _plaintext_replica(home):
    """A replica as consoles before the encryption wrote it: alembic on a plain SQLite
    engine, rows written with plain sqlite3, a plain backup beside it (the previous code
    path of migrations.upgrade and migrations.backup)."""
    from alembic import command

    home.mkdir()
    path = home / "replica.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    cfg = migrations.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    with conn:
        conn.execute("INSERT INTO applicant VALUES (?, 'resident_id', 'person', ?, ?, '', '', "
                     "'', '[]', '', '', NULL)", SECRETS)
        conn.execute("INSERT INTO audit_log VALUES ('a1', '2026-11-27 09:40:00.000000', 'c1', "
                     "'intake.deferred', 'YT0101-20261127-0001', '{}')")
    (home / "backups").mkdir()
    old_backup = home / "backups" / "replica-0001-20261120T090000000000.sqlite3"
    dst = sqlite3.connect(old_backup)
    conn.backup(dst)
    dst.close()
    conn.close()
    return path, old_backup


def test_a_plaintext_replica_is_encrypted_once_on_open_with_its_data(tmp_path):
    home = tmp_path / "window"
    path, old_backup = _plaintext_replica(home)
    assert is_plaintext(path) and is_plaintext(old_backup) and _leaks(home)
    with Replica.open(path) as rep:
        assert rep.find_applicant(PERSON.id_number).name == PERSON.name
        assert [e.action for e in rep.audit_entries()] == ["replica.encrypt", "intake.deferred"]
        kept = rep.audit_entries()[0].detail["backup"]
    assert not is_plaintext(path) and not is_plaintext(old_backup)
    assert _leaks(home) == []  # the file, its WAL and every backup, the older one too
    assert (home / "backups" / kept).exists() and not is_plaintext(home / "backups" / kept)
    assert integrity._good_backups(path)  # the backups read back with the key
    conn = connect(home / "backups" / kept, readonly=True)  # the backup of the converted file
    assert conn.execute("SELECT name FROM applicant").fetchall() == [(PERSON.name,)]
    conn.close()
    made = sorted(p.name for p in (home / "backups").iterdir())
    with Replica.open(path) as rep:  # once: the second open converts nothing
        assert [e.action for e in rep.audit_entries()].count("replica.encrypt") == 1
        assert rep.find_applicant(PERSON.id_number).phone == PERSON.phone
    assert sorted(p.name for p in (home / "backups").iterdir()) == made


def test_a_corrupt_plaintext_replica_is_refused_before_conversion(tmp_path):
    home = tmp_path / "window"
    path, _ = _plaintext_replica(home)
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 4096):
        data[i + 10:i + 200] = b"\xff" * 190
    path.write_bytes(bytes(data))
    with pytest.raises(ReplicaError, match="已损坏"):
        Replica.open(path)
    assert path.read_bytes() == bytes(data)  # not converted, not touched
