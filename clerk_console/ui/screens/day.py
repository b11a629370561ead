"""The day view: counts per outcome, median handling time, satisfaction, overdue deferrals."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from clerk_console.domain.case import Outcome
from clerk_console.ui.widgets.status import StatusBar


def day_text(stats) -> str:
    lines = [f"日期 {stats.day}"]
    counts = stats.by_outcome
    for outcome in Outcome:
        lines.append(f"  {outcome.label:<6} {counts.get(outcome, counts.get(outcome.value, 0)):>5} 件")
    median = stats.median_handling_seconds
    lines.append(f"办理时长中位数 {'—' if median is None else f'{median / 60:.1f} 分钟'}")
    rate = stats.satisfaction_rate
    lines.append(f"满意率 {'—（尚无评价）' if rate is None else f'{rate * 100:.1f}%'}"
                 f"（评价 {stats.ratings} 次）")
    lines.append(f"逾期未补容缺 {stats.overdue_deferrals} 件")
    return "\n".join(lines)


class DayScreen(Screen):
    BINDINGS = [Binding("c", "close_day", "日结(主管)"), Binding("escape", "app.pop_screen", "返回")]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(classes="work"):
            yield Label("当日统计", classes="pane-title")
            yield Static("", id="day-stats")
        yield Footer()

    def on_mount(self) -> None:
        self.stats = self.app.desk.stats(self.app.today())
        self.query_one("#day-stats", Static).update(day_text(self.stats))

    def action_close_day(self) -> None:
        app = self.app

        def close(supervisor) -> None:
            app.desk.audit(supervisor.clerk_id, "day_close", f"{app.desk.window_code()}:{self.stats.day}",
                           {"summary": day_text(self.stats)})
            app.notify(f"{self.stats.day} 已日结（{supervisor.name}）")

        app.with_supervisor("日结", close)
