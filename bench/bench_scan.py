"""Scan burst -> applicant panel data on the generated replica (target: <= 50 ms median).

Each scan is what the console does when a scanner burst ends: ``identify()`` on the raw text
(trailing CR/LF, lower-case x) and the replica lookups the applicant panel shows (applicant,
valid e-licences, open cases, deferrals owed, results ready, credit incl. blacklist via legal
representative and related persons) through the console's own ``Desk.lookup``.

With ``--pilot`` it also drives the real Textual app (headless Pilot) and times a scanner
burst until the compositor paints the applicant panel (processing, layout and rendering of
that frame; writing it to a terminal is left out).

    python bench/bench_scan.py              # 200,000 applicants / 1,000,000 cases, 500 scans
    python bench/bench_scan.py --quick      # small replica, 50 scans
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import benchlib
import console
import gen_replica

TARGET_MS = 50.0


def sample_codes(path: Path, n: int, seed: int = 7) -> list[str]:
    """Codes as a clerk meets them: half by visit (applicants with many cases come more
    often), half uniformly over applicants; a few valid codes not in the replica."""
    rnd = random.Random(seed)
    from clerk_console.storage.db import connect

    con = connect(path, readonly=True)
    try:
        n_cases = con.execute('SELECT max(rowid) FROM "case"').fetchone()[0]
        n_app = con.execute("SELECT max(rowid) FROM applicant").fetchone()[0]
        codes = []
        for i in range(n):
            if i % 2:
                row = con.execute('SELECT applicant_id FROM "case" WHERE rowid = ?',
                                  (rnd.randint(1, n_cases),)).fetchone()
            else:
                row = con.execute("SELECT id_number FROM applicant WHERE rowid = ?",
                                  (rnd.randint(1, n_app),)).fetchone()
            codes.append(row[0])
    finally:
        con.close()
    strangers = [gen_replica.person_id(rnd) for _ in range(max(1, n // 50))]
    codes[::50] = strangers[:len(codes[::50])]
    # the scanner's own habits: trailing CR LF, lower-case check letter
    return [c.lower() + "\r\n" if i % 3 == 0 else c + "\r" for i, c in enumerate(codes)]


def open_desk(path: Path):
    from clerk_console.ui.desk import Desk

    desk = Desk(path.parent)
    t0 = time.perf_counter()
    desk.open()
    return desk, time.perf_counter() - t0


def measure_lookups(desk, codes: list[str]) -> tuple[list[float], list[float], dict]:
    """Wall-clock and CPU milliseconds per scan, and what the panel would have shown."""
    today = gen_replica.TODAY
    timings: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: the cost on a busy machine
    seen = {"known": 0, "open_cases": 0, "deferrals": 0, "ready": 0, "blacklisted": 0, "invalid": 0}
    for raw in codes:
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        ident = desk.identify(raw, today)
        if ident.valid:
            view = desk.lookup(ident.normalized, ident.kind, today)
        timings.append((time.perf_counter_ns() - t0) / 1e6)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        if not ident.valid:
            seen["invalid"] += 1
            continue
        if view.applicant is not None:
            seen["known"] += 1
        seen["open_cases"] += len(view.open_cases)
        seen["deferrals"] += len(view.deferrals)
        seen["ready"] += len(view.ready)
        seen["blacklisted"] += view.blacklist is not None
    return timings, cpu, seen


def measure_pilot(path: Path, codes: list[str]) -> list[float]:
    """Scanner burst into the running app until the applicant panel is painted with the
    applicant: the time the compositor first renders the panel's lines after its content
    changed (what goes to the terminal in that frame). Pilot's own ``pause()`` costs ~30 ms
    a call, so timing until the test loop notices would measure Pilot, not the console."""
    from clerk_console.ui.widgets.applicant import ApplicantPanel

    clerk_id, _, pin, _ = gen_replica.CLERKS[0]
    app = console.new_app(path.parent)
    timings: list[float] = []

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await console.sign_in(app, pilot, (clerk_id, pin))
            panel = app.screen.query_one(ApplicantPanel)
            painted: list[tuple[float, str]] = []
            render_lines = panel.render_lines

            def timed_render_lines(crop):
                lines = render_lines(crop)
                painted.append((time.perf_counter(), str(panel.render())))
                return lines

            panel.render_lines = timed_render_lines
            for raw in codes:
                code = raw.strip().upper()
                applicant = app.desk.replica.find_applicant(code)
                if applicant is None:
                    continue
                painted.clear()
                t0 = time.perf_counter()
                console.scan_burst(app, code)
                for _ in range(400):
                    await pilot.pause()
                    shown = [t for t, text in painted
                             if applicant.name in text or code[-4:] in text]
                    if shown:
                        timings.append((shown[0] - t0) * 1000)
                        break
                else:
                    print(f"  panel never showed {code}")
                await pilot.pause(0.25)  # let the burst detector settle between scans

    asyncio.run(drive())
    return timings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scans", type=int, default=500)
    p.add_argument("--quick", action="store_true", help="small replica, 50 scans (smoke test)")
    p.add_argument("--pilot", action="store_true", help="also time the app's panel with Pilot")
    p.add_argument("--pilot-scans", type=int, default=30)
    args = p.parse_args(argv)
    sizes = gen_replica.QUICK if args.quick else gen_replica.Sizes()
    scans = 50 if args.quick else args.scans

    path = gen_replica.ensure(sizes)
    codes = sample_codes(path, scans)
    desk, open_s = open_desk(path)
    try:
        measure_lookups(desk, codes[:10])  # warm the page cache as a running console would be
        timings, cpu, seen = measure_lookups(desk, codes)
    finally:
        desk.close()
    print(f"replica {sizes.label}: {scans} scans, {seen}")
    benchlib.result("scan", "desk_open", open_s, "s", replica=sizes.label)
    benchlib.result("scan", "lookup_median", benchlib.median(timings), "ms", TARGET_MS, replica=sizes.label)
    benchlib.result("scan", "lookup_p95", benchlib.percentile(timings, 95), "ms", TARGET_MS, replica=sizes.label)
    benchlib.result("scan", "lookup_cpu_median", benchlib.median(cpu), "ms", TARGET_MS, replica=sizes.label)
    if args.pilot:
        pilot_times = measure_pilot(path, codes[: (5 if args.quick else args.pilot_scans)])
        if pilot_times:
            benchlib.result("scan", "pilot_panel_median", benchlib.median(pilot_times), "ms", TARGET_MS,
                            replica=sizes.label, scans=len(pilot_times))
            benchlib.result("scan", "pilot_panel_p95", benchlib.percentile(pilot_times, 95), "ms",
                            TARGET_MS, replica=sizes.label, scans=len(pilot_times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
