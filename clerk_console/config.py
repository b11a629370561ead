"""Where things live and the window's settings, in one module.

- ``data_root()``: the shipped reference data (catalogue, calendar, demo data, templates):
  ``CLERK_CONSOLE_DATA`` > the package data ``clerk_console/data`` of an installed wheel or a
  bundle (read through importlib.resources) > the repository's top-level ``data/`` folder (a
  source checkout or an editable install, where that folder is the one to edit).
- ``home()``: the window's own folder (replica, backups, printed PDFs, settings.toml):
  ``--data-dir`` > ``CLERK_CONSOLE_HOME`` > the platform's user data folder (platformdirs).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, get_type_hints

from clerk_console.domain.progress import base_error

APP_NAME = "clerk-console"
REPLICA_FILE = "replica.sqlite3"
SETTINGS_FILE = "settings.toml"


def data_root() -> Path:
    env = os.environ.get("CLERK_CONSOLE_DATA")
    if env:
        return Path(env)
    from importlib import resources  # not at start-up (~10 ms): only the data commands ask

    packaged = resources.files("clerk_console") / "data"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def home(data_dir: str | os.PathLike | None = None) -> Path:
    if data_dir:
        path = Path(data_dir)
    elif os.environ.get("CLERK_CONSOLE_HOME"):
        path = Path(os.environ["CLERK_CONSOLE_HOME"])
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def replica_path(data_dir: str | os.PathLike | None = None) -> Path:
    return home(data_dir) / REPLICA_FILE


PRINTERS = ("pdf", "cups", "windows", "escpos")
ENV_PREFIX = "CLERK_CONSOLE_"  # CLERK_CONSOLE_PRINTER=cups overrides ``printer`` in settings.toml
# keys of older versions: the message names what replaced them
RENAMED = {"bad_rating_followup_days": "差评各步骤的期限 followup_verify_days、followup_fix_days、"
                                       "followup_answer_days、followup_appeal_days（0 = 本省规定）"}
KEY_NAMES = re.compile(r"^[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*$")  # "f12" or "ctrl+l,f12"


class SettingsError(ValueError):
    """A settings.toml (or CLERK_CONSOLE_* variable) the console refuses; the message is Chinese,
    names the file, the line and the key, and says what to write instead."""


def setting(default, *, lo: int | None = None, hi: int | None = None,
            choices: tuple[str, ...] = (), check: Callable[[str], str] | None = None):
    """A settings field with its allowed range or values, or a ``check`` of a text saying
    what is wrong with it in Chinese ("" = fine) (checked by ``Settings.load``)."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "choices": choices,
                                            "check": check})


def _url_or_empty(text: str) -> str:
    return base_error(text) if text else ""


