"""The merged checklist: one line per material, main and secondary apart, one key per mark.

Only drawing and keys here: what a key does to the materials is ``clerk_console.domain.checklist``.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from clerk_console.domain import checklist as rules
from clerk_console.domain.case import CaseMaterial, MaterialState

STATE_STYLE = {
    MaterialState.PENDING: "dim",
    MaterialState.RECEIVED: "green",
    MaterialState.ELICENCE: "bold green",
    MaterialState.MISSING: "red",
    MaterialState.DEFECTIVE: "red",
}


def material_line(m: CaseMaterial) -> Table:
    """Mark, then name and state; a long name wraps under itself, never under the mark (a
    Chinese name is one word to the wrapper, which would otherwise leave the mark alone)."""
    mark = {MaterialState.RECEIVED: "✔", MaterialState.ELICENCE: "✔",
            MaterialState.MISSING: "✘", MaterialState.DEFECTIVE: "✘"}.get(m.state, "·")
    label = m.state.label
    if m.state is MaterialState.RECEIVED:
        label += "·原件" if m.original else "·复印件"
    body = Text(m.name, overflow="fold")
    body.append(f"  [{label}]", style=STATE_STYLE[m.state])
    row = Table.grid(padding=(0, 1, 0, 0), expand=True)
    row.add_column(width=1, no_wrap=True)
    row.add_column(ratio=1, overflow="fold")
    row.add_row(Text(mark, style=STATE_STYLE[m.state]), body)
    return row


class Checklist(OptionList):
    BINDINGS = [
        Binding("r", "mark('received')", "收到", id="checklist.mark_received"),
        Binding("m", "mark('missing')", "缺", id="checklist.mark_missing"),
        Binding("o", "original", "原件/复印件", id="checklist.original"),
        Binding("a", "main", "主要材料全收", id="checklist.main"),
        Binding("A", "all", "全部收到", id="checklist.all"),
        Binding("enter", "done", "去选结果", id="checklist.done"),
    ]

    class Changed(Message):
        def __init__(self, materials: list[CaseMaterial]) -> None:
            super().__init__()
            self.materials = materials

    class Done(Message):
        pass

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.materials: list[CaseMaterial] = []
        self.rows: list[int | None] = []  # option index -> material index (None for headers)

    def show(self, materials: list[CaseMaterial]) -> None:
        keep = self.highlighted
        self.materials = list(materials)
        options: list[Option] = []
        self.rows = []
        for title, group in rules.groups(self.materials):
            options.append(Option(Text(f"── {title} ──", style="bold"), disabled=True))
            self.rows.append(None)
            for i in group:
                options.append(Option(material_line(self.materials[i])))
                self.rows.append(i)
        self.set_options(options)
        first = next((n for n, r in enumerate(self.rows) if r is not None), None)
        if keep is not None and keep < len(self.rows) and self.rows[keep] is not None:
            self.highlighted = keep
        else:
            self.highlighted = first

    def _current(self) -> int | None:
        h = self.highlighted
        return None if h is None or h >= len(self.rows) else self.rows[h]

    def _apply(self, materials: tuple[CaseMaterial, ...]) -> None:
        self.show(list(materials))
        self.post_message(self.Changed(self.materials))

    def action_mark(self, state: str) -> None:
        i = self._current()
        if i is not None:
            self._apply(rules.mark(self.materials, i, MaterialState(state)))
            self.action_cursor_down()

    def action_original(self) -> None:
        i = self._current()
        if i is not None:
            self._apply(rules.toggle_original(self.materials, i))

    def action_main(self) -> None:
        self._apply(rules.receive_main(self.materials))

    def action_all(self) -> None:
        self._apply(rules.receive_all(self.materials))

    def action_done(self) -> None:
        self.post_message(self.Done())
