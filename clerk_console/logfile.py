"""The log file: ``clerk-console.log`` in the platform's log folder, rotated, no personal data.

``CLERK_CONSOLE_LOG_DIR`` > platformdirs' user log folder (``~/.local/state/clerk-console/log``
on Linux, ``%LOCALAPPDATA%\\clerk-console\\Logs`` on Windows). 1 MB a file, 5 old files kept.
Every line passes ``scrub``: resident ID numbers and mobile numbers are masked the way screens
mask them (names are never logged). A log that cannot be written never stops the console.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from clerk_console.config import APP_NAME

MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def scrub(text: str) -> str:
    """``text`` with every resident ID number and mobile number masked."""
    from clerk_console.domain.masking import mask_id, mask_phone

    text = RESIDENT_ID.sub(lambda m: mask_id(m.group(1)), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


def log_dir() -> Path:
    env = os.environ.get("CLERK_CONSOLE_LOG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False))


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class QuietRotatingHandler(logging.handlers.RotatingFileHandler):
    """Never prints a traceback onto the clerk's screen (e.g. a rotation refused on Windows
    while another clerk-console process holds the file): that record is dropped."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup(program: str = APP_NAME, level: int = logging.INFO) -> Path | None:
    """Send this process's log records to ``<log_dir>/<program>.log``; the file, or None."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, QuietRotatingHandler):
            return Path(handler.baseFilename)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = QuietRotatingHandler(folder / f"{program}.log", maxBytes=MAX_BYTES,
                                       backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(ScrubbingFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level) if root.level != logging.NOTSET else level)
    return Path(handler.baseFilename)
