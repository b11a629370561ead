"""Memory of one console session over 500 intakes (target: RSS <= 150 MB, no upward trend).

Runs the real console (ClerkApp, headless Pilot) on a scratch copy of the generated window and
takes intakes through the screen's own handlers, as the keys would: scan an applicant, pick
the coffee-shop bundle or a single item that fits the applicant, receive the main materials,
close with the best allowed outcome (which saves the case and prints its notice to PDF), let
the applicant rate. Key timing is left out (bench_keystrokes counts keys); every code path
behind the keys runs. RSS is sampled every 50 intakes.

    python bench/bench_memory.py               # 500 intakes
    python bench/bench_memory.py --quick       # 10 intakes, sampled every 5
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
from pathlib import Path

import benchlib
import console
import homes

TARGET_MB = 150.0
FLAT_MB_PER_100 = 1.0  # growth below this per 100 intakes counts as no trend


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def applicant_codes(home: Path, n: int, seed: int = 5) -> list[str]:
    from clerk_console.storage.db import connect

    con = connect(home / "replica.sqlite3", readonly=True)
    try:
        codes = [r[0] for r in con.execute("SELECT id_number FROM applicant")]
    finally:
        con.close()
    return random.Random(seed).sample(codes, k=min(n, len(codes)))


async def settle(pilot) -> None:
    """Let the messages a key would trigger run out, as they do between a clerk's keys."""
    for _ in range(3):
        await pilot.pause()


async def wait_for(pilot, condition, seconds: float = 20.0):
    """Pause until ``condition()`` is truthy (returned) or ``seconds`` pass (None)."""
    for _ in range(int(seconds / 0.02)):
        found = condition()
        if found:
            return found
        await pilot.pause(0.02)
    return None


async def session(scratch: homes.Scratch, n: int, every: int) -> tuple[list[tuple[int, float]], dict]:
    from clerk_console.domain.catalogue import Target
    from clerk_console.ui.screens.intake import IntakeScreen
    from clerk_console.ui.screens.rating import RatingScreen
    from clerk_console.ui.widgets.checklist import Checklist
    from clerk_console.ui.widgets.picker import ItemPicker

    app = console.new_app(scratch.home, hour=9)
    rnd = random.Random(1)
    codes = applicant_codes(scratch.home, n)
    samples: list[tuple[int, float]] = []
    tally: dict[str, int] = {}

    async with app.run_test(size=(120, 40)) as pilot:
        await console.sign_in(app, pilot, scratch.clerk)
        screen = app.screen
        assert isinstance(screen, IntakeScreen), screen
        items = list(app.desk.catalogue.items.values())
        fits = {
            "person": [i.code for i in items if i.target in (Target.PERSON, Target.BOTH) and i.in_hall],
            "enterprise": [i.code for i in items if i.target in (Target.ENTERPRISE, Target.BOTH) and i.in_hall],
        }
        samples.append((0, rss_mb()))
        print(f"  {0:4d} intakes  RSS {samples[-1][1]:6.1f} MB (signed in)", flush=True)
        for done in range(1, n + 1):
            screen.scan(codes[done - 1])
            await settle(pilot)
            cur = screen.current
            if cur is None or cur.view.applicant is None:
                tally["not found"] = tally.get("not found", 0) + 1
                continue
            if done % 3 == 0:
                screen.on_item_picker_picked(ItemPicker.Picked("bundle", homes.CAFE_BUNDLE))
            else:
                code = rnd.choice(fits[cur.view.applicant.kind.value])
                screen.on_item_picker_picked(ItemPicker.Picked("item", code))
            await settle(pilot)
            screen.query_one(Checklist).action_main()
            await settle(pilot)
            best = cur.verdict.best if cur.verdict is not None else None
            if best is None:
                tally["no outcome"] = tally.get("no outcome", 0) + 1
                continue
            screen.close_case(best)
            await pilot.pause()
            tally[best.label] = tally.get(best.label, 0) + 1
            rating = await wait_for(pilot, lambda: isinstance(app.screen, RatingScreen) and app.screen)
            if rating:  # the rating dialog opens only once the case is saved
                tally["closed"] = tally.get("closed", 0) + 1
                rating.action_rate(1 + done % 3)
                await pilot.pause()
                if app.screen is rating:  # not saved: say why, and let the applicant skip
                    print("  rating not saved:", rating.query_one("#rating-error").render())
                    rating.action_skip()
                # the next case's dialog may open only once this one is gone
                await wait_for(pilot, lambda r=rating: not r.is_attached)
            if done % every == 0:
                await pilot.pause(0.2)  # let print workers finish, as between applicants
                samples.append((done, rss_mb()))
                print(f"  {done:4d} intakes  RSS {samples[-1][1]:6.1f} MB", flush=True)
        tally["cases in replica"] = app.desk.replica.count_cases()
    return samples, tally


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--intakes", type=int, default=500)
    p.add_argument("--every", type=int, default=50)
    p.add_argument("--quick", action="store_true", help="10 intakes, sampled every 5")
    args = p.parse_args(argv)
    if args.quick:
        args.intakes, args.every = 10, 5
    scratch = homes.scratch_home("memory")
    samples, tally = asyncio.run(session(scratch, args.intakes, args.every))
    print(f"outcomes: {tally}")
    after_warmup = samples[2:] if len(samples) > 4 else samples[1:]
    xs = [float(x) for x, _ in after_warmup]
    ys = [y for _, y in after_warmup]
    slope = statistics.linear_regression(xs, ys).slope * 100 if len(xs) >= 2 else 0.0
    print(f"trend after warm-up: {slope:+.2f} MB per 100 intakes "
          f"({'flat' if slope < FLAT_MB_PER_100 else 'UPWARD'})")
    benchlib.result("memory", "intakes_closed", tally.get("closed", 0), "cases", intakes=args.intakes)
    benchlib.result("memory", "rss_start", samples[0][1], "MB")
    benchlib.result("memory", "rss_end", samples[-1][1], "MB", TARGET_MB, intakes=samples[-1][0])
    benchlib.result("memory", "rss_growth_per_100", slope, "MB", FLAT_MB_PER_100, intakes=samples[-1][0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
