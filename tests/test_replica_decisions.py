"""Pulled per-item decisions on the replica: every record through ``CaseDecisionsWire``;
items decided so far stored while the case stays open, the case decided once every item is
final, a re-pulled record replacing the earlier one, older whole-case records still read."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clerk_console.domain.case import Decision, Status
from clerk_console.domain.review import (MergedLicence, Permit, Verdict, approve, ask_correction,
                                         refuse)
from clerk_console.storage.replica import ReplicaError
from clerk_console.sync.protocol import CaseDecisionsWire, ItemDecisionWire, MergedLicenceWire

from conftest import NOW
from support.cases import make_case

AT = NOW + timedelta(days=3)


def record(case, items, decision=None, merged=None, **extra):
    wire = CaseDecisionsWire(case_id=case.id, case_no=case.case_no, decision=decision,
                             decided_at=AT if decision else None,
                             items=[ItemDecisionWire.of(d) for d in items],
                             merged_licence=MergedLicenceWire.of(merged) if merged else None,
                             **extra)
    return {"key": case.id, "payload": wire.model_dump(mode="json")}


def food_ok():
    return approve("FOOD", "SCJG", licence_no="JY23706130012345", valid_until=date(2031, 11, 26),
                   by="scjg1", at=AT)


def sign_no():
    return refuse("SIGN", "CG", reasons="招牌设置位置占用消防通道",
                  legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条", by="cg1", at=AT)


@pytest.fixture
def bundle_case(replica):
    case = make_case("YT0101-20261127-0001", items=("FOOD", "SIGN"), bundle="CAFE")
    replica.save_case(case, clerk_id="c1", action="x")
    return case


def test_partial_record_stores_items_and_keeps_case_open(replica, bundle_case):
    replica.apply_page("decisions", [record(bundle_case, [food_ok()])], [], 1)
    got = replica.get_case(bundle_case.case_no)
    assert got.status is Status.ACCEPTED and got.decision is None
    decided = replica.item_decisions(bundle_case.id)
    assert list(decided) == ["FOOD"]
    assert decided["FOOD"] == food_ok()
    assert decided["FOOD"].validity_label == "2026-11-30至2031-11-26"
    assert replica.merged_licence(bundle_case.id) is None
    assert replica.cursor("decisions") == 1


def test_complete_record_decides_case_with_merged_licence(replica, bundle_case):
    merged = MergedLicence("HZ3706130001", "开办咖啡店",
                           (Permit("FOOD", "食品经营许可", "烟台市市场监督管理局",
                                   "JY23706130012345", "2026-11-30至2031-11-26"),),
                           date(2031, 11, 26), AT.date())
    replica.apply_page("decisions", [record(bundle_case, [food_ok(), sign_no()], "approve",
                                            merged)], [], 2)
    got = replica.get_case(bundle_case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.APPROVE
    assert got.decided_at == AT
    decided = replica.item_decisions(bundle_case.id)
    assert decided["SIGN"].verdict is Verdict.REFUSE
    assert decided["SIGN"].legal_basis.startswith("《烟台市户外广告")
    assert replica.merged_licence(bundle_case.id) == merged


def test_repulled_record_replaces_earlier_one(replica, bundle_case):
    first = ask_correction("FOOD", "SCJG", missing="设施布局平面图（标明操作区）", by="scjg1",
                           at=AT)
    replica.apply_page("decisions", [record(bundle_case, [first])], [], 1)
    assert replica.item_decisions(bundle_case.id)["FOOD"].verdict is Verdict.CORRECT
    # the 补正 answered, FOOD approved; SIGN refused: the case is decided
    replica.apply_page("decisions", [record(bundle_case, [food_ok(), sign_no()], "approve")],
                       [], 2)
    assert replica.item_decisions(bundle_case.id)["FOOD"].verdict is Verdict.APPROVE
    assert replica.get_case(bundle_case.case_no).status is Status.DECIDED
    # a supervisor reopens SIGN: the item is gone from the record, the case stays decided
    replica.apply_page("decisions", [record(bundle_case, [food_ok()])], [], 3)
    assert list(replica.item_decisions(bundle_case.id)) == ["FOOD"]
    got = replica.get_case(bundle_case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.APPROVE
    # decided again, both refused: the outcome changes, the status does not go back
    food_no = refuse("FOOD", "SCJG", reasons="经营场所不符合要求",
                     legal_basis="《食品经营许可和备案管理办法》第十六条", by="scjg1", at=AT)
    replica.apply_page("decisions", [record(bundle_case, [food_no, sign_no()], "reject")], [], 4)
    got = replica.get_case(bundle_case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.REJECT
    assert {d.verdict for d in replica.item_decisions(bundle_case.id).values()} == {
        Verdict.REFUSE}
    # a tombstone drops what was stored for the case
    replica.apply_page("decisions", [], [bundle_case.id], 5)
    assert replica.item_decisions(bundle_case.id) == {}


def test_older_whole_case_record_still_applies(replica):
    case = make_case("YT0101-20261127-0002")
    replica.save_case(case, clerk_id="c1", action="x")
    replica.apply_page("decisions", [{"key": case.id, "payload": {
        "decision": "reject", "decided_at": "2026-11-30T10:00:00",
        "false_commitment": True}}], [], 1)  # no case_id, no items: an older back office
    got = replica.get_case(case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.REJECT
    assert replica.item_decisions(case.id) == {}


def test_record_for_unknown_case_is_kept_aside(replica):
    case = make_case("YT0101-20261127-0003")  # never saved here
    replica.apply_page("decisions", [record(case, [food_ok()], "approve")], [], 1)
    assert replica.get_case(case.case_no) is None and replica.cursor("decisions") == 1


def test_malformed_record_refuses_the_page_in_chinese(replica, bundle_case):
    bad = record(bundle_case, [food_ok()])
    bad["payload"]["items"][0]["verdict"] = "maybe"
    good = record(bundle_case, [food_ok()])
    with pytest.raises(ReplicaError, match="审批结果记录格式有误（items.0.verdict）"):
        replica.apply_page("decisions", [good, bad], [], 1)
    assert replica.item_decisions(bundle_case.id) == {} and replica.cursor("decisions") == 0


def test_aware_times_are_stored_as_window_time(replica, bundle_case):
    from clerk_console.storage.replica import local

    aware = datetime(2026, 11, 30, 2, 0).astimezone()
    d = approve("FOOD", "SCJG", licence_no="JY1", valid_until=None, by="u", at=aware)
    replica.apply_page("decisions", [record(bundle_case, [d])], [], 1)
    assert replica.item_decisions(bundle_case.id)["FOOD"].at == local(aware)
