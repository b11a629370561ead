"""Small modal dialogs: a yes/no confirmation, a one-line text prompt, a choice of a few."""
from __future__ import annotations

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class HoldsScan:
    """A dialog holding work that a scan must not throw away (the rating, a half-typed form).

    ``hold_scan(code)`` (called by the intake screen before it closes dialogs for a scan):
    True keeps the dialog and the scan, which runs when the dialog closes (``close``); the
    dialog says so in its ``#held-scan`` line. ``holds_work()`` says whether there is work.
    """

    held_scan = ""
    HELD_TEXT = "已扫描新的证件：完成或取消本操作后自动打开"

    def holds_work(self) -> bool:
        return True

    def hold_scan(self, code: str) -> bool:
        if not self.holds_work():
            return False
        self.held_scan = code
        for line in self.query("#held-scan"):
            line.update(self.HELD_TEXT)
            line.display = True
        self.app.bell()
        return True

    def close(self, result=None) -> None:
        """Dismiss with ``result``, then run the held scan (from the intake screen)."""
        code, self.held_scan = self.held_scan, ""
        self.dismiss(result)
        if code:
            self.app.call_later(self.app.handle_scan, code)


def held_scan_line() -> Static:
    line = Static("", classes="warning", id="held-scan")
    line.display = False
    return line


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


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few choices: up/down, Enter picks, Escape cancels -> its id or None."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="choice.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], *, highlighted: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.first = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*(Option(text, id=key) for key, text in self.choices), id="choices")
        yield KeyBar()

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.highlighted = self.first
        options.focus()

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
