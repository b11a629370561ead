"""What the clerk may do on a draft's merged checklist: each rule one function, pure.

The checklist widget only draws these lines and forwards the clerk's keys here; the marks it
returns are what ``Case.mark_material`` would accept (an e-licence-covered material is the
system's, never the clerk's: it is never asked for on paper and no key changes it).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from clerk_console.domain.case import CaseMaterial, MaterialState, markable

__all__ = ["GROUPS", "groups", "keep_marks", "mark", "markable", "marked_count", "receive_all", "receive_main",
           "toggle_original"]

GROUPS = ((True, "主要材料"), (False, "次要材料"))


def mark(materials: Sequence[CaseMaterial], index: int,
         state: MaterialState) -> tuple[CaseMaterial, ...]:
    """The checklist with material ``index`` set to ``state`` (its original/copy flag kept);
    unchanged when the material is covered by an e-licence or ``state`` is the e-licence's."""
    m = materials[index]
    state = MaterialState(state)
    if not markable(m) or state is MaterialState.ELICENCE:
        return tuple(materials)
    return _put(materials, index, replace(m, state=state))


def toggle_original(materials: Sequence[CaseMaterial], index: int) -> tuple[CaseMaterial, ...]:
    """Original (原件) ↔ copy (复印件) for material ``index``, which is then received."""
    m = materials[index]
    if not markable(m):
        return tuple(materials)
    return _put(materials, index, replace(m, original=not m.original, state=MaterialState.RECEIVED))


def receive_main(materials: Iterable[CaseMaterial]) -> tuple[CaseMaterial, ...]:
    """Every main material not looked at yet marked received (marks already made are kept)."""
    return tuple(replace(m, state=MaterialState.RECEIVED)
                 if m.main and m.state is MaterialState.PENDING else m for m in materials)


def receive_all(materials: Iterable[CaseMaterial]) -> tuple[CaseMaterial, ...]:
    """Every material not looked at yet marked received (marks already made are kept)."""
    return tuple(replace(m, state=MaterialState.RECEIVED)
                 if m.state is MaterialState.PENDING else m for m in materials)


def keep_marks(fresh: Iterable[CaseMaterial],
               before: Iterable[CaseMaterial]) -> tuple[CaseMaterial, ...]:
    """A checklist merged afresh (items added or removed) with the clerk's marks carried over
    by material code; an e-licence coverage always comes from the fresh one, never the old."""
    marks = {m.code: m for m in before}
    return tuple(marks[m.code] if m.code in marks and markable(m) else m for m in fresh)


def marked_count(materials: Iterable[CaseMaterial]) -> int:
    """Materials the clerk has marked (received, missing, defective); e-licence-covered and
    untouched ones do not count."""
    return sum(markable(m) and m.state is not MaterialState.PENDING for m in materials)


def groups(materials: Sequence[CaseMaterial]) -> list[tuple[str, list[int]]]:
    """(title, material indices) for the main, then the secondary materials; empty groups left
    out, each in checklist order."""
    out = []
    for main, title in GROUPS:
        found = [i for i, m in enumerate(materials) if m.main is main]
        if found:
            out.append((title, found))
    return out


def _put(materials: Sequence[CaseMaterial], index: int, m: CaseMaterial) -> tuple[CaseMaterial, ...]:
    out = list(materials)
    out[index] = m
    return tuple(out)
