"""Each clerk action through the services, with its rules: on a real replica file and on the
in-memory fake of the services' port (``tests/support/fake_replica.py``), the same tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from clerk_console.config import Settings
from clerk_console.domain.case import Decision, MaterialState, Outcome, Status
from clerk_console.domain.parties import BlacklistEntry
from clerk_console.services import ServiceError, audit_unmask
from clerk_console.services import audit, intake, rating, returns, stats

from conftest import ENTERPRISE, NOW, PERSON
from support.services import draft_for

LATER = NOW + timedelta(minutes=12)


def test_draft_merges_checklist_and_uses_elicences(shop):
    draft = draft_for(shop, items=(), bundle="CAFE", received=())
    assert draft.items == ("FOOD", "SIGN") and draft.status is Status.DRAFT
    assert [(m.code, m.main, m.state) for m in draft.materials] == [
        ("licence", True, MaterialState.ELICENCE), ("form", True, MaterialState.PENDING),
        ("lease", False, MaterialState.PENDING), ("plan", False, MaterialState.PENDING)]
    assert draft.materials[0].elicence_number == "BL-001"


def test_draft_validation_messages(shop):
    with pytest.raises(ServiceError, match="至少选择"):
        draft_for(shop, items=())
    with pytest.raises(ServiceError, match="不在本机事项目录"):
        draft_for(shop, items=("NOPE",))
    with pytest.raises(ServiceError, match="只面向法人"):
        draft_for(shop, items=("FOOD",), applicant=PERSON)
    draft = draft_for(shop)
    with pytest.raises(ServiceError, match="原因"):
        intake.set_material(draft, "plan", MaterialState.DEFECTIVE)


def test_accept_sets_number_promised_date_audit_and_usage(shop):
    draft = draft_for(shop, received=("form", "lease", "plan"))
    verdict = intake.evaluate(shop, draft)
    assert Outcome.ACCEPTED in verdict.allowed
    case = intake.close_intake(shop, draft, Outcome.ACCEPTED, clerk_id="c1", now=LATER)
    assert case.case_no == "YT0101-20261127-0001" and case.status is Status.ACCEPTED
    assert case.accepted_at == LATER
    assert case.promised_date == date(2026, 12, 11)  # 10 working days after Fri 2026-11-27
    assert shop.get_case(case.case_no) == case
    assert [e.action for e in shop.audit_entries(case.case_no)] == ["intake.accepted"]
    assert [e.entity_id for e in shop.outbox_pending()] == [case.id]
    assert shop.item_usage("c1") == {"FOOD": 1, "SIGN": 1}
    with pytest.raises(ServiceError, match="不能再次受理"):
        intake.close_intake(shop, case, Outcome.ACCEPTED, clerk_id="c1", now=LATER)
    second = intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                                 Outcome.ACCEPTED, clerk_id="c1", now=LATER)
    assert second.case_no == "YT0101-20261127-0002"


def test_deferral_deadline_as_computed(shop):
    case = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW)
    assert case.status is Status.DEFERRED
    # 5 working days (settings default), capped at 4 so the supply deadline ends before the
    # 5-day promise of 户外招牌设置 (行政许可法 art. 42; 容缺 supply within the promised limit)
    assert case.deadline == date(2026, 12, 3) and case.promised_date == date(2026, 12, 11)
    assert not case.deadline_estimated
    assert {m.code for m in case.owed} == {"lease", "plan"}
    # a longer setting is capped before the tightest item's promise (户外招牌设置: 5 working
    # days -> 4 to supply; 行政许可法 art. 42 and the 容缺 rule that supply ends before it)
    long = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW,
                               settings=Settings(deferral_days=8))
    assert long.deadline == date(2026, 12, 3) and long.deadline < long.promised_date
    short = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW,
                                settings=Settings(deferral_days=2))
    assert short.deadline == date(2026, 12, 1)


def test_deferral_into_unpublished_year_is_marked_estimated(shop):
    dec = datetime(2026, 12, 28, 9, 0)
    case = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=dec)
    assert case.deadline.year == 2027 and case.deadline_estimated


def test_blacklisted_applicant_cannot_defer(shop):
    shop.save_blacklist([BlacklistEntry(ENTERPRISE.legal_rep_id, "王海", "失信被执行人")])
    draft = draft_for(shop)
    assert Outcome.DEFERRED not in intake.evaluate(shop, draft).allowed
    with pytest.raises(ServiceError, match="失信黑名单：法定代表人王海"):
        intake.close_intake(shop, draft, Outcome.DEFERRED, clerk_id="c1", now=NOW)
    assert shop.count_cases() == 0 and shop.outbox_pending() == []


def test_main_material_missing_means_no_deferral_but_one_notice(shop):
    draft = draft_for(shop, received=())  # 申请书 (main) not brought
    with pytest.raises(ServiceError, match="主要材料不全"):
        intake.close_intake(shop, draft, Outcome.DEFERRED, clerk_id="c1", now=NOW)
    notice = intake.close_intake(shop, draft, Outcome.NOTIFIED, clerk_id="c1", now=NOW)
    assert notice.status is Status.NOTIFIED and notice.accepted_at is None
    assert [m.state for m in notice.owed] == [MaterialState.MISSING] * 3


def test_commitment_and_signpost(shop):
    draft = draft_for(shop, items=("FOOD",))
    verdict = intake.evaluate(shop, draft)
    assert Outcome.APPROVED_ON_COMMITMENT in verdict.allowed
    assert verdict.best is not Outcome.APPROVED_ON_COMMITMENT  # the applicant's choice
    case = intake.close_intake(shop, draft, Outcome.APPROVED_ON_COMMITMENT, clerk_id="c1",
                               now=NOW)
    assert case.status is Status.APPROVED_ON_COMMITMENT and case.promised_date
    away = draft_for(shop, items=("HOTEL",), received=())
    with pytest.raises(ServiceError, match="设路标"):
        intake.close_intake(shop, away, Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    sign = intake.close_intake(shop, away, Outcome.SIGNPOSTED, clerk_id="c1", now=NOW)
    assert sign.signpost_dept == "GA" and sign.status is Status.SIGNPOSTED


def test_supplement_then_complete(shop):
    case = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="不在该办件待补材料"):
        returns.supplement(shop, case, ["form"], clerk_id="c1", now=NOW)
    part = returns.supplement(shop, case.case_no, ["lease"], clerk_id="c1", now=NOW)
    assert part.status is Status.DEFERRED and [m.code for m in part.owed] == ["plan"]
    done = returns.supplement(shop, part, ["plan"], clerk_id="c1", now=NOW,
                              originals=["plan"])
    assert done.status is Status.COMPLETED and not done.owed
    assert [e.action for e in shop.audit_entries(case.case_no)] == [
        "case.supplement", "case.supplement", "intake.deferred"]
    late = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="已过"):
        returns.supplement(shop, late, ["plan"], clerk_id="c1",
                           now=datetime(2026, 12, 5, 9, 0))


def test_void_needs_supervisor_and_overdue_then_bars_deferral(shop):
    case = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=NOW)
    after = datetime(2026, 12, 7, 9, 0)
    with pytest.raises(ServiceError, match="不是负责人"):
        returns.void(shop, case, clerk_id="c1", supervisor_id="c1", now=after, reason="逾期")
    with pytest.raises(ServiceError, match="尚未届满"):
        returns.void(shop, case, clerk_id="c1", supervisor_id="boss", now=NOW, reason="逾期")
    with pytest.raises(ServiceError, match="废止原因"):
        returns.void(shop, case, clerk_id="c1", supervisor_id="boss", now=after, reason=" ")
    voided = returns.void(shop, case, clerk_id="c1", supervisor_id="boss", now=after,
                          reason="逾期未补正平面图")
    assert voided.status is Status.VOIDED
    again = draft_for(shop)
    with pytest.raises(ServiceError, match="容缺承诺未按期兑现"):
        intake.close_intake(shop, again, Outcome.DEFERRED, clerk_id="c1", now=after)


def test_deliver_only_after_decision(shop):
    case = intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="尚未办结"):
        returns.deliver(shop, case, clerk_id="c1", now=NOW)
    returns.record_decision(shop, case, Decision.APPROVE, decided_at=NOW + timedelta(days=3))
    with pytest.raises(ServiceError, match="不是该办件的申请人"):
        returns.deliver(shop, case, clerk_id="c1", now=NOW, receiver_id="110101199001010000")
    done = returns.deliver(shop, case, clerk_id="c1", now=NOW + timedelta(days=4),
                           receiver_id=ENTERPRISE.id_number)
    assert done.status is Status.DELIVERED and done.delivered_at == NOW + timedelta(days=4)


def test_rating_levels_reasons_and_followup(shop):
    case = intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="1-5"):
        rating.rate(shop, case, 6, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="需记录原因"):
        rating.rate(shop, case, 4, clerk_id="c1", now=NOW)
    got, follow = rating.rate(shop, case, 4, clerk_id="c1", now=NOW, reason="排队太久")
    # 核实 is due one working day later (data/followup/rules.toml): Friday -> Monday
    assert got.level == 4 and follow.due == date(2026, 11, 30) and follow.status == "open"
    assert follow.step.label == "核实" and follow.rated_clerk == "c1"
    with pytest.raises(ServiceError, match="已评价"):
        rating.rate(shop, case, 1, clerk_id="c1", now=NOW)
    assert shop.followups() == [follow]
    good = intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    assert rating.rate(shop, good.case_no, 1, clerk_id="c1", now=NOW)[1] is None


def test_day_stats(shop):
    intake.close_intake(shop, draft_for(shop, received=("form", "lease", "plan")),
                        Outcome.ACCEPTED, clerk_id="c1", now=LATER)
    d = intake.close_intake(shop, draft_for(shop), Outcome.DEFERRED, clerk_id="c1", now=LATER)
    intake.close_intake(shop, draft_for(shop, received=()), Outcome.NOTIFIED, clerk_id="c1",
                        now=LATER)
    rating.rate(shop, d, 5, clerk_id="c1", now=LATER, reason="态度差")
    today = stats.stats(shop, NOW.date())
    assert today.total == 3 and today.by_outcome[Outcome.ACCEPTED] == 1
    assert today.by_outcome[Outcome.NOTIFIED] == 1
    assert today.median_handling_minutes == 12.0
    assert today.ratings == 1 and today.satisfaction_rate == 0.0
    assert today.overdue_deferrals == 0
    later = stats.stats(shop, date(2026, 12, 7))
    assert later.total == 0 and later.overdue_deferrals == 1
    assert ("满意率", "—") in later.lines


def test_login_and_unmask_are_audited(shop):
    with pytest.raises(ServiceError) as wrong:
        audit.login(shop, "c1", "000000")
    assert audit.login(shop, "c1", "111111").name == "张敏"
    with pytest.raises(ServiceError) as ghost:
        audit.login(shop, "ghost", "111111")
    # no user enumeration: an unknown id and a wrong PIN get the same words
    assert str(ghost.value) == str(wrong.value) == audit.SIGN_IN_REFUSED
    with pytest.raises(ServiceError, match="不是负责人"):
        audit_unmask(shop, "c1", ENTERPRISE.id_number)
    assert audit_unmask(shop, "boss", ENTERPRISE.id_number, clerk_id="c1") == \
        ENTERPRISE.id_number
    entry = shop.audit_entries(ENTERPRISE.id_number)[0]
    assert entry.action == "applicant.unmask" and entry.detail == {"supervisor": "boss"}
    assert [e.action for e in shop.audit_entries("c1")] == ["clerk.login",
                                                           "clerk.login_failed"]


def test_deferral_deadline_is_capped_only_by_items_that_owe(shop):
    # everything of 户外招牌设置 (5 working days) is in: only 食品经营许可 (10) owes "lease"
    draft = draft_for(shop, received=("form", "plan"))
    case = intake.close_intake(shop, draft, Outcome.DEFERRED, clerk_id="c1", now=NOW,
                               settings=Settings(deferral_days=8))
    assert {m.code for m in case.owed} == {"lease"}
    assert case.deadline == date(2026, 12, 9)  # 8 working days after Fri 2026-11-27, not 5


def test_commitment_owing_a_material_gets_a_deadline_and_is_voided_like_a_deferral(shop):
    """承诺即准 with a secondary material owed: a supply deadline, tracked and voided as a
    deferral (the seed's 容缺/承诺 guarantees: "未按期兑现保证的，及时予以废止")."""
    owing = intake.close_intake(shop, draft_for(shop, items=("FOOD",)),
                                Outcome.APPROVED_ON_COMMITMENT, clerk_id="c1", now=NOW)
    assert owing.owed and owing.deadline and owing.deadline < owing.promised_date
    assert shop.deferrals_due(owing.deadline) == [owing]
    late = datetime.combine(owing.deadline + timedelta(days=3), NOW.time())
    with pytest.raises(ServiceError, match="已过"):
        returns.supplement(shop, owing, [owing.owed[0].code], clerk_id="c1", now=late)
    voided = returns.void(shop, owing, clerk_id="c1", supervisor_id="boss", now=late,
                          reason="逾期未补交")
    assert voided.status is Status.VOIDED
    full = draft_for(shop, items=("FOOD",), received=tuple(m.code for m in draft_for(
        shop, items=("FOOD",)).materials))
    clean = intake.close_intake(shop, full, Outcome.APPROVED_ON_COMMITMENT, clerk_id="c1", now=NOW)
    assert not clean.owed and clean.deadline is None


def test_not_accepted_needs_reasons_and_names_the_competent_body(shop):
    """不予受理 (行政许可法 art. 32(1)): refused without reasons; saved with them (the case's
    note), the body to apply to, no acceptance time and no deadline."""
    draft = draft_for(shop, items=("FOOD",))
    with pytest.raises(ServiceError, match="理由"):
        intake.close_intake(shop, draft, Outcome.NOT_ACCEPTED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="不在事项目录"):
        intake.close_intake(shop, draft, Outcome.NOT_ACCEPTED, clerk_id="c1", now=NOW,
                            reasons="申请人不具备申请资格：未取得营业执照", competent_dept="XX")
    case = intake.close_intake(shop, draft, Outcome.NOT_ACCEPTED, clerk_id="c1", now=NOW,
                               reasons="申请事项依法不属于本机关职权范围", competent_dept="GA")
    assert case.status is Status.NOT_ACCEPTED and case.outcome is Outcome.NOT_ACCEPTED
    assert case.note == "申请事项依法不属于本机关职权范围" and case.signpost_dept == "GA"
    assert case.accepted_at is None and case.deadline is None and case.promised_date is None
    assert shop.get_case(case.case_no).status is Status.NOT_ACCEPTED


def test_day_close_and_a_supervisors_screen_unlock_are_audited_by_the_services(replica):
    from clerk_console.services.audit import screen_unlocked
    from clerk_console.services.stats import close_day

    close_day(replica, NOW.date(), supervisor_id="boss", summary="受理 3 件")
    screen_unlocked(replica, "c1", by="boss")
    rows = [(e.clerk_id, e.action, e.subject, e.detail) for e in replica.audit_entries()]
    assert ("boss", "day_close", f"YT0101:{NOW.date()}", {"summary": "受理 3 件"}) in rows
    assert ("boss", "unlock", "c1", {"by": "supervisor"}) in rows
    with pytest.raises(ServiceError, match="不是负责人"):
        close_day(replica, NOW.date(), supervisor_id="c1", summary="")
    with pytest.raises(ServiceError, match="不是负责人"):
        screen_unlocked(replica, "boss", by="c1")
