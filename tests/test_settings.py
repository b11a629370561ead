"""settings.toml: every key checked, mistakes reported in Chinese with file, line and key."""
from __future__ import annotations

import pytest

from clerk_console.config import Settings, SettingsError


def write(tmp_path, text: str):
    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    return tmp_path


def refused(tmp_path, text: str, environ=None) -> str:
    with pytest.raises(SettingsError) as exc:
        Settings.load(write(tmp_path, text), environ={} if environ is None else environ)
    return str(exc.value)


def test_no_file_gives_the_defaults(tmp_path):
    assert Settings.load(tmp_path, environ={}) == Settings()


def test_good_values_are_read(tmp_path):
    s = Settings.load(write(tmp_path, 'printer = "cups"\nprinter_target = "Q1"\n'
                                      'idle_lock_seconds = 600\n[keymap]\n"app.lock" = "f12"\n'),
                      environ={})
    assert (s.printer, s.printer_target, s.idle_lock_seconds) == ("cups", "Q1", 600)
    assert s.keymap == {"app.lock": "f12"}


def test_a_misspelt_key_is_named_with_its_line_and_a_suggestion(tmp_path):
    message = refused(tmp_path, 'printer = "pdf"\nidle_lock_secnds = 600\n')
    assert str(tmp_path / "settings.toml") in message
    assert "第 2 行" in message and "idle_lock_secnds" in message
    assert "是否想写“idle_lock_seconds”" in message


@pytest.mark.parametrize("text, expected", [
    ('idle_lock_seconds = "600"\n', "应为整数"),
    ("idle_lock_seconds = 5\n", "应在 30 到 86400 之间"),
    ("deferral_days = true\n", "应为整数"),
    ('printer = "laser"\n', "应为 pdf、cups、windows、escpos 之一"),
    ("hall_name = 12\n", "应为文本"),
    ('keymap = "f12"\n', "应为一节 [keymap]"),
    ('[keymap]\n"app.lock" = "ctrl l"\n', "按键 'ctrl l' 无效"),
])
def test_a_bad_value_says_what_to_write(tmp_path, text, expected):
    message = refused(tmp_path, text)
    assert expected in message and "第 1 行" in message


def test_broken_toml_gives_the_line_and_column(tmp_path):
    message = refused(tmp_path, 'printer = "pdf"\nhotline = 12345"\n')
    assert "第 2 行" in message and "格式错误" in message


def test_a_file_not_in_utf8_is_refused_in_chinese(tmp_path):
    (tmp_path / "settings.toml").write_bytes('hall_name = "烟台"\n'.encode("gbk"))
    with pytest.raises(SettingsError, match="不是 UTF-8 编码"):
        Settings.load(tmp_path, environ={})


def test_the_environment_overrides_the_file(tmp_path):
    write(tmp_path, 'printer = "pdf"\nidle_lock_seconds = 600\n')
    s = Settings.load(tmp_path, environ={"CLERK_CONSOLE_PRINTER": "escpos",
                                         "CLERK_CONSOLE_IDLE_LOCK_SECONDS": "900"})
    assert (s.printer, s.idle_lock_seconds) == ("escpos", 900)
    message = refused(tmp_path, "", environ={"CLERK_CONSOLE_SCAN_BURST_MS": "fast"})
    assert "环境变量 CLERK_CONSOLE_SCAN_BURST_MS" in message and "应为整数" in message


def test_a_byte_order_mark_from_notepad_is_accepted(tmp_path):
    (tmp_path / "settings.toml").write_bytes('\ufeffprinter = "cups"\n'.encode("utf-8"))
    assert Settings.load(tmp_path, environ={}).printer == "cups"
