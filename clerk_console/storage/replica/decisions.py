"""后台分类审批 results on the window: each item's decision and the 行业综合许可证, as the latest
``decisions`` record of the case has them (a re-pulled record replaces the earlier one: a 补正
followed by an approval, a supervisor's reopening)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session, col

from clerk_console.domain.review import ItemDecision, MergedLicence, Verdict
from clerk_console.sync.protocol import MergedLicenceWire

from ..sqltext import local
from ..tables import ItemDecisionRow, MergedLicenceRow
from .base import ReplicaBase


def store_decisions(s: Session, case_id: str, items: Iterable[ItemDecision],
                    merged: MergedLicence | None) -> None:
    """Replace the case's item decisions and merged licence (in the caller's transaction)."""
    forget_decisions(s, [case_id])
    rows = [{"case_id": case_id, "item": d.item, "dept": d.dept, "verdict": d.verdict.value,
             "licence_no": d.licence_no, "valid_from": d.valid_from,
             "valid_until": d.valid_until, "reasons": d.reasons, "legal_basis": d.legal_basis,
             "missing": d.missing, "by": d.by, "at": local(d.at)}
            for d in {d.item: d for d in items}.values()]  # one per item: the last one wins
    if rows:
        s.execute(insert(ItemDecisionRow), rows)
    if merged is not None:
        s.execute(insert(MergedLicenceRow).values(
            case_id=case_id, number=merged.number,
            data=MergedLicenceWire.of(merged).model_dump(mode="json")))


def forget_decisions(s: Session, case_ids: list[str]) -> None:
    if case_ids:
        s.execute(delete(ItemDecisionRow).where(col(ItemDecisionRow.case_id).in_(case_ids)))
        s.execute(delete(MergedLicenceRow).where(col(MergedLicenceRow.case_id).in_(case_ids)))


def _decision(r: ItemDecisionRow) -> ItemDecision:
    return ItemDecision(item=r.item, dept=r.dept, verdict=Verdict(r.verdict), by=r.by, at=r.at,
                        licence_no=r.licence_no, valid_from=r.valid_from,
                        valid_until=r.valid_until, reasons=r.reasons,
                        legal_basis=r.legal_basis, missing=r.missing)


class Decisions(ReplicaBase):
    def item_decisions(self, case_id: str) -> dict[str, ItemDecision]:
        """The case's item decisions received so far, by item code (empty: none yet, or an
        older back office that decides whole cases)."""
        with self.tx.read() as s:
            rows = s.execute(select(ItemDecisionRow).where(col(ItemDecisionRow.case_id) == case_id)
                             .order_by(ItemDecisionRow.item)).scalars().all()
            return {r.item: _decision(r) for r in rows}

    def merged_licence(self, case_id: str) -> MergedLicence | None:
        """The 行业综合许可证 the back office issued for the case, if any."""
        with self.tx.read() as s:
            data = s.execute(select(col(MergedLicenceRow.data))
                             .where(col(MergedLicenceRow.case_id) == case_id)).scalar()
        return MergedLicenceWire.model_validate(data).to_domain() if data else None
