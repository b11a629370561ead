"""The console's one gateway to the replica and the services.

Screens never touch storage or services directly: they call a ``Desk``. Its heavy imports
(SQLModel through the replica, pypinyin through the search index) happen in ``open()``,
which the app runs in a worker thread after the sign-in screen is painted. ``open()`` first
opens the sign-in gate (``storage/gate.py``: the replica file on its raw connection, no
SQLAlchemy): the window line is shown and a PIN can be checked from then on, while the full
replica opens behind it; the gate is dropped once the replica is open.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from clerk_console.config import REPLICA_FILE, Settings
from clerk_console.domain.errors import ClerkError

if TYPE_CHECKING:  # imported where used: the sign-in screen paints before the domain loads
    from clerk_console.storage.early_gate import EarlyGate
    from clerk_console.domain.case import Case, Outcome
    from clerk_console.domain.catalogue import Catalogue
    from clerk_console.domain.parties import Applicant, BlacklistHit, ELicence


class DeskError(ClerkError):
    """Something the clerk must be told, in Chinese."""


@dataclass(frozen=True)
class Signed:
    """The clerk at the window."""

    clerk_id: str
    name: str
    role: str  # "clerk" | "supervisor"

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass
class ApplicantView:
    """Everything the applicant panel shows about one scanned code."""

    code: str
    kind: str  # codes kind (resident_id, uscc ...)
    applicant: Applicant | None
    elicences: list[ELicence] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    deferrals: list[Case] = field(default_factory=list)
    corrections: list[Case] = field(default_factory=list)  # one-time notices awaiting 补正
    ready: list[Case] = field(default_factory=list)
    partial: list[Case] = field(default_factory=list)  # open, some items decided (补正 …)
    blacklist: BlacklistHit | None = None
    credit: Any = None
    warnings: tuple[str, ...] = ()
    owner: Applicant | None = None  # a project's owner company (项目单位)


@dataclass(frozen=True)
class DeskStatus:
    online: bool
    queued: int
    last_sync: datetime | None
    clock_warning: str
    text: str  # one line for the status bar


class Desk:
    def __init__(self, home: Path, settings: Settings | None = None,
                 early_gate: EarlyGate | None = None) -> None:
        self.home = Path(home)
        self.settings = settings or Settings.load(self.home)
        self.replica: Any = None
        self.gate: Any = None  # the sign-in gate until the replica is open
        self.early_gate = early_gate  # the gate being opened since the process started
        self._switch = threading.Lock()  # a sign-in through the gate vs. dropping the gate
        self.on_replica_open: Callable[[], None] = lambda: None  # in open()'s thread
        self.catalogue: Catalogue | None = None
        self.index: Any = None
        self.worker: Any = None  # sync worker once it is running
        self.clerk_id = ""
        self.usage: dict[str, tuple[int, float]] = {}
        self._calendar: Any = None
        self._loading = False  # open() is loading the catalogue and index
        self._loaded = threading.Event()  # set when open() has loaded the catalogue (or failed)

    # -- opening -------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.home / REPLICA_FILE

    @property
    def can_sign_in(self) -> bool:
        """A PIN can be checked: the gate or the replica is open (the catalogue, and maybe
        the replica, are still loading)."""
        return self.replica is not None or self.gate is not None

    @property
    def ready(self) -> bool:
        """Everything is loaded: replica, catalogue and search index."""
        return self.index is not None

    def open(self, signin_ready: Callable[[], None] = lambda: None) -> None:
        """Open the sign-in gate and call ``signin_ready`` (a PIN can be checked), open the
        replica (migrated and checked) and call ``on_replica_open``, then load the catalogue
        and its search index (slow imports happen here; run it in a worker thread). Where
        the gate cannot be used (a file to encrypt or migrate, no key) ``signin_ready``
        comes once the replica is open."""
        if not self.path.exists():
            raise DeskError(f"找不到本窗口的数据文件 {self.path}：请先运行 clerk-console demo "
                            "或 clerk-console enroll <后台地址> <注册码> 完成注册")
        from clerk_console.storage.gate import SignInGate

        self._loading = True
        try:
            if self.gate is None:  # not adopted at the first paint (adopt_early_gate)
                early, self.early_gate = self.early_gate, None
                self.gate = early.take() if early is not None else SignInGate.open(self.path)
            if self.gate is not None:
                signin_ready()
            replica = self._open_replica()
            if self.gate is None:
                signin_ready()
            else:
                self._drop_gate()
            self.on_replica_open()
            self.catalogue = replica.catalogue()
            self.rebuild_index(cached=True)
            from clerk_console.domain import codes

            codes.warm_up()
        finally:
            self._drop_gate()
            self._loading = False
            self._loaded.set()

    def adopt_early_gate(self) -> None:
        """Before the first paint (the UI thread, ``open`` not started): take the early gate
        if it opened without an error (``can_sign_in`` then says whether a PIN can be checked).
        An error stays for ``open`` to raise in its worker, where it is shown as any other."""
        early = self.early_gate
        if early is not None and early.ready:
            self.early_gate = None
            self.gate = early.take()

    def _open_replica(self) -> Any:
        from clerk_console.storage.replica import Replica

        replica = Replica.open(self.path)
        with self._switch:  # a sign-in through the gate finishes first
            self.replica = replica
        return replica

    def _drop_gate(self) -> None:
        with self._switch:
            gate, self.gate = self.gate, None
        if gate is not None:
            gate.close()

    def rebuild_index(self, *, cached: bool = False) -> None:
        """Index the catalogue for this window's scope; ``cached``: take the copy on disk
        when it was built for this catalogue and scope (``storage.search_cache``)."""
        from clerk_console.domain.search import SearchIndex
        from clerk_console.storage import search_cache

        if cached:
            index = search_cache.build(self.home, self.catalogue, self.scope())
        else:
            index = SearchIndex.build(self.catalogue, scope=self.scope())
            search_cache.save(self.home, self.catalogue, self.scope(), index)
        self.index = index.with_usage(self.usage) if self.usage else index
        release_pinyin()

    def warm_printing(self) -> None:
        """Import reportlab and load the notice font (~0.2 s) in a worker after sign-in, so the
        session's first notice costs what the others do. A receipt printer needs neither."""
        if self.settings.printer == "escpos":
            return
        from clerk_console.printing import pdf

        pdf.pick_font(self.settings.cjk_font)

    def wait_loaded(self, timeout: float = 30.0) -> bool:
        """Block until ``open`` has finished loading the catalogue (or failed); True if it did."""
        return self._loaded.wait(timeout)

    def scope(self):
        return _scope_of(self.replica.window())

    def use_clerk_usage(self, clerk_id: str) -> None:
        """Rank this clerk's frequently used items and bundles first."""
        self.clerk_id = clerk_id
        self.usage = {code: (n, 0.0) for code, n in self.replica.item_usage(clerk_id, 500).items()}
        if self.index is not None:  # else rebuild_index applies it
            self.index = self.index.with_usage(self.usage)

    def close(self) -> None:
        if self.worker is not None:
            stop = getattr(self.worker, "stop", None)
            if stop:
                stop()
        self._drop_gate()
        if self.replica is not None and hasattr(self.replica, "close"):
            self.replica.close()

    # -- people ----------------------------------------------------------------------------
    def window_code(self) -> str:
        info = self.replica.window()
        return info.code if info else "未注册"

    def window_label(self) -> str:
        with self._switch:
            info = (self.replica or self.gate).window()
        return f"{info.code} {info.hall}{info.name}" if info else "本窗口尚未注册"

    def sign_in(self, clerk_id: str, pin: str) -> Signed:
        """The clerk, or DeskError saying why not (wrong PIN, attempts left, locked)."""
        from clerk_console.services import ServiceError
        from clerk_console.services.audit import login

        try:
            with self._switch:  # the replica once open, else the gate (never dropped mid-way)
                clerk = login(self.replica if self.replica is not None else self.gate,
                              clerk_id, pin)
        except ServiceError as exc:
            raise DeskError(str(exc)) from None
        return Signed(clerk_id=clerk.id, name=clerk.name, role=clerk.role)

    def screen_unlocked(self, clerk_id: str, *, by: str) -> None:
        from clerk_console.services.audit import screen_unlocked

        screen_unlocked(self.replica, clerk_id, by=by)

    def close_day(self, day: date, *, supervisor_id: str, summary: str) -> None:
        from clerk_console.services.stats import close_day

        close_day(self.replica, day, supervisor_id=supervisor_id, summary=summary)

    # -- applicants --------------------------------------------------------------------------
    def identify(self, text: str, today: date):
        from clerk_console.domain.codes import identify

        return identify(text, today, uscc_exceptions=self.uscc_exceptions())

    def uscc_exceptions(self) -> frozenset[str]:
        """Pilot credit codes accepted as known exceptions (data/codes/), read once."""
        if getattr(self, "_uscc_exceptions", None) is None:
            from clerk_console.config import data_root
            from clerk_console.datafiles.codes import CodeFileError, load_uscc_exceptions

            try:
                self._uscc_exceptions = load_uscc_exceptions(data_root() / "codes")
            except CodeFileError:
                self._uscc_exceptions = frozenset()
        return self._uscc_exceptions

    def lookup(self, code: str, kind: str, today: date) -> ApplicantView:
        from clerk_console.domain.case import Status, awaiting_correction, owes_supply
        from clerk_console.domain.parties import ApplicantKind

        r = self.replica
        applicant = r.find_applicant(code)
        view = ApplicantView(code=code, kind=kind, applicant=applicant)
        if applicant is None:
            return view
        view.elicences = [e for e in r.elicences(code) if e.valid_on(today)]
        cases = list(r.cases_of(code, open_only=True))
        view.open_cases = cases
        view.deferrals = [c for c in cases if owes_supply(c)]
        view.corrections = [c for c in cases if awaiting_correction(c)]
        view.ready = [c for c in cases if c.status is Status.DECIDED]
        view.partial = [c for c in cases if c.status is not Status.DECIDED
                        and r.item_decisions(c.id)]
        view.credit = r.credit(applicant)
        view.blacklist = getattr(view.credit, "blacklist", None)
        if applicant.kind is ApplicantKind.PROJECT:
            from clerk_console.domain.visit import project_owner_id

            owner_id = project_owner_id(applicant, r.related_roles(code))
            view.owner = r.find_applicant(owner_id) if owner_id else None
        return view

    def save_applicant(self, applicant: Applicant, clerk_id: str) -> None:
        self.replica.save_applicant(applicant, clerk_id)

    # -- items -------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 50):
        if self.index is None and self._loading:
            self.wait_loaded()  # signed in while the catalogue was still loading: a moment
        if self.index is None:
            return []
        return self.index.search(query, limit=limit)

    # -- intake ------------------------------------------------------------------------------
    def new_draft(self, *, clerk_id: str, applicant: Applicant, items: list[str],
                  bundle: str | None, agent: Applicant | None, now: datetime) -> Case:
        from clerk_console.services import intake

        return intake.new_draft(self.replica, window=self.window_code(), clerk_id=clerk_id,
                                applicant=applicant, items=items, bundle=bundle, agent=agent,
                                now=now)

    def evaluate(self, draft: Case):
        from clerk_console.services import intake

        return intake.evaluate(self.replica, draft)

    def close_intake(self, draft: Case, outcome: Outcome, *, clerk_id: str, now: datetime,
                     signpost_dept: str | None = None, reasons: str = "",
                     competent_dept: str | None = None) -> Case:
        from clerk_console.services import intake

        return intake.close_intake(self.replica, draft, outcome, clerk_id=clerk_id, now=now,
                                   signpost_dept=signpost_dept, settings=self.settings,
                                   reasons=reasons, competent_dept=competent_dept)

    def departments(self) -> list[tuple[str, str]]:
        """(code, name) of the catalogue's departments, for naming a competent body."""
        return [(d.code, d.name) for d in self.replica.catalogue().departments.values()]

    def documents(self, case: Case, now: datetime, kinds: list[str] | None = None) -> list:
        from clerk_console.printing.notices import case_documents

        return case_documents(self.replica, case, settings=self.settings, home=self.home, now=now,
                              kinds=kinds)

    def print_notice(self, case: Case, now: datetime, kinds: list[str] | None = None):
        """Print (or save as PDF) every document the case calls for (or ``kinds``) ->
        PrintResult."""
        from clerk_console.printing import printers

        docs = self.documents(case, now, kinds)
        result = printers.print_documents(docs, self.settings, home=self.home) if docs else None
        if result is None or result.ok:
            self.replica.notice_printed(case.case_no)
        return result

    def signposts_with(self, case: Case) -> list[Case]:
        """The signpost made in the same intake as ``case`` for the items taken elsewhere
        (一窗受理: the rest was accepted), while its paper is still owed."""
        from clerk_console.domain.case import Status

        return [c for c in self.replica.unprinted_notices()
                if c.status is Status.SIGNPOSTED and c.case_no != case.case_no
                and c.applicant_id == case.applicant_id and c.created_at == case.created_at]

    def unprinted_notices(self) -> list[Case]:
        """Cases saved here whose notice has not printed (a crash, a kill, a printer error)."""
        return self.replica.unprinted_notices()

    def preview(self, case: Case, now: datetime) -> str:
        from clerk_console.printing import text

        return "\n\n".join(text.render(doc) for doc in self.documents(case, now))

    def note_use(self, kind: str, code: str) -> None:
        """Count a pick so recent and frequent items come first in the next search."""
        import time

        if kind == "bundle":  # items are counted when the intake is saved
            self.replica.note_item_usage(self.clerk_id, [code], datetime.now())
        count, _ = self.usage.get(code, (0, 0.0))
        self.usage[code] = (count + 1, time.time())
        if self.index is not None:
            self.index = self.index.with_usage(self.usage)

    def elsewhere(self, draft: Case) -> list:
        """The draft's items this window cannot take (they lead to a signpost)."""
        scope = self.scope()
        return [self.catalogue.items[c] for c in draft.items if not scope.takes(self.catalogue.items[c])]

    def signpost_dept(self, draft: Case, items: list | None = None) -> str | None:
        """The place the signpost names (``domain.rules.signpost_dept``: the applicant's own
        district or 乡镇/街道 for county and township items)."""
        from clerk_console.domain.rules import signpost_dept
        from clerk_console.services.intake import where_of

        chosen = items if items is not None else [self.catalogue.items[c] for c in draft.items]
        return signpost_dept(chosen, self.scope(), self.catalogue.departments,
                             where_of(self.replica, draft))

    def signpost_text(self, draft: Case) -> str:
        lines = []
        for item in self.elsewhere(draft):
            d = self.catalogue.departments.get(self.signpost_dept(draft, [item]) or item.dept)
            if d is None:
                lines.append(f"{item.name}：请咨询 {self.settings.hotline}")
                continue
            lines.append(f"{item.name}\n  到 {d.hall}（{d.address}）找 {d.contact or d.short_name}"
                         f"\n  电话 {d.phone}  办公时间 {d.hours}")
        return "\n".join(lines)

    def deferral_deadline(self, draft: Case, today: date) -> str:
        from clerk_console.services.intake import deferral_due

        due = deferral_due(self.catalogue, self.calendar(), draft, today,
                           self.settings.deferral_days)
        return f"{due.label}\n{due.note}"

    def rest_day_warning(self, today: date) -> str:
        """"" on a working day; else what the clerk must know (limits count from the next)."""
        from clerk_console.domain.deadlines import counting_start

        return counting_start(self.calendar(), today)[1]

    def calendar(self):
        if self._calendar is None:
            self._calendar = self.replica.calendar()
        return self._calendar

    # -- after the intake --------------------------------------------------------------------
    def rate(self, case: Case, level: int, *, clerk_id: str, now: datetime, reason: str = ""):
        from clerk_console.services import rating

        return rating.rate(self.replica, case, level, clerk_id=clerk_id, now=now, reason=reason,
                           settings=self.settings)

    def supplement(self, case: Case, codes: list[str], *, clerk_id: str, now: datetime) -> Case:
        from clerk_console.services import returns

        return returns.supplement(self.replica, case, codes, clerk_id=clerk_id, now=now)

    def void(self, case: Case, *, clerk_id: str, supervisor_id: str, now: datetime,
             reason: str) -> Case:
        from clerk_console.services import returns

        return returns.void(self.replica, case, clerk_id=clerk_id, supervisor_id=supervisor_id,
                            now=now, reason=reason)

    def extend(self, case: Case, *, clerk_id: str, supervisor_id: str, now: datetime,
               reason: str) -> Case:
        from clerk_console.services import time_limits

        return time_limits.extend(self.replica, case, clerk_id=clerk_id,
                                  supervisor_id=supervisor_id, reason=reason, now=now)

    def exclude(self, case: Case, *, kind: str, period: str, reason: str, clerk_id: str,
                supervisor_id: str, now: datetime) -> Case:
        from clerk_console.services import time_limits

        start, end = time_limits.parse_period(period)
        return time_limits.exclude(self.replica, case, kind=kind, start=start, end=end,
                                   reason=reason, clerk_id=clerk_id,
                                   supervisor_id=supervisor_id, now=now)

    def deliver(self, case: Case, *, clerk_id: str, now: datetime) -> Case:
        from clerk_console.services import returns

        return returns.deliver(self.replica, case, clerk_id=clerk_id, now=now)

    def results(self, case: Case):
        """Each item's decision and the merged licence (``services.returns.CaseResults``)."""
        from clerk_console.services import returns

        return returns.results(self.replica, case)

    def print_results(self, case: Case, now: datetime, *, handed_out: bool):
        """Print the 出件 papers of ``case`` -> PrintResult (None: nothing to print)."""
        from clerk_console.printing import printers
        from clerk_console.printing.notices import result_documents

        docs = result_documents(self.replica, case, settings=self.settings, home=self.home,
                                now=now, handed_out=handed_out)
        return printers.print_documents(docs, self.settings, home=self.home) if docs else None

    def deferrals_due(self, today: date, *, offset: int = 0, limit: int = 500) -> list[Case]:
        """A page of the due list: today's first, then overdue (``deferral_counts``: totals)."""
        return list(self.replica.deferrals_due(today, limit=limit, offset=offset))

    def deferral_counts(self, today: date) -> tuple[int, int]:
        """(due today, overdue) deferrals, counted on the index."""
        return self.replica.deferral_counts(today)

    def get_case(self, case_no: str) -> Case | None:
        return self.replica.get_case(case_no)

    def audit_unmask(self, *, clerk_id: str, supervisor_id: str, subject: str) -> None:
        from clerk_console.services import audit

        audit.audit_unmask(self.replica, supervisor_id, subject, clerk_id=clerk_id)

    # -- the 差评 loop and the rating pad --------------------------------------------------------
    def followups(self, today: date) -> list:
        """Open follow-ups with the working days each is late, overdue first."""
        from clerk_console.services import followup

        return followup.worklist(self.replica, today)

    def followup_step(self, step: str, followup_id: str, *, now: datetime, **kwargs):
        """One step of the 差评 loop: verify, fix, answer, appeal or decide_appeal
        (``services.followup``; the domain says who may take it)."""
        from clerk_console.services import followup

        moves = {"verify": followup.verify, "fix": followup.fix, "answer": followup.answer,
                 "appeal": followup.appeal, "decide_appeal": followup.decide_appeal}
        return moves[step](self.replica, followup_id, now=now, settings=self.settings, **kwargs)

    def pad_seen(self, now: datetime) -> bool:
        """A paired rating pad has asked for its state lately (``services.rating``)."""
        from clerk_console.services.rating import pad_paired

        return pad_paired(self.replica, now)

    def stats(self, day: date):
        from clerk_console.services import stats

        return stats.stats(self.replica, day)

    def status(self) -> DeskStatus:
        if self.worker is not None:
            s = self.worker.status()
            text = s.label
            if s.message and not s.online:
                text += f" · {s.message}"
            if s.clock_warning:
                text += f" · ⚠ {s.clock_warning}"
            return DeskStatus(s.online, s.queued, s.last_sync, s.clock_warning, text)
        queued = self.replica.outbox_queue()["pending"] if self.replica is not None else 0
        return DeskStatus(False, queued, None, "", status_line(None, queued, None, ""))

    def nudge_sync(self) -> None:
        if self.worker is not None:
            self.worker.nudge()


def status_line(online: bool | None, queued: int, last_sync: datetime | None, clock: str) -> str:
    net = "未连接后台" if online is None else ("在线" if online else "离线")
    parts = [net, f"待上传 {queued} 条"]
    if last_sync is not None:
        parts.append(f"上次同步 {last_sync:%H:%M}")
    if clock:
        parts.append(f"⚠ {clock}")
    return " · ".join(parts)


def _scope_of(window) -> Any:
    from clerk_console.domain.rules import CITY_SCOPE, TOWNSHIP_SCOPE

    scope = getattr(window, "scope", None)
    if scope is not None:
        return scope
    level = str(getattr(window, "level", "") or "")
    return TOWNSHIP_SCOPE if level in ("township", "village") else CITY_SCOPE


def release_pinyin() -> None:
    """Drop pypinyin's dictionaries once the search index holds every key it needs.

    They are ~55 MB of the console's memory and are only read while the index is built
    (a rebuild after a catalogue update imports them again). pypinyin is pure Python, so
    forgetting its modules is safe; on glibc the freed heap goes back to the system.
    """
    import gc
    import sys

    for name in [m for m in sys.modules if m == "pypinyin" or m.startswith("pypinyin.")]:
        del sys.modules[name]
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass

