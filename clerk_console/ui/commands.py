"""Command palette (Ctrl+P): every console action, plus items and bundles by any spelling."""
from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option


class ClerkCommands(Provider):
    def _intake(self):
        from clerk_console.ui.screens.intake import IntakeScreen

        return next((s for s in self.app.screen_stack if isinstance(s, IntakeScreen)), None)

    def _actions(self):
        from clerk_console.ui.screens.intake import ACTIONS

        intake = self._intake()
        if intake is None:
            return []
        return [(label, partial(self._run, intake, action)) for action, label in ACTIONS] + [
            ("锁屏", self.app.action_lock)]

    def _run(self, intake, action: str) -> None:
        if self.app.locked:  # chosen in a palette opened just before the lock
            return
        while self.app.screen is not intake:
            self.app.pop_screen()
        intake.run_action(action)

    async def discover(self) -> Hits:
        for label, callback in self._actions():
            yield DiscoveryHit(label, callback, help="操作")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._actions():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help="操作")
        intake = self._intake()
        if intake is None or not query.strip():
            return
        for rank, hit in enumerate(self.app.desk.search(query, limit=20)):
            kind = "一件事" if hit.kind == "bundle" else "事项"
            where = "（他处办理，设路标）" if hit.signpost else ""
            yield Hit(0.9 - rank * 0.01, f"{kind}：{hit.name}{where}",
                      partial(self._pick, intake, hit.kind, hit.code), help=hit.code)

    def _pick(self, intake, kind: str, code: str) -> None:
        if self.app.locked:
            return
        while self.app.screen is not intake:
            self.app.pop_screen()
        intake.add_pick(kind, code)


NO_MATCHES = "没有找到匹配的命令"
PLACEHOLDER = "输入操作、事项名称、拼音或首字母…"


class ChinesePalette(CommandPalette):
    """Textual's command palette with its own words in Chinese ("Search for commands…",
    "No matches found"); Textual 8.2.8 hard-codes the latter inside this countdown."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("placeholder", PLACEHOLDER)
        super().__init__(**kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


def system_commands(app, screen) -> Iterator[SystemCommand]:
    """Textual's app-wide commands, in Chinese. Theme and screenshot are left out: the look is
    the hall's, and an SVG of the screen would be personal data on disk."""
    yield SystemCommand("退出", "关闭受理终端", app.action_quit)
    if screen.query("HelpPanel"):
        yield SystemCommand("隐藏按键说明", "关闭右侧的按键说明", app.action_hide_help_panel)
    else:
        yield SystemCommand("按键说明", "显示当前位置可用的全部按键", app.action_show_help_panel)
    if screen.maximized is not None:
        yield SystemCommand("还原", "恢复正常大小", screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield SystemCommand("最大化", "放大当前区域", screen.action_maximize)
