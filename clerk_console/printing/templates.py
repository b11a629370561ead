"""The editable wording of the notices: ``data/templates/*.toml`` plus a hall's overrides.

The shipped files define every key and its type; a hall's file of the same name under
``<home>/templates/`` may replace any of them. A key that is unknown, of the wrong type or
uses an unknown placeholder is reported in Chinese (file and key named) and the shipped
wording stays in force, so a typo never stops a notice from printing.
"""
from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from clerk_console import toml_text
from clerk_console import config

from .context import PLACEHOLDER_NAMES

PLACEHOLDERS = PLACEHOLDER_NAMES  # the fields of context.NoticeContext

Wording = str | tuple[str, ...]


class TemplateError(ValueError):
    """A shipped template file is missing or broken (message in Chinese)."""


@dataclass(frozen=True)
class Templates:
    texts: dict[str, dict[str, Wording]]  # file stem -> key -> wording
    warnings: tuple[str, ...] = field(default=())

    def raw(self, name: str, key: str) -> Wording:
        return self.texts[name][key]

    def fill(self, name: str, key: str, context: dict[str, str]) -> str:
        text = self.texts[name][key]
        assert isinstance(text, str), (name, key)
        return text.format_map(context)

    def fill_all(self, name: str, key: str, context: dict[str, str]) -> tuple[str, ...]:
        texts = self.texts[name][key]
        if isinstance(texts, str):
            texts = (texts,)
        return tuple(t.format_map(context) for t in texts)


def placeholder_problem(text: str) -> str:
    """Why ``text`` cannot be filled ("" when it can)."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError:
        return "花括号不成对（字面花括号请写成 {{ 或 }}）"
    for name in names:
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            return f"使用了未知的占位符 {shown}，可用的有：" + "、".join(sorted(PLACEHOLDERS))
    return ""


def _as_wording(value: object) -> Wording | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _problem(value: object, default: Wording) -> str:
    wording = _as_wording(value)
    if wording is None or isinstance(wording, str) != isinstance(default, str):
        return "应为文字" if isinstance(default, str) else "应为文字列表"
    for text in (wording,) if isinstance(wording, str) else wording:
        why = placeholder_problem(text)
        if why:
            return why
    return ""


def _read(path: Path) -> dict:
    with path.open("rb") as fh:
        return toml_text.load(fh)


def shipped_folder() -> Path:
    return config.data_root() / "templates"


@lru_cache(maxsize=4)
def _shipped(folder: Path) -> dict[str, dict[str, Wording]]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise TemplateError(f"找不到文书模板：{folder} 中没有 *.toml 文件，请重新安装程序")
    texts: dict[str, dict[str, Wording]] = {}
    for path in files:
        try:
            raw = _read(path)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TemplateError(f"文书模板 {path} 无法读取：{exc}") from exc
        entry: dict[str, Wording] = {}
        for key, value in raw.items():
            wording = _as_wording(value)
            why = "应为文字或文字列表" if wording is None else _problem(value, wording)
            if why:
                raise TemplateError(f"文书模板 {path} 的“{key}”有误：{why}")
            entry[key] = wording
        texts[path.stem] = entry
    return texts


def load_templates(override_folder: Path | None = None, shipped: Path | None = None) -> Templates:
    """The shipped wording with a hall's overrides (``<home>/templates``) laid over it."""
    base = _shipped((shipped or shipped_folder()).resolve())
    texts = {name: dict(keys) for name, keys in base.items()}
    warnings: list[str] = []
    if override_folder is not None and override_folder.is_dir():
        for path in sorted(override_folder.glob("*.toml")):
            warnings.extend(_overlay(texts, path))
    return Templates(texts, tuple(warnings))


def _overlay(texts: dict[str, dict[str, Wording]], path: Path) -> list[str]:
    """Lay one override file over ``texts``; return the problems found (in Chinese)."""
    if path.stem not in texts:
        return [f"模板文件 {path} 未被使用：没有名为“{path.stem}”的文书，"
                f"可用的有：{'、'.join(sorted(texts))}"]
    try:
        raw = _read(path)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"模板文件 {path} 格式有误，已使用默认措辞：{exc}"]
    problems = []
    defaults = texts[path.stem]
    for key, value in raw.items():
        if key not in defaults:
            problems.append(f"模板文件 {path} 的“{key}”不是可设置的项，已忽略；"
                            f"可设置的有：{'、'.join(defaults)}")
            continue
        why = _problem(value, defaults[key])
        if why:
            problems.append(f"模板文件 {path} 的“{key}”{why}，已使用默认措辞")
            continue
        defaults[key] = _as_wording(value)
    return problems
