"""The attack run of issue #10, replayed: every attack against a real back office on loopback
(in this process, so its memory is this process's) and a real window folder, and what came of
it. Prints each attack and whether it succeeded, then the figures the README keeps:

    attacks tried / succeeded, oversized bodies that exhaust memory (peak RSS growth above
    256 MB or no clear refusal), enrollment race successes per code (20 at once; SQLite, and
    PostgreSQL when 127.0.0.1:5432/test answers), PII exposures, kill -9 trials with nothing
    lost.

    python bench/bench_attacks.py              # 20 kill -9 trials
    python bench/bench_attacks.py --kills 40
    python bench/bench_attacks.py --quick      # smoke-test sizes
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from datetime import date, datetime, timezone
from pathlib import Path

import benchlib  # noqa: F401  (puts the repository on sys.path)
import httpx
from sqlalchemy import select, text

from clerk_console.backoffice import service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.tables import ServerCase
from clerk_console.domain.ids import new_id
from clerk_console.storage.db import ReplicaError
from clerk_console.storage.replica import Replica
from clerk_console.commands.embedded import enroll_replica, start_embedded
from support.loopback import child_context, kill_sync_child
from clerk_console.sync.protocol import PushItem, payload_hash
from clerk_console.sync.runner import client_for, sync_once
from support.synthetic import add_cases
from clerk_console.sync.token_store import window_token

TRIED: list[tuple[str, bool]] = []
PII: list[tuple[str, bool]] = []


def attack(name: str, succeeded: bool) -> None:
    TRIED.append((name, bool(succeeded)))
    print(f"{'SUCCEEDED' if succeeded else 'failed   '}  {name}")


def now() -> datetime:
    return datetime.now(timezone.utc)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bomb(raw: int) -> bytes:
    out = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    return out.compress(b'{"items":[') + b"".join(out.compress(block) for _ in range(raw >> 20)) \
        + out.flush()


def token(engine, code: str) -> str:
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region="370602", now=now(), replace=True)
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=now())[1]


def oversized(url: str, tok: str, big: int) -> int:
    """Six oversized bodies; how many exhausted memory or got no clear refusal."""
    exhausted = 0
    auth = {"Authorization": f"Bearer {tok}", "Content-Encoding": "gzip"}
    one = bomb(big)  # 1 GB of zeros in ~1 MB of gzip: the attack's body
    gb = f"{big >> 20} MB"
    cases = [(f"push, no token, {gb} bomb", "/v1/push", {"Content-Encoding": "gzip"}, one, 401),
             (f"push, token, {gb} bomb", "/v1/push", auth, one, 413),
             (f"push, token, 3 x {gb} in three gzip members", "/v1/push", auth, one * 3,
              (400, 413)),
             ("pull, token, 64 MB bomb", "/v1/pull", auth, bomb(64 << 20), 413),
             ("enroll, 64 MB bomb", "/v1/enroll", {"Content-Encoding": "gzip"}, bomb(64 << 20), 413),
             ("push, 9 MB plain body", "/v1/push", {"Authorization": auth["Authorization"]},
              b"[" * (9 << 20), 413)]
    for name, path, headers, body, want in cases:
        before = rss_mb()
        r = httpx.post(url + path, content=body, headers=headers, timeout=120)
        grew = rss_mb() - before
        bad = r.status_code not in (want if isinstance(want, tuple) else (want,)) or grew > 256
        exhausted += bad
        attack(f"oversized body: {name} -> HTTP {r.status_code}, peak RSS +{grew:.0f} MB", bad)
    return exhausted


def forged(url: str, engine, tok: str) -> None:
    def push(payloads, entity="case"):
        items = [PushItem(id=new_id(), entity=entity, entity_id=p["id"], op="save", payload=p,
                          payload_hash=payload_hash(p)).model_dump() for p in payloads]
        r = httpx.post(url + "/v1/push", json={"items": items},
                       headers={"Authorization": f"Bearer {tok}"}, timeout=30)
        return r.status_code, [x["status"] for x in r.json().get("results", [])]

    def case(n, version=1, status="accepted", **kw):
        return {"id": f"forge-{n}", "case_no": f"YT0808-20261127-{n:04d}",
                "window_code": "YT0808", "version": version, "status": status, **kw}

    code, st = push([case(1, status="decided", decision="approve")])
    attack("window pushes a case straight to decided/approve", "accepted" in st)
    push([case(2)])
    code, st = push([{"id": f"r{i}", "case_no": f"YT0808-20261127-{500 + i:04d}", "level": 1}
                     for i in range(200)], "rating")
    attack("200 ratings for cases that do not exist", "accepted" in st)
    code, st = push([{"id": f"q{i}", "case_no": "YT0808-20261127-0002", "level": 1}
                     for i in range(5)], "rating")
    attack("5 ratings for one case", st.count("accepted") > 1)
    for v in (True, -5, 2**63 - 1, 2**63):
        raw = json.dumps(case(3)).replace('"version": 1', f'"version": {json.dumps(v)}')
        body = ('{"items":[{"id":"%s","entity":"case","entity_id":"forge-3","op":"save",'
                '"payload":%s,"payload_hash":"x"}]}' % (new_id(), raw))
        r = httpx.post(url + "/v1/push", content=body,
                       headers={"Authorization": f"Bearer {tok}"}, timeout=30)
        ok = r.status_code >= 500 or (r.status_code == 200
                                      and r.json()["results"][0]["status"] == "accepted")
        attack(f"version {v!r} accepted or HTTP 500 (retried forever)", ok)
    code, st = push([{**case(2), "id": "forge-other"}])
    attack("a second case under a used case number", "accepted" in st)
    with engine.begin() as conn:
        try:
            service.issue_enrollment_code(conn, "YT0808", region=None, now=now())
            issued = True
        except service.BackofficeError:
            issued = False
    attack("second PC enrolled for a window without an explicit replacement", issued)


def guessing(url: str) -> None:
    codes = [httpx.post(url + "/v1/enroll", json={"code": f"AAAA-BBBB-{i:04d}"},
                        timeout=10).status_code for i in range(20)]
    attack(f"20 guessed enrollment codes unthrottled ({codes.count(429)} got 429)",
           codes.count(429) == 0)


def race(engine, label: str) -> int:
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, f"RC{label[:4].upper()}", region="370602",
                                            now=now(), replace=True)
    barrier = threading.Barrier(20)
    got: list[str] = []

    def one(i):
        barrier.wait()
        try:
            with engine.begin() as conn:
                got.append(service.enroll(conn, otc, now=now(), install_id=f"pc{i}")[1])
        except service.BackofficeError:
            pass

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    attack(f"20 concurrent enrolls with one code on {label}: {len(got)} tokens", len(got) > 1)
    return len(got)


def pg_url() -> str | None:
    try:
        import psycopg

        for user in ("postgres", "root"):
            try:
                with psycopg.connect(host="127.0.0.1", dbname="test", user=user,
                                     connect_timeout=2):
                    return f"postgresql://{user}@127.0.0.1:5432/test"
            except psycopg.Error:
                continue
    except ImportError:
        pass
    return None


def files(tmp: Path) -> None:
    from clerk_console.backoffice import cli
    from clerk_console.config import data_root
    from clerk_console.datafiles.catalogue import load_catalogue

    db = f"sqlite:///{tmp / 'imports.sqlite3'}"
    head = "subject_id,name,reason,listed_on\n"
    rows = "".join(f"91370600MA3C{i:05d}X,某公司{i},严重失信,2025-01-02\n" for i in range(10))
    full, empty, cut, big = (tmp / n for n in ("full.csv", "empty.csv", "cut.csv", "big.csv"))
    full.write_text(head + rows, encoding="utf-8")
    empty.write_text(head, encoding="utf-8")
    cut.write_text(head + rows + "91370600MA3C99999X,某公", encoding="utf-8")
    big.write_text(head + f"91370600MA3C77777X,{'甲' * 200_000},严重失信,\n", encoding="utf-8")
    quiet = open(os.devnull, "w")
    saved, sys.stderr, sys.stdout = (sys.stderr, sys.stdout), quiet, quiet
    try:
        cli.main(["--db", db, "import-blacklist", str(full)])
        wiped = cli.main(["--db", db, "import-blacklist", str(empty)]) == 0
        truncated = cli.main(["--db", db, "import-blacklist", str(cut)]) == 0
        try:
            cli.main(["--db", db, "import-blacklist", str(big)])
            crashed = False
        except Exception:
            crashed = True
    finally:
        sys.stderr, sys.stdout = saved
    attack("header-only blacklist CSV wipes the list", wiped)
    attack("truncated blacklist CSV imported", truncated)
    attack("200 KB CSV field is a traceback", crashed)
    def catalogue_loads(edit) -> bool | None:
        """True: loaded; False: refused with a message; None: crashed (RecursionError ...)."""
        folder = tmp / "catalogue"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(data_root() / "catalogue", folder)
        edit(folder)
        try:
            load_catalogue(folder)
            return True
        except ValueError:
            return False
        except RecursionError:
            return None

    def nest(folder):
        (folder / "departments.toml").write_text("x = " + "[" * 5000 + "]" * 5000,
                                                 encoding="utf-8")

    def huge_days(folder):
        item = folder / "items" / "bdc.toml"
        item.write_text(item.read_text(encoding="utf-8").replace(
            "legal_days = 30", f"legal_days = {2**63 - 1}", 1), encoding="utf-8")

    def bom_mark(folder):
        dep = folder / "departments.toml"
        dep.write_bytes(b"\xef\xbb\xbf" + dep.read_bytes())

    attack("nested TOML is a RecursionError or accepted", catalogue_loads(nest) is not False)
    attack("catalogue accepts legal_days = 2**63-1", catalogue_loads(huge_days) is not False)
    bom = catalogue_loads(bom_mark) is not True
    attack("a UTF-8 BOM makes a TOML file unreadable", bom)


def window(tmp: Path) -> None:
    home = tmp / "window"
    old = os.umask(0o022)
    try:
        r = Replica.open(home / "replica.sqlite3")
        r.close()
    finally:
        os.umask(old)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in [home, *home.iterdir()]}
    attack(f"window folder or replica readable by others {modes}",
           os.name == "posix" and any(m not in ("0o700", "0o600") for m in modes.values()))
    for label, data in (("0-byte", b""), ("corrupt", None)):
        path = home / "replica.sqlite3"
        if data is None:
            raw = bytearray(path.read_bytes() if path.stat().st_size else b"")
            if not raw:
                Replica.open(tmp / "fresh" / "replica.sqlite3").close()
                raw = bytearray((tmp / "fresh" / "replica.sqlite3").read_bytes())
            for i in range(4096, len(raw), 4096):
                raw[i + 10:i + 200] = os.urandom(190)
            data = bytes(raw)
        path.write_bytes(data)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            Replica.open(path).close()
            opened = True
        except ReplicaError:
            opened = False
        attack(f"a {label} replica opens", opened)
    r = Replica.open(tmp / "pii" / "replica.sqlite3")
    try:
        with r.write() as s:
            for _ in range(2):
                s.execute(text("INSERT INTO kv (key, value) VALUES ('370602199203154321', 'x')"
                               .replace("'370602199203154321'", ":k")), {"k": "370602199203154321"})
    except Exception as exc:
        PII.append(("SQL error text carries an ID number", "370602199203154321" in str(exc)))
    from clerk_console.domain.parties import Applicant, ApplicantKind
    from clerk_console.storage import migrations

    r.save_applicant(Applicant("370602199203154321", "resident_id", ApplicantKind.PERSON, "李小梅"),
                     "bench")  # in the WAL, then in a backup
    migrations.backup(r.path, "attack")
    # a copy of the window folder (a backup, a support zip, a disk): grep it for the ID number
    PII.append(("a copied window folder (replica, WAL, backups) holds an ID number in clear",
                any(b"370602199203154321" in f.read_bytes()
                    for f in (tmp / "pii").rglob("*") if f.is_file())))
    r.close()
    crash = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True,
                           timeout=120, cwd=str(benchlib.ROOT))
    PII.append(("crash report shows a PIN local", "123456" in crash.stdout + crash.stderr))
    for name, exposed in PII:
        attack(f"PII exposure: {name}", exposed)


def audit_log(path: Path) -> None:
    """The issue's rewrites of a closed replica's audit log (failed sign-ins in it) with
    SQL, as the window's own user can (the replica is encrypted, but that user can read its key
    from the keystore: the raw connection of storage/db.py)."""
    from clerk_console.storage.db import connect, dbapi

    def sql(*statements) -> bool:
        conn = connect(path)
        try:
            with conn:
                for statement in statements:
                    conn.execute(statement)
            return True
        except dbapi().DatabaseError:
            return False
        finally:
            conn.close()

    def unnoticed() -> bool:
        with Replica.open(path) as rep:
            return rep.audit_chain_problem() == ""

    replaced = sql("INSERT OR REPLACE INTO audit_log (id, at, clerk_id, action, subject, "
                   "detail, seq, prev_hash, hash) SELECT id, at, clerk_id, 'clerk.login', "
                   "subject, detail, seq, prev_hash, hash FROM audit_log "
                   "WHERE action = 'clerk.login_failed'")
    attack("INSERT OR REPLACE turns failed sign-ins into successes", replaced and unnoticed())
    shutil.copyfile(path, f"{path}.orig")
    sql("DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET action = 'clerk.login' WHERE action = 'clerk.login_failed'")
    attack("with the triggers dropped, a rewritten entry goes unnoticed", unnoticed())
    shutil.copyfile(f"{path}.orig", path)
    sql("DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2")
    attack("with the triggers dropped, a deleted entry goes unnoticed", unnoticed())


def signin(tmp: Path) -> dict[str, float]:
    """PINs and sign-in: a stolen replica's hash guessed offline, short PINs, and user
    enumeration by the time a refusal takes."""
    import statistics
    import time

    from clerk_console.services import ServiceError
    from clerk_console.services.audit import login
    from clerk_console.storage.pins import pin_matches
    from clerk_console.storage.tables import ClerkRow

    r = Replica.open(tmp / "signin" / "replica.sqlite3")
    try:
        r.add_clerk("c1", "张敏", "482916")
        try:
            r.set_pin("c1", "4829")
            short = True
        except ReplicaError:
            short = False
        attack("a 4-digit PIN is accepted", short)
        with r.tx.read() as s:
            row = s.get(ClerkRow, "c1")
            stolen, salt = row.pin_hash, row.pin_salt
        t0 = time.perf_counter()
        guesses = 0
        while time.perf_counter() - t0 < 1.0:  # the offline attacker's loop, one core
            pin_matches(f"{guesses:06d}", stolen, salt)
            guesses += 1
        rate = guesses / (time.perf_counter() - t0)
        hours = 10**6 / rate / 3600
        print(f"offline PIN guessing: {rate:.1f} guesses/s on one core, all 10^6 six-digit "
              f"PINs in {hours:.1f} h (issue #10: a 4-digit PIN in 12 s)")
        attack("a stolen PIN hash falls offline within an hour on one core", hours < 1)

        def refused(clerk_id: str) -> float:
            t = time.perf_counter()
            try:
                login(r, clerk_id, "000000")
            except ServiceError:
                pass
            r.unlock_clerk("c1")
            return time.perf_counter() - t

        known, unknown = [], []
        for _ in range(7):
            known.append(refused("c1"))
            unknown.append(refused(f"x{len(unknown)}"))
        ratio = statistics.median(unknown) / statistics.median(known)
        print(f"sign-in refusal time, unknown / known id: {ratio:.2f}")
        attack("unknown ids told apart from known ones by the refusal's time", ratio < 0.5)
        from datetime import timedelta

        t = datetime.now()
        for _ in range(5):
            try:
                login(r, "c1", "000000", now=t)
            except ServiceError:
                pass
        try:
            forever = login(r, "c1", "482916", now=t + timedelta(hours=25)) is None
        except ServiceError:
            forever = True
        attack("five wrong PINs lock an account forever", forever)
        r.set_window("YT0707", "综合受理7号窗口", "烟台市政务服务中心")
        add_cases(r, 1, window_code="YT0707", day=date.today())
    finally:
        r.close()
    audit_log(r.path)
    for command in (["cases", "--json"], ["clerk", "list", "--json"]):
        out = subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir",
                              str(r.path.parent), *command], input="", capture_output=True,
                             text=True, timeout=120, cwd=str(benchlib.ROOT),
                             start_new_session=True)
        PII.append((f"`{' '.join(command[:2])}` without a PIN",
                    "YT0707-" in out.stdout or "张敏" in out.stdout))
        attack(f"PII exposure: `{' '.join(command)}` without a PIN", PII[-1][1])
    return {"guess_hours": hours, "timing_ratio": ratio}


CRASH = """
import asyncio, tempfile
from pathlib import Path
from clerk_console.ui.app import ClerkApp
app = ClerkApp(Path(tempfile.mkdtemp()), sync=False)
def explode():
    pin = "123456"
    raise RuntimeError("boom")
