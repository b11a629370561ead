"""The day view: counts per outcome, median handling time, satisfaction, overdue deferrals."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from clerk_console.ui.widgets.keybar import KeyBar
from clerk_console.ui.widgets.status import StatusBar


def day_text(stats) -> str:
    width = max(len(label) for label, _ in stats.lines)
    rows = [f"日期 {stats.day}"] + [f"{label:\u3000<{width}} {value}" for label, value in stats.lines]
    return "\n".join(rows + stats.followup_lines)


class DayScreen(Screen):
    BINDINGS = [Binding("c", "close_day", "日结(负责人)", id="day.close_day"),
                Binding("f", "followups", "差评回访", id="day.followups"),
                Binding("escape", "app.pop_screen", "返回", id="day.back")]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("当日统计", classes="pane-title")
            yield Static("", id="day-stats")
        yield KeyBar()

    def on_mount(self) -> None:
        self.stats = self.app.desk.stats(self.app.today())
        self.query_one("#day-stats", Static).update(day_text(self.stats))

    def action_followups(self) -> None:
        from clerk_console.ui.screens.followups import FollowupsScreen

        self.app.switch_screen(FollowupsScreen())

    def action_close_day(self) -> None:
        app = self.app

        def close(supervisor) -> None:
            app.desk.close_day(self.stats.day, supervisor_id=supervisor.clerk_id,
                               summary=day_text(self.stats))
            app.notify(f"{self.stats.day} 已日结（{supervisor.name}）")

        app.with_supervisor("日结", close)
