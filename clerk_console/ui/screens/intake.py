"""The intake screen: applicant panel on the left, the working area (items, checklist,
outcome) on the right, status bar on top, footer below."""
from __future__ import annotations

from clerk_console.ui.guard import explain

from dataclasses import dataclass, field, replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Label

from clerk_console.ui.widgets.keybar import KeyBar, key_hints, node_keys
from clerk_console.domain.case import Case, Outcome, Status
from clerk_console.domain.checklist import keep_marks, marked_count
from clerk_console.domain.masking import mask_id, mask_name
from clerk_console.domain.parties import Applicant
from clerk_console.domain.visit import comes_as_agent, same_open_cases
from clerk_console.ui.desk import ApplicantView
from clerk_console.ui.screens.dialogs import ConfirmScreen
from clerk_console.ui.widgets.applicant import ApplicantPanel
from clerk_console.ui.widgets.checklist import Checklist
from clerk_console.ui.widgets.outcome import OutcomeList, OutcomePane
from clerk_console.ui.widgets.picker import ItemPicker
from clerk_console.ui.widgets.status import StatusBar
from clerk_console.ui.widgets.toasts import print_in_background


@dataclass
class Intake:
    """What the clerk has entered for one applicant; parked when another one is scanned."""

    view: ApplicantView
    agent: Applicant | None = None
    items: list[str] = field(default_factory=list)
    bundle: str | None = None
    draft: Case | None = None
    verdict: object = None
    closed: bool = False  # a case of this visit was saved: the next person is a new applicant
    # what the scan said about the document (nationality, issuing state ...) and, from a card
    # reader's record or a passport's MRZ, about the holder: pre-fills quick entry
    details: dict = field(default_factory=dict)
    prefill: dict = field(default_factory=dict, repr=False)

    @property
    def ticks(self) -> int:
        """Materials the clerk has marked (received, missing, defective); e-licences and
        untouched ones do not count."""
        if self.draft is None:
            return 0
        return marked_count(self.draft.materials)

    def work_text(self) -> str:
        """'' when nothing was entered, else what would go ("3 个事项、已核 2 项材料")."""
        if not self.items and not self.ticks:
            return ""
        parts = [f"{len(self.items)} 个事项"] + ([f"已核 {self.ticks} 项材料"] if self.ticks else [])
        return "、".join(parts)


MAX_PARKED = 20
MAX_SHOWN_CODE = 24  # longer readings of a bad scan are not echoed (see scan)  # applicants whose unfinished intake is kept while others are served

# (action, Chinese label) for the footer and the command palette
ACTIONS = [
    ("pick", "选事项"), ("checklist", "核材料"), ("outcome", "选结果"),
    ("supplement", "容缺补齐"), ("due", "到期清单"), ("deliver", "出件"),
    ("unmask", "显示完整证件号(负责人)"), ("register", "登记申请人"), ("day", "当日统计"),
    ("remove_item", "移出一个事项"), ("clear_items", "清空事项"), ("new", "下一位"),
    ("enter_code", "手工输入号码"), ("followups", "差评回访"), ("pairing", "评价器配对"),
    ("time_limit", "延期/扣除特别程序时间(负责人)"),
    ("mark_received", "材料：收到"), ("mark_missing", "材料：缺"),
    ("mark_original", "材料：原件/复印件"), ("receive_main", "材料：主要材料全收"),
]


