"""好差评 ratings (one per case) and the follow-ups of bad ones (the 差评 loop)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert

from clerk_console.domain.followup import Step, history_from_data, history_to_data
from clerk_console.domain.ids import new_id

from ..db import ReplicaError
from ..tables import FollowupRow, RatingRow
from . import outbox
from .base import ReplicaBase
from .codecs import iso, local
from .values import Followup, Rating


def _followup_values(f: Followup) -> dict[str, Any]:
    return dict(id=f.id, case_no=f.case_no, due=f.due, due_estimated=f.due_estimated,
                status=f.status, opened_at=local(f.opened_at), closed_at=local(f.closed_at),
                answer=f.answer, step=f.step.value, rated_clerk=f.rated_clerk,
                history=history_to_data(f.history), resume=f.resume.value if f.resume else "",
                outcome=f.outcome, version=f.version)


def followup_payload(f: Followup) -> dict[str, Any]:
    """The follow-up as it syncs (sync.protocol.FollowupPayload): the whole record, dates ISO."""
    v = _followup_values(f)
    return {**v, "due": iso(f.due), "opened_at": iso(v["opened_at"]),
            "closed_at": iso(v["closed_at"])}


def _followup(r: FollowupRow) -> Followup:
    return Followup(r.id, r.case_no, r.due, r.due_estimated, r.status, r.opened_at,
                    r.closed_at, r.answer, Step(r.step), r.rated_clerk,
                    history_from_data(r.history), Step(r.resume) if r.resume else None,
                    r.outcome, r.version)


def _rating(r: RatingRow) -> Rating:
    return Rating(r.case_no, r.level, r.comment, r.clerk_id, r.at, tuple(r.reasons or ()),
                  r.entered_by)


class Ratings(ReplicaBase):
    def save_rating(self, rating: Rating, *, followup: Followup | None = None) -> None:
        """The rating (one per case) + outbox event, and the follow-up a bad one opens."""
        at = local(rating.at)
        values = {"id": new_id(), "case_no": rating.case_no, "level": rating.level,
                  "comment": rating.comment, "clerk_id": rating.clerk_id, "at": at,
                  "reasons": list(rating.reasons), "entered_by": rating.entered_by}
        with self.write() as s:
            if s.execute(select(RatingRow.id).where(RatingRow.case_no == rating.case_no)).first():
                raise ReplicaError(f"办件 {rating.case_no} 已评价过，每次服务只能评价一次")
            s.execute(insert(RatingRow).values(**values))
            outbox.enqueue(s, "rating", str(values["id"]), "save", {**values, "at": iso(at)}, at)
            if followup is not None:
                s.execute(insert(FollowupRow).values(**_followup_values(followup)))
                outbox.enqueue(s, "followup", followup.id, "save", followup_payload(followup),
                               at)

    def rating(self, case_no: str) -> Rating | None:
        with self.tx.read() as s:
            r = s.execute(select(RatingRow).where(RatingRow.case_no == case_no)).scalars().first()
        return _rating(r) if r else None

    def ratings_between(self, start: datetime, end: datetime) -> list[Rating]:
        with self.tx.read() as s:
            rows = s.execute(select(RatingRow).where(RatingRow.at >= start, RatingRow.at < end)
                          .order_by(RatingRow.at)).scalars().all()
        return [_rating(r) for r in rows]

    def followups(self, status: str | None = "open") -> list[Followup]:
        stmt = select(FollowupRow)
        if status is not None:
            stmt = stmt.where(FollowupRow.status == status)
        with self.tx.read() as s:
            rows = s.execute(stmt.order_by(FollowupRow.due, FollowupRow.id)).scalars().all()
        return [_followup(r) for r in rows]

    def get_followup(self, followup_id: str) -> Followup | None:
        with self.tx.read() as s:
            r = s.get(FollowupRow, followup_id)
        return _followup(r) if r is not None else None

    def save_followup(self, f: Followup) -> None:
        """A step taken: the follow-up at ``f.version`` replaces the one at ``f.version - 1``
        (a stale copy is refused), with its outbox event, in one transaction."""
        values = _followup_values(f)
        with self.write() as s:
            done = s.execute(update(FollowupRow).where(FollowupRow.id == f.id,
                                                       FollowupRow.version == f.version - 1)
                             .values(**{k: v for k, v in values.items() if k != "id"}))
            if done.rowcount != 1:
                raise ReplicaError("该差评回访已被他人办理或不存在，请刷新后重试")
            at = f.history[-1].at if f.history else f.opened_at
            outbox.enqueue(s, "followup", f.id, "save", followup_payload(f), local(at))
