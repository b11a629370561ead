"""The console's text field: a steady cursor (no blink timer redrawing twice a second on an
old PC, and stable screenshots)."""
from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Input


class Field(Input):
    cursor_blink = reactive(False, init=False)
