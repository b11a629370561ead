"""Cold start to first paint of the sign-in screen, against a bare Textual app (target: <= 1.5x).

Both are spawned as fresh processes in a real pty, alternating, and timed until the sign-in
title is in the terminal output. The console runs as a clerk would start it:
``clerk-console --data-dir X run`` after ``clerk-console --data-dir X demo --init-only``.
If the demo command is missing, the console runs on the generated bench replica instead;
``--bare-only`` measures the bare app on both sides (checks the harness itself).

    python bench/bench_startup.py            # 7 runs each
    python bench/bench_startup.py --quick    # 1 run each
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import benchlib
import homes
from bare_app import MARKER
from ptyrun import time_to_text

TARGET_RATIO = 1.5


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="1 run each (smoke test)")
    p.add_argument("--home", type=Path, default=benchlib.OUT_DIR / "startup-home",
                   help="window folder for the demo replica (recreated)")
    p.add_argument("--bare-only", action="store_true", help="measure the bare app on both sides")
    args = p.parse_args(argv)
    runs = 1 if args.quick else args.runs

    bare = [sys.executable, str(benchlib.BENCH_DIR / "bare_app.py")]
    console, label = bare, "bare(as console)"
    if not args.bare_only:
        home, why = homes.demo_home(args.home)
        label = "console(demo)"
        if home is None:  # the demo command is not there yet: the generated window instead
            print(f"demo replica not available: {why}; using the generated replica")
            home, label = homes.scratch_home("startup").home, "console(generated)"
        console = homes.console_cmd() + ["--data-dir", str(home), "run"]

    times: dict[str, list[float]] = {"bare": [], "console": []}
    for i in range(runs):
        order = [("bare", bare), ("console", console)]
        if i % 2:
            order.reverse()
        for name, cmd in order:
            run = time_to_text(cmd, MARKER, cwd=str(benchlib.ROOT))
            times[name].append(run.seconds)
            print(f"  run {i + 1} {name:8s} {run.seconds * 1000:7.1f} ms")

    bare_med = benchlib.median(times["bare"])
    console_med = benchlib.median(times["console"])
    benchlib.result("startup", "bare_first_paint", bare_med * 1000, "ms", runs=runs)
    benchlib.result("startup", "console_first_paint", console_med * 1000, "ms", runs=runs, side=label)
    benchlib.result("startup", "ratio_console_to_bare", console_med / bare_med, "x", TARGET_RATIO,
                    runs=runs, side=label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
