"""The outcome rules (domain.rules.decide) and the case life cycle (domain.case)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from clerk_console.domain.case import (Case, CaseMaterial, MaterialState, Outcome, Status,
                                       TransitionError, overdue, transition)
from clerk_console.domain.catalogue import CaseType, Item, Level, Target
from clerk_console.domain.parties import (Applicant, ApplicantKind, BlacklistEntry,
                                          blacklist_hit, mask_id, mask_name)
from clerk_console.domain.rules import (CITY_SCOPE, TOWNSHIP_SCOPE, CreditRecord,
                                        commitment_bases, commitment_refusal, decide,
                                        refusal_problem)


def item(code="I1", *, deferral=True, commitment=False, level=Level.CITY, in_hall=True,
         target=Target.ENTERPRISE):
    return Item(code=code, base_code="B" + code, name=f"事项{code}", dept="SCJG", item_type="01",
                level=level, target=target, legal_days=20, promised_days=10,
                case_type=CaseType.PROMISED, deferral=deferral, commitment=commitment,
                instant=False, in_hall=in_hall)


def mat(code, main, state):
    return CaseMaterial(code=code, name=f"材料{code}", main=main, state=state)


R, M, E, P = (MaterialState.RECEIVED, MaterialState.MISSING, MaterialState.ELICENCE,
              MaterialState.PENDING)


def test_everything_received_accepts():
    v = decide([item()], [mat("a", True, R), mat("b", False, E)])
    assert v.best is Outcome.ACCEPTED
    assert set(v.allowed) == {Outcome.ACCEPTED, Outcome.NOT_ACCEPTED}


def test_secondary_missing_allows_deferral_and_notice_not_acceptance():
    v = decide([item()], [mat("a", True, R), mat("b", False, M)])
    assert v.best is Outcome.DEFERRED
    assert set(v.allowed) == {Outcome.DEFERRED, Outcome.NOTIFIED, Outcome.NOT_ACCEPTED}
    assert "缺 1 项" in v.option(Outcome.ACCEPTED).reason


def test_main_missing_forbids_deferral():
    v = decide([item()], [mat("a", True, M), mat("b", False, M)])
    assert v.allowed == (Outcome.NOTIFIED, Outcome.NOT_ACCEPTED)
    assert "主要材料不全" in v.option(Outcome.DEFERRED).reason


def test_pending_counts_as_owed():
    v = decide([item()], [mat("a", True, P)])
    assert v.allowed == (Outcome.NOTIFIED, Outcome.NOT_ACCEPTED)


def test_item_without_deferral_blocks_whole_bundle():
    v = decide([item("I1"), item("I2", deferral=False)], [mat("a", True, R), mat("b", False, M)])
    assert Outcome.DEFERRED not in v.allowed
    assert "事项I2" in v.option(Outcome.DEFERRED).reason


def test_commitment_is_offered_but_never_preselected():
    """告知承诺 is the applicant's choice (国办发〔2020〕42号; 消防法 art. 15 "可以选择"):
    listed as allowed, but the preselected outcome is 受理 or 容缺."""
    v = decide([item(commitment=True)], [mat("a", True, R), mat("b", False, M)])
    assert Outcome.APPROVED_ON_COMMITMENT in v.allowed
    assert v.best is Outcome.DEFERRED
    v = decide([item(commitment=True)], [mat("a", True, R)])
    assert v.best is Outcome.ACCEPTED and Outcome.APPROVED_ON_COMMITMENT in v.allowed


def test_risk_item_refuses_commitment_unless_a_law_names_it():
    """Seed article (烟台“承诺即准”): only items not touching public safety or ecology; an item
    that does is refused unless the law names it as a 告知承诺 item (消防法 art. 15)."""
    mats = [mat("a", True, R)]
    food = replace(item(commitment=True), name="食品经营许可", risk=("public_safety",))
    v = decide([food], mats)
    assert Outcome.APPROVED_ON_COMMITMENT not in v.allowed
    assert "涉及公共安全" in v.option(Outcome.APPROVED_ON_COMMITMENT).reason
    assert commitment_refusal(replace(food, risk=("ecology",))).endswith("不实行承诺即准")
    fire = replace(food, name="消防安全检查", commitment_basis="《中华人民共和国消防法》第十五条")
    assert Outcome.APPROVED_ON_COMMITMENT in decide([fire], mats).allowed
    assert commitment_bases([fire, item()]) == ("《中华人民共和国消防法》第十五条",)


def test_catalogue_refuses_commitment_on_a_risk_item_without_basis():
    """The loader applies the same domain rule: a data flag alone cannot allow it."""
    from clerk_console.domain.catalogue import ItemMaterial
    from clerk_console.domain.rules import item_problem
    food = replace(item(commitment=True), risk=("public_safety",),
                   materials=(ItemMaterial("form", True),))
    assert item_problem(food)[0] == "commitment"
    assert item_problem(replace(food, commitment_basis="《中华人民共和国消防法》第十五条")) is None


def listed(subject="91370600MA3C00000X"):
    return {subject: BlacklistEntry(subject, "某失信主体", "拒不履行法院判决")}


@pytest.mark.parametrize("via", ["self", "legal_rep", "shareholder"])
def test_blacklist_bars_deferral_and_commitment(via):
    rep, holder = "370602199001011234", "370602198502023456"
    app = Applicant("91370600MA3C00000X", "uscc", ApplicantKind.ENTERPRISE, "烟台某咖啡有限公司",
                    legal_rep_id=rep, related_ids=(holder,))
    subject = {"self": app.id_number, "legal_rep": rep, "shareholder": holder}[via]
    hit = blacklist_hit(app, listed(subject), {holder: "股东"})
    assert hit is not None
    assert hit.via == {"self": "", "legal_rep": "法定代表人", "shareholder": "股东"}[via]
    v = decide([item(commitment=True)], [mat("a", True, R), mat("b", False, M)],
               CreditRecord(blacklist=hit))
    assert v.allowed == (Outcome.NOTIFIED, Outcome.NOT_ACCEPTED)
    assert "失信黑名单" in v.option(Outcome.DEFERRED).reason
    assert "失信黑名单" in v.option(Outcome.APPROVED_ON_COMMITMENT).reason


def test_broken_deferral_and_false_commitment():
    mats = [mat("a", True, R), mat("b", False, M)]
    assert Outcome.DEFERRED not in decide([item()], mats, CreditRecord(broken_deferral=True)).allowed
    v = decide([item(commitment=True)], mats, CreditRecord(false_commitment=True))
    assert Outcome.APPROVED_ON_COMMITMENT not in v.allowed
    assert Outcome.DEFERRED in v.allowed


def test_signpost_for_items_this_window_cannot_take():
    v = decide([item(in_hall=False)], [mat("a", True, R)])
    assert v.allowed == (Outcome.SIGNPOSTED,)
    township_item = item(level=Level.TOWNSHIP)
    assert decide([township_item], [mat("a", True, R)], scope=TOWNSHIP_SCOPE).best is Outcome.ACCEPTED
    assert decide([item()], [mat("a", True, R)], scope=TOWNSHIP_SCOPE).allowed == (Outcome.SIGNPOSTED,)


def test_the_signpost_goes_to_the_first_item_this_window_cannot_take():
    from clerk_console.domain.rules import signpost_dept

    here, away = item("I1", level=Level.TOWNSHIP), replace(item("I2"), dept="GA")
    assert signpost_dept([here, away, replace(item("I3"), dept="MZ")], TOWNSHIP_SCOPE) == "GA"
    assert signpost_dept([here], TOWNSHIP_SCOPE) is None


def test_mixed_items_accept_what_is_taken_here():
    """一窗受理 means accept: I1 is taken here (accepted), I2 elsewhere (signposted)."""
    v = decide([item("I1"), item("I2", in_hall=False)], [mat("a", True, R)], scope=CITY_SCOPE)
    assert Outcome.ACCEPTED in v.allowed and Outcome.SIGNPOSTED in v.allowed
    assert v.best is Outcome.ACCEPTED and "另出具路标" in v.option(Outcome.ACCEPTED).reason
    only_away = decide([item("I2", in_hall=False)], [mat("a", True, R)], scope=CITY_SCOPE)
    assert only_away.allowed == (Outcome.SIGNPOSTED,)


def test_no_items_no_outcome():
    assert decide([], []).best is None


def make_case(status=Status.DRAFT, **kw):
    return Case(id="x", case_no="YT0101-20261127-0001", window_code="YT0101", clerk_id="demo",
                applicant_id="370602199001011234", applicant_name="张三", applicant_kind="person",
                items=("I1",), created_at=datetime(2026, 11, 27, 9), status=status, **kw)


def test_life_cycle():
    c = transition(make_case(), Status.DEFERRED, outcome=Outcome.DEFERRED,
                   deadline=date(2026, 12, 4), materials=(mat("b", False, M),))
    assert c.version == 1
    assert overdue(c, date(2026, 12, 7)) and not overdue(c, date(2026, 12, 4))
    done = transition(transition(c, Status.COMPLETED), Status.DECIDED)
    assert transition(done, Status.DELIVERED).status is Status.DELIVERED
    with pytest.raises(TransitionError, match="不能从"):
        transition(c, Status.DELIVERED)
    with pytest.raises(TransitionError):
        transition(make_case(Status.NOTIFIED), Status.DECIDED)


def test_masking():
    assert mask_id("370602199001011237") == "3706**********1237"
    assert mask_id("91370600MA3C00000X", "uscc") == "91370600MA3C00000X"
    assert mask_name("张三丰") == "张*丰" and mask_name("李四") == "李*"


def test_item_elsewhere_is_signposted_even_with_materials_owed():
    v = decide([item(in_hall=False)], [mat("a", True, M)])
    assert v.allowed == (Outcome.SIGNPOSTED,) and v.best is Outcome.SIGNPOSTED
    assert "设路标" in v.option(Outcome.NOTIFIED).reason


def test_not_accepted_is_lawful_reasoned_and_never_preselected():
    """行政许可法 art. 32(1)(1)-(2): no permit needed, not within the office's powers, or the
    applicant may not apply -> 不予受理, with written reasons; the clerk's judgement, so it is
    offered whatever the materials but never preselected."""
    for materials in ([mat("a", True, R)], [mat("a", True, M)], [mat("a", True, R), mat("b", False, M)]):
        v = decide([item()], materials)
        assert Outcome.NOT_ACCEPTED in v.allowed and v.best is not Outcome.NOT_ACCEPTED
    assert refusal_problem("") and refusal_problem("  不行 ")
    assert refusal_problem("经营场所无歌舞游艺项目，依法无需娱乐场所经营许可") == ""


def test_not_accepted_never_replaces_a_signpost():
    """An item the hall merely routes elsewhere stays a signpost (issue #12)."""
    v = decide([item(in_hall=False)], [mat("a", True, R)])
    assert Outcome.NOT_ACCEPTED not in v.allowed and v.best is Outcome.SIGNPOSTED
    assert "设路标" in v.option(Outcome.NOT_ACCEPTED).reason
