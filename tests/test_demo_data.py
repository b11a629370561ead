"""The synthetic demo data under data/demo: valid codes, resolved references, scenarios."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from clerk_console.config import data_root
from clerk_console.domain.codes import FOREIGN_PR_ID, HMT_PERMIT, RESIDENT_ID, identify
from clerk_console.domain.parties import ApplicantKind
from clerk_console.datafiles.catalogue import load_catalogue
from clerk_console.datafiles.demo import DemoDataError, load_demo
from support.datafiles import copy_folder, edit

DEMO = data_root() / "demo"
TODAY = date(2026, 11, 27)
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
YANTAI = {"370602", "370611", "370612", "370613", "370614", "370681", "370683", "370685",
          "370686", "370687"}


# --- independent check-character implementations (GB 11643, GB 11714, GB 32100) --------------

def mod11_2_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(number[:17], weights))
    return "10X98765432"[total % 11] == number[17]


def org_code_ok(code9: str) -> bool:
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
                for c, w in zip(code9[:8], (3, 7, 9, 10, 5, 8, 4, 2)))
    expected = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    return code9[8] == expected


def uscc_ok(code: str) -> bool:
    weights = [3 ** i % 31 for i in range(17)]
    total = sum(ALPHA.index(c) * w for c, w in zip(code[:17], weights))
    return len(code) == 18 and all(c in ALPHA for c in code) and ALPHA[-total % 31] == code[17]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(data_root() / "catalogue")


@pytest.fixture(scope="module")
def demo(catalogue):
    return load_demo(DEMO, today=TODAY, catalogue=catalogue)


def test_demo_sizes_and_special_people(demo):
    people = demo.of_kind(ApplicantKind.PERSON)
    enterprises = demo.of_kind(ApplicantKind.ENTERPRISE)
    assert len(people) >= 30 and len(enterprises) >= 12
    assert len(demo.of_kind(ApplicantKind.PROJECT)) >= 1
    assert any(any(ord(ch) > 0xFFFF for ch in p.name) for p in people)
    ids = {p.id_number: p.id_kind for p in people}
    assert any(i.startswith("810000") and k == HMT_PERMIT for i, k in ids.items())
    assert any(i.startswith("830000") and k == HMT_PERMIT for i, k in ids.items())
    assert any(i.startswith("9") and k == FOREIGN_PR_ID for i, k in ids.items())
    residents = [p for p in people if p.id_kind == RESIDENT_ID]
    assert residents and all(p.region in YANTAI for p in residents)
    names = " ".join(e.name for e in enterprises)
    for trade in ("咖啡", "餐饮", "药房", "宾馆", "健身", "便利店", "烘焙", "酒吧", "茶"):
        assert trade in names


def test_every_code_passes_the_checksums(demo):
    for a in demo.applicants.values():
        if a.kind is ApplicantKind.PERSON and len(a.id_number) == 18:
            assert mod11_2_ok(a.id_number), a.name
            assert stdnum_ric.calc_check_digit(a.id_number) == a.id_number[17]  # takes the full number
        elif a.kind is ApplicantKind.PERSON:
            assert independent_check_ok(a.id_number, a.id_kind), a.name
        elif a.kind is ApplicantKind.ENTERPRISE:
            assert uscc_ok(a.id_number) and org_code_ok(a.id_number[8:17]), a.name
            assert stdnum_uscc.is_valid(a.id_number), a.name
            assert a.id_number[:2] in ("91", "92") and a.id_number[2:8] in YANTAI
        else:
            assert re.fullmatch(r"20\d\d-3706\d\d-\d\d-\d\d-\d{6}", a.id_number)
        assert identify(a.id_number, today=TODAY).valid
    for entry in demo.blacklist.values():
        assert mod11_2_ok(entry.subject_id) or uscc_ok(entry.subject_id)


def independent_check_ok(number: str, kind: str) -> bool:
    """The Hong Kong and Taiwan ID checks written again from their rules; the documents with
    no public check only by shape."""
    if kind == "hk_identity_card":
        body = number[:-1].rjust(8)
        value = lambda c: 36 if c == " " else int(c) if c.isdigit() else ord(c) - 55  # noqa: E731
        total = sum(value(c) * w for c, w in zip(body, range(9, 1, -1)))
        return "0123456789A"[(11 - total % 11) % 11] == number[-1]
    if kind == "tw_national_id":
        v = "ABCDEFGHJKLMNPQRSTUVXYWZIO".index(number[0]) + 10
        total = v // 10 + v % 10 * 9 + sum(int(c) * w for c, w in zip(number[1:], (8, 7, 6, 5, 4, 3, 2, 1, 1)))
        return total % 10 == 0
    shapes = {"hk_macao_home_return_permit": r"[HM]\d{8}(\d\d)?", "tw_compatriot_permit": r"\d{8}(\d\d)?",
              "passport": r"(E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8}|[A-Z]{3}:[A-Z0-9]{5,9})",
              "foreign_permanent_resident_id": r"[A-Z]{3}\d{12}"}
    return bool(re.fullmatch(shapes[kind], number))


def test_every_document_kind_has_a_demo_person(demo):
    kinds = {p.id_kind for p in demo.of_kind(ApplicantKind.PERSON)}
    assert {"hk_macao_home_return_permit", "tw_compatriot_permit", "hk_identity_card",
            "tw_national_id", "passport", "foreign_permanent_resident_id"} <= kinds
    foreigners = [p for p in demo.of_kind(ApplicantKind.PERSON)
                  if p.id_kind == "foreign_permanent_resident_id" or ":" in p.id_number]
    assert foreigners and all(len(p.nationality) == 3 for p in foreigners)


def test_independent_checks_catch_a_typo(demo):
    bad = demo.scenarios["bad_checksum"]
    assert bad.expect == "invalid" and not mod11_2_ok(bad.code)
    assert not identify(bad.code, today=TODAY).valid
    good = next(a for a in demo.applicants.values() if a.kind is ApplicantKind.ENTERPRISE).id_number
    assert not uscc_ok(good[:10] + ("1" if good[10] != "1" else "2") + good[11:])


def test_enterprises_have_people_and_roles(demo):
    for e in demo.of_kind(ApplicantKind.ENTERPRISE):
        assert e.legal_rep_id in demo.applicants and e.legal_rep_name
        assert all(rid in demo.applicants for rid in e.related_ids)
    hotel = demo.applicants[demo.scenarios["blacklisted_shareholder"].code]
    roles = demo.related_roles(hotel.id_number)
    assert "股东" in roles.values() and "高级管理人员" in roles.values()


def test_blacklist_direct_via_legal_rep_and_via_shareholder(demo):
    hits = {key: demo.blacklist_hit(demo.scenarios[key].code) for key in
            ("blacklisted_enterprise", "blacklisted_legal_rep", "blacklisted_shareholder",
             "coffee_deferral", "agent_for_enterprise")}
    assert hits["blacklisted_enterprise"].via == ""
    assert hits["blacklisted_legal_rep"].via == "法定代表人"
    assert hits["blacklisted_shareholder"].via == "股东"
    assert hits["coffee_deferral"] is None and hits["agent_for_enterprise"] is None
    gym = demo.applicants[demo.scenarios["blacklisted_legal_rep"].code]
    assert gym.id_number not in demo.blacklist  # only through its legal representative


def test_project_reaches_owner_and_its_people(demo):
    project = demo.applicants[demo.scenarios["project"].code]
    owner_id = project.related_ids[0]
    owner = demo.applicants[owner_id]
    assert owner.kind is ApplicantKind.ENTERPRISE
    assert project.legal_rep_id == owner.legal_rep_id
    assert demo.related_roles(project.id_number)[owner_id] == "项目单位"


def test_elicences_for_coffee_shop_and_expiry(demo, catalogue):
    cafe = demo.scenarios["coffee_deferral"].code
    assert {e.type_code for e in demo.elicences_of(cafe, TODAY)} == {"YYZZ"}
    rep = demo.applicants[cafe].legal_rep_id
    assert "SFZ" in {e.type_code for e in demo.elicences_of(rep, TODAY)}
    bundle = catalogue.bundles[demo.scenarios["coffee_deferral"].bundle]
    types = {line.material.elicence_type for line in catalogue.checklist(bundle.items)}
    assert {"YYZZ", "SFZ"} <= types
    restaurant = demo.scenarios["expired_elicence"].code
    all_types = {e.type_code for e in demo.elicences_of(restaurant)}
    valid_types = {e.type_code for e in demo.elicences_of(restaurant, TODAY)}
    assert "SPJYXKZ" in all_types - valid_types
    assert all(e.type_code in catalogue.elicence_types for e in demo.elicences)


def test_scenarios_resolve(demo, catalogue):
    assert len(demo.scenarios) >= 8
    for s in demo.scenarios.values():
        assert (s.code in demo.applicants) == (s.expect == "known"), s.key
        assert not s.bundle or s.bundle in catalogue.bundles
    agent = demo.scenarios["agent_for_enterprise"].agent
    assert demo.applicants[agent].kind is ApplicantKind.PERSON
    unknown = demo.scenarios["unknown_applicant"]
    assert identify(unknown.code, today=TODAY).valid and unknown.code not in demo.applicants


def test_readme_script_reproduces_the_codes(demo):
    text = (DEMO / "README.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    scope: dict = {}
    exec(compile(script.replace("print(", "_ = ("), "README", "exec"), scope)
    cafe = demo.scenarios["coffee_deferral"].code
    assert scope["credit_code"]("91", cafe[2:8], cafe[8:16]) == cafe
    rep = demo.applicants[cafe].legal_rep_id
    assert scope["resident_id"](rep[:6], rep[6:14], int(rep[14:17])) == rep


# --- malformed demo files --------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_folder(DEMO, tmp_path)


FIRST_PERSON = "370613198803120159"
MALFORMED = [
    ("people.toml", f'"{FIRST_PERSON}"', f'"{FIRST_PERSON[:-1]}0"', "people[0].id_number", "校验位", True),
    ("people.toml", 'name = "李婷"', 'name = ""', "people[1].name", "不能为空", True),
    ("enterprises.toml", f'legal_rep = "{FIRST_PERSON}"', 'legal_rep = "370602199105150268"',
     "enterprises[0].legal_rep", "不在 people.toml 中", True),
    ("enterprises.toml", 'id_number = "91370613MA3CKF011N"', 'id_number = "370602199105150268"',
     "enterprises[0].id_number", "此处不适用", True),
    ("elicences.toml", "issued = 2019-06-01", 'issued = "2019-06-01"', "elicences[0].issued",
     "应为日期", True),
    ("elicences.toml", 'type = "SFZ"', 'type = "SFZZ"', "elicences[0].type", "SFZZ 未在事项目录", True),
    ("blacklist.toml", 'name = "刘建国"', 'name = "刘建军"', "entries[1].name", "不一致", True),
    ("scenarios.toml", 'expect = "known"', 'expect = "unknown"', "scenarios[0].code", "不符", False),
]


@pytest.mark.parametrize("rel, old, new, key, reason, on_line", MALFORMED,
                         ids=[f"{m[0]}:{m[4]}" for m in MALFORMED])
def test_malformed_demo_file(folder, catalogue, rel, old, new, key, reason, on_line):
    line = edit(folder, rel, old, new)
    with pytest.raises(DemoDataError) as err:
        load_demo(folder, today=TODAY, catalogue=catalogue)
    exc = err.value
    assert (exc.origin, exc.key) == (rel, key)
    assert reason in exc.reason and rel in str(exc) and "演示数据" in str(exc)
    if on_line:
        assert exc.line == line


def test_project_owner_change_is_followed(folder):
    edit(folder, "projects.toml", 'owner = "91370613MA3PTH122H"', 'owner = "91370613MA3CKF011N"')
    demo = load_demo(folder, today=TODAY)
    project = demo.applicants["2026-370613-34-03-000128"]
    assert project.related_ids[0] == "91370613MA3CKF011N"
    assert project.legal_rep_name == "张晓明"
