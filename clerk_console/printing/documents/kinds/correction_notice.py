"""补正材料一次性告知书: a department asked for 补正 on one item during its review; the window
tells the applicant at once everything missing for that item (一次性告知)."""
from __future__ import annotations

from ..facts import Facts, closing, intro
from ..model import Section
from ..registry import Kind, register

NAME = "correction_notice"


def missing_lines(text: str) -> tuple[str, ...]:
    """What is missing, one line per line or 、/；-separated entry as the reviewer wrote it."""
    lines = [p.strip(" 　") for p in text.replace("；", "\n").replace(";", "\n").splitlines()]
    return tuple(f"{n}. {line}" for n, line in enumerate((x for x in lines if x), 1))


def body(f: Facts) -> list[Section]:
    d = f.decision
    return [intro(f, NAME),
            Section("需要补正的材料或内容", paragraphs=missing_lines(d.missing if d else "")
                    or ("（未记录）",)),
            closing(f, NAME)]


register(Kind(NAME, 82, body, result="correct", seal=False))
