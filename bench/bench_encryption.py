"""What encrypting the replica at rest costs: SQLCipher 4 (``sqlcipher3-binary``, the replica's
own driver since the replica is encrypted, storage/db.py) against plain SQLite, on a table
shaped like the replica's applicants and cases. Prints build time, open time, and the median
/ p95 of the scan's two lookups (applicant by ID number, its open cases), with a warm page
cache and with a cold one (a new connection every 50 scans). No assert: figures for README.

    python bench/bench_encryption.py                 # 200,000 applicants, 400,000 cases
    python bench/bench_encryption.py --applicants 20000 --quick
"""
from __future__ import annotations

import argparse
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import benchlib  # noqa: F401  (puts the repository on sys.path)

SCHEMA = """
CREATE TABLE applicant (id_number TEXT PRIMARY KEY, name TEXT, phone TEXT, address TEXT);
CREATE TABLE "case" (id TEXT PRIMARY KEY, case_no TEXT UNIQUE, applicant_id TEXT, status TEXT,
                     items TEXT, created_at TEXT);
CREATE INDEX ix_case_applicant_status ON "case" (applicant_id, status);
"""


def connect(module, path: Path, key: bytes | None):
    conn = module.connect(str(path))
    if key is not None:  # a raw 256-bit key (from the OS keystore): no PBKDF2 on open
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def build(module, path: Path, key, applicants: int) -> float:
    rng = random.Random(7)
    t0 = time.perf_counter()
    conn = connect(module, path, key)
    conn.executescript(SCHEMA)
    ids = [f"3706{rng.randrange(10**13):013d}X" for _ in range(applicants)]
    with conn:
        conn.executemany("INSERT OR IGNORE INTO applicant VALUES (?, ?, ?, ?)",
                         ((i, "王小明", "138" + i[-8:], "烟台市莱山区港城东大街" + i[-4:] + "号")
                          for i in ids))
        conn.executemany('INSERT INTO "case" VALUES (?, ?, ?, ?, ?, ?)',
                         ((secrets.token_hex(16), f"YT0101-20261127-{n:07d}", ids[n % applicants],
                           "accepted" if n % 3 else "deferred", '["SP01","ZP01"]',
                           "2026-11-27 09:30:00") for n in range(2 * applicants)))
    conn.close()
    return time.perf_counter() - t0


def lookups(module, path: Path, key, ids: list[str], scans: int, cold: bool) -> list[float]:
    out, conn = [], connect(module, path, key)
    rng = random.Random(11)
    for n in range(scans):
        if cold and n % 50 == 0:
            conn.close()
            conn = connect(module, path, key)
        code = rng.choice(ids)
        t0 = time.perf_counter()
        conn.execute("SELECT * FROM applicant WHERE id_number = ?", (code,)).fetchone()
        conn.execute('SELECT * FROM "case" WHERE applicant_id = ? AND status IN '
                     "('accepted', 'deferred')", (code,)).fetchall()
        out.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--applicants", type=int, default=200_000)
    p.add_argument("--scans", type=int, default=500)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.applicants, args.scans = min(args.applicants, 20_000), min(args.scans, 200)
    try:
        import sqlcipher3
    except ImportError:
        print("sqlcipher3 not installed (pip install sqlcipher3-binary): nothing to compare")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="enc-"))
    key = secrets.token_bytes(32)
    figures = {}
    for label, module, k in (("sqlite", sqlite3, None), ("sqlcipher", sqlcipher3, key)):
        path = tmp / f"{label}.sqlite3"
        built = build(module, path, k, args.applicants)
        conn = module.connect(str(path))
        ids = [r[0] for r in conn.execute("SELECT id_number FROM applicant") .fetchall()] \
            if k is None else None
        conn.close()
        if ids is None:
            ids = figures["sqlite"]["ids"]
        t0 = time.perf_counter()
        for _ in range(20):
            connect(module, path, k).execute("SELECT count(*) FROM sqlite_master").fetchone()
        opened = (time.perf_counter() - t0) / 20 * 1000
        warm = lookups(module, path, k, ids, args.scans, cold=False)
        cold = lookups(module, path, k, ids, args.scans, cold=True)
        figures[label] = {"ids": ids, "built": built, "open": opened, "warm": warm, "cold": cold,
                          "size": path.stat().st_size / 1e6}
    for label, f in figures.items():
        q = lambda v: (statistics.median(v), sorted(v)[int(len(v) * 0.95)])  # noqa: E731
        print(f"{label:10} build {f['built']:.1f} s, {f['size']:.0f} MB, open {f['open']:.2f} ms, "
              "scan lookups warm median %.3f / p95 %.3f ms, cold median %.3f / p95 %.3f ms"
              % (*q(f["warm"]), *q(f["cold"])))
    s, c = figures["sqlite"], figures["sqlcipher"]
    ratio = statistics.median(c["cold"]) / statistics.median(s["cold"])
    benchlib.result("encryption", "scan_lookup_cold_ratio", ratio, "x", None,
                    warm_ratio=round(statistics.median(c["warm"]) / statistics.median(s["warm"]), 2),
                    build_ratio=round(c["built"] / s["built"], 2), applicants=args.applicants)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
