"""Return visits: supplement a deferral, the due/overdue list with void, delivery of results."""
from __future__ import annotations

from clerk_console.ui.guard import explain

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.domain.case import Case, MaterialState, awaiting_correction, overdue
from clerk_console.domain.parties import mask_party_name
from clerk_console.domain.review import Verdict
from clerk_console.ui.screens.dialogs import ConfirmScreen, PromptScreen
from clerk_console.ui.widgets.status import StatusBar
from clerk_console.ui.widgets.toasts import print_in_background

PAGE = 200  # rows laid out at once; the rest is paged


class SupplementScreen(Screen):
    """Tick the owed materials the applicant brought back; all ticked -> completed."""

    BINDINGS = [Binding("space", "tick", "收到/取消", id="supplement.tick"),
                Binding("a", "tick_all", "全部收到", id="supplement.tick_all"),
                Binding("enter", "save", "保存", id="supplement.save"),
                Binding("escape", "app.pop_screen", "返回", id="supplement.back")]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.owed = list(case.owed)
        self.ticked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label(supply_title(self.case), classes="pane-title")
            yield OptionList(id="owed")
            yield Static("", id="supplement-note")
        yield KeyBar()

    def on_mount(self) -> None:
        self.render_owed()
        self.query_one("#owed", OptionList).focus()

    def render_owed(self) -> None:
        ol = self.query_one("#owed", OptionList)
        keep = ol.highlighted or 0
        ol.set_options(Option(Text(("✔ " if m.code in self.ticked else "· ") + m.name
                                   + ("（主要）" if m.main else "")), id=m.code) for m in self.owed)
        if self.owed:
            ol.highlighted = min(keep, len(self.owed) - 1)
        left = len(self.owed) - len(self.ticked)
        then = "本办件予以受理，办理期限自今日起算" if awaiting_correction(self.case) \
            else "办件转为已补齐"
        self.query_one("#supplement-note", Static).update(
            f"全部补齐，回车保存后{then}" if left == 0 else f"尚缺 {left} 项；回车保存已收到的材料")

    def on_option_list_option_selected(self, _event) -> None:
        self.action_save()  # Enter on the list saves

    def action_tick(self) -> None:
        opt = self.query_one("#owed", OptionList).highlighted_option
        if opt is None:
            return
        self.ticked ^= {opt.id}
        self.render_owed()

    def action_tick_all(self) -> None:
        self.ticked = {m.code for m in self.owed}
        self.render_owed()

    def action_save(self) -> None:
        if not self.ticked:
            self.app.notify("没有勾选收到的材料：用空格勾选后再回车", severity="warning")
            return
        app = self.app
        try:
            case = app.desk.supplement(self.case, sorted(self.ticked), clerk_id=app.clerk.clerk_id,
                                       now=app.now())
        except Exception as exc:
            app.notify(f"补齐未保存：{explain(exc)}", severity="error")
            return
        done = all(m.state in (MaterialState.RECEIVED, MaterialState.ELICENCE) for m in case.materials)
        accepted = done and awaiting_correction(self.case)
        app.notify(f"{case.case_no} " + ("补正齐全，已受理，正在打印受理回执" if accepted
                                         else "已全部补齐" if done else "已登记补交材料"))
        self.dismiss(case)


def supply_title(case: Case) -> str:
    """补正 (nothing accepted, no deadline) and 容缺 (accepted, supply by a date) apart."""
    if awaiting_correction(case):
        told = case.correction.notified_on if case.correction else ""
        return f"补正材料（尚未受理，补齐即受理） · {case.case_no} · {shown_name(case)} · {told} 告知"
    return f"容缺补齐（已受理） · {case.case_no} · {shown_name(case)} · 期限 {case.deadline or '未定'}"


def shown_name(case: Case) -> str:
    """The applicant of a case as lists show it: a person masked, an enterprise whole."""
    return mask_party_name(case.applicant_name, case.applicant_kind)


def due_line(case: Case, today) -> Text:
    t = Text()
    late = overdue(case, today)
    t.append("逾期 " if late else "今日 ", style="bold red" if late else "yellow")
    t.append(f"{case.case_no} {shown_name(case)} 限{case.deadline} 缺{len(case.owed)}项")
    return t