class IntakeScreen(Screen):
    BINDINGS = [
        Binding("f2", "pick", "选事项", id="intake.pick"),
        Binding("f3", "checklist", "核材料", id="intake.checklist"),
        Binding("f4", "outcome", "选结果", id="intake.outcome"),
        Binding("f5", "supplement", "补齐", id="intake.supplement"),
        Binding("f6", "due", "到期", id="intake.due"),
        Binding("f7", "deliver", "出件", id="intake.deliver"),
        Binding("f8", "unmask", "显示证号", id="intake.unmask"),
        Binding("f9", "register", "登记", id="intake.register"),
        Binding("f10", "day", "当日", id="intake.day"),
        Binding("ctrl+r", "remove_item", "移出事项", id="intake.remove_item"),
        Binding("ctrl+d", "clear_items", "清空事项", id="intake.clear_items"),
        Binding("ctrl+n", "new", "下一位", id="intake.new"),
        Binding("f12", "enter_code", "输号码", id="intake.enter_code"),
        # not in the key bar (full at 80 columns): in the palette and the key help
        Binding("ctrl+f", "followups", "差评回访", show=False, id="intake.followups"),
        Binding("ctrl+g", "pairing", "评价器配对", show=False, id="intake.pairing"),
        Binding("ctrl+t", "time_limit", "延期", show=False, id="intake.time_limit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="intake")
        self.current: Intake | None = None
        self.parked: dict[str, Intake] = {}
        self.error = ""
        self.unmasked = False
        self.mrz_first_line = ""  # a passport's MRZ line 1, waiting for line 2

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            yield ApplicantPanel(id="applicant")
            with Vertical(id="work", classes="work"):
                yield Label("", id="work-title", classes="pane-title")
                with ContentSwitcher(initial="picker", id="areas"):
                    yield ItemPicker(id="picker")
                    yield Checklist(id="checklist")
                    yield OutcomePane(id="outcome")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_panel()
        self.action_pick()

    def on_screen_resume(self) -> None:
        """Back from another screen (supplement, delivery, void ...): show fresh data."""
        cur = self.current
        if cur is not None and self.desk.ready:
            cur.view = self.desk.lookup(cur.view.code, cur.view.kind, self.app.today())
            self.refresh_panel()

    # -- helpers ---------------------------------------------------------------------------
    @property
    def desk(self):
        return self.app.desk

    def kind_label(self, kind: str) -> str:
        try:
            from clerk_console.domain.codes import KIND_LABELS
        except ImportError:
            return kind
        return KIND_LABELS.get(kind, kind)

    def refresh_panel(self) -> None:
        cur = self.current
        self.query_one(ApplicantPanel).show(
            cur.view if cur else None, unmasked=self.unmasked, agent=cur.agent if cur else None,
            error=self.error, kind_label=self.kind_label(cur.view.kind) if cur else "")
        names = [self.desk.catalogue.items[c].name for c in cur.items] if cur and self.desk.catalogue else []
        self.query_one(ItemPicker).show_chosen(names)

    def show_area(self, area: str, title: str) -> None:
        self.query_one("#areas", ContentSwitcher).current = area
        self.query_one("#work-title", Label).update(title)

    def need_applicant(self) -> bool:
        if self.current is None or self.current.view.applicant is None:
            self.app.notify("请先扫描申请人证件（未登记的按 F9 快速登记）", severity="warning")
            return False
        return True

    # -- scanning --------------------------------------------------------------------------
    def take_scan(self, code: str) -> None:
        """A scan from any screen: the screens above this one are closed, except a dialog
        holding work (the rating, a half-typed form): it keeps the scan until it is done
        (``dialogs.HoldsScan``), so nothing entered is thrown away."""
        app = self.app
        while app.screen is not self:
            hold = getattr(app.screen, "hold_scan", None)
            if hold is not None and hold(code):
                return
            app.pop_screen()
        self.scan(code)

    def scan(self, code: str) -> None:
        app = self.app
        if self.mrz_first_line:
            code, self.mrz_first_line = self.mrz_first_line + "\n" + code.strip(), ""
        ident = self.desk.identify(code, app.today())
        if ident.details.get("mrz_line") == 1:
            # readers that end each MRZ line with Enter send two bursts: keep the first
            self.mrz_first_line = code.strip()
            app.notify("已读取护照机读区第一行，请继续扫描第二行")
            return
        if not ident.valid:
            # only a code-sized reading is shown (masked): a long payload (a card reader's
            # record, a URL) can hold a name or an address
            shown = (mask_id(ident.normalized, ident.kind)
                     if ident.normalized and len(ident.normalized) <= MAX_SHOWN_CODE else "")
            self.error = f"{shown}\n{ident.error}" if shown else ident.error
            self.refresh_panel()
            app.notify(ident.error, title="扫码有误", severity="error")
            return
        self.error = ""
        norm, kind = ident.normalized, ident.kind
        cur = self.current
        if cur is not None and comes_as_agent(cur.view.applicant, norm, kind, closed=cur.closed,
                                              picked=bool(cur.items)):
            known = self.desk.replica.find_applicant(norm)
            if known is not None and known.name:
                self.set_agent(cur, known)
            else:
                self.register_agent(cur, norm, kind, known)
            return
        if cur is not None and cur.view.code != norm:
            self.park(cur)
        self.unmasked = False
        view = self.desk.lookup(norm, kind, app.today())
        parked = self.parked.pop(norm, None)
        self.current = parked or Intake(view)
        self.current.view = view
        self.current.details, self.current.prefill = dict(ident.details), dict(ident.prefill)
        for warning in getattr(ident, "warnings", ()) or ():
            app.notify(warning, severity="warning")
        self.refresh_panel()
        if view.applicant is None:
            self.action_register()
            return
        if self.current.draft is None:
            self.action_pick()
        else:
            self.rebuild()

    def set_agent(self, intake: Intake, agent: Applicant) -> None:
        intake.agent = agent
        if intake is self.current:
            self.rebuild()
            self.refresh_panel()
        self.app.notify(f"已登记经办人 {mask_name(agent.name)}")

    def register_agent(self, intake: Intake, code: str, kind: str, known: Applicant | None) -> None:
        """An agent the replica has no name for: the clerk records it before it goes on the case."""
        from clerk_console.ui.screens.quick_entry import QuickEntryScreen

        def saved(agent: Applicant | None) -> None:
            if agent is None:
                self.app.notify("未登记经办人：需要时请再次扫描经办人证件", severity="warning")
                return
            try:
                self.desk.save_applicant(agent, self.app.clerk.clerk_id)
            except Exception as exc:
                self.app.notify(f"经办人未保存：{explain(exc)}", severity="error")
                return
            self.set_agent(intake, agent)

        self.app.push_screen(QuickEntryScreen(code, kind, self.kind_label(kind), existing=known,
                                              agent_for=intake.view.applicant.name), saved)

    def park(self, intake: Intake) -> None:
        """Keep an intake in progress for when its applicant is scanned again (bounded)."""
        if not intake.items and intake.agent is None:
            return
        self.parked.pop(intake.view.code, None)
        self.parked[intake.view.code] = intake
        while len(self.parked) > MAX_PARKED:
            self.parked.pop(next(iter(self.parked)))

    # -- building the draft ----------------------------------------------------------------
    def on_item_picker_picked(self, msg: ItemPicker.Picked) -> None:
        if not self.need_applicant():
            return
        cur = self.current
        cat = self.desk.catalogue
        before = (list(cur.items), cur.bundle, cur.draft, cur.verdict)
        if msg.kind == "bundle":
            cur.bundle = msg.code
            new = [c for c in cat.bundles[msg.code].items if c not in cur.items]
            optional = [cat.items[c].name for c in cat.bundles[msg.code].optional
                        if c in cat.items and c not in cur.items]
            if optional:
                self.app.notify(f"可选事项（需要时在事项搜索中添加）：{'、'.join(optional)}",
                                timeout=8)
        else:
            new = [msg.code] if msg.code not in cur.items else []
        cur.items.extend(new)
        try:
            self.rebuild()
        except Exception:  # refused (e.g. an enterprise-only item): the intake stays as it was
            cur.items, cur.bundle, cur.draft, cur.verdict = before
            self.query_one(Checklist).show(list(cur.draft.materials) if cur.draft else [])
            raise
        self.desk.note_use(msg.kind, msg.code)
        self.refresh_panel()
        self.action_checklist()
        same = self.same_case_text(new)
        if same:
            self.app.notify(same, title="可能重复申请", severity="warning", timeout=10)

    def same_case_text(self, items: list[str]) -> str:
        """'' or a warning naming the applicant's open cases that already hold ``items``."""
        cur = self.current
        found = same_open_cases(cur.view.open_cases, cur.view.applicant.id_number, items)
        names = self.desk.catalogue.items
        return "\n".join(
            f"已有在办件 {s.case.case_no}（{s.case.status.label}）含"
            f"{'、'.join(names[c].name if c in names else c for c in s.items)}，请核实是否重复申请"
            for s in found)

    def add_pick(self, kind: str, code: str) -> None:
        """Used by the command palette."""
        self.on_item_picker_picked(ItemPicker.Picked(kind, code))

    def rebuild(self) -> None:
        """A fresh draft for the chosen items, keeping the marks the clerk already made."""
        cur = self.current
        if cur is None or cur.view.applicant is None or not cur.items:
            if cur is not None:
                cur.draft, cur.verdict = None, None
            self.query_one(Checklist).show([])
            return
        draft = self.desk.new_draft(clerk_id=self.app.clerk.clerk_id, applicant=cur.view.applicant,
                                    items=list(cur.items), bundle=cur.bundle, agent=cur.agent,
                                    now=self.app.now())
        before = cur.draft.materials if cur.draft else ()
        self.set_materials(replace(draft, materials=keep_marks(draft.materials, before)))

    def set_materials(self, draft: Case) -> None:
        cur = self.current
        cur.draft = draft
        cur.verdict = self.desk.evaluate(draft)
        self.query_one(Checklist).show(list(draft.materials))
        self.query_one(OutcomePane).show(cur.verdict, self.outcome_detail)

    def on_checklist_changed(self, msg: Checklist.Changed) -> None:
        if self.current and self.current.draft:
            draft = replace(self.current.draft, materials=tuple(msg.materials))
            self.current.draft = draft
            self.current.verdict = self.desk.evaluate(draft)
            self.query_one(OutcomePane).show(self.current.verdict, self.outcome_detail)

    def on_checklist_done(self, _msg) -> None:
        self.action_outcome()

    def outcome_detail(self, outcome: Outcome) -> str:
        cur = self.current
        draft = cur.draft
        owed = [m for m in draft.materials if not m.state.satisfied]
        owed_text = "\n".join(f" · {m.name}{'（主要）' if m.main else ''}" for m in owed)
        rest_day = self.desk.rest_day_warning(self.app.today())
        warn = f"注意：{rest_day}\n" if rest_day and outcome is not Outcome.SIGNPOSTED else ""
        same = self.same_case_text(cur.items)
        warn += f"注意：{same}\n" if same else ""
        if outcome is Outcome.DEFERRED:
            due = self.desk.deferral_deadline(draft, self.app.today())
            return f"{warn}补齐期限：{due}\n须补交：\n{owed_text}"
        if outcome is Outcome.NOTIFIED:
            return f"{warn}一次性告知所缺全部材料：\n{owed_text}"
        if outcome is Outcome.APPROVED_ON_COMMITMENT:
            text = f"{warn}由申请人自行选择；须申请人签署信用承诺书并当面确认"
            if owed:
                due = self.desk.deferral_deadline(draft, self.app.today())
                text += f"\n限期补交：{due}\n须补交：\n{owed_text}"
            return text
        if outcome is Outcome.SIGNPOSTED:
            return self.desk.signpost_text(draft)
        if outcome is Outcome.NOT_ACCEPTED:
            return ("依法不需申请许可、不属本机关职权或申请人不具备申请资格时选择：写明理由，"
                    "出具不予受理通知书（含行政复议、行政诉讼权利告知）")
        return f"{warn}材料齐全，出具受理通知书"

    # -- closing ---------------------------------------------------------------------------
    def on_outcome_list_confirm(self, msg: OutcomeList.Confirm) -> None:
        cur = self.current
        if cur is None or cur.draft is None:
            return
        if msg.outcome is Outcome.APPROVED_ON_COMMITMENT:
            body = (f"{cur.view.applicant.name}：本人承诺所填信息真实、符合许可条件，"
                    "如有虚假愿承担撤销许可、信用惩戒等后果。\n请申请人确认后按 Y")
            self.app.push_screen(ConfirmScreen("告知承诺 · 申请人确认", body),
                                 lambda yes: yes and self.close_case(msg.outcome))
            return
        if msg.outcome is Outcome.NOT_ACCEPTED:
            self.ask_refusal()
            return
        self.close_case(msg.outcome)

    def ask_refusal(self) -> None:
        """不予受理: the reasons (required), then the body to apply to, if another is competent."""
        from clerk_console.domain.rules import refusal_problem
        from clerk_console.ui.screens.dialogs import ChoiceScreen, PromptScreen

        def with_reasons(reasons: str | None) -> None:
            if not reasons:
                return
            problem = refusal_problem(reasons)
            if problem:
                self.app.notify(problem, severity="warning", timeout=8)
                return
            choices = [("", "无：依法无需申请，或申请人不具备资格")] + self.desk.departments()
            self.app.push_screen(
                ChoiceScreen("有权受理的机关（不属本机关职权时选择；回车确定）", choices),
                lambda dept: dept is not None and self.close_case(
                    Outcome.NOT_ACCEPTED, reasons=reasons, competent_dept=dept or None))

        self.app.push_screen(PromptScreen("不予受理的理由（打印在不予受理通知书上）",
                                          "依据和事实，如：无歌舞游艺项目，依法无需娱乐场所经营许可",
                                          required="不予受理须写明理由"), with_reasons)

    def close_case(self, outcome: Outcome, *, reasons: str = "",
                   competent_dept: str | None = None) -> None:
        from clerk_console.ui.screens.rating import RatingScreen

        app = self.app
        cur = self.current
        try:
            case = self.desk.close_intake(cur.draft, outcome, clerk_id=app.clerk.clerk_id,
                                          now=app.now(),
                                          signpost_dept=self.desk.signpost_dept(cur.draft),
                                          reasons=reasons, competent_dept=competent_dept)
        except Exception as exc:  # refused by the rules or storage: keep everything entered
            app.notify(f"办件未保存：{explain(exc)}", severity="error", timeout=10)
            return
        self.desk.nudge_sync()
        app.notify(f"{case.case_no} {outcome.label}，正在打印告知书")
        self.print_case(case)
        for signpost in self.desk.signposts_with(case):  # the items taken elsewhere
            app.notify(f"{signpost.case_no} 设路标：{len(signpost.items)} 项须到其他地方办理")
            self.print_case(signpost)
        code = cur.view.code
        self.current = Intake(self.desk.lookup(code, cur.view.kind, app.today()), agent=cur.agent,
                              closed=True)
        self.refresh_panel()
        self.query_one(Checklist).show([])
        self.action_pick()
        while app.screen is not self:  # one rating per visit: nothing may sit above it
            app.pop_screen()
        app.push_screen(RatingScreen(case))

    def print_case(self, case: Case) -> None:
        now = self.app.now()
        print_in_background(self.app, lambda: self.desk.print_notice(case, now),
                            name=f"print-{case.case_no}",
                            failed="告知书未打印：{reason}（办件已保存，可用 "
                                   f"clerk-console notice {case.case_no} 补打）")

    # -- actions ---------------------------------------------------------------------------
    def run_action(self, action: str) -> None:
        getattr(self, f"action_{action}")()

    def _on_checklist(self, action: str, *args) -> None:
        self.action_checklist()
        getattr(self.query_one(Checklist), f"action_{action}")(*args)

    def action_mark_received(self) -> None:
        self._on_checklist("mark", "received")

    def action_mark_missing(self) -> None:
        self._on_checklist("mark", "missing")

    def action_mark_original(self) -> None:
        self._on_checklist("original")

    def action_receive_main(self) -> None:
        self._on_checklist("main")

    def action_pick(self) -> None:
        self.show_area("picker", "选事项：输入后回车；一件事套餐与单项事项都可选")
        self.query_one(ItemPicker).focus_query()

    def action_checklist(self) -> None:
        self.show_area("checklist", f"核材料：{key_hints(self.query_one(Checklist))}")
        self.query_one(Checklist).focus()

    def action_outcome(self) -> None:
        if self.current is None or self.current.verdict is None:
            self.app.notify("请先选择事项", severity="warning")
            return
        title = "选结果：上下键选择，回车确认办结"
        draft = self.current.draft
        if draft is not None and 0 < len(self.desk.elsewhere(draft)) < len(draft.items):
            remove = node_keys(self)["remove_item"]  # 请先移出这些事项再受理: say how
            title += f"；{remove.key} {remove.description}（他处办理的）"
        self.show_area("outcome", title)
        self.query_one(OutcomePane).focus_list()

    def confirm_discard(self, title: str, consequence: str, then) -> None:
        """Run ``then()`` at once when nothing was entered, else after the clerk confirms."""
        work = self.current.work_text() if self.current is not None else ""
        if not work:
            then()
            return
        body = f"当前办件尚未办结：{work}。\n{consequence}"
        self.app.push_screen(ConfirmScreen(title, body), lambda yes: yes and then())

    def action_clear_items(self) -> None:
        self.confirm_discard("清空事项", "将清空已选事项和已核材料，不可恢复。", self.clear_items)

    def clear_items(self) -> None:
        if self.current is not None:
            self.current.items, self.current.bundle = [], None
            self.rebuild()
            self.refresh_panel()
        self.action_pick()

    def action_new(self) -> None:
        self.confirm_discard("下一位", "转下一位后本办件暂存，再次扫描该申请人证件可继续办理。",
                             self.next_applicant)

    def next_applicant(self) -> None:
        if self.current is not None:
            self.park(self.current)
        self.current, self.error, self.unmasked = None, "", False
        self.query_one(Checklist).show([])
        self.refresh_panel()
        self.action_pick()

    def action_remove_item(self) -> None:
        """Take one item out (of a bundle, say: an item another office handles)."""
        from clerk_console.ui.screens.dialogs import ChoiceScreen

        cur = self.current
        if cur is None or not cur.items:
            self.app.notify("尚未选择事项，没有可移出的", severity="warning")
            return
        away = {i.code for i in self.desk.elsewhere(cur.draft)} if cur.draft else set()
        items = self.desk.catalogue.items
        choices = [(code, items[code].name + ("（他处办理）" if code in away else ""))
                   for code in cur.items]
        first = next((n for n, code in enumerate(cur.items) if code in away), 0)
        self.app.push_screen(ChoiceScreen("移出事项：上下键选择，回车移出，Esc 取消", choices,
                                          highlighted=first), self.remove_item)

    def remove_item(self, code: str | None) -> None:
        cur = self.current
        if code is None or cur is None or code not in cur.items:
            return
        cur.items.remove(code)
        if not cur.items:
            cur.bundle = None
        self.rebuild()
        self.refresh_panel()
        self.app.notify(f"已移出：{self.desk.catalogue.items[code].name}")
        if cur.items and self.query_one("#areas", ContentSwitcher).current == "outcome":
            self.action_outcome()

    def action_register(self) -> None:
        from clerk_console.ui.screens.quick_entry import QuickEntryScreen

        cur = self.current
        if cur is None:
            self.app.notify("请先扫描证件号，再登记申请人", severity="warning")
            return
        view = cur.view

        def saved(applicant: Applicant | None) -> None:
            if applicant is None:
                return
            try:
                self.desk.save_applicant(applicant, self.app.clerk.clerk_id)
            except Exception as exc:
                self.app.notify(f"申请人未保存：{explain(exc)}", severity="error")
                return
            cur.view = self.desk.lookup(view.code, view.kind, self.app.today())
            self.refresh_panel()
            self.action_pick()

        self.app.push_screen(QuickEntryScreen(view.code, view.kind, self.kind_label(view.kind),
                                              existing=view.applicant, details=cur.details,
                                              prefill=cur.prefill), saved)

    def action_enter_code(self) -> None:
        """Type a code by hand (damaged card, dictated number): looked up as a scan is."""
        from clerk_console.ui.screens.dialogs import PromptScreen

        def entered(text: str | None) -> None:
            if text:
                self.app.handle_scan(text)

        self.app.push_screen(PromptScreen("手工输入号码（回车查询，Esc 取消）",
                                          "证件号码、统一社会信用代码或项目代码",
                                          required="请输入号码；Esc 取消"), entered)

    def action_unmask(self) -> None:
        cur = self.current
        if cur is None:
            return

        def show(supervisor) -> None:
            self.desk.audit_unmask(clerk_id=self.app.clerk.clerk_id,
                                   supervisor_id=supervisor.clerk_id, subject=cur.view.code)
            self.unmasked = True
            self.refresh_panel()

        self.app.with_supervisor("查看完整证件号", show)

    def action_supplement(self) -> None:
        from clerk_console.ui.screens.returns import SupplementScreen

        cur = self.current
        owing = (cur.view.deferrals + cur.view.corrections) if cur is not None else []
        if not owing:
            self.action_due()
            return

        def done(case: Case | None) -> None:
            if case is not None and case.status is Status.ACCEPTED:
                self.print_case(case)  # 补正 complete: the same case accepted, its receipt

        self.app.push_screen(SupplementScreen(owing[0]), done)

    def action_due(self) -> None:
        from clerk_console.ui.screens.returns import DueScreen

        self.app.push_screen(DueScreen())

    def action_deliver(self) -> None:
        from clerk_console.ui.screens.returns import DeliverScreen

        cur = self.current
        if cur is None or not (cur.view.ready or cur.view.partial):
            self.app.notify("当前申请人没有待取的结果", severity="warning")
            return

        self.app.push_screen(DeliverScreen(cur.view.ready + cur.view.partial))

    def action_followups(self) -> None:
        from clerk_console.ui.screens.followups import FollowupsScreen

        self.app.push_screen(FollowupsScreen())

    def action_time_limit(self) -> None:
        from clerk_console.ui.screens.time_limits import move_time_limit

        cur = self.current
        move_time_limit(self, cur.view.open_cases if cur is not None else [])

    def action_pairing(self) -> None:
        from clerk_console.ui.screens.pairing import PairingScreen

        self.app.push_screen(PairingScreen())

    def action_day(self) -> None:
        from clerk_console.ui.screens.day import DayScreen

        self.app.push_screen(DayScreen())
