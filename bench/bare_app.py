"""The baseline for the start-up bench: a bare Textual app showing the same title and one Input.

    python bench/bare_app.py
"""
from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Label

MARKER = "政务服务综合受理 · 登录"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)
        yield Input(placeholder="工号")


if __name__ == "__main__":
    BareApp().run()
