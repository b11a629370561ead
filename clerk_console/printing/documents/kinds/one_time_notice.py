"""一次性告知书: everything still owed, listed at once (nothing accepted yet)."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, closing, intro, owed_section, received_section
from ..model import Section
from ..registry import Kind, register

NAME = "one_time_notice"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), owed_section(f, "需补正的材料（全部）"),
            received_section(f, "已核材料"), closing(f, NAME)]


register(Kind(NAME, 40, body, outcomes=(Outcome.NOTIFIED,), reception=True))
