"""Signposts name the applicant's own place (domain.rules.signpost_dept): a township-level item
goes to the 便民服务中心 of the 乡镇/街道 the registered address names (else one of the
applicant's district), a county-level one to the district of the address or, without one, of
the enterprise's domicile (GB 32100: USCC positions 3-8) or the ID's region (GB 11643)."""
from __future__ import annotations

from pathlib import Path

import pytest

from clerk_console.datafiles.catalogue import load_catalogue
from clerk_console.domain.rules import CITY_SCOPE, TOWNSHIP_SCOPE, signpost_dept, whereabouts

CAT = load_catalogue(Path(__file__).parents[1] / "data" / "catalogue")
DIBAO = CAT.items["3706135050150001000"]  # 最低生活保障审核确认, township level
SIGN = CAT.items["3706134010090001000"]  # 户外招牌设置审批, county level
HOUSE = CAT.items["3706003070220002000"]  # 不动产转移登记（继承）, another hall
PERSON_ID = "370612199001011234"  # first assigned in 牟平区
COMPANY = "91370611MA3C000001"  # registered in 福山区


@pytest.mark.parametrize("address, expected", [
    ("烟台市莱山区初家街道东陌堂村", "LS-CJ"),  # the 街道 the address names
    ("烟台市莱山区迎春大街58号", "LS-BMFW"),  # no 街道: the district's centres
    ("", "MP-BMFW"),  # no address: the ID number's region
])
def test_a_township_item_goes_to_the_applicants_own_township(address, expected):
    where = whereabouts(PERSON_ID, "person", address)
    assert signpost_dept([DIBAO], CITY_SCOPE, CAT.departments, where) == expected
    assert "便民服务中心" in CAT.departments[expected].name


@pytest.mark.parametrize("address, expected", [
    ("", "FS-ZWFW"),  # the USCC's region: 福山区
    ("烟台市芝罘区只楚路30号", "ZF-ZWFW"),  # the domicile's address decides first
])
def test_a_county_item_goes_to_the_district_of_the_domicile(address, expected):
    where = whereabouts(COMPANY, "enterprise", address)
    assert signpost_dept([SIGN], TOWNSHIP_SCOPE, CAT.departments, where) == expected


def test_other_items_keep_their_department_and_nothing_taken_here_is_signposted():
    where = whereabouts(PERSON_ID, "person", "烟台市莱山区初家街道")
    assert signpost_dept([HOUSE], CITY_SCOPE, CAT.departments, where) == "BDC"
    assert signpost_dept([SIGN], CITY_SCOPE, CAT.departments, where) is None
    assert signpost_dept([DIBAO], CITY_SCOPE) == DIBAO.dept  # no offices known: as before
    assert whereabouts("91370611MA3C00000", "enterprise").region == ""  # not a USCC
