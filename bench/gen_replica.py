"""A large window replica for the benches: applicants, cases, e-licences, blacklist.

Default: 200,000 applicants (valid resident ID numbers and unified social credit codes),
1,000,000 cases with their materials, e-licences, related persons and a blacklist. The schema
comes from the storage layer (``Replica.open`` runs its migrations); rows are bulk-inserted
with SQLAlchemy core ``insert()`` executemany in large transactions.

The file is cached under bench/out/, keyed by generator version and sizes; a rerun reuses it
after opening it with the storage layer (whose migrations bring an older schema up to date).

    python bench/gen_replica.py                  # build (or reuse) the full replica
    python bench/gen_replica.py --quick          # 500 applicants, 3,000 cases
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import benchlib
import gen_catalogue

from clerk_console.domain.case import MaterialState, Outcome, Status
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.codes import resident_id, uscc
from clerk_console.domain.ids import format_case_no, new_id
from clerk_console.domain.parties import elicence_key

GENERATOR_VERSION = "2"
TODAY = date(2026, 11, 27)  # the replica's "today": fixed so the data never depends on the clock
SEED = 11643
BATCH = 20_000
CATALOGUE_ITEMS = 1_000
WINDOW = "YT0101"
CLERKS = [("1001", "王晓梅", "123412", "clerk"), ("1002", "李建国", "234523", "clerk"),
          ("9001", "张主任", "999999", "supervisor")]

# GB/T 2260 codes that have existed since the 1980s (so any birth year from 1950 is plausible)
PERSON_REGIONS = ["370602", "370681", "370682", "370683", "370685", "370686", "370687",
                  "370612", "370202", "370102", "110101", "310104", "440106", "410102"]
ENTERPRISE_REGIONS = ["370600", "370602", "370611", "370612", "370613", "370681", "370683"]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文斌宇浩凯鹏辉晨欣怡子涵梓萱雨轩博文一诺思远佳琪俊杰天宇志强海燕玉兰春梅"
SHOP_WORDS = ["鑫源", "海港", "福山", "金沙", "蓝海", "渤海", "瑞丰", "同德", "恒信", "鲁东", "半岛",
              "仙境", "龙湖", "宏达", "众诚", "安泰", "嘉禾", "昆嵛", "芝罘", "盛世"]
TRADES = ["餐饮管理", "商贸", "咖啡", "食品", "建筑工程", "物流", "科技", "酒店管理", "医药连锁",
          "文化传媒", "健身", "烘焙", "便利店", "果业", "葡萄酒"]
ROADS = ["南大街", "北马路", "港城东大街", "观海路", "迎春大街", "长江路", "黄河路", "青年南路"]
BLACKLIST_REASONS = ["被列入严重违法失信名单", "拒不履行法院生效判决", "虚假承诺被撤销许可",
                     "欠缴税款被列入重大税收违法失信主体"]


@dataclass(frozen=True)
class Sizes:
    applicants: int = 200_000
    cases: int = 1_000_000

    @property
    def label(self) -> str:
        return f"{self.applicants}a-{self.cases}c"


QUICK = Sizes(500, 3_000)


def cached_path(sizes: Sizes) -> Path:
    version = f"{GENERATOR_VERSION}.{gen_catalogue.GENERATOR_VERSION}"
    return benchlib.OUT_DIR / f"replica-g{version}-{sizes.label}" / "replica.sqlite3"


def usable(path: Path, log=print) -> bool:
    """Whether a cached replica opens with today's storage layer. Opening runs the storage
    migrations, so a schema that moved on since the build is brought up to date, as a
    window's own replica would be; one that cannot be migrated is rebuilt."""
    from clerk_console.storage.replica import Replica

    try:
        Replica.open(path).close()
    except Exception as exc:  # ReplicaError, or a schema the migrations do not reach
        log(f"cached replica {path} does not open with this schema ({exc}): rebuilding")
        return False
    shutil.rmtree(path.parent / "backups", ignore_errors=True)  # made only by a migration
    return True


