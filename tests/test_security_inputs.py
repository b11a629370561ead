"""Bounded inputs of the admin's and the hall's files: a header-only, truncated or emptied
blacklist never wipes the list; a 200 KB CSV field, nested TOML and a day count of 2**63-1
get Chinese messages instead of tracebacks; a UTF-8 BOM in TOML is accepted."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_console.backoffice import cli
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.tables import ChangeLog
from clerk_console.config import Settings, data_root
from clerk_console.datafiles.calendar import CalendarFileError, load_calendar_file
from clerk_console.datafiles.catalogue import CatalogueError, load_catalogue

HEADER = "subject_id,name,reason,listed_on\n"


def _entries(n: int) -> str:
    return "".join(f"91370600MA3C{i:05d}X,某公司{i},严重失信,2025-01-02\n" for i in range(n))


def _live(db: str) -> int:
    t = ChangeLog.__table__
    with reading(make_engine(db)) as conn:
        return len(conn.execute(select(t.c.key).where((t.c.dataset == "blacklist")
                                                      & ~t.c.deleted)).all())


@pytest.fixture()
def db(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    full = tmp_path / "full.csv"
    full.write_text(HEADER + _entries(10), encoding="utf-8")
    assert cli.main(["--db", url, "import-blacklist", str(full)]) == 0
    capsys.readouterr()
    return url


def test_header_only_or_emptied_blacklist_never_wipes_the_list(tmp_path, db, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(empty)]) == 1
    assert "--force" in capsys.readouterr().err and _live(db) == 10
    half = tmp_path / "half.csv"
    half.write_text(HEADER + _entries(5), encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(half)]) == 1
    assert "删除现有10条中的5条" in capsys.readouterr().err and _live(db) == 10
    assert cli.main(["--db", db, "import-blacklist", str(half), "--force"]) == 0
    assert _live(db) == 5
    most = tmp_path / "most.csv"
    most.write_text(HEADER + _entries(9), encoding="utf-8")  # one removed is within the share
    assert cli.main(["--db", db, "import-blacklist", str(most)]) == 0


def test_a_short_last_line_fails_the_import(tmp_path, db, capsys):
    cut = tmp_path / "cut.csv"
    cut.write_text(HEADER + _entries(10) + "91370600MA3C99999X,某公", encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(cut)]) == 1
    err = capsys.readouterr().err
    assert "第12行" in err and "截断" in err and "Traceback" not in err
    assert _live(db) == 10


@pytest.mark.parametrize("size", [5_000, 200_000])
def test_a_huge_field_is_a_clear_error(tmp_path, db, capsys, size):
    big = tmp_path / "big.csv"
    big.write_text(HEADER + _entries(10) + f"91370600MA3C77777X,{'甲' * size},严重失信,\n",
                   encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(big)]) == 1
    err = capsys.readouterr().err
    assert "第12行" in err and "Traceback" not in err and _live(db) == 10


def _catalogue_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(data_root() / "catalogue", folder)
    return folder


def test_nested_toml_and_huge_day_counts_are_refused_in_chinese(tmp_path):
    folder = _catalogue_copy(tmp_path)
    (folder / "departments.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n",
                                             encoding="utf-8")
    with pytest.raises(CatalogueError, match="嵌套层数过多"):
        load_catalogue(folder)
    folder = _catalogue_copy(tmp_path / "again")
    item = folder / "items" / "bdc.toml"
    item.write_text(item.read_text(encoding="utf-8").replace(
        "legal_days = 30", f"legal_days = {2**63 - 1}", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="超过1000个工作日"):
        load_catalogue(folder)
    year = tmp_path / "2026.toml"
    year.write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match="嵌套层数过多"):
        load_calendar_file(year)


def test_a_utf8_bom_in_toml_is_accepted(tmp_path):
    folder = _catalogue_copy(tmp_path)
    for path in [folder / "departments.toml", *sorted((folder / "items").glob("*.toml"))[:2]]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_catalogue(folder).items
    year = tmp_path / "2026.toml"
    year.write_bytes(b"\xef\xbb\xbf" + (data_root() / "calendar" / "2026.toml").read_bytes())
    assert load_calendar_file(year).year == 2026
    (tmp_path / "settings.toml").write_bytes("\ufeffhotline = \"12345-1\"\n".encode())
    assert Settings.load(tmp_path).hotline == "12345-1"
