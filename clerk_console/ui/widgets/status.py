"""The one-line status bar: window, clerk, sync state, queue, clock."""
from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        app = self.app
        desk = app.desk
        clerk = app.clerk
        who = f"{clerk.name}（{'主管' if clerk.supervisor else '受理员'}）" if clerk else "未登录"
        try:
            state = desk.status().text
        except Exception as exc:  # a broken status source must not take the console down
            state = f"状态不可用：{exc}"
        self.update(f"{desk.window_code()} · {who} · {state} · {app.now():%H:%M}")
