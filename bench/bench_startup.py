"""Cold start until the clerk can sign in, against a bare Textual app's first paint.

Both are spawned as fresh processes in a real pty, alternating, and timed until text is in the
terminal output. The console runs as a clerk would start it: ``clerk-console --data-dir X run``
after ``clerk-console --data-dir X demo --init-only``. Two figures per console run:

- first paint: the sign-in title is on screen (the clerk-id field is focused from then on and
  takes keys ahead);
- ready to sign in: the window line (``窗口：…``) replaced "正在打开本窗口数据…", i.e. the
  replica is open and Enter on the PIN signs in; RSS of the console process at that moment.

Cases: the demo window; the same window with a generated 20,000-item catalogue (a province's
事项, ``gen_catalogue``); and that one on a one-core stand-in for a township PC: every process
pinned to CPU 0 (``taskset -c 0``) with a busy loop pinned beside it.

Targets (issue #17): ready to sign in ≤ 1.5× the bare app's first paint on the demo window;
≤ 2 s on the one-core stand-in with 20,000 items; RSS at sign-in ≤ 120 MB with 20,000 items.
``--bare-only`` measures the bare app on both sides (checks the harness itself).

    python bench/bench_startup.py            # 5 runs each case
    python bench/bench_startup.py --quick    # 1 run each, demo window only
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

import benchlib
import homes
from bare_app import MARKER
from ptyrun import time_to_texts

TARGET_RATIO = 1.5
TARGET_ONE_CORE_MS = 2000.0
TARGET_RSS_MB = 120.0
READY = "窗口："  # the sign-in screen's window line once the replica is open
BIG_CATALOGUE = 20_000


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def big_catalogue_home(demo: Path, home: Path, items: int) -> Path:
    """A copy of the demo window whose replica holds a generated catalogue of ``items``."""
    import gen_catalogue

    from clerk_console.storage.replica import Replica

    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(demo, home)
    from clerk_console.config import REPLICA_FILE

    replica = Replica.open(home / REPLICA_FILE)
    try:
        replica.store_catalogue(gen_catalogue.generate(items))
    finally:
        replica.close()
    return home


@contextlib.contextmanager
def one_core(enabled: bool):
    """The command prefix for the one-core stand-in, with a busy loop on that core meanwhile."""
    if not enabled:
        yield []
        return
    pin = ["taskset", "-c", "0"]
    busy = subprocess.Popen(pin + [sys.executable, "-c", "while True: pass"])
    try:
        yield pin
    finally:
        busy.kill()
        busy.wait()


def measure(label: str, bare: list[str], console: list[str], runs: int, pinned: bool,
            ready: str = READY) -> dict:
    times: dict[str, list[float]] = {"bare": [], "paint": [], "ready": []}
    rss: list[float] = []
    with one_core(pinned) as pin:
        for i in range(runs):
            order = ["bare", "console"] if i % 2 == 0 else ["console", "bare"]
            for name in order:
                if name == "bare":
                    run = time_to_texts(pin + bare, [MARKER], cwd=str(benchlib.ROOT))
                    times["bare"].append(run.seconds)
                    continue
                markers = list(dict.fromkeys([MARKER, ready]))
                run = time_to_texts(pin + console, markers, cwd=str(benchlib.ROOT), probe=rss_mb)
                times["paint"].append(run.marks[MARKER])
                times["ready"].append(run.marks[ready])
                rss.append(run.probe)
            print(f"  {label} run {i + 1}: bare {times['bare'][-1] * 1000:6.0f} ms, console "
                  f"paint {times['paint'][-1] * 1000:6.0f} ms, ready {times['ready'][-1] * 1000:6.0f}"
                  f" ms, RSS {rss[-1]:5.1f} MB", flush=True)
    return {k: benchlib.median(v) * 1000 for k, v in times.items()} | {"rss": benchlib.median(rss)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="1 run, demo window only (smoke test)")
    p.add_argument("--items", type=int, default=BIG_CATALOGUE, help="generated catalogue size")
    p.add_argument("--only", choices=["demo", "big", "one-core"], action="append",
                   help="run only these cases (repeatable)")
    p.add_argument("--home", type=Path, default=benchlib.OUT_DIR / "startup-home",
                   help="window folder for the demo replica (recreated)")
    p.add_argument("--bare-only", action="store_true", help="measure the bare app on both sides")
    args = p.parse_args(argv)
    runs = 1 if args.quick else args.runs
    cases = args.only or (["demo"] if args.quick else ["demo", "big", "one-core"])

    # Both sides start from bytecode, as installed: pip compiled Textual's modules, and a
    # hall's wheel install compiles the console's; a source tree under PYTHONDONTWRITEBYTECODE
    # (set on some machines) would compile every console module at each start (~60 ms here).
    import compileall

    compileall.compile_dir(str(benchlib.BENCH_DIR.parent / "clerk_console"), quiet=1)
    bare = [sys.executable, str(benchlib.BENCH_DIR / "bare_app.py")]
    if args.bare_only:
        got = measure("bare", bare, bare, runs, pinned=False, ready=MARKER)
        benchlib.result("startup", "ratio_bare_to_bare", got["paint"] / got["bare"], "x", runs=runs)
        return 0
    demo, why = homes.demo_home(args.home)
    if demo is None:
        print(f"cannot make the demo window: {why}")
        return 1
    console = homes.console_cmd() + ["--data-dir"]
    run_cmd = ["run"]
    extra = dict(runs=runs)

    if "demo" in cases:
        got = measure("demo", bare, console + [str(demo)] + run_cmd, runs, pinned=False)
        benchlib.result("startup", "bare_first_paint", got["bare"], "ms", **extra)
        benchlib.result("startup", "console_first_paint", got["paint"], "ms", **extra)
        benchlib.result("startup", "console_ready_to_sign_in", got["ready"], "ms", **extra)
        benchlib.result("startup", "ratio_console_to_bare", got["ready"] / got["bare"], "x",
                        TARGET_RATIO, side="demo", **extra)
        benchlib.result("startup", "rss_at_sign_in_demo", got["rss"], "MB", **extra)
    if "big" in cases or "one-core" in cases:
        big = big_catalogue_home(demo, benchlib.OUT_DIR / "startup-big-home", args.items)
        size = dict(items=args.items, **extra)
        for case in ("big", "one-core"):
            if case not in cases:
                continue
            pinned = case == "one-core"
            got = measure(case, bare, console + [str(big)] + run_cmd, runs, pinned=pinned)
            benchlib.result("startup", f"ratio_console_to_bare_{case}", got["ready"] / got["bare"],
                            "x", bare_ms=round(got["bare"]), **size)
            benchlib.result("startup", f"ready_to_sign_in_{case}", got["ready"], "ms",
                            TARGET_ONE_CORE_MS if pinned else None, **size)
            benchlib.result("startup", f"rss_at_sign_in_{case}", got["rss"], "MB",
                            TARGET_RSS_MB, **size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
