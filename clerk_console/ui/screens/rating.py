"""好差评: the applicant rates the service with keys 1-5; a bad rating asks for a reason."""
from __future__ import annotations

from clerk_console.ui.guard import explain

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from clerk_console.domain.case import Case
from clerk_console.domain.rating import LEVELS, is_bad
from clerk_console.ui.screens.dialogs import HoldsScan, held_scan_line


class RatingScreen(HoldsScan, ModalScreen[int | None]):
    AUTO_FOCUS = ""  # digits are ratings until a bad one asks for the reason
    BINDINGS = [Binding(str(n), f"rate({n})", label, id=f"rating.{n}") for n, label in LEVELS.items()] + [
        Binding("escape", "skip", "申请人不评价", id="rating.skip")]

    HELD_TEXT = "已扫描新的证件：请申请人先评价（或按 Esc 跳过），随后自动打开"

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.level: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"请申请人评价本次服务 · {self.case.case_no}", classes="dialog-title")
            yield Static("  ".join(f"{n} {label}" for n, label in LEVELS.items()))
            chosen = Static("", id="rating-chosen")
            chosen.display = False
            yield chosen
            reason = Field(placeholder="不满意的原因（必填），回车提交", id="reason")
            reason.display = False
            yield reason
            yield Static("", classes="error", id="rating-error")
            yield held_scan_line()
        yield KeyBar()

    def action_rate(self, level: int) -> None:
        if self.query_one("#reason", Input).has_focus:
            return
        self.level = level
        if is_bad(level):
            chosen = self.query_one("#rating-chosen", Static)
            chosen.update(f"已选：{level} {LEVELS[level]}。请问申请人不满意的原因：")
            chosen.display = True
            reason = self.query_one("#reason", Input)
            reason.display = True
            reason.focus()
            return
        self.save("")

    @on(Input.Submitted, "#reason")
    def reason_given(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#rating-error", Static).update("请记下申请人不满意的原因，便于回访整改")
            return
        self.save(event.value.strip())

    def save(self, reason: str) -> None:
        app = self.app
        try:
            app.desk.rate(self.case, self.level, clerk_id=app.clerk.clerk_id, now=app.now(),
                          reason=reason)
        except Exception as exc:
            self.query_one("#rating-error", Static).update(f"评价未保存：{explain(exc)}")
            return
        if is_bad(self.level):
            app.notify(f"已记录{LEVELS[self.level]}，并生成回访整改记录", severity="warning")
        self.close(self.level)

    def action_skip(self) -> None:
        self.close(None)
