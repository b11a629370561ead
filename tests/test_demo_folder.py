"""``clerk-console demo`` keeps to its own folder and never touches a real window's replica
(issue 9, "the demo writes into a real window's replica")."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clerk_console import cli
from clerk_console.commands import demo
from clerk_console.storage.replica import Replica
from clerk_console.sync.runner import KV_URL


@pytest.fixture
def user_data(tmp_path, monkeypatch):
    """The platform's user data folders, per app name, under tmp_path."""
    import platformdirs

    asked = []

    def user_data_dir(appname=None, appauthor=None, *args, **kwargs):
        asked.append(appname)
        return str(tmp_path / "user-data" / appname)

    monkeypatch.setattr(platformdirs, "user_data_dir", user_data_dir)
    monkeypatch.delenv(demo.DEMO_HOME_ENV, raising=False)
    return asked


def real_window(folder: Path) -> Path:
    """A window folder as `enroll` and `clerk add` leave it: not made by the demo."""
    folder.mkdir(parents=True)
    path = folder / "replica.sqlite3"
    with Replica.open(path) as r:
        r.set_window("YT0207", "综合受理7号窗口", "烟台市芝罘区政务服务中心")
        r.add_clerk("2001", "孙丽", "246813", "supervisor")
        r.set_kv(KV_URL, "https://zwfw.yantai.example.gov.cn/clerk")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_demo_uses_its_own_folder_not_the_windows(tmp_path, monkeypatch, user_data, capsys):
    window = tmp_path / "window"
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(window))
    assert cli.main(["demo", "--init-only", "--no-backoffice"]) == 0
    own = tmp_path / "user-data" / "clerk-console-demo"
    assert user_data == ["clerk-console-demo"]
    assert (own / "replica.sqlite3").exists()
    assert not (window / "replica.sqlite3").exists()
    assert str(own / "replica.sqlite3") in capsys.readouterr().out


def test_clerk_console_demo_home_names_the_demo_folder(tmp_path, monkeypatch, user_data):
    monkeypatch.setenv(demo.DEMO_HOME_ENV, str(tmp_path / "mine"))
    assert cli.main(["demo", "--init-only", "--no-backoffice"]) == 0
    assert (tmp_path / "mine" / "replica.sqlite3").exists()
    assert user_data == []
    assert cli.main(["demo", "--init-only", "--no-backoffice"]) == 0  # its own: reused


@pytest.mark.parametrize("how", ["--data-dir", "CLERK_CONSOLE_DEMO_HOME"])
def test_a_real_windows_replica_is_refused_untouched(tmp_path, monkeypatch, user_data, capsys,
                                                    how):
    path = real_window(tmp_path / "window")
    before = digest(path)
    args = ["demo", "--init-only", "--no-backoffice"]
    if how == "--data-dir":
        args = ["--data-dir", str(path.parent)] + args
    else:
        monkeypatch.setenv(demo.DEMO_HOME_ENV, str(path.parent))
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "不是演示程序建立" in err and "演示不会改动它" in err
    assert digest(path) == before
    assert not (path.parent / "backups").exists()  # not even migrated
    with Replica.open(path) as r:
        assert r.get_clerk("demo") is None and r.get_clerk("boss") is None


def test_a_demo_replica_enrolled_with_a_real_back_office_is_refused(tmp_path, user_data, capsys):
    home = tmp_path / "demo"
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 0
    with Replica.open(home / "replica.sqlite3") as r:
        r.set_kv(KV_URL, "https://zwfw.yantai.example.gov.cn/clerk")
    before = digest(home / "replica.sqlite3")
    capsys.readouterr()
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 1
    err = capsys.readouterr().err
    assert "已注册到后台 zwfw.yantai.example.gov.cn" in err
    assert digest(home / "replica.sqlite3") == before


def test_the_demos_own_loopback_back_office_is_not_a_real_enrollment(tmp_path, user_data):
    home = tmp_path / "demo"
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 0
    with Replica.open(home / "replica.sqlite3") as r:
        r.set_kv(KV_URL, "http://127.0.0.1:51234")
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 0


def test_a_file_that_is_no_database_is_refused(tmp_path, user_data, capsys):
    home = tmp_path / "odd"
    home.mkdir()
    (home / "replica.sqlite3").write_bytes(b"not sqlite at all" * 100)
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 1
    assert "不是演示程序建立" in capsys.readouterr().err


def test_make_demo_is_still_spelled_make_demo():
    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    assert "\ndemo: " in makefile and "clerk-console demo" in makefile
