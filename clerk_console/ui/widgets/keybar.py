"""The key bar at the bottom: the active key bindings with their Chinese descriptions.

Textual's Footer recomposes one widget per key on every focus change, and in the pinned
Textual (8.2.8) each of those widgets stays referenced through its data binding, so a day
at the window would keep every footer ever drawn (measured: ~2 MB per intake). This bar is
one line of text redrawn from ``screen.active_bindings``: no child widgets at all.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def bar_text(app, active_bindings) -> Text:
    seen: set[str] = set()
    t = Text(no_wrap=True, overflow="ellipsis")
    for _node, binding, enabled, _tooltip in active_bindings.values():
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        t.append(f" {app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim")
        t.append(f"{binding.description} ", style="" if enabled else "dim")
    t.append(" ^p 命令", style="bold")
    return t


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $panel;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, _screen) -> None:
        if self.is_attached:
            self.update(bar_text(self.app, self.screen.active_bindings))
