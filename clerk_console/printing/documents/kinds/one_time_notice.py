"""一次性告知书: everything still owed, listed at once (nothing accepted yet: 补正, the same
case accepted once it is all in, 行政许可法 art. 32(1)(4)-(5))."""
from __future__ import annotations

from clerk_console.domain.case import CORRECTION_RULE, Outcome

from ..facts import Facts, closing, intro, owed_section, received_section
from ..model import Section
from ..registry import Kind, register

NAME = "one_time_notice"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), owed_section(f, "需补正的材料（全部）"),
            received_section(f, "已核材料"), closing(f, NAME),
            Section("", paragraphs=(f"补正依据：{CORRECTION_RULE}。",), small=True)]


register(Kind(NAME, 40, body, outcomes=(Outcome.NOTIFIED,), reception=True))
