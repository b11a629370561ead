"""Smoke test of an *installed* clerk-console (a wheel in a scratch venv, or a bundle).

Run with the installed interpreter, outside the source tree, after ``clerk-console demo
--init-only`` made a demo window in ``$CLERK_CONSOLE_HOME``. Checks that the code and the
reference data come from the installation (not a checkout), then drives the real console with
Pilot: sign in as the demo clerk, scan the demo coffee shop, see it on the applicant panel.
Exit 0 on success; a message and exit 1 otherwise.
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


def fail(message: str) -> int:
    print(f"smoke: FAILED: {message}", file=sys.stderr)
    return 1


async def drive(home: Path) -> str:
    from textual import events

    from clerk_console.ui.app import ClerkApp

    app = ClerkApp(home, sync=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            if app.desk.ready or app.open_error:
                break
            await pilot.pause(0.02)
        if not app.desk.ready:
            return f"console did not open: {app.open_error}"
        for ch in "demo":
            await pilot.press(ch)
        await pilot.press("enter")
        for ch in "123456":
            await pilot.press(ch)
        await pilot.press("enter")
        for _ in range(100):
            if app.clerk is not None:
                break
            await pilot.pause(0.05)
        if app.clerk is None:
            return "sign-in as demo/123456 failed"
        for ch in "91370613MA3CKF011N\r":  # a scanner burst: all keys at once
            key = events.Key("enter" if ch == "\r" else ch, ch)
            key.set_sender(app)
            app._driver.send_message(key)
        for _ in range(100):
            await pilot.pause(0.05)
            if "烟台海岸咖啡" in app.screen.query_one("ApplicantPanel").render().__str__():
                return ""
        return "the scanned enterprise did not appear on the applicant panel"


def main() -> int:
    import clerk_console
    from clerk_console import config

    source = Path(os.environ.get("CLERK_SOURCE_TREE", "/nonexistent")).resolve()
    package = Path(clerk_console.__file__).resolve().parent
    if source in package.parents:
        return fail(f"clerk_console imported from the source tree ({package})")
    data = config.data_root().resolve()
    if package not in data.parents:
        return fail(f"reference data not read from the installed package: {data}")
    for sub in ("catalogue", "calendar", "templates", "demo"):
        if not (data / sub).is_dir():
            return fail(f"package data lacks {sub}/")
    problem = asyncio.run(drive(config.home()))
    if problem:
        return fail(problem)
    print(f"smoke: ok — code {package}, data {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
