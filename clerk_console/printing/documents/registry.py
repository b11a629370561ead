"""The document kinds: each registers itself once with what it needs to be built.

A kind is one module in ``documents/kinds/`` calling :func:`register` (and its wording file
``data/templates/<name>.toml``); nothing else lists the kinds. See docs/howto.md.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clerk_console.domain.case import Case, Outcome, Status

from .facts import Facts
from .model import Section

Body = Callable[[Facts], list[Section]]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # also the template file's stem and the file name's suffix
    order: int  # handed out in this order when a case calls for several
    body: Body  # the sections after the header and the items table
    outcomes: tuple[Outcome, ...] = ()  # the intake outcomes that call for it
    statuses: tuple[Status, ...] = ()  # later statuses that call for it (supplied, delivered)
    thermal: bool = False  # fits an 80 mm receipt
    seal: bool = True  # the hall's seal box
    reception: bool = False  # nothing accepted: the header says 接待, not 受理
    dated_by_void: bool = False  # dated (under the seal) the day the case was voided
    promised_label: str = "承诺办结日期"  # the header's label of the promised date
    supply_rule: bool = False  # prints how the supply deadline was set (deadlines.SUPPLY_RULE)
    # 出件 papers: the back office's result this kind prints, one paper per item with that
    # verdict ("approve", "refuse", "correct"), or "merged" (the 行业综合许可证)
    result: str = ""
    own_header: bool = False  # the body is the whole paper (no intake header, items, basis)
    moved: bool = False  # called for once the time limit is moved by law (art. 42 / art. 45)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"document kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind


def ordered() -> list[Kind]:
    return sorted(KINDS.values(), key=lambda k: k.order)


def kind_for_result(result: str) -> Kind | None:
    """The 出件 paper of a back-office result (an item's verdict, or "merged")."""
    return next((k for k in ordered() if k.result == result), None)


def kinds_for(case: Case) -> list[str]:
    """The documents a case's outcome calls for, in the order they are handed out; then
    those its later status calls for (a receipt once supplied, the delivery note)."""
    if case.status is Status.VOIDED:  # its paper is the termination, never "予以容缺受理"
        return [k.name for k in ordered() if Status.VOIDED in k.statuses]
    outcome = case.outcome
    if case.correction is not None and not case.correction.open:
        outcome = Outcome.ACCEPTED  # 补正 complete: accepted since, its paper is the receipt
    kinds = [k.name for k in ordered() if outcome is not None and outcome in k.outcomes]
    kinds += [k.name for k in ordered() if case.status in k.statuses and k.name not in kinds]
    if case.extension is not None or case.excluded:  # the 延期告知书 told since
        kinds += [k.name for k in ordered() if k.moved and k.name not in kinds]
    return kinds
