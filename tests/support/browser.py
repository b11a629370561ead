"""The system's headless Chromium through the playwright package (never a downloaded
browser): skipped where /usr/bin/chromium or playwright is missing."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> Iterator:
    """A launched browser for a fixture to yield (closed after)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs the system's chromium (apt install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()
