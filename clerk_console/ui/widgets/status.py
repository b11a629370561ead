"""The one-line status bar: time, window, clerk, sync state, queue, clock warning.

The most useful part comes first, so that at 80 columns only the tail of a long sync message
is cut (with an ellipsis), never the time or the queue length.
"""
from __future__ import annotations

from clerk_console.ui.guard import explain

from rich.text import Text
from textual.widgets import Static


def status_text(now: str, window: str, who: str, state: str) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(now, style="bold")
    t.append(f" {window} · {who} · ")
    t.append(state)
    return t


class StatusBar(Static):
    def on_mount(self) -> None:
        self.refresh_status()
        self.set_timer(1, self.refresh_status)  # the sync worker's first round, soon after start
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        app = self.app
        desk = app.desk
        clerk = app.clerk
        who = f"{clerk.name}（{'主管' if clerk.supervisor else '受理员'}）" if clerk else "未登录"
        try:
            state = desk.status().text
        except Exception as exc:  # a broken status source must not take the console down
            state = f"状态不可用：{explain(exc)}"
        self.update(status_text(f"{app.now():%H:%M}", desk.window_code(), who, state))
