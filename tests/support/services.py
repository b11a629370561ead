"""Drafts and stores for the service tests: a draft with materials ticked, the in-memory fake
set up as conftest's ``replica``, and ``shop`` (the enterprise with its licence) on both."""
from __future__ import annotations

import pytest

from clerk_console.domain.case import MaterialState
from clerk_console.domain.parties import ELicence
from clerk_console.services import intake

from support.fake_replica import FakeReplica


def _conftest():
    import conftest  # late: conftest imports this module for the ``shop`` fixture

    return conftest


def draft_for(replica, items=("FOOD", "SIGN"), applicant=None, received=("form",),
              bundle=None):
    """A draft for ``applicant`` (conftest's enterprise by default) with ``received`` ticked."""
    c = _conftest()
    applicant = applicant or c.ENTERPRISE
    draft = intake.new_draft(replica, window="YT0101", clerk_id="c1", applicant=applicant,
                             items=list(items), bundle=bundle, now=c.NOW)
    for code in received:
        draft = intake.set_material(draft, code, MaterialState.RECEIVED, original=True)
    return draft


def memory_replica() -> FakeReplica:
    """The fake set up as conftest's ``replica``: catalogue, window YT0101, c1 and boss."""
    c = _conftest()
    rep = FakeReplica()
    with rep.write():
        rep.store_catalogue(c.small_catalogue(), at=c.NOW)
        rep.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
        rep.add_clerk("c1", "张敏", "111111", "clerk")
        rep.add_clerk("boss", "刘主任", "654321", "supervisor")
    return rep


@pytest.fixture(params=["sqlite", "memory"])
def shop(request):
    """The enterprise with its business licence in the e-licence library (on both stores)."""
    c = _conftest()
    replica = request.getfixturevalue("replica") if request.param == "sqlite" \
        else memory_replica()
    replica.save_applicant(c.ENTERPRISE, "c1", at=c.NOW)
    replica.save_elicences([ELicence(c.ENTERPRISE.id_number, "BL", "营业执照", "BL-001")])
    return replica
