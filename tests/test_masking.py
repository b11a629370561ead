"""domain.masking: the one rule for every personal document number, name and phone."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_console.domain.masking import (MAX_KEPT_RUN, ORGANISATION_KINDS, is_personal,
                                          mask_id, mask_name, mask_phone)
from clerk_console.domain.parties import mask_id as parties_mask_id

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
PERSON_KINDS = ("resident_id", "hk_macao_taiwan_permit", "foreign_permanent_resident_id",
                "hk_macao_home_return_permit", "tw_compatriot_permit", "hk_identity_card",
                "tw_national_id", "passport", "unknown", "")


@pytest.mark.parametrize("number,kind,masked", [
    ("370602199001011237", "resident_id", "3706**********1237"),
    ("370602900101123", "resident_id", "3706*******1123"),
    ("810000199001011234", "hk_macao_taiwan_permit", "8100**********1234"),
    ("USA370612341234", "foreign_permanent_resident_id", "USA3*******1234"),
    ("937084019900101123X", "foreign_permanent_resident_id", "9370***********123X"),
    ("H12345678", "hk_macao_home_return_permit", "H1*****78"),
    ("H1234567801", "hk_macao_home_return_permit", "H1*******01"),
    ("12345678", "tw_compatriot_permit", "12****78"),
    ("A1234563", "hk_identity_card", "A1****63"),
    ("A123456789", "tw_national_id", "A1******89"),
    ("E12345678", "passport", "E1*****78"),
    ("123456", "passport", "1****6"),
    ("USA370612341234", "unknown", "USA3*******1234"),
    ("ABC", "", "***"),
])
def test_every_person_document_is_masked(number, kind, masked):
    assert mask_id(number, kind) == masked


def test_the_2017_permanent_residence_id_is_masked_by_default():
    # Before: any number not made of digits came back whole.
    assert mask_id("USA370612341234") == "USA3*******1234"


@pytest.mark.parametrize("number,kind", [("91370600MA3C00000X", "uscc"),
                                         ("2024-370602-04-01-123456", "project_code")])
def test_organisations_codes_are_not_personal_data(number, kind):
    assert mask_id(number, kind) == number and not is_personal(kind)


def test_parties_mask_id_is_the_same_function():
    assert parties_mask_id is mask_id


def longest_kept_run(original: str, masked: str) -> int:
    """Length of the longest substring of ``masked`` that is also a substring of ``original``."""
    best = 0
    for i in range(len(masked)):
        for j in range(i + best + 1, len(masked) + 1):
            if masked[i:j] in original:
                best = j - i
            else:
                break
    return best


numbers = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=0, max_size=44)


@SETTINGS
@given(numbers, st.sampled_from(PERSON_KINDS))
def test_no_masked_number_keeps_more_than_a_short_run(number, kind):
    masked = mask_id(number, kind)
    assert len(masked) == len(number)
    assert longest_kept_run(number, masked) <= MAX_KEPT_RUN
    kept = len(number) - masked.count("*")
    assert kept <= (8 if len(number) >= 15 else len(number) // 2)


@SETTINGS
@given(numbers, st.sampled_from(sorted(ORGANISATION_KINDS)))
def test_organisation_codes_pass_through(number, kind):
    assert mask_id(number, kind) == number


@pytest.mark.parametrize("name,masked", [
    ("张三丰", "张*丰"), ("李四", "李*"), ("王", "王"), ("欧阳娜娜", "欧**娜"),
    ("艾力·买买提", "艾*·**提"), ("JOHN SMITH", "J*** ****H"), ("陳大文", "陳*文"), ("", ""),
])
def test_names(name, masked):
    assert mask_name(name) == masked


names = st.text(alphabet=st.sampled_from("张三丰李四王欧阳娜ABCXYZ ·-"), max_size=20)


@SETTINGS
@given(names)
def test_a_masked_name_keeps_at_most_one_letter_at_each_end(name):
    masked = mask_name(name)
    assert len(masked) == len(name)
    letters = [c for c in name if c not in " ·-"]
    kept = [c for c, m in zip(name, masked) if c == m and c not in " ·-"]
    assert len(kept) <= (len(letters) if len(letters) <= 1 else 1 if len(letters) == 2 else 2)


@pytest.mark.parametrize("phone,masked", [
    ("13812345678", "138****5678"), ("0531-88886666", "053*-****6666"),
    ("+852 91234567", "+852 ****4567"), ("88886666", "****6666"), ("12345", "***45"),
    ("110", "***"), ("", ""),
])
def test_phones(phone, masked):
    assert mask_phone(phone) == masked


@SETTINGS
@given(st.text(alphabet="0123456789+- ", max_size=24))
def test_a_masked_phone_keeps_at_most_seven_digits(phone):
    masked = mask_phone(phone)
    digits = sum(c.isdigit() for c in phone)
    kept = sum(c.isdigit() for c in masked)
    assert len(masked) == len(phone)
    assert kept <= min(7, max(0, digits - 4)) if digits >= 11 else kept <= 4
