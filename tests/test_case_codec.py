"""One codec per case (storage.replica.codecs): every field of ``Case``, none left at its
default, survives the outbox payload and the replica's rows; an older payload still reads."""
from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime

import pytest

from clerk_console.domain.case import (Case, CaseMaterial, Correction, Decision, ExcludedTime,
                                       Extension, MaterialState, Outcome, Status)
from clerk_console.storage.replica import case_from_dict, case_to_dict

FULL = Case(id="0190-full", case_no="YT0101-20261127-0009", window_code="YT0101", clerk_id="c1",
            applicant_id="91370600MA3C00001X", applicant_name="烟台某食品有限公司",
            applicant_kind="enterprise", items=("FOOD", "SIGN"),
            created_at=datetime(2026, 11, 27, 9, 30), status=Status.DECIDED,
            outcome=Outcome.DEFERRED, bundle="B1", agent_id="370602199203154321",
            agent_name="李小梅", materials=(
                CaseMaterial("form", "申请书", True, MaterialState.RECEIVED, True),
                CaseMaterial("lic", "营业执照", False, MaterialState.ELICENCE, False, "", "BL-1"),
                CaseMaterial("plan", "平面图", False, MaterialState.DEFECTIVE, False, "缺盖章")),
            accepted_at=datetime(2026, 11, 27, 9, 40), deadline=date(2026, 12, 4),
            deadline_estimated=True, promised_date=date(2026, 12, 11), signpost_dept="SCJG",
            decision=Decision.APPROVE, decided_at=datetime(2026, 12, 1, 10, 0),
            delivered_at=datetime(2026, 12, 2, 11, 0), note="备注",
            correction=Correction(date(2026, 11, 27), ("plan",), date(2026, 11, 28)),
            extension=Extension(10, "需现场核查", "boss", date(2026, 12, 1), date(2026, 12, 11),
                                date(2026, 12, 25)),
            excluded=(ExcludedTime("hearing", date(2026, 12, 14), date(2026, 12, 15), 2, "听证",
                                   date(2026, 12, 1), date(2026, 12, 25), date(2026, 12, 29)),),
            version=7, progress_token="tok")


def test_the_full_case_leaves_no_field_at_its_default():
    defaults = {f.name for f in fields(Case) if getattr(FULL, f.name) == f.default}
    assert defaults == set()


def test_a_payload_round_trip_keeps_every_field():
    assert case_from_dict(case_to_dict(FULL)) == FULL


def test_a_replica_round_trip_keeps_every_field(replica):
    replica.save_case(FULL, clerk_id="c1", action="test", at=FULL.delivered_at)
    back = replica.get_case(FULL.case_no)
    assert back == FULL and all(isinstance(m.state, MaterialState) for m in back.materials)


def test_an_older_payload_reads_with_the_defaults_and_a_missing_id_is_refused():
    old = case_to_dict(FULL)
    for newer in ("correction", "extension", "excluded", "progress_token", "deadline_estimated",
                  "signpost_dept"):
        del old[newer]
    case = case_from_dict(old)
    assert (case.correction, case.progress_token, case.deadline_estimated, case.signpost_dept) == (
        None, "", False, "")
    del old["id"]
    with pytest.raises(KeyError):
        case_from_dict(old)
