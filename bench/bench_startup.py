"""Cold start to first paint of the sign-in screen, against a bare Textual app (target: <= 1.5x).

Both are spawned as fresh processes in a real pty, alternating, and timed until the sign-in
title is in the terminal output. The console runs as a clerk would start it:
``clerk-console --data-dir X run`` after ``clerk-console --data-dir X demo --init-only``.
If the console cannot be prepared (the UI or the demo command is missing), the bare app is
measured on both sides and the script says so.

    python bench/bench_startup.py            # 7 runs each
    python bench/bench_startup.py --quick    # 2 runs each
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import benchlib
from bare_app import MARKER
from ptyrun import time_to_text

TARGET_RATIO = 1.5
VENV_BIN = Path(sys.executable).parent


def clerk_console_cmd() -> list[str]:
    exe = VENV_BIN / "clerk-console"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "clerk_console"]


def prepare_console(home: Path) -> tuple[list[str] | None, str]:
    """(argv that opens the console on a demo replica, "") or (None, why not)."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    cmd = clerk_console_cmd() + ["--data-dir", str(home), "demo", "--init-only"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=benchlib.ROOT, timeout=600)
    if proc.returncode != 0:
        why = (proc.stderr or proc.stdout).strip().splitlines()
        return None, f"`demo --init-only` failed ({proc.returncode}): {why[-1] if why else ''}"
    return clerk_console_cmd() + ["--data-dir", str(home), "run"], ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="2 runs each (smoke test)")
    p.add_argument("--home", type=Path, default=benchlib.OUT_DIR / "startup-home",
                   help="window folder for the demo replica (recreated)")
    p.add_argument("--bare-only", action="store_true", help="measure the bare app on both sides")
    args = p.parse_args(argv)
    runs = 2 if args.quick else args.runs

    bare = [sys.executable, str(benchlib.BENCH_DIR / "bare_app.py")]
    console, why = (None, "--bare-only given") if args.bare_only else prepare_console(args.home)
    label = "console"
    if console is None:
        print(f"console not measured: {why}; timing the bare app on both sides")
        console, label = bare, "bare(as console)"

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
