"""Conventions of a Textual app: binding ids and [keymap], the palette and its system commands
in Chinese, a bad settings.toml refused before the console opens."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from clerk_console.config import SettingsError
from clerk_console.ui.keymap import binding_ids
from support.pilot import settle, until
from support.ui import PERSON, burst, new_app, sign_in, type_text

UI = Path(__file__).resolve().parent.parent / "clerk_console" / "ui"


def test_every_binding_has_a_unique_id():
    missing = []
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Binding":
                if not any(k.arg == "id" for k in node.keywords):
                    missing.append(f"{path.name}:{node.lineno}")
    assert not missing, f"Binding without id=: {missing}"
    ids = binding_ids()
    assert {"app.lock", "intake.pick", "checklist.main", "rating.1", "intake.followups",
            "intake.pairing", "followups.step", "followups.appeal", "pairing.new_code",
            "day.followups"} <= set(ids)


async def test_keymap_in_settings_moves_a_binding(home):
    settings = home / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '[keymap]\n"app.lock" = "f11"\n', encoding="utf-8")
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("ctrl+l")  # the default key no longer locks
        await settle(app, pilot)
        assert not app.locked
        await pilot.press("f11")  # (F12 is the intake screen's manual code entry)
        await until(pilot, lambda: app.locked and type(app.screen).__name__ == "LockScreen",
                    "F11 locks the console")


def test_an_unknown_binding_id_is_refused_with_file_and_line(home):
    settings = home / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '[keymap]\n"intake.pik" = "f11"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        new_app(home)
    message = str(exc.value)
    assert str(settings) in message and "intake.pik" in message
    assert "是否想写“intake.pick”" in message and "第 5 行" in message


async def test_the_palette_and_its_system_commands_speak_chinese(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await pilot.press("ctrl+p")
        palette = await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen,
                              "the palette opens")
        assert "Search for commands" not in palette.query_one("Input").placeholder
        titles = [str(c.title) for c in app.get_system_commands(palette)]
        assert "退出" in titles and "按键说明" in titles
        assert all(not t.isascii() for t in titles), titles
        await type_text(pilot, "zzzzqqq")

        def shown() -> str:
            options = palette.query_one(CommandList)
            return " ".join(str(options.get_option_at_index(i).prompt)
                            for i in range(options.option_count))

        await until(pilot, lambda: "没有找到匹配的命令" in shown(), "the palette says no match")
        assert "No matches" not in shown()


async def test_keymap_moves_the_followups_and_pairing_keys(home):
    settings = home / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + '[keymap]\n'
                        '"intake.followups" = "ctrl+o"\n"intake.pairing" = "ctrl+b"\n',
                        encoding="utf-8")
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("ctrl+f")  # the default key no longer opens it
        await settle(app, pilot)
        assert app.screen.id == "intake"
        for key, screen_id in (("ctrl+o", "followups"), ("ctrl+b", "pairing")):
            await pilot.press(key)
            await until(pilot, lambda want=screen_id: app.screen.id == want, f"{key} opens it")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen.id == "intake", "back to the intake")


def _shows_raw(handler: ast.ExceptHandler) -> list[int]:
    """Lines in ``handler`` that turn the caught exception into text as it is."""
    name = handler.name
    lines = []
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("str", "repr") and node.args and \
                isinstance(node.args[0], ast.Name) and node.args[0].id == name:
            lines.append(node.lineno)
        elif isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name) and \
                node.value.id == name:
            lines.append(node.lineno)
    return lines


def test_no_screen_shows_an_unexpected_exception_as_it_is():
    """What an ``except Exception`` caught may be a defect whose text holds personal data or
    means nothing to a clerk: it goes through ``guard.explain`` (a ClerkError's own Chinese
    message, else the apology, the defect logged), never ``str(exc)`` on the screen."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.name and \
                    isinstance(node.type, ast.Name) and \
                    node.type.id in ("Exception", "BaseException"):
                found += [f"{path.relative_to(UI)}:{line}" for line in _shows_raw(node)]
    assert found == []
