"""Command palette (Ctrl+P): every console action, plus items and bundles by any spelling."""
from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


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
        while self.app.screen is not intake:
            self.app.pop_screen()
        intake.add_pick(kind, code)