@dataclass
class Settings:
    """Per-window settings, read from ``<home>/settings.toml``; every key is optional, an unknown
    key or a bad value is refused (``SettingsError``), ``CLERK_CONSOLE_<KEY>`` overrides a key."""

    idle_lock_seconds: int = setting(300, lo=30, hi=86400)  # auto-lock back to the PIN prompt
    deferral_days: int = setting(5, lo=1, hi=60)  # working days granted to supply deferred materials (capped by items)
    # working days of each step of a bad rating's follow-up (差评 核实/整改/反馈/申诉复核), from the
    # day the step starts; 0: the province's rule in data/followup/rules.toml (local rules vary)
    followup_verify_days: int = setting(0, lo=0, hi=30)
    followup_fix_days: int = setting(0, lo=0, hi=30)
    followup_answer_days: int = setting(0, lo=0, hi=30)
    followup_appeal_days: int = setting(0, lo=0, hi=30)
    scan_burst_ms: int = setting(100, lo=10, hi=1000)  # max gap between keys of a scanner burst
    printer: str = setting("pdf", choices=PRINTERS)
    printer_target: str = ""  # CUPS queue, Windows printer name, ESC/POS device (tcp://host:9100, /dev/usb/lp0, serial:/dev/ttyS0, win32:NAME)
    pdf_folder: str = ""  # where "save PDF" writes; default <home>/notices
    pdf_viewer: str = ""  # Windows: SumatraPDF.exe to print PDFs silently; default the system's print verb
    cjk_font: str = ""  # TTF/TTC to embed in notices; default a free CJK font found on the system
    hall_name: str = "烟台市政务服务中心"
    hall_address: str = "烟台市莱山区港城东大街1000号"
    hotline: str = "12345"
    # base of the applicant's progress page the QR of every notice opens (<base>/p/<token>),
    # e.g. "https://zwfw.example.cn"; default: the back office's address (the sync server)
    progress_url: str = setting("", check=_url_or_empty)
    sync_interval_seconds: int = setting(30, lo=5, hi=86400)
    ca_file: str = ""  # PEM CA certificate(s) of the hall's own back office; default the system's CAs
    allow_plain_http: int = setting(0, lo=0, hi=1)  # 1: plain http:// beyond loopback (isolated LAN only; warned)
    server_key_sha256: str = ""  # the back office's public-key pin (hex SHA-256 of its SPKI); default: taken at enrollment
    pad_bind: str = ""  # the rating pad's address on the hall LAN, e.g. "192.168.1.20:8765" (clerk-console pad)
    web_bind: str = ""  # the console in a browser, e.g. "192.168.1.20:8780" (clerk-console serve-web)
    outbox_retention_days: int = setting(90, lo=7, hi=3650)  # events the back office acknowledged are pruned after this
    keymap: dict = field(default_factory=dict)  # [keymap] binding id = "keys", e.g. "app.lock" = "f11"

    @classmethod
    def load(cls, folder: Path, environ: dict[str, str] | None = None) -> "Settings":
        from clerk_console import toml_text

        path = Path(folder) / SETTINGS_FILE
        raw: dict = {}
        text = ""
        if path.exists():
            try:
                text = path.read_text(encoding="utf-8")
                raw = toml_text.loads(text)
            except UnicodeDecodeError:
                raise SettingsError(f"设置文件 {path} 不是 UTF-8 编码：请用记事本“另存为”UTF-8 后重试。") from None
            except tomllib.TOMLDecodeError as exc:
                where, reason = _toml_where(str(exc)), str(exc)
                why = f"（{reason}）" if not reason.isascii() else ""
                raise SettingsError(f"设置文件 {path}{where}格式错误{why}：请检查引号、等号和方括号"
                                    "（文本要加英文双引号，如 printer = \"pdf\"）。") from None
        specs = {f.name: f for f in fields(cls)}
        hints = get_type_hints(cls)
        values: dict = {}
        for key, value in raw.items():
            where = f"设置文件 {path}{_line_of(text, key)}"
            if key in RENAMED:
                raise SettingsError(f"{where}：设置项“{key}”已改为{RENAMED[key]}，请改写这一行。")
            if key not in specs:
                raise SettingsError(f"{where}：没有设置项“{key}”{_did_you_mean(key, specs)}。"
                                    "请改正或删除这一行。")
            values[key] = _checked(specs[key], hints[key], value, where)
        env = os.environ if environ is None else environ
        for key, spec in specs.items():
            name = ENV_PREFIX + key.upper()
            if name in env and hints[key] is not dict:
                values[key] = _checked(spec, hints[key], _from_env(hints[key], env[name]),
                                       f"环境变量 {name}")
        return cls(**values)


def _checked(spec, kind: type, value, where: str):
    """``value`` of one key, or a SettingsError saying what is wrong and what to write."""
    key = spec.name
    meta = spec.metadata
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{where}：“{key}”应为整数（不加引号），现在是 {value!r}。")
        lo, hi = meta.get("lo"), meta.get("hi")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise SettingsError(f"{where}：“{key}”应在 {lo} 到 {hi} 之间，现在是 {value}。")
    elif kind is str:
        if not isinstance(value, str):
            raise SettingsError(f"{where}：“{key}”应为文本（加英文双引号），现在是 {value!r}。")
        choices = meta.get("choices") or ()
        if choices and value not in choices:
            raise SettingsError(f"{where}：“{key}”应为 {'、'.join(choices)} 之一，现在是“{value}”。")
        check = meta.get("check")
        if check is not None and (why := check(value)):
            raise SettingsError(f"{where}：“{key}”{why}，现在是“{value}”。")
    elif kind is dict:
        if not isinstance(value, dict):
            raise SettingsError(f"{where}：“{key}”应为一节 [{key}]，每行 名称 = \"按键\"。")
        for name, keys in value.items():
            if not isinstance(keys, str) or not KEY_NAMES.match(re.sub(r"\s*,\s*", ",", keys.strip())):
                raise SettingsError(f"{where}：[{key}] 中“{name}”的按键 {keys!r} 无效，"
                                    "应写成如 \"f12\" 或 \"ctrl+l,f12\"。")
    return value


def _from_env(kind: type, text: str):
    if kind is int:
        try:
            return int(text.strip())
        except ValueError:
            return text
    return text


def _line_of(text: str, key: str) -> str:
    """ " 第 N 行" of the line that sets ``key`` (a top-level key or a [table]), or ""."""
    pattern = re.compile(rf"^\s*(\[\s*{re.escape(key)}\s*\]|[\"']?{re.escape(key)}[\"']?\s*=)")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return f" 第 {n} 行"
    return ""


def _toml_where(message: str) -> str:
    found = re.search(r"line (\d+), column (\d+)", message)
    return f" 第 {found.group(1)} 行第 {found.group(2)} 列" if found else ""


def _did_you_mean(key: str, known) -> str:
    import difflib  # only for a settings file with an unknown key

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"（是否想写“{close[0]}”？）" if close else ""
