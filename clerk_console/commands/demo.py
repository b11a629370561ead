"""``clerk-console demo``: create (or reuse) a demo replica, then open the console.

The replica is filled from ``data/`` (catalogue, calendar, demo applicants, e-licences,
blacklist), gets the demo window ``YT0101``, the clerk ``demo`` (PIN 123456) and the supervisor
``boss`` (PIN 654321), and today's example cases of every outcome, made through the services
exactly as the console makes them. ``--cases N`` adds N synthetic cases the same way, in
batched transactions. Running it again reuses the replica (examples are added once a day).

The demo has its own folder (``demo_home``), never the window's: ``--data-dir`` >
``CLERK_CONSOLE_DEMO_HOME`` > the user data folder ``clerk-console-demo``. It refuses a
replica it did not create or one enrolled with a real back office (``check_demo_replica``).
"""
from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from clerk_console import config
from clerk_console.domain.errors import ClerkError

WINDOW_CODE = "YT0101"
WINDOW_NAME = "综合受理1号窗口"
HALL = "烟台市政务服务中心"
CLERK = ("demo", "演示窗口员", "123456", "clerk")
SUPERVISOR = ("boss", "演示负责人", "654321", "supervisor")
KV_SEEDED = "demo_seeded_at"
KV_EXAMPLES_DAY = "demo_examples_day"
BATCH = 500
DEMO_APP_NAME = "clerk-console-demo"
DEMO_HOME_ENV = "CLERK_CONSOLE_DEMO_HOME"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DemoFolderError(ClerkError):
    """The folder holds a replica the demo must not touch; the message says why, in Chinese."""


