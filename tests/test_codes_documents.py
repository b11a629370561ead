"""Documents of Hong Kong, Macao, Taiwan and foreign applicants, passports with their MRZ, and
the payloads real scanners and readers send (domain.codes: identify, payloads)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_console.domain.codes import (FOREIGN_PR_ID, HK_IDENTITY_CARD, HOME_RETURN_PERMIT,
                                        PASSPORT, RESIDENT_ID, TW_COMPATRIOT_PERMIT,
                                        TW_NATIONAL_ID, UNKNOWN, USCC, PROJECT_CODE, identify)
from clerk_console.domain.codes import countries, regions
from clerk_console.domain.codes.hk_identity_card import calc_check_char as hk_check
from clerk_console.domain.codes.passport import mrz_check_digit
from clerk_console.domain.codes.resident_id import calc_check_char
from clerk_console.domain.codes.tw_national_id import LETTER_VALUES, calc_check_digit as tw_check
from clerk_console.domain.codes.uscc import calc_check_char as uscc_check, calc_org_check_char

TODAY = date(2026, 11, 27)
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ident(text: str, **kw):
    return identify(text, TODAY, **kw)


def person(body: str) -> str:
    return body + calc_check_char(body)


def credit(head="91", region="370602", org="MA3C0D1E") -> str:
    body = head + region + org + calc_org_check_char(org)
    return body + uscc_check(body)


# -- Hong Kong identity card ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["A123456(3)", "a123456(3)", "A1234563", "Ａ１２３４５６（３）"])
def test_hk_identity_card_with_or_without_brackets(text):
    r = ident(text)
    assert (r.kind, r.valid, r.normalized) == (HK_IDENTITY_CARD, True, "A1234563")
    assert r.details["formatted"] == "A123456(3)"


def test_hk_identity_card_check_is_computed():
    assert hk_check("A", "123456") == "3"  # the Immigration Department's own example
    r = ident("A123456(4)")
    assert r.kind == HK_IDENTITY_CARD and not r.valid and "校验位应为3" in r.error


hk_numbers = st.builds(lambda p, d: p + d + hk_check(p, d),
                       st.text(LETTERS, min_size=1, max_size=2),
                       st.integers(0, 999999).map(lambda n: f"{n:06d}"))


@SETTINGS
@given(hk_numbers, st.data())
def test_hk_identity_card_property(number, data):
    bracketed = f"{number[:-1]}({number[-1]})"
    r = ident(bracketed)
    assert (r.kind, r.valid, r.normalized) == (HK_IDENTITY_CARD, True, number)
    # any single substitution among the digits or the check is caught
    i = data.draw(st.integers(len(number) - 7, len(number) - 1))
    options = "0123456789A" if i == len(number) - 1 else "0123456789"
    new = data.draw(st.sampled_from([c for c in options if c != number[i]]))
    typo = number[:i] + new + number[i + 1:]
    assert not ident(f"{typo[:-1]}({typo[-1]})").valid


# -- Taiwan national ID ----------------------------------------------------------------------

def test_tw_national_id():
    r = ident("A123456789")
    assert (r.kind, r.valid, r.details["sex"]) == (TW_NATIONAL_ID, True, "男")
    bad = ident("A123456788")
    assert bad.kind == TW_NATIONAL_ID and not bad.valid and "校验位应为9" in bad.error
    assert "第2位" in ident("A323456789").error


tw_numbers = st.builds(lambda l, sex, d: l + sex + d + tw_check(l + sex + d + "0"),
                       st.sampled_from(sorted(LETTER_VALUES)), st.sampled_from("12"),
                       st.integers(0, 9999999).map(lambda n: f"{n:07d}"))


@SETTINGS
@given(tw_numbers, st.data())
def test_tw_national_id_property(number, data):
    assert ident(number).valid and ident(number).kind == TW_NATIONAL_ID
    i = data.draw(st.integers(2, 9))
    new = data.draw(st.sampled_from([c for c in "0123456789" if c != number[i]]))
    weight = 9 - i if i < 9 else 1
    # modulo 10: caught unless the change times its weight is a multiple of 10 (docstring)
    caught = (int(new) - int(number[i])) * weight % 10 != 0
    assert ident(number[:i] + new + number[i + 1:]).valid is not caught


def test_tw_id_with_h_failing_names_the_home_return_permit_too():
    r = ident("H123456780")  # H + 9 digits: a bad Taiwan ID or a home-return permit typo
    assert not r.valid and "港澳居民来往内地通行证" in r.error


# -- travel permits ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,renewals", [
    ("H12345678", HOME_RETURN_PERMIT, None), ("m1234567802", HOME_RETURN_PERMIT, 2),
    ("12345678", TW_COMPATRIOT_PERMIT, None), ("1234567801", TW_COMPATRIOT_PERMIT, 1)])
def test_travel_permits(text, kind, renewals):
    r = ident(text)
    assert (r.kind, r.valid, r.details["renewals"]) == (kind, True, renewals)
    assert any("没有公开的校验规则" in w for w in r.warnings)


def test_home_return_permit_with_wrong_length():
    r = ident("H1234567")
    assert not r.valid and "应为9位" in r.error


# -- passports -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["E12345678", "EA1234567", "G12345678", "CHN:E12345678"])
def test_chinese_passports(text):
    r = ident(text)
    assert (r.kind, r.valid, r.details["issuing_code"]) == (PASSPORT, True, "CHN")


@pytest.mark.parametrize("text", ["USA:A12345678", "usa a12345678", "USA A12345678"])
def test_foreign_passport_with_its_issuing_state(text):
    r = ident(text)
    assert (r.kind, r.valid, r.normalized) == (PASSPORT, True, "USA:A12345678")
    assert r.details["issuing_country"] == "美国"


def test_foreign_passport_state_must_exist():
    r = ident("ZZQ:A1234567")
    assert not r.valid


def mrz_line2(number="A12345678", nationality="USA", birth="850612", sex="M", expiry="300101"):
    line = (number.ljust(9, "<") + mrz_check_digit(number.ljust(9, "<")) + nationality + birth
            + mrz_check_digit(birth) + sex + expiry + mrz_check_digit(expiry) + "<" * 15)
    return line + mrz_check_digit(line[0:10] + line[13:20] + line[21:43])


LINE1 = "P<USASMITH<<JOHN<PAUL".ljust(44, "<")


def test_mrz_two_lines_give_number_name_and_nationality():
    r = ident(LINE1 + "\r\n" + mrz_line2() + "\r\n")
    assert (r.kind, r.valid, r.normalized, r.payload) == (PASSPORT, True, "USA:A12345678", "mrz")
    assert r.prefill["name"] == "SMITH JOHN PAUL" and r.prefill["nationality"] == "USA"
    assert r.details["birth_date"] == "1985-06-12" and r.details["sex"] == "男"


def test_icao_specimen_check_digits():
    # ICAO Doc 9303 part 4's specimen (Utopia): every check digit as printed there
    line2 = "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
    assert [mrz_check_digit(f) for f in ("L898902C<", "690806", "940623")] == ["3", "1", "6"]
    r = ident(line2)
    assert r.valid and any("过期" in w for w in r.warnings)


def test_mrz_check_digit_errors_name_the_field():
    line = mrz_line2()
    bad = line[:9] + str((int(line[9]) + 1) % 10) + line[10:]
    r = ident(bad)
    assert r.kind == PASSPORT and not r.valid and "护照号码的校验位" in r.error
    assert "第一行" in ident(LINE1).error


def test_chinese_passport_mrz_keeps_the_bare_number():
    line1 = "POCHNZHANG<<SAN".ljust(44, "<")
    r = ident(line1 + mrz_line2(number="E12345678", nationality="CHN"))
    assert (r.valid, r.normalized) == (True, "E12345678")


# -- foreigners' permanent residence IDs -------------------------------------------------------

def test_2017_edition_checks_nationality_province_and_birth_date():
    assert ident("USA110806150012").valid
    assert "国籍代码“ZZZ”" in ident("ZZZ110806150012").error
    assert "受理地代码99" in ident("USA990806150012").error
    assert "2008-13-15不存在" in ident("USA110813150012").error


def test_2023_edition_with_a_province_that_does_not_exist_is_invalid():
    r = ident(person("999840" + "19800615" + "015"))
    assert r.kind == FOREIGN_PR_ID and not r.valid and "签发地代码99" in r.error
    ok = ident(person("932840" + "19800615" + "015"))
    assert ok.valid and ok.details["nationality"] == "USA" and ok.prefill["nationality"] == "USA"


def test_9_prefixed_with_a_birth_date_and_a_bad_check_is_a_permanent_residence_id():
    number = person("937410" + "19850612" + "337")
    bad = number[:-1] + next(c for c in "0123456789" if c != number[-1]
                              and uscc_check(number[:17]) != c)
    r = ident(bad)
    assert r.kind == FOREIGN_PR_ID and not r.valid and r.error.startswith("校验位应为")


# -- ambiguity ----------------------------------------------------------------------------------

def test_a_letter_among_an_id_s_digits_is_a_likely_typo():
    good = person("370602" + "19900101" + "123")
    typo = good[:11] + "I" + good[12:]  # 1 typed as I
    r = ident(typo)
    assert r.kind == RESIDENT_ID and not r.valid and r.error.startswith("疑似输错")
    if good[11] == "1":
        assert "改为1后校验通过" in r.error


def test_dashed_project_code_with_a_wrong_group_length_is_a_malformed_project_code():
    r = ident("2021-37060-48-01-123456")
    assert r.kind == PROJECT_CODE and not r.valid and "地区代码“37060”为5位" in r.error


def test_uscc_pilot_code_listed_as_an_exception():
    code = credit()[:-1] + ("0" if credit()[-1] != "0" else "1")
    assert "校验位应为" in ident(code).error
    r = ident(code, uscc_exceptions=frozenset({code}))
    assert r.kind == USCC and r.valid and r.warnings and "应为" not in " ".join(r.warnings)


# -- payloads ---------------------------------------------------------------------------------

ID = person("370602" + "19900101" + "123")
USCC_CODE = credit()


@pytest.mark.parametrize("text,code,shape", [
    (f"http://www.gsxt.gov.cn/index.html?uniscid={USCC_CODE}&sign=abc", USCC_CODE, "licence_qr"),
    (f"https://zzlz.gsxt.gov.cn/businessShow?serial={USCC_CODE}-20240101-01", USCC_CODE,
     "elicence_link"),
    (f"\x02{ID}\x03", ID, ""), (f"]Q1{ID}", ID, ""), (f"]C0{USCC_CODE}\r\n", USCC_CODE, ""),
    (f"ID:{ID}", ID, ""), (f"身份证号：{ID}", ID, ""), (f"统一社会信用代码：{USCC_CODE}", USCC_CODE, ""),
    (f"【{USCC_CODE}】", USCC_CODE, ""), (f"【身份证号：{ID}】", ID, ""), (f"{ID}\t", ID, ""),
    (f"{ID[:6]}，{ID[6:14]}.{ID[14:]}", ID, ""), (f"{ID[:6]}_{ID[6:]}", ID, ""),
    (f"{ID[:6]}/{ID[6:]}", ID, ""),
])
def test_payload_shapes_give_the_code(text, code, shape):
    r = ident(text)
    assert (r.valid, r.normalized, r.payload) == (True, code, shape)


def test_times_sign_is_read_as_x():
    number = next(person(f"370602199001{n:02d}123") for n in range(1, 29)
                  if calc_check_char(f"370602199001{n:02d}123") == "X")
    r = ident(number[:-1] + "×")
    assert r.valid and r.normalized == number


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_id_card_reader_record_prefills_quick_entry(sep):
    fields = ["张三", "男", "汉", "19900101", "山东省烟台市芝罘区南大街1号", ID, "烟台市公安局芝罘分局",
              "2015.01.01-2035.01.01"]
    r = ident(sep.join(fields) + "\r")
    assert (r.kind, r.valid, r.normalized, r.payload) == (RESIDENT_ID, True, ID, "id_card_record")
    assert r.prefill["name"] == "张三" and r.prefill["address"].startswith("山东省")
    assert "张三" not in r.describe() and "张三" not in str(r.to_json()["details"])


@pytest.mark.parametrize("text,says", [
    ("0123456789ABCDEF", "芯片的序列号"), ("04A1B2C3", "芯片的序列号"),
    ("CTID" + "Ab1" * 40, "网证"), ("aB3" * 60, "网证"),
    ("9f" * 32, "签名"), ("https://example.org/page", "网址"),
])
def test_opaque_tokens_say_what_they_are(text, says):
    r = ident(text)
    assert r.kind == UNKNOWN and not r.valid and says in r.error
    assert "统一社会信用代码长度" not in r.error


@SETTINGS
@given(st.sampled_from(["\x02{}\x03", "]Q1{}", "ID:{}", "【{}】", "{}\t", "{}\r\n",
                        "身份证号：{}", "http://www.gsxt.gov.cn/?uniscid={}"]),
       st.integers(0, 10 ** 6))
def test_framing_never_changes_the_reading(frame, n):
    code = person(f"370602{19500101 + n % 500000:08d}"[:14] + "123")
    plain = ident(code)
    framed = ident(frame.format(code))
    assert (framed.kind, framed.valid, framed.normalized) == (plain.kind, plain.valid,
                                                              plain.normalized)


def test_countries_table():
    assert countries.name("USA") == "美国" and countries.alpha3_of_numeric("840") == "USA"
    assert not countries.known("ZZZ") and countries.known("XXA")
    assert regions.province_known("370000")


# -- the shipped list of known exceptions, and the CLI ------------------------------------------

def test_shipped_exceptions_file_loads_and_is_used_by_the_cli(tmp_path, capsys):
    import json
    from types import SimpleNamespace

    from clerk_console.commands import identify as cli
    from clerk_console.config import data_root
    from clerk_console.datafiles.codes import CodeFileError, load_uscc_exceptions

    listed = load_uscc_exceptions(data_root() / "codes")
    assert listed and all(len(c) == 18 for c in listed)
    code = sorted(listed)[0]
    assert not ident(code).valid
    assert cli.run(SimpleNamespace(codes=[code, "A123456(3)"], json=True)) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["kind"] for r in rows] == ["uscc", "hk_identity_card"] and rows[0]["valid"]
    assert load_uscc_exceptions(tmp_path) == frozenset()
    (tmp_path / "uscc_exceptions.toml").write_text('[[codes]]\ncode = "12"\n', encoding="utf-8")
    with pytest.raises(CodeFileError, match="第1条"):
        load_uscc_exceptions(tmp_path)
