"""An enrolled window with the shop (its mobile phone known), a case synced and decided by the
back office, and the back office's SMS outbox, for the SMS tests."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from clerk_console.backoffice import service
from clerk_console.backoffice.db import reading
from clerk_console.backoffice.tables import SmsMessage
from clerk_console.commands.embedded import enroll_replica
from clerk_console.domain.case import Decision, Outcome
from clerk_console.domain.parties import ELicence
from clerk_console.services import intake
from clerk_console.sync.runner import client_for, sync_once

from conftest import ENTERPRISE, NOW
from support.services import draft_for

MOBILE = "13912345678"
SHOP = replace(ENTERPRISE, phone=MOBILE)
CHINA = timezone(timedelta(hours=8))


def at(day: date, hour: int = 10) -> datetime:
    """A moment of the back office (aware), in China time."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


@pytest.fixture
def window(replica, bo, engine):
    enroll_replica(engine, replica, bo.url, region="370602")
    replica.save_applicant(SHOP, "c1", at=NOW)
    replica.save_elicences([ELicence(SHOP.id_number, "BL", "营业执照", "BL-001")])
    return replica


def sync(replica):
    with client_for(replica) as client:
        report = sync_once(replica, client)
    assert not report.refused, report
    return report


def accepted(window):
    return intake.close_intake(window, draft_for(window, received=("form", "lease", "plan"),
                                                 applicant=SHOP),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)


def decided(window, engine, decision=Decision.READY, now=None):
    """A case accepted at the window, synced, and decided by the back office."""
    case = accepted(window)
    sync(window)
    with engine.begin() as conn:
        service.decide(conn, case.case_no, decision, actor="审批科",
                       now=now or at(NOW.date()))
    return case


def outbox(engine):
    t = SmsMessage.__table__
    with reading(engine) as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.created_at)).mappings()]
