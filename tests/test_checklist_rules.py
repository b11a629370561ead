"""The merged checklist's rules (clerk_console.domain.checklist): what a key may mark, what an
e-licence covers, what survives a re-merge; the widget only draws these."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from clerk_console.domain import checklist
from clerk_console.domain.case import Case, CaseMaterial, MaterialState
from clerk_console.domain.errors import RuleError

P, R, E, M = (MaterialState.PENDING, MaterialState.RECEIVED, MaterialState.ELICENCE,
              MaterialState.MISSING)
LIST = (CaseMaterial("id", "身份证明", True),
        CaseMaterial("lic", "营业执照", True, E, elicence_number="91370600MA3C00001X"),
        CaseMaterial("site", "场所证明", False),
        CaseMaterial("plan", "平面图", False, M))


def states(materials):
    return [m.state for m in materials]


def test_mark_sets_one_material_and_keeps_its_original_flag():
    marked = checklist.mark((replace(LIST[0], original=True),) + LIST[1:], 0, R)
    assert states(marked) == [R, E, P, M] and marked[0].original


@pytest.mark.parametrize("state", [R, M, MaterialState.DEFECTIVE, P])
def test_an_elicence_material_is_never_marked_by_hand(state):
    assert checklist.mark(LIST, 1, state) == LIST
    assert checklist.toggle_original(LIST, 1) == LIST


def test_no_key_marks_a_material_as_covered_by_an_elicence():
    assert checklist.mark(LIST, 0, E) == LIST


def test_toggle_original_receives_and_flips():
    once = checklist.toggle_original(LIST, 2)
    assert once[2].state is R and once[2].original
    assert not checklist.toggle_original(once, 2)[2].original


def test_receive_main_and_all_touch_only_what_was_not_looked_at():
    assert states(checklist.receive_main(LIST)) == [R, E, P, M]
    assert states(checklist.receive_all(LIST)) == [R, E, R, M]


def test_keep_marks_carries_the_clerks_marks_but_never_an_old_elicence():
    before = (CaseMaterial("id", "身份证明", True, R, True),
              CaseMaterial("lic", "营业执照", True, M))
    fresh = LIST  # re-merged: "lic" is now covered by the library, "site" and "plan" are new
    kept = checklist.keep_marks(fresh, before)
    assert states(kept) == [R, E, P, M] and kept[0].original and kept[1] == LIST[1]


def test_marked_count_and_groups():
    assert checklist.marked_count(LIST) == 1  # "plan" missing; the e-licence does not count
    assert checklist.groups(LIST) == [("主要材料", [0, 1]), ("次要材料", [2, 3])]
    assert checklist.groups(LIST[2:]) == [("次要材料", [0, 1])]


def test_mark_material_on_the_case_leaves_an_elicence_material_covered():
    draft = Case(id="c", case_no="", window_code="W", clerk_id="c1", applicant_id="x",
                 applicant_name="x", applicant_kind="enterprise", items=("I",),
                 created_at=datetime(2026, 1, 5, 9), materials=LIST)
    assert draft.mark_material("lic", M) == draft
    with pytest.raises(RuleError, match="电子证照由系统核验"):
        draft.mark_material("id", E)
