"""Keystrokes of a coffee-shop bundle deferral intake after the scan (target: <= 25).

Drives the real console (ClerkApp, headless Pilot) on a scratch copy of the generated window:
sign in, scan the company's credit code as a scanner burst (not counted: the scanner types
it), then every key the clerk presses until the case is saved as 容缺受理 (deferral):
search the bundle by initials, pick it, receive the main materials, go to the outcome, move
to 容缺受理 if it is not already highlighted, confirm. The case is then read back from the
replica: the count only stands if a deferred case with the bundle was saved.

    python bench/bench_keystrokes.py
    python bench/bench_keystrokes.py --quick     # same run (it is already small)
"""
from __future__ import annotations

import argparse
import asyncio
import sys

import benchlib
import console
import homes

TARGET_KEYS = 25
QUERY = "kfd"  # initials of 咖啡店, a keyword of the 开办咖啡店/茶馆 bundle


async def _settle(pilot) -> None:
    # the scanner detector holds a lone key back for its burst gap before passing it on
    await pilot.pause(0.35)


async def run_intake(scratch: homes.Scratch) -> tuple[list[str], object]:
    from clerk_console.domain.case import Outcome, Status
    from clerk_console.ui.screens.intake import IntakeScreen
    from clerk_console.ui.widgets.outcome import OutcomeList

    app = console.new_app(scratch.home)
    pressed: list[str] = []

    async def press(pilot, key: str) -> None:
        pressed.append(key)
        await pilot.press(key)
        await _settle(pilot)

    async with app.run_test(size=(120, 40)) as pilot:
        await console.sign_in(app, pilot, scratch.clerk)  # once a day, not per intake
        console.scan_burst(app, scratch.company)  # the scanner types it
        await _settle(pilot)
        screen = app.screen
        if not isinstance(screen, IntakeScreen) or screen.current is None:
            raise RuntimeError("the scan did not open the applicant")

        for ch in QUERY:
            await press(pilot, ch)
        first = screen.query_one("#picker").hits[0]
        if first.code != homes.CAFE_BUNDLE:
            raise RuntimeError(f"'{QUERY}' did not put the coffee-shop bundle first: {first}")
        await press(pilot, "enter")  # pick the bundle -> checklist
        await press(pilot, "a")  # main materials all received
        await press(pilot, "enter")  # -> outcome list
        outcomes = screen.query_one(OutcomeList)
        wanted = [o.outcome for o in screen.current.verdict.options].index(Outcome.DEFERRED)
        if not screen.current.verdict.option(Outcome.DEFERRED).allowed:
            raise RuntimeError(f"deferral not allowed: {screen.current.verdict.option(Outcome.DEFERRED).reason}")
        while outcomes.highlighted != wanted:
            await press(pilot, "down" if (outcomes.highlighted or 0) < wanted else "up")
        await press(pilot, "enter")  # confirm: saved and printed
        await pilot.pause(0.5)
        cases = app.desk.replica.cases_of(scratch.company)
        case = cases[0] if cases else None
        if case is None or case.status is not Status.DEFERRED or case.bundle != homes.CAFE_BUNDLE:
            raise RuntimeError(f"no deferred coffee-shop case was saved: {case}")
        return pressed, case


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="accepted for symmetry; the run is small")
    p.parse_args(argv)
    scratch = homes.scratch_home("keystrokes")
    pressed, case = asyncio.run(run_intake(scratch))
    print(f"case {case.case_no} {case.status.label}, {len(case.items)} items, "
          f"{len(case.owed)} materials owed; keys: {' '.join(pressed)}")
    benchlib.result("keystrokes", "cafe_deferral_intake", len(pressed), "keys", TARGET_KEYS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
