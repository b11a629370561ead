"""One masking decision for every output: people masked, enterprises shown whole.

Screens, lists, the ``cases`` command and printed notices all go through
``clerk_console.domain.parties`` (mask_id for numbers, mask_name for names).
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from clerk_console.domain.case import MaterialState
from clerk_console.domain.parties import ApplicantKind, mask_elicence_number
from clerk_console.domain.parties import mask_party_name as mask_name
from clerk_console.printing import documents as D

from support.printing import MASKED, PERSON_ID, NOW, SETTINGS, _m, make, sample_cases, sample_catalogue

COMPANY_NAME = "烟台海风咖啡有限公司"
USCC = "91370600MA3C00001X"


def test_names_of_people_are_masked_names_of_enterprises_and_projects_are_not():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三丰", "person") == "张*丰"
    assert mask_name(COMPANY_NAME, ApplicantKind.ENTERPRISE) == COMPANY_NAME
    assert mask_name(COMPANY_NAME, "enterprise") == COMPANY_NAME
    assert mask_name("港城东大街改造项目", "project") == "港城东大街改造项目"
    assert mask_name(COMPANY_NAME, "uscc") == COMPANY_NAME


def test_an_elicence_number_is_masked_as_its_holder_or_as_a_persons_document():
    assert mask_elicence_number(PERSON_ID, PERSON_ID, "resident_id") == MASKED
    assert mask_elicence_number(PERSON_ID) == MASKED  # the legal rep's ID card of a company
    assert mask_elicence_number(USCC, USCC, "uscc") == USCC


def test_the_one_time_notice_never_prints_the_full_id_in_its_materials_table():
    case = sample_cases()["notified"]
    idcard = _m("M_LIC", "居民身份证", True, MaterialState.ELICENCE, lic=PERSON_ID)
    case = replace(case, materials=(idcard,) + case.materials[1:])
    for kind in (D.ONE_TIME_NOTICE, D.RECEIPT):
        doc = make(kind, case)
        strings = doc.strings()
        assert not [s for s in strings if PERSON_ID in s], kind
        assert any(MASKED in s for s in strings), kind
    assert f"电子证照库调取 {MASKED}" in make(D.RECEIPT, case).strings()


def test_an_enterprise_keeps_its_credit_code_on_paper():
    case = replace(sample_cases()["accepted"], applicant_id=USCC, applicant_kind="enterprise",
                   applicant_name=COMPANY_NAME)
    doc = make(D.RECEIPT, case, applicant=None)
    assert f"电子证照库调取 {USCC}" in doc.strings()


def test_handover_report_masks_people_not_enterprises():
    person = sample_cases()["accepted"]
    company = replace(person, case_no="YT0103-20261127-0007", applicant_id=USCC,
                      applicant_kind="enterprise", applicant_name=COMPANY_NAME)
    doc = D.handover_report([person, company], catalogue=sample_catalogue(), window="3号综合窗口",
                            clerk_name="李受理", settings=SETTINGS, day=date(2026, 11, 27), now=NOW)
    rows = [row for s in doc.sections if s.table for row in s.table.rows]
    names = {row[0]: row[2] for row in rows}
    assert names == {person.case_no: "张*丰", company.case_no: COMPANY_NAME}


def test_cases_command_rows_mask_people_only():
    from clerk_console.commands.cases import case_row

    person = sample_cases()["accepted"]
    company = replace(person, applicant_id=USCC, applicant_kind="enterprise",
                      applicant_name=COMPANY_NAME)
    assert case_row(person)["applicant_name"] == "张*丰"
    assert case_row(person)["applicant_id"] == MASKED
    row = case_row(company, "uscc")
    assert (row["applicant_name"], row["applicant_id"]) == (COMPANY_NAME, USCC)
    json.dumps(row, ensure_ascii=False)


def test_lists_on_screen_mask_people_not_enterprises():
    from clerk_console.ui.screens.returns import due_line

    person = replace(sample_cases()["deferred"], applicant_name="张三丰")
    company = replace(person, applicant_id=USCC, applicant_kind="enterprise",
                      applicant_name=COMPANY_NAME)
    assert "张*丰" in due_line(person, date(2026, 12, 4)).plain
    assert COMPANY_NAME in due_line(company, date(2026, 12, 4)).plain


async def test_a_wrong_check_character_scan_shows_the_number_masked(tmp_path):
    from support.ui import BAD_CHECK, burst, make_home, new_app, panel, sign_in

    app = new_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, BAD_CHECK)
        text = panel(app)
        assert "校验位应为5" in text
        assert BAD_CHECK not in text and BAD_CHECK[:4] + "*" * 10 + BAD_CHECK[-4:] in text