async def main():
    try:
        async with app.run_test() as pilot:
            app.call_later(explode)
            await pilot.pause(); await pilot.pause()
    except RuntimeError:
        pass
asyncio.run(main())
"""


def kills(tmp: Path, bo, engine, n: int) -> tuple[int, int]:
    """n sync rounds of a window killed with SIGKILL at a random moment; then settle and
    compare: every case on the server exactly once, at the window's version."""
    import random

    rng = random.Random(20261127)
    r = Replica.open(tmp / "killed" / "replica.sqlite3")
    r.set_window("YT0909", "综合受理9号窗口", "烟台市政务服务中心")
    enroll_replica(engine, r, bo.url, region="370602")
    secret = window_token(r).encode()
    clear = [p.name for p in r.path.parent.rglob("*") if p.is_file() and secret in p.read_bytes()]
    attack(f"the sync token readable in clear in the window folder {clear}", bool(clear))
    ctx = child_context()
    killed = 0
    for _ in range(n):
        add_cases(r, 8, window_code="YT0909", day=date.today())
        killed += kill_sync_child(ctx, str(r.path), rng)
    for _ in range(20):
        with client_for(r, attempts=3, max_wait=0.5) as c:
            rep = sync_once(r, c)
        if rep.online and not rep.error and rep.queued == 0:
            break
    with r.tx.read() as s:
        local = dict(s.execute(text('SELECT id, version FROM "case"')).all())
    with reading(engine) as conn:
        server = dict(conn.execute(select(ServerCase.id, ServerCase.version)
                                   .where(ServerCase.window_id == service.authenticate(
                                       conn, window_token(r)).id)).all())
    import time

    from clerk_console.sync.client import SyncClient

    with SyncClient(r.get_kv("sync_url"), window_token(r),
                    clock=lambda: time.time() - 400 * 86400) as c:
        sync_once(r, c)
    attack("a back office 400 days off becomes the window's trusted clock",
           abs(r.clock_offset) > 86400)
    r.close()
    lost = len(set(local.items()) - set(server.items()))
    print(f"kill -9: {killed} of {n} rounds cut, {len(local)} cases, lost or changed: {lost}")
    return killed, lost


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--quick", action="store_true", help="64 MB bombs, 2 kill -9 trials")
    args = p.parse_args()
    if args.quick:
        args.kills = min(args.kills, 2)
    tmp = Path(tempfile.mkdtemp(prefix="attacks-"))
    bo = start_embedded(tmp / "bo")
    try:
        engine = make_engine(bo.db_url)
        tok = token(engine, "YT0808")
        exhausted = oversized(bo.url, tok, (64 << 20) if args.quick else (1 << 30))
        forged(bo.url, engine, tok)
        killed, lost = kills(tmp, bo, engine, args.kills)  # before guessing blocks our address
        guessing(bo.url)
        races = {"SQLite": race(engine, "SQLite")}
        url = pg_url()
        if url:
            import uuid

            import psycopg

            schema = f"atk_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                pg = make_engine(f"{url}?options=-csearch_path%3D{schema}")
                races["PostgreSQL"] = race(pg, "PostgreSQL")
                pg.dispose()
            finally:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        files(tmp)
        window(tmp)
        pins = signin(tmp)
    finally:
        bo.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    succeeded = sum(ok for _n, ok in TRIED)
    exposures = sum(ok for _n, ok in PII)
    print(f"\nattacks tried {len(TRIED)}, succeeded {succeeded}; oversized bodies exhausting "
          f"memory {exhausted} of 6; enrollment race tokens per code "
          + ", ".join(f"{k} {v}" for k, v in races.items())
          + f"; PII exposures {exposures}; kill -9 trials {killed}, cases lost {lost}")
    benchlib.result("attacks", "succeeded", succeeded, "attacks", None, tried=len(TRIED))
    benchlib.result("attacks", "oversized_exhausting", exhausted, "bodies", None, of=6)
    benchlib.result("attacks", "enroll_race_tokens", max(races.values()), "tokens", None,
                    **races)
    benchlib.result("attacks", "pii_exposures", exposures, "exposures", None)
    benchlib.result("attacks", "pin_guess_hours", round(pins["guess_hours"], 1), "h", None,
                    timing_ratio=round(pins["timing_ratio"], 2))
    benchlib.result("attacks", "kill9_lost", lost, "cases", None, trials=killed)
    return 0 if succeeded == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