def ensure(sizes: Sizes = Sizes(), *, rebuild: bool = False, quiet: bool = False) -> Path:
    """The cached replica for these sizes, built first if missing or unusable. Its folder can
    serve as a window home (``Desk(path.parent)``)."""
    path = cached_path(sizes)
    log = (lambda *a: None) if quiet else print
    if path.exists() and not rebuild and usable(path, log):
        return path
    for stale in benchlib.OUT_DIR.glob(f"replica-g*-{sizes.label}"):
        if stale != path.parent:  # an older generator or schema: rebuilt below, free the disk
            shutil.rmtree(stale)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name("building.sqlite3")
    for p in building.parent.glob("building.sqlite3*"):
        p.unlink()
    t0 = time.perf_counter()
    build(building, sizes, log=log)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            Path(f"{path}{suffix}").unlink()
    building.rename(path)
    if not quiet:
        print(f"built {path} in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
    return path


# ---------------------------------------------------------------------------- people


def person_id(rnd: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rnd.randrange(365 * 55))
    body = f"{rnd.choice(PERSON_REGIONS)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return body + resident_id.calc_check_char(body)


def credit_code(rnd: random.Random) -> str:
    org = "MA" + "".join(rnd.choice(USCC_CHARS) for _ in range(6))
    body = f"91{rnd.choice(ENTERPRISE_REGIONS)}{org}{uscc.calc_org_check_char(org)}"
    return body + uscc.calc_check_char(body)


def person_name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _unique(make, rnd: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        code = make(rnd)
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


def applicant_rows(rnd: random.Random, n: int) -> tuple[list[dict], list[dict], list[str], list[str]]:
    """(applicant rows, related-person rows, person ids, enterprise ids)."""
    taken: set[str] = set()
    n_ent = n * 3 // 10
    persons = _unique(person_id, rnd, n - n_ent, taken)
    enterprises = _unique(credit_code, rnd, n_ent, taken)
    names = {pid: person_name(rnd) for pid in persons}
    rows, related = [], []
    now = datetime(2026, 11, 1, 9, 0)
    for pid in persons:
        rows.append({"id_number": pid, "id_kind": "resident_id", "kind": "person", "name": names[pid],
                     "phone": f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}",
                     "address": f"烟台市{rnd.choice(ROADS)}{rnd.randrange(1, 300)}号",
                     "legal_rep_id": "", "legal_rep_name": "", "related_ids": [],
                     "region": pid[:6], "note": "", "updated_at": now})
    for eid in enterprises:
        rep = rnd.choice(persons)
        others = rnd.sample(persons, k=rnd.choice((0, 1, 2)))
        rows.append({"id_number": eid, "id_kind": "uscc", "kind": "enterprise",
                     "name": f"烟台{rnd.choice(SHOP_WORDS)}{rnd.choice(TRADES)}有限公司",
                     "phone": f"0535-{rnd.randrange(10**7):07d}",
                     "address": f"烟台市{rnd.choice(ROADS)}{rnd.randrange(1, 300)}号",
                     "legal_rep_id": rep, "legal_rep_name": names[rep],
                     "related_ids": [o for o in others if o != rep], "region": eid[2:8], "note": "",
                     "updated_at": now})
        related.append({"enterprise_id": eid, "person_id": rep, "role": "法定代表人", "name": names[rep]})
        for j, o in enumerate(others):
            if o != rep:
                related.append({"enterprise_id": eid, "person_id": o, "role": ("股东", "高级管理人员")[j % 2],
                                "name": names[o]})
    return rows, related, persons, enterprises


def elicence_rows(rnd: random.Random, persons: list[str], enterprises: list[str]) -> list[dict]:
    rows = []

    def lic(holder: str, type_code: str, name: str, number: str, expired: bool) -> None:
        issued = TODAY - timedelta(days=rnd.randrange(30, 3000))
        expires = TODAY - timedelta(days=rnd.randrange(1, 300)) if expired else \
            TODAY + timedelta(days=rnd.randrange(30, 3650))
        rows.append({"key": elicence_key(holder, type_code, number), "holder_id": holder, "type_code": type_code,
                     "name": name, "number": number, "issued": issued, "expires": expires})

    for pid in persons:
        if rnd.random() < 0.6:
            lic(pid, "ID", "居民身份证", pid, rnd.random() < 0.05)
        if rnd.random() < 0.1:
            lic(pid, "HC", "健康证明", f"JK{pid[-8:]}{rnd.randrange(100):02d}", rnd.random() < 0.3)
    for eid in enterprises:
        lic(eid, "BL", "营业执照", eid, False)
        if rnd.random() < 0.3:
            lic(eid, "QC", "食品经营许可证", f"JY{eid[2:8]}{rnd.randrange(10**8):08d}", rnd.random() < 0.1)
    return rows


def blacklist_rows(rnd: random.Random, persons: list[str], enterprises: list[str],
                   names: dict[str, str]) -> list[dict]:
    listed = rnd.sample(persons, k=max(1, len(persons) // 200)) + \
        rnd.sample(enterprises, k=max(1, len(enterprises) // 100))
    return [{"subject_id": sid, "name": names[sid], "reason": rnd.choice(BLACKLIST_REASONS),
             "listed_on": TODAY - timedelta(days=rnd.randrange(1, 1500))} for sid in listed]


# ---------------------------------------------------------------------------- cases


def _status_of(rnd: random.Random, age_days: int) -> Status:
    r = rnd.random()
    if age_days > 30:
        for status, share in ((Status.DELIVERED, 0.84), (Status.NOTIFIED, 0.05), (Status.SIGNPOSTED, 0.03),
                              (Status.VOIDED, 0.03), (Status.DECIDED, 0.03), (Status.COMPLETED, 0.02)):
            if r < share:
                return status
            r -= share
        return Status.DELIVERED
    for status, share in ((Status.ACCEPTED, 0.3), (Status.DEFERRED, 0.2), (Status.APPROVED_ON_COMMITMENT, 0.1),
                          (Status.DECIDED, 0.2), (Status.NOTIFIED, 0.05)):
        if r < share:
            return status
        r -= share
    return Status.DELIVERED


MISSING, ELICENCE, RECEIVED = (MaterialState.MISSING.value, MaterialState.ELICENCE.value,
                               MaterialState.RECEIVED.value)
OUTCOME_OF = {Status.ACCEPTED: Outcome.ACCEPTED, Status.DEFERRED: Outcome.DEFERRED,
              Status.COMPLETED: Outcome.DEFERRED, Status.VOIDED: Outcome.DEFERRED,
              Status.APPROVED_ON_COMMITMENT: Outcome.APPROVED_ON_COMMITMENT,
              Status.NOTIFIED: Outcome.NOTIFIED, Status.SIGNPOSTED: Outcome.SIGNPOSTED}


def item_choices(rnd: random.Random, cat: Catalogue) -> list[tuple[tuple[str, ...], str | None, list]]:
    """The item sets cases are drawn from, each with its merged checklist (at most 4 lines):
    every single item, a few thousand common pairs, and the bundles."""
    codes = list(cat.items)
    sets: list[tuple[tuple[str, ...], str | None]] = [((c,), None) for c in codes]
    sets += [(tuple(rnd.sample(codes, 2)), None) for _ in range(len(codes) * 3)]
    sets += [(b.items, b.code) for b in cat.bundles.values() if b.items]
    return [(items, bundle, [(line.material.code, line.material.name, line.main, line.originals > 0,
                              bool(line.material.elicence_type))
                             for line in cat.checklist(items)[:4]])
            for items, bundle in sets]


def case_batches(rnd: random.Random, n: int, applicants: list[dict], cat: Catalogue):
    """Yield (case rows, material rows) in batches of BATCH cases."""
    choices = item_choices(rnd, cat)
    n_single = len(cat.items)
    seq: dict[tuple[str, date], int] = {}
    windows = [f"YT01{w:02d}" for w in range(1, 21)]
    cases, mats = [], []
    for _ in range(n):
        who = applicants[int(len(applicants) * rnd.random() ** 1.5)]  # some applicants come often
        age = int(1100 * rnd.random() ** 3)  # more recent cases than old ones
        created = datetime.combine(TODAY - timedelta(days=age), datetime.min.time()) + \
            timedelta(seconds=rnd.randrange(8 * 3600, 17 * 3600))
        window = rnd.choice(windows)
        key = (window, created.date())
        seq[key] = seq.get(key, 0) + 1
        status = _status_of(rnd, age)
        r = rnd.random()  # 70% one item, 20% a pair, 10% a bundle
        pick = rnd.randrange(n_single) if r < 0.7 else \
            rnd.randrange(n_single, len(choices) - len(cat.bundles)) if r < 0.9 else \
            rnd.randrange(len(choices) - len(cat.bundles), len(choices))
        codes, bundle_code, lines = choices[pick]
        case_id = new_id()
        accepted = status not in (Status.NOTIFIED, Status.SIGNPOSTED)
        decided = status in (Status.DECIDED, Status.DELIVERED)
        cases.append({
            "id": case_id, "case_no": format_case_no(window, created.date(), seq[key]),
            "window_code": window, "clerk_id": rnd.choice(CLERKS)[0], "applicant_id": who["id_number"],
            "applicant_name": who["name"], "applicant_kind": who["kind"], "items": list(codes),
            "created_at": created, "status": status.value,
            "outcome": OUTCOME_OF.get(status, Outcome.ACCEPTED).value, "bundle": bundle_code,
            "agent_id": "", "agent_name": "",
            "accepted_at": created if accepted else None,
            "deadline": created.date() + timedelta(days=7) if status is Status.DEFERRED else None,
            "deadline_estimated": False,
            "promised_date": created.date() + timedelta(days=10) if accepted else None,
            "signpost_dept": cat.items[codes[0]].dept if status is Status.SIGNPOSTED else "",
            "decision": "approve" if decided else None,
            "decided_at": created + timedelta(days=5) if decided else None,
            "delivered_at": created + timedelta(days=8) if status is Status.DELIVERED else None,
            "note": "", "version": 1, "false_commitment": False,
        })
        for pos, (mcode, mname, main, original, elicence) in enumerate(lines):
            owed = (status in (Status.DEFERRED, Status.VOIDED) and not main) or \
                (status is Status.NOTIFIED and pos == len(lines) - 1)
            state = MISSING if owed else (ELICENCE if elicence else RECEIVED)
            mats.append({"case_id": case_id, "position": pos, "code": mcode, "name": mname,
                         "main": main, "state": state, "original": original and not owed,
                         "reason": "未提交" if owed else "", "elicence_number": ""})
        if len(cases) >= BATCH:
            yield cases, mats
            cases, mats = [], []
    if cases:
        yield cases, mats


# ---------------------------------------------------------------------------- building


def build(path: Path, sizes: Sizes, log=print) -> None:
    from sqlalchemy import insert

    from clerk_console.storage.replica import Replica
    from clerk_console.storage.tables import (
        ApplicantRow, BlacklistRow, CaseMaterialRow, CaseRow, ELicenceRow, RelatedPersonRow,
    )

    rnd = random.Random(SEED)
    cat = gen_catalogue.generate(CATALOGUE_ITEMS)
    replica = Replica.open(path)
    try:
        replica.set_window(WINDOW, "综合受理1号窗口", "烟台市政务服务中心")
        for clerk_id, name, pin, role in CLERKS:
            replica.add_clerk(clerk_id, name, pin, role)
        replica.store_catalogue(cat)

        def bulk(table, rows: list[dict], what: str) -> None:
            t0 = time.perf_counter()
            for i in range(0, len(rows), BATCH * 5):
                with replica.write() as s:
                    s.execute(insert(table.__table__), rows[i:i + BATCH * 5])
            log(f"  {what}: {len(rows):,} rows in {time.perf_counter() - t0:.1f} s")

        people, related, persons, enterprises = applicant_rows(rnd, sizes.applicants)
        names = {r["id_number"]: r["name"] for r in people}
        bulk(ApplicantRow, people, "applicants")
        bulk(RelatedPersonRow, related, "related persons")
        bulk(ELicenceRow, elicence_rows(rnd, persons, enterprises), "e-licences")
        bulk(BlacklistRow, blacklist_rows(rnd, persons, enterprises, names), "blacklist")

        t0 = time.perf_counter()
        n_cases = n_mats = 0
        for cases, mats in case_batches(rnd, sizes.cases, people, cat):
            with replica.write() as s:
                s.execute(insert(CaseRow.__table__), cases)
                s.execute(insert(CaseMaterialRow.__table__), mats)
            n_cases += len(cases)
            n_mats += len(mats)
            if n_cases % (BATCH * 10) == 0:
                log(f"  cases: {n_cases:,} ({time.perf_counter() - t0:.0f} s)")
        log(f"  cases: {n_cases:,} with {n_mats:,} materials in {time.perf_counter() - t0:.1f} s")
    finally:
        replica.close()
    from clerk_console.storage.db import connect

    con = connect(path)  # planner statistics, and fold the WAL into the file
    try:
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--applicants", type=int, default=Sizes.applicants)
    p.add_argument("--cases", type=int, default=Sizes.cases)
    p.add_argument("--quick", action="store_true", help="500 applicants, 3,000 cases")
    p.add_argument("--rebuild", action="store_true", help="ignore the cached file")
    args = p.parse_args(argv)
    sizes = QUICK if args.quick else Sizes(args.applicants, args.cases)
    path = ensure(sizes, rebuild=args.rebuild)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
