"""The status bar: time, window, clerk, sync state, queue, clock warning, what to do.

The parts are laid out in order, separated by " · "; a part never breaks: one that does not
fit on the line starts a second line (at 80 columns the sync hint, e.g. "请管理员用 …
注册本窗口", goes there whole). Only what does not fit in two lines is cut, with an ellipsis.
"""
from __future__ import annotations

from clerk_console.ui.guard import explain

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from clerk_console.domain.accounts import ROLE_LABELS

SEP = " · "
MAX_LINES = 2


def status_lines(parts: list[str], width: int, max_lines: int = MAX_LINES) -> list[str]:
    """``parts`` packed into lines of at most ``width`` cells, each part whole when it fits
    a line; the first part (the time) is never moved."""
    lines: list[str] = []
    for part in (p for p in parts if p):
        if lines and cell_len(lines[-1] + SEP + part) <= width:
            lines[-1] += SEP + part
        elif lines and len(lines) == max_lines:
            lines[-1] += SEP + part  # cut with an ellipsis when drawn
        else:
            lines.append(part)
    return lines


def status_text(now: str, window: str, who: str, state: str, width: int = 0) -> Text:
    first = f"{now} {window}"
    parts = [first, who, *state.split(SEP)]
    lines = status_lines(parts, width) if width > 0 else [SEP.join(parts)]
    t = Text(no_wrap=True, overflow="ellipsis")
    for n, line in enumerate(lines):
        if n:
            t.append("\n")
        if n == 0:
            t.append(now, style="bold")
            t.append(line[len(now):])
        else:
            t.append(line)
    return t


class StatusBar(Static):
    def on_mount(self) -> None:
        self.refresh_status()
        self.set_timer(1, self.refresh_status)  # the sync worker's first round, soon after start
        self.set_interval(5, self.refresh_status)

    def on_resize(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        app = self.app
        desk = app.desk
        clerk = app.clerk
        who = (f"{clerk.name}（{ROLE_LABELS['supervisor' if clerk.supervisor else 'clerk']}）"
               if clerk else "未登录")
        try:
            state = desk.status().text
        except Exception as exc:  # a broken status source must not take the console down
            state = f"状态不可用：{explain(exc)}"
        width = self.content_region.width or max(0, app.size.width - 2)
        self.update(status_text(f"{app.now():%H:%M}", desk.window_code(), who, state, width))
