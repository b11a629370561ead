"""差评回访: the open follow-ups of bad ratings, overdue ones first, and each step of the loop
taken from the keyboard with its note: 核实 → 整改 → 反馈, and 申诉 / 复核.

The screen only asks: which choice, what note, and a supervisor's PIN where the service
takes a supervisor (核实, 复核). Whether a step may be taken, by whom and by when is the
domain's (``domain/followup.py``, through ``services/followup.py``): its refusal is shown
here as it is worded there.
"""
from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from clerk_console.domain.followup import (APPEAL_KINDS, CHANNELS, RESULT_LABELS, Followup,
                                           Step)
from clerk_console.ui.guard import explain
from clerk_console.ui.screens.dialogs import ChoiceScreen, PromptScreen
from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.status import StatusBar

HISTORY_SHOWN = 3  # the latest steps shown under the list


def row_text(f: Followup, late: int) -> str:
    """One line of the list: case number, step, deadline, and how late."""
    mark = f"逾期{late}个工作日" if late else ("期限为估算" if f.due_estimated else "")
    return (f"{f.case_no}  {f.step.label:\u3000<4}  期限 {f.due:%m-%d}"
            + (f"  {mark}" if mark else "") + f"  被评价：{f.rated_clerk}")


def detail_text(f: Followup) -> str:
    """The highlighted follow-up: its latest steps with their notes, and what the keys do."""
    lines = [f"办件 {f.case_no} · 当前：{f.step.label}，期限 {f.due.isoformat()}"]
    for r in f.history[-HISTORY_SHOWN:]:
        late = "（超期）" if r.late else ""
        lines.append(f"{r.at:%m-%d %H:%M} {r.step.label}·{RESULT_LABELS.get(r.result, r.result)}"
                     f" {r.clerk_id}{late}：{r.note}")
    lines.append(f"回车 办理“{f.step.label}”；S 申诉（恶意差评或误评）")
    return "\n".join(lines)


class FollowupsScreen(Screen):
    DEFAULT_CSS = """
    FollowupsScreen #followup-list { height: 1fr; border: none; }
    FollowupsScreen #followup-detail { height: auto; max-height: 6; color: $text-muted; }
    """
    BINDINGS = [Binding("enter", "step", "办理本步", id="followups.step"),
                Binding("s", "appeal", "申诉", id="followups.appeal"),
                Binding("escape", "app.pop_screen", "返回", id="followups.back")]

    def __init__(self) -> None:
        super().__init__(id="followups")
        self.rows: list[tuple[Followup, int]] = []

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("", id="followups-title", classes="pane-title")
            yield OptionList(id="followup-list")
            yield Static("", id="followup-detail")
            yield Static("", classes="error", id="followup-error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#followup-list", OptionList).focus()

    # -- the list ----------------------------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        self.rows = self.app.desk.followups(self.app.today())
        late = sum(1 for _, n in self.rows if n)
        title = (f"差评回访 · 未办结 {len(self.rows)} 件，其中逾期 {late} 件" if self.rows
                 else "差评回访 · 没有未办结的差评回访")
        self.query_one("#followups-title", Label).update(title)
        options = self.query_one("#followup-list", OptionList)
        options.clear_options()
        options.add_options([Option(row_text(f, n), id=f.id) for f, n in self.rows])
        ids = [f.id for f, _ in self.rows]
        if ids:
            options.highlighted = ids.index(keep) if keep in ids else 0
        self.show_detail()

    def selected(self) -> Followup | None:
        index = self.query_one("#followup-list", OptionList).highlighted
        return self.rows[index][0] if index is not None and index < len(self.rows) else None

    @on(OptionList.OptionHighlighted, "#followup-list")
    def show_detail(self) -> None:
        f = self.selected()
        self.query_one("#followup-detail", Static).update(detail_text(f) if f else "")

    @on(OptionList.OptionSelected, "#followup-list")
    def chosen(self) -> None:
        self.action_step()

    # -- the steps -----------------------------------------------------------------------------
    def action_step(self) -> None:
        f = self.selected()
        if f is None:
            return
        self.say("")
        {Step.VERIFY: self._verify, Step.FIX: self._fix, Step.ANSWER: self._answer,
         Step.APPEAL: self._review}[f.step](f)

    def action_appeal(self) -> None:
        f = self.selected()
        if f is None:
            return
        self.say("")
        self._choose("申诉类型", list(APPEAL_KINDS.items()), lambda kind: self._note(
            "申诉理由（为何属恶意差评或误评）", lambda grounds: self._take(
                "appeal", f, clerk_id=self.app.clerk.clerk_id, kind=kind, grounds=grounds)))

    def _verify(self, f: Followup) -> None:
        self._choose("核实结果", [("founded", "属实：转整改"), ("unfounded", "不属实：直接反馈说明")],
                     lambda found: self._note("核实情况（回访了谁、问题是否属实）", lambda note:
                         self.app.with_supervisor("核实差评", lambda boss: self._take(
                             "verify", f, supervisor_id=boss.clerk_id,
                             founded=found == "founded", note=note))))

    def _fix(self, f: Followup) -> None:
        self._note("整改措施（改了什么）", lambda note: self._take(
            "fix", f, clerk_id=self.app.clerk.clerk_id, note=note))

    def _answer(self, f: Followup) -> None:
        self._choose("如何告知申请人", [(c, c) for c in CHANNELS], lambda channel: self._note(
            "反馈内容（告诉了申请人什么）", lambda note: self._take(
                "answer", f, clerk_id=self.app.clerk.clerk_id, channel=channel, note=note)))

    def _review(self, f: Followup) -> None:
        self._choose("复核申诉", [("upheld", "申诉成立：不计入差评，回访办结"),
                              ("rejected", "申诉驳回：回到原步骤")],
                     lambda decision: self._note("复核理由", lambda reason:
                         self.app.with_supervisor("复核申诉", lambda boss: self._take(
                             "decide_appeal", f, supervisor_id=boss.clerk_id,
                             upheld=decision == "upheld", reason=reason))))

    def _choose(self, title: str, choices: list[tuple[str, str]],
                then: Callable[[str], None]) -> None:
        self.app.push_screen(ChoiceScreen(f"{title}：上下键选择，回车确定，Esc 取消", choices),
                             lambda key: key and then(key))

    def _note(self, title: str, then: Callable[[str], None]) -> None:
        self.app.push_screen(PromptScreen(title, "回车保存，Esc 取消", required=f"请填写{title}"),
                             lambda text: text and then(text))

    def _take(self, step: str, f: Followup, **kwargs) -> None:
        app = self.app
        try:
            moved = app.desk.followup_step(step, f.id, now=app.now(), **kwargs)
        except Exception as exc:  # the domain's refusal (or storage), in its own words
            app.bell()
            self.say(f"未办理：{explain(exc)}")
            return
        after = ("已办结" if moved.status == "closed"
                 else f"下一步：{moved.step.label}，期限 {moved.due.isoformat()}")
        app.notify(f"办件 {moved.case_no} 差评回访：{after}")
        self.reload(keep=moved.id)

    def say(self, text: str) -> None:
        self.query_one("#followup-error", Static).update(text)
