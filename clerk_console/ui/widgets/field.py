"""The console's text field: a steady cursor (no blink timer redrawing twice a second on an
old PC, and stable screenshots), and focus never selects the text (Tab into a filled field,
then a key, must not wipe it)."""
from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Input


class Field(Input):
    cursor_blink = reactive(False, init=False)

    def __init__(self, *args, select_on_focus: bool = False, **kwargs) -> None:
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)
