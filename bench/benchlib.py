"""Shared helpers for the bench scripts: statistics and one machine-readable result line.

Every bench prints human lines plus, per measured figure, one line

    RESULT {"bench": "search", "metric": "keystroke", "value": 0.8, "unit": "ms", "target": 10, ...}

which ``bench/run_all.py`` collects into its summary table. Lower is better for every figure;
``ratio`` = value / target, so a ratio <= 1 meets the target.
"""
from __future__ import annotations

import json
import math
import os
import statistics
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# git-ignored: generated replicas and scratch windows; tests point it at a tmp dir
OUT_DIR = Path(os.environ.get("CLERK_BENCH_OUT") or BENCH_DIR / "out")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# tests/support (loopback back office, synthetic cases) is imported as ``support``, as the tests do
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests"))


def scratch(name: str) -> Path:
    """An empty scratch folder ``OUT_DIR/name`` for one bench run (emptied if left over)."""
    import shutil

    folder = OUT_DIR / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def result(bench: str, metric: str, value: float, unit: str, target: float | None = None,
           **extra) -> dict:
    """Print one RESULT line (and a readable one) and return the record."""
    record = {"bench": bench, "metric": metric, "value": round(value, 4), "unit": unit,
              "target": target, "ratio": round(value / target, 3) if target else None, **extra}
    verdict = ""
    if target:
        verdict = f"  target {target:g} {unit}, ratio {record['ratio']:.2f} " + \
                  ("OK" if value <= target else "MISSED")
    print(f"{bench}.{metric}: {value:.3f} {unit}{verdict}")
    print("RESULT " + json.dumps(record, ensure_ascii=False), flush=True)
    return record
