"""The outcome choice: every outcome with the rule's reason, only allowed ones selectable."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from clerk_console.domain.case import Outcome


def option_text(opt) -> Text:
    t = Text()
    t.append(opt.outcome.label, style="bold" if opt.allowed else "dim strike")
    t.append(f"  {opt.reason}", style="" if opt.allowed else "dim")
    return t


class OutcomeList(OptionList):
    BINDINGS = [Binding("enter", "confirm", "确认办结", id="outcome.confirm")]

    class Confirm(Message):
        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    def action_confirm(self) -> None:
        opt = self.highlighted_option
        if opt is None or opt.disabled:
            self.app.notify("没有可选的办理结果：请先核对材料", severity="warning")
            return
        self.post_message(self.Confirm(Outcome(opt.id)))


class OutcomePane(Vertical):
    def compose(self) -> ComposeResult:
        yield OutcomeList(id="outcomes")
        yield Static("", id="outcome-detail")

    def show(self, verdict, detail_for) -> None:
        """``detail_for(outcome) -> str`` explains the highlighted outcome (deadline, owed ...)."""
        self.verdict = verdict
        self.detail_for = detail_for
        ol = self.query_one(OutcomeList)
        ol.set_options(Option(option_text(o), id=o.outcome.value, disabled=not o.allowed)
                       for o in verdict.options)
        if verdict.best is not None:
            ol.highlighted = [o.outcome for o in verdict.options].index(verdict.best)
        self.explain()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.explain()

    def explain(self) -> None:
        opt = self.query_one(OutcomeList).highlighted_option
        text = self.detail_for(Outcome(opt.id)) if opt is not None and not opt.disabled else ""
        self.query_one("#outcome-detail", Static).update(text)

    def focus_list(self) -> None:
        self.query_one(OutcomeList).focus()
