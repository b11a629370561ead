"""评价器配对: the one-time code the applicant's pad is paired with, and whether it is paired.

The pad's server (``pad/server.py``, with ``pad/pairing.py``) runs inside the console on the
address in ``settings.toml`` (``pad_bind``); the command layer hands the app a starter
(``ClerkApp(pad=...)``), so this screen knows the server only as the app's ``rating_pad()``:
``url``, ``pairing.new_code()``, ``pairing.code``, ``pairing.paired``.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from clerk_console.ui.guard import explain
from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.status import StatusBar

NOT_CONFIGURED = ("本窗口未设置评价器地址：请在 settings.toml 中设置 pad_bind = \"本机局域网地址:端口\""
                  "（如 \"192.168.1.20:8765\"），重新启动受理终端后在此配对。\n"
                  "未配对评价器时，申请人的评价由窗口人员按 1-5 代为录入，记为“窗口代录”。")


def state_text(paired: bool, seen: bool) -> str:
    if paired and seen:
        return "状态：已配对，评价器在线。申请人在评价器上评价，窗口按键 1-5 不再代录"
    if paired:
        return "状态：已配对，但评价器最近未联系：请检查评价器的网络和页面"
    return "状态：未配对。请在评价器的浏览器中打开上面的地址，输入配对码"


def code_text(code) -> str:
    if code is None:
        return "配对码已使用或已失效：按 N 生成新的配对码"
    return f"配对码：{code.value}（{code.expires:%H:%M} 前有效，只能使用一次；按 N 换新码）"


class PairingScreen(Screen):
    DEFAULT_CSS = """
    PairingScreen #pad-code { text-style: bold; margin: 1 0; }
    PairingScreen #pad-url, PairingScreen #pad-state, PairingScreen #pad-note { height: auto; }
    """
    BINDINGS = [Binding("n", "new_code", "新配对码", id="pairing.new_code"),
                Binding("escape", "app.pop_screen", "返回", id="pairing.back")]

    def __init__(self) -> None:
        super().__init__(id="pairing")
        self.pad = None

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("评价器配对", classes="pane-title")
            yield Static("", id="pad-url")
            yield Static("", id="pad-code")
            yield Static("", id="pad-state")
            yield Static("配对后，评价器显示本窗口名称和当班窗口人员；一个窗口只连一台评价器，"
                         "重新配对会替换原来的评价器。", id="pad-note", classes="hint")
            yield Static("", classes="error", id="pad-error")
        yield KeyBar()

    def on_mount(self) -> None:
        try:
            self.pad = self.app.rating_pad()
        except Exception as exc:  # a DeskError says why; a defect is logged, never shown
            self.query_one("#pad-error", Static).update(f"评价器未启动：{explain(exc)}")
            return
        if self.pad is None:
            self.query_one("#pad-url", Static).update(NOT_CONFIGURED)
            return
        self.query_one("#pad-url", Static).update(
            f"在评价器（平板或第二块屏幕）的浏览器中打开：{self.pad.url}")
        if not self.pad.pairing.paired and self.pad.pairing.code is None:
            self.pad.pairing.new_code()
        self.refresh_state()
        self.set_interval(1, self.refresh_state)

    def refresh_state(self) -> None:
        if self.pad is None:
            return
        pairing = self.pad.pairing
        self.query_one("#pad-code", Static).update(code_text(pairing.code))
        self.query_one("#pad-state", Static).update(
            state_text(pairing.paired, self.app.desk.pad_seen(self.app.now())))

    def action_new_code(self) -> None:
        if self.pad is None:
            return
        self.pad.pairing.new_code()
        self.refresh_state()
