"""The clerk's actions on a case as domain rules (Case.mark_material, supplement, void): each
refusal is a RuleError in Chinese, and nothing here needs a replica."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from clerk_console.domain.case import Case, CaseMaterial, MaterialState, Outcome, Status
from clerk_console.domain.errors import RuleError

DUE = date(2026, 12, 4)
DRAFT = Case(id="c1", case_no="YT0101-20261127-001", window_code="YT0101", clerk_id="c1",
             applicant_id="370602199203154321", applicant_name="李小梅", applicant_kind="person",
             items=("SCJG-001",), created_at=datetime(2026, 11, 27, 9, 30),
             materials=(CaseMaterial("M001", "身份证明", True),
                        CaseMaterial("M002", "场所证明", False),
                        CaseMaterial("M003", "营业执照", False, MaterialState.ELICENCE)))
DEFERRED = replace(DRAFT, status=Status.DEFERRED, outcome=Outcome.DEFERRED, deadline=DUE,
                   version=1, materials=(
                       CaseMaterial("M001", "身份证明", True, MaterialState.RECEIVED),
                       CaseMaterial("M002", "场所证明", False, MaterialState.MISSING),
                       CaseMaterial("M004", "卫生证明", False, MaterialState.MISSING)))


def test_mark_material_changes_one_material_of_a_draft():
    marked = DRAFT.mark_material("M002", MaterialState.DEFECTIVE, reason=" 缺盖章 ")
    assert [(m.code, m.state, m.reason) for m in marked.materials][1] == (
        "M002", MaterialState.DEFECTIVE, "缺盖章")
    assert marked.materials[0] == DRAFT.materials[0] and marked.version == DRAFT.version


@pytest.mark.parametrize("case, code, state, reason, refusal", [
    (DEFERRED, "M002", MaterialState.RECEIVED, "", "不能再修改材料"),
    (DRAFT, "M999", MaterialState.RECEIVED, "", "不在本办件的材料清单中"),
    (DRAFT, "M002", MaterialState.DEFECTIVE, "  ", "请写明材料不符合要求的原因"),
    (DRAFT, "M002", MaterialState.ELICENCE, "", "电子证照由系统核验"),
])
def test_mark_material_refusals(case, code, state, reason, refusal):
    with pytest.raises(RuleError, match=refusal):
        case.mark_material(code, state, reason=reason)


def test_supplement_keeps_the_deferral_until_nothing_is_owed():
    partly = DEFERRED.supplement(["M002", " M002 ", ""], today=DUE, originals=["M002"])
    assert partly.status is Status.DEFERRED and partly.version == 2
    assert [m.code for m in partly.owed] == ["M004"] and partly.materials[1].original
    done = partly.supplement(["M004"], today=DUE)
    assert done.status is Status.COMPLETED and done.version == 3 and not done.owed


@pytest.mark.parametrize("case, codes, today, refusal", [
    (DRAFT, ["M002"], DUE, "没有限期补交的材料"),
    (DEFERRED, ["M002"], date(2026, 12, 5), "已过，不能再补正"),
    (DEFERRED, [" ", ""], DUE, "请选择本次补交的材料"),
    (DEFERRED, ["M001"], DUE, "身份证明 不在该办件待补材料中"),
])
def test_supplement_refusals(case, codes, today, refusal):
    with pytest.raises(RuleError, match=refusal):
        case.supplement(codes, today=today)


def test_void_only_after_the_deadline_and_with_a_reason():
    with pytest.raises(RuleError, match="尚未届满"):
        DEFERRED.void(reason="逾期", today=DUE)
    with pytest.raises(RuleError, match="请填写废止原因"):
        DEFERRED.void(reason=" ", today=date(2026, 12, 5))
    with pytest.raises(RuleError, match="只有逾期未补交材料的办件可以废止"):
        DRAFT.void(reason="逾期", today=date(2026, 12, 5))
    voided = DEFERRED.void(reason=" 逾期未补正 ", today=date(2026, 12, 5))
    assert voided.status is Status.VOIDED and voided.note == "逾期未补正"
    assert voided.version == DEFERRED.version + 1
