"""好差评 ratings (one per case) and the follow-ups of bad ones."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert

from clerk_console.domain.ids import new_id

from ..db import ReplicaError
from ..tables import FollowupRow, RatingRow
from . import outbox
from .base import ReplicaBase
from .codecs import iso, local
from .values import Followup, Rating


class Ratings(ReplicaBase):
    def save_rating(self, rating: Rating, *, followup_due: date | None = None,
                    due_estimated: bool = False) -> Followup | None:
        """The rating (one per case) + outbox event, and a follow-up when a due date is given."""
        at = local(rating.at)
        values = {"id": new_id(), "case_no": rating.case_no, "level": rating.level,
                  "comment": rating.comment, "clerk_id": rating.clerk_id, "at": at}
        followup = None
        with self.write() as s:
            if s.execute(select(RatingRow.id).where(RatingRow.case_no == rating.case_no)).first():
                raise ReplicaError(f"办件 {rating.case_no} 已评价过，每次服务只能评价一次")
            s.execute(insert(RatingRow).values(**values))
            outbox.enqueue(s, "rating", str(values["id"]), "save", {**values, "at": iso(at)}, at)
            if followup_due is not None:
                followup = Followup(new_id(), rating.case_no, followup_due, due_estimated,
                                    "open", at or rating.at)
                s.execute(insert(FollowupRow).values(
                    id=followup.id, case_no=followup.case_no, due=followup.due,
                    due_estimated=due_estimated, status="open", opened_at=followup.opened_at,
                    answer=""))
        return followup

    def rating(self, case_no: str) -> Rating | None:
        with self.tx.read() as s:
            r = s.execute(select(RatingRow).where(RatingRow.case_no == case_no)).scalars().first()
        return Rating(r.case_no, r.level, r.comment, r.clerk_id, r.at) if r else None

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]:
        with self.tx.read() as s:
            rows = s.execute(select(RatingRow).where(RatingRow.at >= start, RatingRow.at < end)
                          .order_by(RatingRow.at)).scalars().all()
        return [Rating(r.case_no, r.level, r.comment, r.clerk_id, r.at) for r in rows]

    def followups(self, status: str | None = "open") -> list[Followup]:
        stmt = select(FollowupRow)
        if status is not None:
            stmt = stmt.where(FollowupRow.status == status)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(FollowupRow.due)).scalars().all()
        return [Followup(r.id, r.case_no, r.due, r.due_estimated, r.status, r.opened_at,
                         r.closed_at, r.answer) for r in rows]

    def close_followup(self, followup_id: str, answer: str, at: datetime) -> None:
        with self.write() as s:
            done = s.execute(update(FollowupRow).where(FollowupRow.id == followup_id,
                                                       FollowupRow.status == "open")
                             .values(status="closed", answer=answer, closed_at=local(at)))
            if done.rowcount != 1:
                raise ReplicaError("该差评回访不存在或已办结")
