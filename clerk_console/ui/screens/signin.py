"""Sign-in, the idle lock and the supervisor's PIN prompt."""
from __future__ import annotations

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.field import Field
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from clerk_console.ui.desk import DeskError, Signed



def _check(app, clerk_id: str, pin: str) -> tuple[Signed | None, str]:
    """Verify a PIN; (clerk, "") or (None, Chinese reason)."""
    if not clerk_id.strip():
        return None, "请输入工号"
    if not pin:
        return None, "请输入 PIN"
    if app.open_error:
        return None, app.open_error
    if not app.desk.can_sign_in:
        return None, "正在打开本窗口数据，请稍候再按回车"
    try:
        return app.desk.sign_in(clerk_id, pin), ""
    except DeskError as exc:
        return None, str(exc)


class SignInScreen(Screen):
    ADVANCE = {"clerk-id": "pin"}
    BINDINGS = [Binding("ctrl+q", "app.quit", "退出", id="sign_in.quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box", classes="dialog"):
            yield Label("政务服务综合受理 · 登录", classes="dialog-title")
            yield Label(self.window_line(), id="window-line")
            yield Field(placeholder="工号", id="clerk-id")
            yield Field(placeholder="PIN", password=True, id="pin")
            yield Static("", id="signin-error", classes="error")
        yield KeyBar()

    submit_waiting = False  # Enter was pressed in the PIN field while the replica was opening

    def window_line(self) -> str:
        """The window, once a PIN can be checked (the gate may have opened while the UI was
        loading: then it is in the first paint), else that the data is being opened."""
        if self.app.desk.can_sign_in:
            return f"窗口：{self.app.desk.window_label()}"
        return "正在打开本窗口数据…"

    def on_mount(self) -> None:
        self.query_one("#clerk-id", Input).focus()

    def on_desk_ready(self, _event) -> None:
        self.query_one("#window-line", Label).update(self.window_line())
        # only a sign-in the clerk asked for (Enter typed ahead): a PIN still being typed is
        # no attempt (it would count toward the lock and clear the field under the fingers)
        if self.submit_waiting:
            self.submit_waiting = False
            self.submit()

    @on(Input.Submitted, "#clerk-id")
    def next_field(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def submit(self) -> None:
        if self.app.signing_in:  # signed in already, the intake screen is on its way
            return
        clerk_id = self.query_one("#clerk-id", Input).value
        pin_field = self.query_one("#pin", Input)
        if clerk_id.strip() and pin_field.value and not (self.app.desk.can_sign_in or self.app.open_error):
            # typed ahead while the replica is still opening: sign in as soon as it is open
            self.query_one("#signin-error", Static).update("正在打开本窗口数据，打开后自动登录…")
            self.submit_waiting = True
            return
        clerk, why = _check(self.app, clerk_id, pin_field.value)
        self.query_one("#signin-error", Static).update(why)
        if clerk is None:
            pin_field.value = ""
            pin_field.focus() if clerk_id.strip() else self.query_one("#clerk-id").focus()
            return
        self.app.signed_in(clerk)
        if self.app.signing_in:  # through the gate: the intake screen once the data is open
            self.query_one("#signin-error", Static).update(
                f"{clerk.name}已登录，正在打开本窗口数据…")


class LockScreen(ModalScreen):
    """Covers the screen after idle time; the case in progress stays underneath."""

    ADVANCE = {"lock-id": "lock-pin"}  # no other key: while locked only the unlock runs (app.py)

    def __init__(self, clerk: Signed) -> None:
        super().__init__()
        self.clerk = clerk

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("已锁屏", classes="dialog-title")
            yield Static(f"{self.clerk.name}（{self.clerk.clerk_id}）请输入 PIN 解锁；"
                         "负责人可用自己的工号和 PIN 解锁", id="lock-text")
            yield Field(value=self.clerk.clerk_id, placeholder="工号", id="lock-id")
            yield Field(placeholder="PIN", password=True, id="lock-pin")
            yield Static("", id="lock-error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#lock-pin", Input).focus()

    @on(Input.Submitted, "#lock-id")
    def next_field(self) -> None:
        self.query_one("#lock-pin", Input).focus()

    @on(Input.Submitted, "#lock-pin")
    def submit(self) -> None:
        clerk_id = self.query_one("#lock-id", Input).value.strip()
        pin = self.query_one("#lock-pin", Input)
        who, why = _check(self.app, clerk_id, pin.value)
        if who is not None and who.clerk_id != self.clerk.clerk_id and not who.supervisor:
            who, why = None, "只有本人或负责人可以解锁"
        if who is None:
            self.query_one("#lock-error", Static).update(why)
            pin.value = ""
            return
        if who.clerk_id != self.clerk.clerk_id:
            self.app.desk.screen_unlocked(self.clerk.clerk_id, by=who.clerk_id)
        self.app.unlocked()
        self.dismiss()


class SupervisorScreen(ModalScreen[Signed | None]):
    """A supervisor confirms an action (void, unmask, day close) with their own PIN."""

    ADVANCE = {"sup-id": "sup-pin"}
    BINDINGS = [Binding("escape", "cancel", "取消", id="supervisor.cancel")]

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"需要负责人授权：{self.purpose}", classes="dialog-title")
            yield Field(placeholder="负责人工号", id="sup-id")
            yield Field(placeholder="负责人 PIN", password=True, id="sup-pin")
            yield Static("", id="sup-error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#sup-id", Input).focus()

    @on(Input.Submitted, "#sup-id")
    def next_field(self) -> None:
        self.query_one("#sup-pin", Input).focus()

    @on(Input.Submitted, "#sup-pin")
    def submit(self) -> None:
        pin = self.query_one("#sup-pin", Input)
        who, why = _check(self.app, self.query_one("#sup-id", Input).value, pin.value)
        if who is not None and not who.supervisor:
            who, why = None, f"{who.name}不是负责人，不能授权此操作"
        if who is None:
            self.query_one("#sup-error", Static).update(why)
            pin.value = ""
            return
        self.dismiss(who)

    def action_cancel(self) -> None:
        self.dismiss(None)
