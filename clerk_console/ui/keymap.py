"""``[keymap]`` in settings.toml: every binding of the console has an id (``intake.pick``,
``app.lock`` …) and a hall may move it to other keys, e.g. ``"intake.pick" = "f11"``.

The ids are collected from the console's own screens and widgets; an unknown id is refused
in Chinese with the file and line (``SettingsError``), never silently ignored.
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from pathlib import Path

from clerk_console.config import SETTINGS_FILE, SettingsError, _line_of


def binding_ids() -> dict[str, str]:
    """id -> description of every Binding declared in ``clerk_console.ui``."""
    import clerk_console.ui as ui

    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(ui.__path__, "clerk_console.ui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for binding in value.__dict__.get("BINDINGS", ()):
                    if getattr(binding, "id", None):
                        found[binding.id] = binding.description
    return found


def checked_keymap(keymap: dict[str, str], home: Path) -> dict[str, str]:
    """The keymap to hand to ``App.set_keymap``; SettingsError for an id the console lacks."""
    if not keymap:
        return {}
    known = binding_ids()
    path = Path(home) / SETTINGS_FILE
    for name in keymap:
        if name not in known:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            hint = f"（是否想写“{close[0]}”？）" if close else ""
            raise SettingsError(f"设置文件 {path}{_line_of(text, name)}：[keymap] 中没有按键编号"
                                f"“{name}”{hint}。按键编号见 README“按键重设”。")
    return {name: keys.replace(" ", "") for name, keys in keymap.items()}
