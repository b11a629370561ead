"""The command line as a hall's IT clerk meets it: Chinese help and errors, completion, a bad
settings.toml refused in Chinese, and a log file with no personal data."""
from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from clerk_console import logfile
from clerk_console.cli import main


def test_help_is_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["notice", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith("用法：clerk-console notice") and "显示本帮助并退出" in out
    assert "show this help" not in out and "write the PDF" not in out


@pytest.mark.parametrize("argv, expected", [
    (["cases", "--limit", "x"], "参数 --limit：'x' 不是有效的整数"),
    (["notice"], "缺少必需的参数：CASE_NO"),
    (["frobnicate"], "无效的选项 'frobnicate'"),
    (["identify", "X", "--bogus"], "无法识别的参数：--bogus"),
])
def test_argument_errors_are_chinese_and_exit_2(capsys, argv, expected):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert expected in err and "错误" in err and "error:" not in err


def test_shell_completion_offers_sub_commands(tmp_path):
    out = tmp_path / "completions"
    env = dict(os.environ, _ARGCOMPLETE="1", COMP_LINE="clerk-console de", COMP_POINT="16",
               _ARGCOMPLETE_STDOUT_FILENAME=str(out), _ARGCOMPLETE_IFS="\n")
    done = subprocess.run([sys.executable, "-m", "clerk_console"], env=env, capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text().split() == ["demo"]


def test_a_bad_settings_file_stops_a_command_with_a_chinese_message(tmp_path, capsys):
    (tmp_path / "settings.toml").write_text('printer = "laserjet"\n', encoding="utf-8")
    (tmp_path / "replica.sqlite3").write_bytes(b"")
    code = main(["--data-dir", str(tmp_path), "notice", "YT0101-20261127-0001"])
    err = capsys.readouterr().err
    assert code == 2
    assert "设置有误" in err and "printer" in err and "Traceback" not in err


def test_the_log_masks_ids_and_phones_and_rotates(tmp_path, monkeypatch):
    monkeypatch.setenv("CLERK_CONSOLE_LOG_DIR", str(tmp_path))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # this test's handler only, removed after it
    monkeypatch.setattr(root, "level", root.level)
    path = logfile.setup("clerk-test")
    assert path == tmp_path / "clerk-test.log"
    (handler,) = root.handlers
    handler.maxBytes = 2000
    log = logging.getLogger("clerk_console.test")
    for n in range(40):
        log.warning("scan %s by phone %s, case %d", "370602199003071235", "13805351234", n)
    handler.close()
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("clerk-test.log*"))
    assert "370602199003071235" not in text and "13805351234" not in text
    assert "3706**********1235" in text and "138****1234" in text
    assert (tmp_path / "clerk-test.log.1").exists()
    assert len(list(tmp_path.glob("clerk-test.log*"))) <= 1 + logfile.BACKUPS
