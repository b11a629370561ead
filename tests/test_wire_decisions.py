"""Per-item decisions and the 行业综合许可证 on the wire: one encoder, one decoder, lossless."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from clerk_console.domain import review
from clerk_console.domain.case import Decision
from clerk_console.sync.protocol import CaseDecisionsWire, ItemDecisionWire, MergedLicenceWire

AT = datetime(2026, 11, 27, 10, 0)


def test_each_verdict_round_trips() -> None:
    for d in (review.approve("FOOD", "SCJG", licence_no="JY1", valid_until=date(2031, 1, 1),
                             by="u", at=AT),
              review.refuse("SIGN", "CG", reasons="占用消防通道", legal_basis="第十二条", by="v",
                            at=AT),
              review.ask_correction("FIRE", "XF", missing="平面图", by="w", at=AT)):
        wire = CaseDecisionsWire(case_id="c1", items=[ItemDecisionWire.of(d)])
        back = CaseDecisionsWire.model_validate_json(wire.model_dump_json())
        assert back.items[0].to_domain() == d


def test_merged_licence_round_trips() -> None:
    lic = review.MergedLicence("HZ1", "开办咖啡店", (review.Permit("FOOD", "食品经营许可", "市场监管局",
                                                               "JY1", "2026-11-27至2031-11-26"),),
                               date(2031, 11, 26), AT.date())
    assert MergedLicenceWire.model_validate_json(
        MergedLicenceWire.of(lic).model_dump_json()).to_domain() == lic


def test_an_older_back_offices_record_still_reads() -> None:
    old = CaseDecisionsWire.model_validate({"case_id": "c1", "decision": "approve",
                                            "decided_at": AT.isoformat()})
    assert old.decision is Decision.APPROVE and old.items == [] and old.merged_licence is None


def test_an_unknown_verdict_is_refused() -> None:
    with pytest.raises(ValidationError):
        ItemDecisionWire.model_validate({"item": "A", "dept": "X", "verdict": "maybe",
                                         "by": "u", "at": AT.isoformat()})


def test_protocol_doctests() -> None:
    import doctest

    from clerk_console.sync import protocol
    result = doctest.testmod(protocol)
    assert result.attempted > 0 and result.failed == 0
