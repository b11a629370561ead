"""This window: its code, name, hall and which levels of items it takes."""
from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Level
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
        return WindowScope(self.level, self.levels)
