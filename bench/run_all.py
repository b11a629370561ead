"""Run every bench (bench/bench_*.py) and print one summary table (``make bench``).

Each bench runs in its own process; its RESULT lines (see benchlib.py) are collected. A bench
that crashes is reported as such and makes the exit status 1; a missed target does not (the
table says MISSED).

    python bench/run_all.py                   # full sizes (the replica is cached in bench/out)
    python bench/run_all.py --quick           # smoke-test sizes (benches without --quick skipped)
    python bench/run_all.py --only search scan
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import benchlib

# ours first, in a sensible order; any other bench_*.py in the folder runs after them
ORDER = ["search", "startup", "scan", "keystrokes", "memory"]
# options a bench runs with here: the scan target is the painted panel, not only the lookups
OPTIONS = {"scan": ["--pilot"]}


def bench_names() -> list[str]:
    found = sorted(p.stem.removeprefix("bench_") for p in benchlib.BENCH_DIR.glob("bench_*.py"))
    return [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]


def offers_quick(name: str) -> bool:
    return '"--quick"' in (benchlib.BENCH_DIR / f"bench_{name}.py").read_text(encoding="utf-8")


def run_one(name: str, quick: bool, timeout: float) -> tuple[list[dict], str]:
    """(RESULT records, "" or what went wrong)."""
    cmd = ([sys.executable, str(benchlib.BENCH_DIR / f"bench_{name}.py")] + OPTIONS.get(name, [])
           + (["--quick"] if quick else []))
    print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=benchlib.ROOT)
    except subprocess.TimeoutExpired:
        return [], f"timed out after {timeout:.0f} s"
    records = []
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            records.append(json.loads(line[len("RESULT "):]))
        else:
            print(f"   {line}")
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return records, f"exit {proc.returncode}: {tail}"
    return records, ""


def table(rows: list[dict], failures: dict[str, str]) -> str:
    head = f"{'bench':12s} {'metric':28s} {'value':>12s} {'unit':6s} {'target':>8s} {'ratio':>7s}  verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        target = "" if r.get("target") is None else f"{r['target']:g}"
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        verdict = "" if r.get("target") is None else ("OK" if r["value"] <= r["target"] else "MISSED")
        lines.append(f"{r['bench']:12s} {r['metric']:28s} {r['value']:12.3f} {r['unit']:6s} "
                     f"{target:>8s} {ratio:>7s}  {verdict}")
    for name, why in failures.items():
        lines.append(f"{name:12s} {'(failed)':28s} {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke-test sizes")
    p.add_argument("--only", nargs="+", metavar="NAME", help="e.g. search scan (default: all)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per bench")
    args = p.parse_args(argv)
    names = args.only or bench_names()
    unknown = [n for n in names if not (benchlib.BENCH_DIR / f"bench_{n}.py").exists()]
    if unknown:
        p.error(f"no such bench: {', '.join(unknown)} (have: {', '.join(bench_names())})")
    rows: list[dict] = []
    failures: dict[str, str] = {}
    t0 = time.perf_counter()
    for name in names:
        if args.quick and not offers_quick(name):
            print(f"== {name}: skipped (it has no --quick size)")
            continue
        records, error = run_one(name, args.quick, args.timeout)
        rows.extend(records)
        if error:
            failures[name] = error
    print()
    print(table(rows, failures))
    print(f"\n{len(names)} benches in {time.perf_counter() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
