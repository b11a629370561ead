"""受理回执: the receipt of an accepted case (also once a deferral is fully supplied)."""
from __future__ import annotations

from clerk_console.domain.case import Outcome, Status

from ..facts import Facts, closing, intro, materials_section
from ..model import Section
from ..registry import Kind, register

NAME = "receipt"


def body(f: Facts) -> list[Section]:
    return [intro(f, NAME), materials_section(f), closing(f, NAME, "promise")]


register(Kind(NAME, 10, body, outcomes=(Outcome.ACCEPTED,), statuses=(Status.COMPLETED,),
              thermal=True))
