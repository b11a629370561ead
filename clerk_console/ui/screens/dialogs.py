"""Small modal dialogs: a yes/no confirmation and a one-line text prompt."""
from __future__ import annotations

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "确认", id="confirm.yes"),
                Binding("n", "answer(False)", "取消", id="confirm.no"),
                Binding("escape", "answer(False)", "取消", show=False, id="confirm.cancel")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body)
            yield Label("Y 确认   N 取消", classes="hint")
        yield KeyBar()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; refuses an empty answer with ``required`` set."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str, *, required: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Field(placeholder=self.placeholder, id="prompt")
            yield Static("", classes="error", id="prompt-error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value and self.required:
            self.query_one("#prompt-error", Static).update(self.required)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
