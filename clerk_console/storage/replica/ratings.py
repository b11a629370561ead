"""好差评 ratings (one per case) and the follow-ups of bad ones (the 差评 loop)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from clerk_console.domain.ids import new_id

from ..db import ReplicaError
from ..sqltext import local
from ..tables import FollowupRow, RatingRow
from . import outbox
from .base import ReplicaBase
from .codecs import (followup_from_row, followup_to_dict, followup_values, rating_from_row,
                     rating_to_dict, rating_values)
from .values import Followup, Rating


class Ratings(ReplicaBase):
    def save_rating(self, rating: Rating, *, followup: Followup | None = None) -> None:
        """The rating (one per case) + outbox event, and the follow-up a bad one opens."""
        rating_id = new_id()
        at = local(rating.at)
        with self.write() as s:
            if s.execute(select(col(RatingRow.id)).where(col(RatingRow.case_no) == rating.case_no)).first():
                raise ReplicaError(f"办件 {rating.case_no} 已评价过，每次服务只能评价一次")
            s.execute(insert(RatingRow).values(**rating_values(rating, rating_id)))
            outbox.enqueue(s, "rating", rating_id, "save", rating_to_dict(rating, rating_id), at)
            if followup is not None:
                s.execute(insert(FollowupRow).values(**followup_values(followup)))
                outbox.enqueue(s, "followup", followup.id, "save", followup_to_dict(followup),
                               at)

    def rating(self, case_no: str) -> Rating | None:
        with self.tx.read() as s:
            r = s.execute(select(RatingRow).where(col(RatingRow.case_no) == case_no)).scalars().first()
        return rating_from_row(r) if r else None

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]:
        with self.tx.read() as s:
            rows = s.execute(select(RatingRow).where(col(RatingRow.at) >= start, col(RatingRow.at) < end)
                          .order_by(col(RatingRow.at))).scalars().all()
        return [rating_from_row(r) for r in rows]

    def followups(self, status: str | None = "open") -> list[Followup]:
        stmt = select(FollowupRow)
        if status is not None:
            stmt = stmt.where(col(FollowupRow.status) == status)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(col(FollowupRow.due), col(FollowupRow.id))).scalars().all()
        return [followup_from_row(r) for r in rows]

    def get_followup(self, followup_id: str) -> Followup | None:
        with self.tx.read() as s:
            r = s.get(FollowupRow, followup_id)
        return followup_from_row(r) if r is not None else None

    def save_followup(self, f: Followup) -> None:
        """A step taken: the follow-up at ``f.version`` replaces the one at ``f.version - 1``
        (a stale copy is refused), with its outbox event, in one transaction."""
        values = followup_values(f)
        with self.write() as s:
            done = s.connection().execute(
                update(FollowupRow).where(col(FollowupRow.id) == f.id,
                                          col(FollowupRow.version) == f.version - 1)
                .values(**{k: v for k, v in values.items() if k != "id"}))
            if done.rowcount != 1:
                raise ReplicaError("该差评回访已被他人办理或不存在，请刷新后重试")
            at = f.history[-1].at if f.history else f.opened_at
            outbox.enqueue(s, "followup", f.id, "save", followup_to_dict(f), local(at))
