"""Domain rules of one visit (domain.visit), of quick entry (domain.registration) and the
short case number (domain.ids.short_case_no)."""
from __future__ import annotations

from datetime import datetime

import pytest

from clerk_console.domain.case import Case, Status
from clerk_console.domain.ids import short_case_no
from clerk_console.domain.parties import Applicant, ApplicantKind
from clerk_console.domain.registration import holder_name_error, phone_error
from clerk_console.domain.visit import comes_as_agent, project_owner_id, same_open_cases

SHOP = Applicant("91370613MA3CKF011N", "uscc", ApplicantKind.ENTERPRISE, "烟台海岸咖啡有限公司")
PERSON = Applicant("370602199003071235", "resident_id", ApplicantKind.PERSON, "张伟")
PROJECT = Applicant("2026-370613-34-03-000128", "project_code", ApplicantKind.PROJECT, "车桥项目")


def case(no: str, items, status=Status.DEFERRED, applicant=SHOP.id_number) -> Case:
    return Case(id=no, case_no=no, window_code="YT0101", clerk_id="1001", applicant_id=applicant,
                applicant_name="x", applicant_kind="enterprise", items=tuple(items),
                created_at=datetime(2026, 11, 26, 9), status=status)


def test_a_person_scanned_while_an_organisation_is_served_is_its_agent():
    assert comes_as_agent(SHOP, PERSON.id_number, "resident_id", closed=False, picked=False)
    assert comes_as_agent(PROJECT, PERSON.id_number, "passport", closed=False, picked=False)


@pytest.mark.parametrize(("served", "code", "kind", "closed", "picked"), [
    (PERSON, "370602198012120030", "resident_id", False, False),  # a person has no agent here
    (SHOP, "91370600MA3C123466", "uscc", False, False),  # another enterprise: a new applicant
    (SHOP, SHOP.id_number, "uscc", False, False),  # the same code again
    (SHOP, PERSON.id_number, "resident_id", True, False),  # case saved: the next visitor
    (None, PERSON.id_number, "resident_id", False, False),
])
def test_other_scans_open_a_new_applicant(served, code, kind, closed, picked):
    assert not comes_as_agent(served, code, kind, closed=closed, picked=picked)


def test_after_a_saved_case_new_items_keep_the_visit_going():
    assert comes_as_agent(SHOP, PERSON.id_number, "resident_id", closed=True, picked=True)


def test_same_open_cases_are_the_applicants_open_ones_sharing_an_item():
    cases = [case("0002", ["FOOD", "SIGN"]), case("0003", ["HOTEL"]),
             case("0004", ["FOOD"], status=Status.VOIDED), case("0005", ["FOOD"], applicant="x"),
             case("0006", ["SIGN"], status=Status.DECIDED)]
    found = same_open_cases(cases, SHOP.id_number, ["SIGN", "FOOD", "CERT"])
    assert [(s.case.case_no, s.items) for s in found] == [("0002", ("SIGN", "FOOD")),
                                                          ("0006", ("SIGN",))]
    assert same_open_cases(cases, SHOP.id_number, ["CERT"]) == []


def test_project_owner_is_the_related_enterprise_of_role_project_owner():
    roles = {"370602199003071235": "法定代表人", "91370613MA3PTH122H": "项目单位"}
    assert project_owner_id(PROJECT, roles) == "91370613MA3PTH122H"
    assert project_owner_id(SHOP, roles) == ""
    assert project_owner_id(PROJECT, {}) == ""


def test_short_case_numbers_keep_the_date():
    assert short_case_no("YT0101-20261127-0003") == "11-27-0003"
    assert short_case_no("YT0101-20261126-0003") != short_case_no("YT0101-20261127-0003")
    assert short_case_no("odd") == "odd"


@pytest.mark.parametrize(("name", "kind", "details", "bad"), [
    ("张伟", "resident_id", {}, ""),
    ("张3", "resident_id", {}, "数字"),
    ("烟台3D打印有限公司", "uscc", {}, ""),
    ("史密斯", "passport", {"issuing_code": "GBR"}, "拉丁字母"),
    ("SMITH JANE", "passport", {"issuing_code": "GBR"}, ""),
])
def test_holder_name_rule_by_document_kind(name, kind, details, bad):
    error = holder_name_error(name, kind, details)
    assert (bad in error and error) if bad else error == ""


@pytest.mark.parametrize(("phone", "ok"), [
    ("13805351234", True), ("１３８０５３５１２３４", True), ("0535-6688123", True),
    ("138 0535 1234", True), ("12345", False), ("23805351234", False)])
def test_phone_rule(phone, ok):
    assert (phone_error(phone) == "") is ok


def test_a_phone_may_be_left_out_only_when_optional():
    assert "请输入联系电话" in phone_error("")
    assert phone_error("", optional=True) == ""
    assert phone_error("123", optional=True)
