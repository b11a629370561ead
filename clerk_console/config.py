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
from importlib import resources
from dataclasses import dataclass, field, fields
from pathlib import Path

APP_NAME = "clerk-console"
REPLICA_FILE = "replica.sqlite3"
SETTINGS_FILE = "settings.toml"


def data_root() -> Path:
    env = os.environ.get("CLERK_CONSOLE_DATA")
    if env:
        return Path(env)
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


@dataclass
class Settings:
    """Per-window settings, read from ``<home>/settings.toml``; every key is optional."""

    idle_lock_seconds: int = 300  # auto-lock back to the PIN prompt
    deferral_days: int = 5  # working days granted to supply deferred materials (capped by items)
    bad_rating_followup_days: int = 5  # working days to answer a bad rating (local rules 5-15)
    scan_burst_ms: int = 100  # max gap between keys of a scanner burst
    printer: str = "pdf"  # pdf | cups | windows | escpos
    printer_target: str = ""  # CUPS queue, ESC/POS device (tcp://host:9100, /dev/usb/lp0, serial:/dev/ttyS0)
    pdf_folder: str = ""  # where "save PDF" writes; default <home>/notices
    cjk_font: str = ""  # TTF/OTF with CJK Ext-A/B glyphs, embedded when set
    hall_name: str = "烟台市政务服务中心"
    hall_address: str = "烟台市莱山区港城东大街1000号"
    hotline: str = "12345"
    sync_interval_seconds: int = 30
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> "Settings":
        path = folder / SETTINGS_FILE
        if not path.exists():
            return cls()
        with path.open("rb") as fh:
            from clerk_console import toml_text

            raw = toml_text.load(fh)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        values["extra"] = {k: v for k, v in raw.items() if k not in known}
        return cls(**values)