def demo_home(data_dir: str | os.PathLike | None = None) -> Path:
    """The demo's own folder: ``--data-dir`` > ``CLERK_CONSOLE_DEMO_HOME`` > the user data
    folder ``clerk-console-demo``; never ``CLERK_CONSOLE_HOME`` (a real window's folder)."""
    if data_dir:
        path = Path(data_dir)
    elif os.environ.get(DEMO_HOME_ENV):
        path = Path(os.environ[DEMO_HOME_ENV])
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(DEMO_APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_demo_replica(path: Path) -> None:
    """Refuse (DemoFolderError) a replica the demo did not create, or one enrolled with a
    back office other than the demo's own on loopback. Read-only: nothing is migrated or
    written before the check passes."""
    from urllib.parse import urlsplit

    from clerk_console.sync.runner import KV_URL

    path = Path(path)
    if not path.exists():
        return
    where = path.parent
    not_ours = (f"文件夹 {where} 里已有一个不是演示程序建立的窗口数据库（可能是本窗口的真实数据），"
                f"演示不会改动它。请直接运行 clerk-console demo（演示使用自己的文件夹），"
                f"或用 --data-dir 指定一个空文件夹")
    from clerk_console.storage.db import ReplicaError, connect, dbapi, is_plaintext

    try:
        db = connect(path, readonly=True, plaintext=is_plaintext(path))
        try:
            rows = dict(db.execute("SELECT key, value FROM kv WHERE key IN (?, ?)",
                                   (KV_SEEDED, KV_URL)).fetchall())
            # a demo that failed while seeding leaves an empty replica: no window, no clerk
            empty = not any(db.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()
                            for table in ("window", "clerk", "case", "applicant"))
        finally:
            db.close()
    except (dbapi().Error, ReplicaError):  # not a replica, or one this PC has no key for
        raise DemoFolderError(not_ours) from None
    if KV_SEEDED not in rows and not empty:
        raise DemoFolderError(not_ours)
    url = rows.get(KV_URL)
    host = urlsplit(url).hostname if url else None
    if url and host not in LOOPBACK_HOSTS:
        raise DemoFolderError(
            f"文件夹 {where} 里的数据库已注册到后台 {host or url}，已是真实窗口在用的数据，"
            "演示不会改动它。请直接运行 clerk-console demo（演示使用自己的文件夹），"
            "或用 --data-dir 指定一个空文件夹")


@dataclass
class DemoReport:
    path: Path
    seeded: bool = False
    examples: list[str] = field(default_factory=list)  # "case_no outcome/status"
    skipped: list[str] = field(default_factory=list)  # examples the data could not show
    synthetic: int = 0
    total: int = 0

    def text(self) -> str:
        lines = [f"演示数据库：{self.path}",
                 "本次新建并导入演示数据" if self.seeded else "沿用已有的演示数据库",
                 f"窗口 {WINDOW_CODE} {HALL} {WINDOW_NAME}",
                 f"窗口员 {CLERK[0]} / PIN {CLERK[2]}；负责人 {SUPERVISOR[0]} / PIN {SUPERVISOR[2]}"]
        if self.examples:
            lines.append("今日示例办件：")
            lines += [f"  {e}" for e in self.examples]
        lines += [f"  （数据不足，未生成：{s}）" for s in self.skipped]
        if self.synthetic:
            lines.append(f"新增模拟办件 {self.synthetic} 件")
        lines.append(f"办件总数 {self.total}")
        return "\n".join(lines)


def run(args) -> int:
    from clerk_console.services import ServiceError
    from clerk_console.datafiles.catalogue import DataFileError
    from clerk_console.storage.db import ReplicaError

    home = demo_home(getattr(args, "data_dir", None))
    count = int(getattr(args, "cases", 0) or 0)
    if count < 0:
        print("--cases 应为不小于0的整数", file=sys.stderr)
        return 2
    try:
        report = build_demo(home, now=datetime.now(), cases=count)
    except DemoFolderError as exc:
        print(f"演示未启动：{exc}", file=sys.stderr)
        return 1
    except (ReplicaError, ServiceError, DataFileError) as exc:
        print(f"演示数据准备失败：{exc}", file=sys.stderr)
        return 1
    print(report.text())
    if getattr(args, "init_only", False):
        return 0
    backoffice = None if getattr(args, "no_backoffice", False) else _start_backoffice(home)
    try:
        from clerk_console.commands.run import open_console

        return open_console(home)
    finally:
        if backoffice is not None:
            backoffice.stop()


def _start_backoffice(home: Path):
    """The embedded back office on loopback, the demo window enrolled with it; on failure
    the console still opens and works offline."""
    from clerk_console.storage.replica import Replica
    from clerk_console.commands.embedded import start_embedded

    try:
        with Replica.open(Path(home) / config.REPLICA_FILE) as replica:
            office = start_embedded(home, replica, demo_accounts=True)
    except Exception as exc:  # the demo must open even without its back office
        print(f"内置后台未能启动（{exc}），终端将离线运行", file=sys.stderr)
        return None
    from clerk_console.commands.embedded import DEMO_ACCOUNTS, DEMO_PASSWORD

    print(f"内置后台：{office.url}")
    print(f"审批工作台：{office.url}/wb/ （演示账号 {'、'.join(a[0] for a in DEMO_ACCOUNTS)}，"
          f"口令 {DEMO_PASSWORD}）")
    print(f"监管评价：{office.url}/wb/dashboard （用 boss 账号登录）")
    return office


def build_demo(home: Path, *, now: datetime, cases: int = 0):
    """Create or reuse the demo replica in ``home``; returns a ``DemoReport``."""
    from clerk_console.storage.replica import Replica

    path = Path(home) / config.REPLICA_FILE
    check_demo_replica(path)
    with Replica.open(path) as replica:
        report = DemoReport(path)
        if replica.get_kv(KV_SEEDED) is None:
            seed(replica, now)
            report.seeded = True
        if replica.get_kv(KV_EXAMPLES_DAY) != now.date().isoformat():
            report.examples, report.skipped = examples(replica, now)
            replica.set_kv(KV_EXAMPLES_DAY, now.date().isoformat())
        if cases:
            report.synthetic = synthetic(replica, cases, now)
        for case in replica.unprinted_notices():  # made up, not handed to anyone: no paper owed
            replica.notice_printed(case.case_no)
        report.total = replica.count_cases()
    return report


def seed(replica, now: datetime) -> None:
    """Reference data from data/, the window and the two demo accounts, in one transaction."""
    from clerk_console.datafiles.calendar import load_calendar
    from clerk_console.datafiles.catalogue import load_catalogue
    from clerk_console.datafiles.demo import load_demo

    root = config.data_root()
    cat = load_catalogue(root / "catalogue")
    cal = load_calendar(root / "calendar")
    demo = load_demo(root / "demo", today=now.date(), catalogue=cat)
    with replica.write():
        replica.store_catalogue(cat, at=now)
        replica.store_calendar(cal)
        replica.set_window(WINDOW_CODE, WINDOW_NAME, HALL)
        replica.add_clerk(*CLERK)
        replica.add_clerk(*SUPERVISOR)
        for applicant in demo.applicants.values():
            replica.save_applicant(applicant, CLERK[0], at=now)
        for holder, roles in demo.roles.items():
            replica.save_related_persons(holder, [(pid, role, "") for pid, joined in roles.items()
                                                  for role in joined.split("、")])
        replica.save_elicences(demo.elicences)
        replica.save_blacklist(demo.blacklist.values())
        replica.set_kv(KV_SEEDED, now.isoformat(timespec="seconds"))


# ---------------------------------------------------------------------------- examples


def _fill(draft, recipe: str):
    """Tick the draft's materials: ``all`` received; ``main`` only the main ones; ``none``."""
    from clerk_console.domain.case import MaterialState
    from clerk_console.services import intake

    for m in draft.materials:
        if m.state is MaterialState.ELICENCE or recipe == "none":
            continue
        if recipe == "all" or m.main:
            draft = intake.set_material(draft, m.code, MaterialState.RECEIVED, original=m.main)
    return draft


def _candidates(replica, today: date) -> Iterator[tuple]:
    """(applicant, item codes, bundle) to try: the demo scenarios first, then single items."""
    from clerk_console.datafiles.demo import load_demo

    cat = replica.catalogue()
    scenarios = load_demo(config.data_root() / "demo", today=today,
                          catalogue=cat).scenarios.values()
    applicants = []
    for sc in scenarios:
        applicant = replica.find_applicant(sc.code) if sc.expect == "known" else None
        if applicant is None:
            continue
        applicants.append(applicant)
        if sc.bundle:
            yield applicant, cat.bundles[sc.bundle].items, sc.bundle
    for applicant in applicants:
        for item in cat.items.values():
            yield applicant, (item.code,), None


def _make(replica, candidates: list, outcome, recipe: str, now: datetime, *,
          accept: Callable | None = None, **close):
    """The first candidate whose verdict allows ``outcome`` with ``recipe``, closed with it
    (``close``: more arguments of ``close_intake``, e.g. a refusal's reasons)."""
    from clerk_console.services import ServiceError, intake

    clerk = CLERK[0]
    for applicant, items, bundle in candidates:
        if accept is not None and not accept(applicant, items):
            continue
        try:
            draft = _fill(intake.new_draft(replica, window=WINDOW_CODE, clerk_id=clerk,
                                           applicant=applicant, items=list(items),
                                           bundle=bundle, now=now), recipe)
        except ServiceError:
            continue
        if outcome in intake.evaluate(replica, draft).allowed:
            return intake.close_intake(replica, draft, outcome, clerk_id=clerk,
                                       now=now + timedelta(minutes=8), **close)
    return None


def examples(replica, now: datetime) -> tuple[list[str], list[str]]:
    """Today's example cases of every outcome and of the later steps (supplement, void,
    decision and delivery, ratings), all through the services."""
    from clerk_console.domain.case import Decision, Outcome
    from clerk_console.services import rating, returns

    cal = replica.calendar()
    made, skipped = [], []
    day = now.date()
    t = lambda h, m=0: datetime.combine(day, time(h, m))  # noqa: E731
    not_blacklisted = lambda a, _items: replica.credit(a).blacklist is None  # noqa: E731
    cands = list(_candidates(replica, day))

    def note(case, label: str) -> None:
        if case is None:
            skipped.append(label)
        else:
            made.append(f"{case.case_no}  {label}  {case.status.label}")

    accepted = _make(replica, cands, Outcome.ACCEPTED, "all", t(9))
    note(accepted, "受理（材料齐全）")
    deferred = _make(replica, cands, Outcome.DEFERRED, "main", t(9, 20))
    note(deferred, "容缺受理")
    note(_make(replica, cands, Outcome.APPROVED_ON_COMMITMENT, "all", t(9, 40), accept=not_blacklisted),
         "承诺即准")
    blocked = lambda a, _items: replica.credit(a).blacklist is not None  # noqa: E731
    notified = _make(replica, cands, Outcome.NOTIFIED, "none", t(10), accept=blocked) or \
        _make(replica, cands, Outcome.NOTIFIED, "none", t(10))
    note(notified, "一次性告知")
    note(_make(replica, cands, Outcome.SIGNPOSTED, "none", t(10, 20)), "设路标")
    # 不予受理 (行政许可法 art. 32(1)(1)): a coffee shop with no dancing or games needs no
    # entertainment licence (娱乐场所管理条例 art. 2)
    note(_make(replica, cands, Outcome.NOT_ACCEPTED, "all", t(10, 30),
               accept=lambda a, items: tuple(items) == (ENTERTAINMENT_ITEM,),
               reasons="经营场所不设歌舞、游艺项目，依法无需取得娱乐场所经营许可"
                       "（《娱乐场所管理条例》第二条）"), "不予受理")

    completed = _make(replica, cands, Outcome.DEFERRED, "main", t(10, 40))
    if completed is not None:
        completed = returns.supplement(replica, completed, [m.code for m in completed.owed],
                                       clerk_id=CLERK[0], now=t(11))
    note(completed, "容缺后补齐")
    # a deferral accepted well before today and never supplied: the supervisor voids it
    earlier = datetime.combine(_workdays_back(cal, day, 12), time(9, 30))
    # ... never the applicant of today's deferral example: a broken promise would bar it from
    # deferral, and that applicant is the demo's coffee-shop deferral scenario
    keep_clean = {c.applicant_id for c in (deferred, completed) if c is not None}
    voided = _make(replica, cands, Outcome.DEFERRED, "main", earlier,
                   accept=lambda a, _items: a.id_number not in keep_clean)
    if voided is not None and voided.deadline < day:
        voided = returns.void(replica, voided, clerk_id=CLERK[0], supervisor_id=SUPERVISOR[0],
                              now=t(11, 20), reason="逾期未补正容缺材料")
    note(voided, "逾期废止")
    delivered = _make(replica, cands, Outcome.ACCEPTED, "all", earlier + timedelta(minutes=30))
    if delivered is not None:
        returns.record_decision(replica, delivered, Decision.APPROVE,
                                decided_at=datetime.combine(day, time(8, 30)))
        delivered = returns.deliver(replica, delivered, clerk_id=CLERK[0], now=t(11, 40))
    note(delivered, "办结出件")
    decided = _make(replica, cands, Outcome.ACCEPTED, "all", earlier + timedelta(minutes=50))
    if decided is not None:
        decided = returns.record_decision(replica, decided, Decision.APPROVE,
                                          decided_at=datetime.combine(day, time(8, 40)))
    note(decided, "待出件")
    if accepted is not None:
        rating.rate(replica, accepted, 1, clerk_id=CLERK[0], now=t(9, 10))
    if notified is not None:
        rating.rate(replica, notified, 4, clerk_id=CLERK[0], now=t(10, 10),
                    reason="材料清单事先没有公布清楚，跑了两趟")
    return made, skipped


ENTERTAINMENT_ITEM = "3706134010190001000"  # 娱乐场所经营许可 (data/catalogue/items/wl.toml)


def _workdays_back(cal, day: date, n: int) -> date:
    d = day
    for _ in range(n):
        d -= timedelta(days=1)
        while not cal.is_workday(d):
            d -= timedelta(days=1)
    return d


# ---------------------------------------------------------------------------- synthetic


def synthetic(replica, count: int, now: datetime, *, seed_value: int = 20261127) -> int:
    """``count`` cases through the services, spread over the last 30 days, committed in
    batches of ``BATCH``. Deterministic for a given seed."""
    from clerk_console.domain.case import Outcome
    from clerk_console.domain.catalogue import Target
    from clerk_console.domain.parties import ApplicantKind
    from clerk_console.services import ServiceError, intake
    from clerk_console.datafiles.demo import load_demo

    rng = random.Random(seed_value)
    cat = replica.catalogue()
    people = list(load_demo(config.data_root() / "demo", catalogue=cat).applicants)
    applicants = [a for a in (replica.find_applicant(p) for p in people) if a is not None]
    items_for = {
        ApplicantKind.PERSON: [i.code for i in cat.items.values() if i.target is not Target.ENTERPRISE],
        ApplicantKind.ENTERPRISE: [i.code for i in cat.items.values() if i.target is not Target.PERSON],
    }
    items_for[ApplicantKind.PROJECT] = items_for[ApplicantKind.ENTERPRISE]
    recipes = ("all", "all", "all", "main", "none")
    made = tried = 0
    while tried < count:
        with replica.write():
            for _ in range(min(BATCH, count - tried)):
                tried += 1
                applicant = rng.choice(applicants)
                items = rng.sample(items_for[applicant.kind], k=rng.choice((1, 1, 2)))
                when = datetime.combine(now.date() - timedelta(days=rng.randrange(30)),
                                        time(9)) + timedelta(minutes=rng.randrange(480))
                try:
                    draft = _fill(intake.new_draft(replica, window=WINDOW_CODE,
                                                   clerk_id=CLERK[0], applicant=applicant,
                                                   items=items, now=when), rng.choice(recipes))
                    best = intake.evaluate(replica, draft).best or Outcome.NOTIFIED
                    intake.close_intake(replica, draft, best, clerk_id=CLERK[0],
                                        now=when + timedelta(minutes=rng.randrange(3, 25)))
                    made += 1
                except ServiceError as exc:  # a combination the rules refuse: say so, go on
                    print(f"跳过一件模拟办件：{exc}", file=sys.stderr)
    return made
