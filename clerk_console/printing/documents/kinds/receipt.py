"""受理回执: the receipt of an accepted case (also once a deferral is fully supplied, and a
one-time notice's case once its 补正 is complete: accepted that day, art. 32(1)(5))."""
from __future__ import annotations

from clerk_console.domain.case import CORRECTION_RULE, Outcome, Status

from ..facts import Facts, closing, intro, materials_section
from ..model import Section
from ..registry import Kind, register

NAME = "receipt"


def body(f: Facts) -> list[Section]:
    corrected = f.case.correction is not None and not f.case.correction.open
    first = (Section("", paragraphs=(f.fill(NAME, "intro_corrected"),
                                     f"依据：{CORRECTION_RULE}。")) if corrected
             else intro(f, NAME))
    return [first, materials_section(f), closing(f, NAME, "promise")]


register(Kind(NAME, 10, body, outcomes=(Outcome.ACCEPTED,), statuses=(Status.COMPLETED,),
              thermal=True))
