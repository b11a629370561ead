"""This window: its code, name, hall and which levels of items it takes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalogue import Level

if TYPE_CHECKING:
    from .rules import WindowScope


@dataclass(frozen=True, slots=True)
class WindowInfo:
    code: str
    name: str
    hall: str
    level: Level = Level.CITY
    levels: frozenset[Level] = frozenset({Level.CITY, Level.COUNTY})

    @property
    def scope(self) -> WindowScope:
        from .rules import WindowScope  # not needed to show the window's name at sign-in

        return WindowScope(self.level, self.levels)
