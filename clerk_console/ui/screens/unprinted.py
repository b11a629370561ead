"""After sign-in: the cases saved at this window whose notice never printed (the console was
killed or crashed between saving and printing, or the printer failed), with the offer to
print them now. The list is the replica's notice queue (storage/replica/notices.py)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from clerk_console.domain.case import Case
from clerk_console.ui.guard import explain
from clerk_console.ui.screens.returns import shown_name
from clerk_console.ui.widgets.keybar import KeyBar

SHOWN = 12  # rows listed; the rest are counted


def unprinted_text(cases: list[Case]) -> str:
    rows = [f"{c.case_no}  {c.outcome.label if c.outcome else c.status.label}  {shown_name(c)}"
            for c in cases[:SHOWN]]
    if len(cases) > SHOWN:
        rows.append(f"……另有 {len(cases) - SHOWN} 件")
    return "\n".join(rows)


class UnprintedScreen(ModalScreen[None]):
    BINDINGS = [Binding("p", "print_all", "全部补打", id="unprinted.print"),
                Binding("escape", "later", "稍后", id="unprinted.later")]

    def __init__(self, cases: list[Case]) -> None:
        super().__init__()
        self.cases = cases

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"有 {len(self.cases)} 件办件已保存，但告知书未打印", classes="dialog-title")
            yield Static(unprinted_text(self.cases), id="unprinted-list")
            yield Static("按 P 现在全部补打；Esc 稍后（下次登录时还会提示，也可用 "
                         "clerk-console notice 办件编号 补打）", id="unprinted-hint")
        yield KeyBar()

    def action_print_all(self) -> None:
        app, cases, now = self.app, list(self.cases), self.app.now()

        def work() -> None:
            failed = 0
            for case in cases:
                try:
                    result = app.desk.print_notice(case, now)
                except Exception as exc:  # the case is saved; only the paper failed
                    failed += 1
                    app.call_from_thread(app.notify, f"{case.case_no} 告知书未打印：{explain(exc)}",
                                         severity="error", timeout=15)
                    continue
                if result is not None and not result.ok:
                    failed += 1
                    app.call_from_thread(app.notify, f"{case.case_no}：{result.message}",
                                         severity="error", timeout=15)
            done = len(cases) - failed
            app.call_from_thread(app.notify, f"已补打 {done} 件告知书" + (
                f"，{failed} 件未打印（下次登录时还会提示）" if failed else ""),
                severity="warning" if failed else "information")

        app.run_worker(work, thread=True, name="print-unprinted", exit_on_error=False)
        self.dismiss(None)

    def action_later(self) -> None:
        self.dismiss(None)
