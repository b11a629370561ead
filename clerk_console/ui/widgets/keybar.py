"""The key bar at the bottom: the active key bindings with their Chinese descriptions.

Textual's Footer recomposes one widget per key on every focus change, and in the pinned
Textual (8.2.8) each of those widgets stays referenced through its data binding, so a day
at the window would keep every footer ever drawn (measured: ~2 MB per intake). This bar is
text redrawn from ``screen.active_bindings``: no child widgets at all.

Every shown key must stay visible at 80 columns: the keys are packed into as many lines as
they need (at most ``MAX_LINES``; the focused widget's keys come first, the app's last), and
the bar grows to that height.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

MAX_LINES = 2
PALETTE = ("^p", "命令")


@dataclass(frozen=True)
class KeyEntry:
    key: str  # as shown, e.g. "F2", "^n", "enter"
    description: str
    enabled: bool = True

    @property
    def width(self) -> int:
        return cell_len(self.key) + cell_len(self.description) + 3  # " key " + "desc "


def key_label(display: str) -> str:
    """Function keys in capitals as printed on the keyboard (F2, not f2)."""
    return display.upper() if re.fullmatch(r"f\d{1,2}", display) else display


def entries(app, active_bindings) -> list[KeyEntry]:
    """The shown bindings, one per action, in the order Textual resolves them."""
    seen: set[str] = set()
    found = []
    for _node, binding, enabled, _tooltip in active_bindings.values():
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        found.append(KeyEntry(key_label(app.get_key_display(binding)), binding.description,
                              enabled))
    # while locked the palette is refused (only unlock runs), so it is not offered
    return found if getattr(app, "locked", False) else found + [KeyEntry(*PALETTE)]


def pack(found: list[KeyEntry], width: int, max_lines: int = MAX_LINES) -> list[list[KeyEntry]]:
    """Fill lines left to right; whatever does not fit in ``max_lines`` is cut from the last
    line (the palette entry, Ctrl+P, always stays: every action is found there)."""
    lines: list[list[KeyEntry]] = [[]]
    used = 0
    for entry in found:
        if lines[-1] and used + entry.width > width:
            if len(lines) == max_lines:
                break
            lines.append([])
            used = 0
        lines[-1].append(entry)
        used += entry.width
    palette = found[-1] if found and (found[-1].key, found[-1].description) == PALETTE else None
    last = lines[-1]
    if palette is not None and palette not in last:
        while last and sum(e.width for e in last) + palette.width > width:
            last.pop()
        last.append(palette)
    return lines


def render_line(line: list[KeyEntry]) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    for e in line:
        t.append(f" {e.key} ", style="bold reverse" if e.enabled else "dim")
        t.append(f"{e.description} ", style="" if e.enabled else "dim")
    return t


def render_lines(lines: list[list[KeyEntry]]) -> Text:
    return Text("\n", no_wrap=True, overflow="ellipsis").join(render_line(ln) for ln in lines)


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

    def on_resize(self) -> None:
        self.bindings_changed(self.screen)

    def bindings_changed(self, _screen) -> None:
        if not self.is_attached:
            return
        width = self.size.width or self.app.size.width
        lines = pack(entries(self.app, self.screen.active_bindings), width)
        lines += [[] for _ in range(self.covers() - len(lines))]
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)
        self.update(render_lines(lines))

    def covers(self) -> int:
        """Lines this bar must fill: on a dialog, at least the bar of the screen below (which
        would show through the dialog's transparent background otherwise)."""
        screen, stack = self.screen, self.app.screen_stack
        if not screen.is_modal or screen not in stack or stack.index(screen) == 0:
            return 0
        below = stack[stack.index(screen) - 1].query(KeyBar)
        return max((bar.size.height for bar in below), default=0)


def node_keys(node) -> dict[str, KeyEntry]:
    """action -> the key bar's entry for each shown binding of ``node``, after any
    ``[keymap]`` move."""
    app = node.app
    bindings = node._bindings.copy()  # Textual applies the keymap to a copy the same way
    keymap = getattr(app, "_keymap", None)
    if keymap:
        bindings.apply_keymap(keymap)
    seen: dict[str, KeyEntry] = {}
    for _key, binding in bindings:
        if binding.show and binding.action not in seen:
            seen[binding.action] = KeyEntry(key_label(app.get_key_display(binding)),
                                            binding.description)
    return seen


def key_hints(node, *, sep: str = "  ") -> str:
    """The shown keys of ``node`` in the key bar's own words ("r 收到  A 全部收到  ⏎ 去选结果"),
    for a header that must say what the bar says."""
    return sep.join(f"{e.key} {e.description}" for e in node_keys(node).values())
