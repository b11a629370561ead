"""The notices still to print (``notice_queue``): queued in the transaction that saves a case
at the window, cleared when the notice has printed; what is left after a crash or a kill is
listed on the next start."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from clerk_console.domain.case import Case

from ..sqltext import local
from ..tables import CaseRow, NoticeQueueRow
from .base import ReplicaBase
from .cases import load_cases


class Notices(ReplicaBase):
    def queue_notice(self, case_no: str, at: datetime) -> None:
        """Join the caller's write transaction (the one saving the case)."""
        with self.write() as s:
            s.execute(insert(NoticeQueueRow).values(case_no=case_no, saved_at=local(at))
                      .on_conflict_do_nothing())

    def notice_printed(self, case_no: str) -> None:
        with self.write() as s:
            s.execute(delete(NoticeQueueRow).where(col(NoticeQueueRow.case_no) == case_no))

    def unprinted_notices(self) -> list[Case]:
        """The saved cases whose notice has not printed, oldest first."""
        with self.tx.read() as s:
            order = {no: at for no, at in s.execute(
                select(col(NoticeQueueRow.case_no), col(NoticeQueueRow.saved_at)))}
            if not order:
                return []
            cases = load_cases(s, select(CaseRow).where(col(CaseRow.case_no).in_(list(order))))
        return sorted(cases, key=lambda c: (order[c.case_no], c.case_no))