class DueScreen(Screen):
    """Deferrals due today and overdue; supplement or (supervisor) void them."""

    BINDINGS = [Binding("enter", "supplement", "补齐", id="due.supplement"),
                Binding("v", "void", "废止(负责人)", id="due.void"),
                Binding("pagedown", "page(1)", "下页", id="due.next_page"),
                Binding("pageup", "page(-1)", "上页", id="due.prev_page"),
                Binding("escape", "app.pop_screen", "返回", id="due.back")]

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[Case] = []
        self.page = 0

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("容缺到期清单（今日到期与逾期）", classes="pane-title", id="due-title")
            yield OptionList(id="due")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#due", OptionList).focus()

    def reload(self) -> None:
        """Today's first, overdue behind them; one page read at a time, true totals."""
        today = self.app.today()
        due, late = self.app.desk.deferral_counts(today)
        pages = max(1, -(-(due + late) // PAGE))
        self.page = max(0, min(self.page, pages - 1))
        self.cases = self.app.desk.deferrals_due(today, offset=self.page * PAGE, limit=PAGE)
        self.show_page(due, late, pages)

    def show_page(self, due: int, late: int, pages: int) -> None:
        today = self.app.today()
        ol = self.query_one("#due", OptionList)
        ol.set_options(Option(due_line(c, today), id=c.case_no) for c in self.cases)
        if self.cases:
            ol.highlighted = 0
        self.query_one("#due-title", Label).update(
            f"容缺到期清单：共 {due + late} 件，逾期 {late} 件（今日到期 {due} 件在前）· "
            f"第 {self.page + 1}/{pages} 页")

    def on_option_list_option_selected(self, _event) -> None:
        self.action_supplement()

    def action_page(self, step: int) -> None:
        self.page += step
        self.reload()

    def selected(self) -> Case | None:
        opt = self.query_one("#due", OptionList).highlighted_option
        return next((c for c in self.cases if c.case_no == opt.id), None) if opt else None

    def action_supplement(self) -> None:
        case = self.selected()
        if case is not None:
            self.app.push_screen(SupplementScreen(case), lambda _r: self.reload())

    def action_void(self) -> None:
        case = self.selected()
        if case is None:
            return
        app = self.app

        def with_reason(supervisor) -> None:
            def done(reason: str | None) -> None:
                if not reason:
                    return
                try:
                    app.desk.void(case, clerk_id=app.clerk.clerk_id, supervisor_id=supervisor.clerk_id,
                                  now=app.now(), reason=reason)
                except Exception as exc:
                    app.notify(f"废止未保存：{explain(exc)}", severity="error")
                    return
                app.notify(f"{case.case_no} 已废止")
                self.reload()

            app.push_screen(PromptScreen(f"废止 {case.case_no}：原因", "如：逾期未补齐材料",
                                         required="请填写废止原因"), done)

        app.with_supervisor(f"废止办件 {case.case_no}", with_reason)


DETAIL_CELLS = 70  # a reason or a 补正 list shows on one line at 80 columns; paper has it all


def one_line(text: str, cells: int = DETAIL_CELLS) -> str:
    """``text`` on one line of at most ``cells`` cells, cut with … (the paper prints it all).

    >>> one_line("场所不符合要求\n另附说明", 10)
    '场所不符…'
    """
    flat = " ".join(text.split())
    if cell_len(flat) <= cells:
        return flat
    out = ""
    for ch in flat:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out + "…"


def result_lines(res) -> Text:
    """What the back office decided on each item of a case (``services.returns.CaseResults``):
    verdict, licence number and validity, refusal reasons, what a 补正 lacks; the 行业综合许可证."""
    t = Text()
    case = res.case
    t.append(f"{case.case_no} {shown_name(case)}\n", style="bold")
    if not res.per_item:
        outcome = case.decision.label if case.decision else "审批中"
        t.append(f"后台已办结：{outcome}（未分事项）\n" if case.decision else f"{outcome}\n")
    for r in res.items:
        d = r.decision
        where = f"{r.name}（{r.dept_name}）" if r.dept_name else r.name
        if d is None:
            t.append("… ", style="dim")
            t.append(f"{where} 审批中\n", style="dim")
        elif d.verdict is Verdict.APPROVE:
            t.append("✔ ", style="bold green")
            t.append(f"{where} 准予许可\n")
            t.append(f"  编号 {d.licence_no}  有效期 {d.validity_label}\n", style="green")
        elif d.verdict is Verdict.REFUSE:
            t.append("✘ ", style="bold red")
            t.append(f"{where} 不予许可\n")
            t.append("  理由：" + one_line(d.reasons, DETAIL_CELLS - 8) + "\n", style="red")
        else:
            t.append("！", style="bold yellow")
            t.append(f"{where} 需补正（一次性告知）\n")
            t.append("  需补正：" + one_line(d.missing, DETAIL_CELLS - 10) + "\n", style="yellow")
    if res.merged is not None:
        m = res.merged
        until = m.valid_until.isoformat() if m.valid_until else "长期"
        t.append(f"行业综合许可证 {m.number}（{len(m.permits)}项许可，有效期至 {until}）\n",
                 style="bold cyan")
    if res.ready:
        t.append("回车出件：打印" + ("行业综合许可证和" if res.merged else "") + "各事项决定书")
    elif res.corrections:
        t.append("尚未办结，不能出件；按 P 打印补正告知书交申请人", style="yellow")
    else:
        t.append("尚有事项未作出决定，暂不能出件", style="yellow")
    return t


class DeliverScreen(Screen):
    """出件: hand the back office's results to the applicant at the window, each item with its
    verdict and its paper (准予/不予许可决定书, 补正告知书, the 行业综合许可证)."""

    BINDINGS = [Binding("enter", "deliver", "出件", id="deliver.deliver"),
                Binding("p", "print", "打印文书", id="deliver.print"),
                Binding("escape", "app.pop_screen", "返回", id="deliver.back")]

    def __init__(self, cases: list[Case]) -> None:
        super().__init__()
        self.cases = list(cases)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("结果出件：选中办件，核对各事项结果和申请人身份后回车交付", classes="pane-title")
            yield OptionList(id="ready")
            yield Static("", id="results")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show()
        self.query_one("#ready", OptionList).focus()

    def show(self) -> None:
        ol = self.query_one("#ready", OptionList)
        ol.set_options(Option(f"{c.case_no} {shown_name(c)} "
                              f"{c.decision.label if c.decision else '部分事项已决定'}",
                              id=c.case_no)
                       for c in self.cases)
        if self.cases:
            ol.highlighted = 0
        self.show_results()

    def selected(self) -> Case | None:
        opt = self.query_one("#ready", OptionList).highlighted_option
        return next((c for c in self.cases if c.case_no == opt.id), None) if opt else None

    def show_results(self) -> None:
        case = self.selected()
        box = self.query_one("#results", Static)
        if case is None:
            box.update("")
            return
        try:
            box.update(result_lines(self.app.desk.results(case)))
        except Exception as exc:
            box.update(f"结果读取失败：{explain(exc)}")

    def on_option_list_option_highlighted(self, _event) -> None:
        self.show_results()

    def on_option_list_option_selected(self, _event) -> None:
        self.action_deliver()

    def close(self) -> None:
        """Every result handed out: back to the intake screen (not awaited on purpose)."""
        self.dismiss()

    def print_results(self, case: Case, *, handed_out: bool) -> None:
        app = self.app
        now = app.now()
        print_in_background(app, lambda: app.desk.print_results(case, now,
                                                                handed_out=handed_out),
                            name=f"print-results-{case.case_no}",
                            failed="文书未打印：{reason}（可按 P 重打）")

    def action_print(self) -> None:
        case = self.selected()
        if case is not None:
            self.print_results(case, handed_out=False)

    def action_deliver(self) -> None:
        case = self.selected()
        if case is None:
            return
        app = self.app
        try:
            res = app.desk.results(case)
        except Exception as exc:
            app.notify(f"结果读取失败：{explain(exc)}", severity="error")
            return
        if not res.ready:
            hint = "；按 P 打印补正告知书" if res.corrections else ""
            app.notify(f"{case.case_no} 尚有事项未作出决定，暂不能出件{hint}", severity="warning")
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delivered = app.desk.deliver(case, clerk_id=app.clerk.clerk_id, now=app.now())
            except Exception as exc:
                app.notify(f"出件未保存：{explain(exc)}", severity="error")
                return
            app.notify(f"{case.case_no} 已出件")
            self.print_results(delivered, handed_out=True)
            self.cases.remove(case)
            if not self.cases:
                self.call_after_refresh(self.close)
            else:
                self.show()

        app.push_screen(ConfirmScreen("确认出件", f"{case.case_no}\n{shown_name(case)}\n"
                                      "已核对申请人身份并交付结果？"), done)
