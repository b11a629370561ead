"""Examples of every kind of code identify() knows, every error message, the CLI, and the
purity of the domain package. All numbers are generated here with the check algorithms:
none belongs to a real person."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from clerk_console.domain.codes import (FOREIGN_PR_ID, HMT_PERMIT, KIND_LABELS, PROJECT_CODE,
                                        RESIDENT_ID, UNKNOWN, USCC, identify, normalize,
                                        plausible_scan, regions)
from clerk_console.domain.codes.resident_id import calc_check_char, to_18
from clerk_console.domain.codes.uscc import ALPHABET, calc_check_char as uscc_check
from clerk_console.domain.codes.uscc import calc_org_check_char

TODAY = date(2026, 11, 27)
ROOT = Path(__file__).resolve().parent.parent


def person(region: str = "370602", birth: str = "19900101", seq: str = "123",
           check: str | None = None) -> str:
    body = region + birth + seq
    return body + (check if check is not None else calc_check_char(body))


def credit(head: str = "91", region: str = "370602", org_body: str = "MA3C0D1E") -> str:
    body = head + region + org_body + calc_org_check_char(org_body)
    return body + uscc_check(body)


def ident(text: str):
    return identify(text, TODAY)


# -- the check algorithms against the standards' own weights --------------------------------

def test_mod11_2_matches_gb11643_weights():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for body in ("37060219900101123", "11010119491001001", "44030620231231998"):
        total = sum(int(c) * w for c, w in zip(body, weights))
        assert calc_check_char(body) == "10X98765432"[total % 11]


def test_mod31_matches_gb32100_weights():
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    for body in ("91370602MA3C0D1E5", "N2370602123456789", "A1110000ABCDEFGH0"):
        total = sum(ALPHABET.index(c) * w for c, w in zip(body, weights))
        assert uscc_check(body) == ALPHABET[(31 - total % 31) % 31]


# -- resident IDs ---------------------------------------------------------------------------

def test_resident_id_details():
    r = ident(person())
    assert (r.kind, r.valid, r.error, r.warnings) == (RESIDENT_ID, True, None, ())
    assert r.details["birth_date"] == "1990-01-01"
    assert r.details["sex"] == "男"
    assert r.details["age"] == 36
    assert r.details["region_code"] == "370602"
    assert r.details["region_name"] == "山东省烟台市芝罘区"
    assert ident(person(seq="124")).details["sex"] == "女"


def x_checked() -> str:
    """A number whose check character is X."""
    return next(n for n in (person(seq=f"{i:03d}") for i in range(1000)) if n.endswith("X"))


@pytest.mark.parametrize("dressing", [
    lambda s: s.lower() + "\r\n",
    lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")),
    lambda s: f"  {s[:6]} {s[6:14]} {s[14:]}\t",
    lambda s: f"{s[:6]}-{s[6:14]}-{s[14:]}\n",
    lambda s: "\ufeff" + s[:9] + "\u200b" + s[9:] + "\r",
])
def test_scanner_and_ime_input_is_normalised(dressing):
    number = x_checked()
    r = ident(dressing(number))
    assert r.valid and r.normalized == number


def test_wrong_length():
    r = ident(person()[:17])
    assert not r.valid and r.kind == RESIDENT_ID
    assert "长度为17位，应为18" in r.error


def test_check_character_hint():
    good = person()
    wrong = "3" if good[-1] != "3" else "4"
    r = ident(good[:17] + wrong)
    assert r.error == f"校验位应为{good[-1]}，实际为{wrong}，请核对号码"


def test_impossible_birth_date():
    r = ident(person(birth="20230230"))
    assert not r.valid
    assert "出生日期2023-02-30不存在" in r.error


def test_birth_date_in_future():
    r = ident(person(birth="20270101"))
    assert not r.valid and "晚于今天" in r.error


def test_unknown_province_is_an_error():
    r = ident(person(region="001234"))
    assert not r.valid and "地区代码001234不存在" in r.error


def test_unknown_county_is_only_a_warning():
    r = ident(person(region="379999"))
    assert r.valid and r.error is None
    assert any("379999" in w and "未收录" in w for w in r.warnings)


@pytest.mark.parametrize("region,birth,warned", [
    ("110118", "19900101", True),  # 密云区 created 2015: after bulk issuing of 1999
    ("110118", "20160101", False),
    ("110103", "20120101", True),  # 崇文区 abolished 2010, before the birth
    ("110103", "19800101", False),
    ("370602", "19500101", False),  # 芝罘区 [1983-]: an older person got it when issued
])
def test_region_not_in_use_at_birth_is_a_warning_never_an_error(region, birth, warned):
    r = ident(person(region=region, birth=birth))
    assert r.valid
    assert bool(r.warnings) is warned


def test_bad_characters_are_named_with_position():
    number = person()
    r = ident(number[:10] + "O" + number[11:])
    assert not r.valid and r.kind == RESIDENT_ID
    assert "第11位“O”" in r.error and "是否应为数字0" in r.error
    r = ident(number[:17] + "*")
    assert "第18位“*”" in r.error


def test_first_generation_15_digits():
    number = "370602900101123"
    r = ident(number)
    assert r.valid and r.kind == RESIDENT_ID
    assert r.details["generation"] == 1
    assert r.details["id18"] == to_18(number) == person(birth="19900101", seq="123")
    assert r.details["birth_date"] == "1990-01-01" and r.details["sex"] == "男"
    assert any("第一代" in w for w in r.warnings)
    bad = ident("370602900230123")
    assert not bad.valid and "出生日期1990-02-30不存在" in bad.error


# -- permits ----------------------------------------------------------------------------------

@pytest.mark.parametrize("region,name", [("810000", "香港特别行政区"),
                                         ("820000", "澳门特别行政区"), ("830000", "台湾地区")])
def test_hk_macao_taiwan_permits(region, name):
    r = ident(person(region=region, birth="19851231", seq="002"))
    assert (r.kind, r.valid) == (HMT_PERMIT, True)
    assert r.details["region_name"] == name and r.details["sex"] == "女"


def test_permit_with_wrong_region():
    r = ident(person(region="810100"))
    assert r.kind == HMT_PERMIT and not r.valid
    assert "前6位应为" in r.error and "810100" in r.error


def test_foreign_permanent_resident_id_2023():
    r = ident(person(region="932840", birth="19800615", seq="015"))
    assert (r.kind, r.valid) == (FOREIGN_PR_ID, True)
    assert r.details["nationality_code"] == "840"
    assert r.details["region_name"] == "江苏省"
    assert r.details["birth_date"] == "1980-06-15" and r.details["sex"] == "男"


def test_foreign_permanent_resident_id_2017():
    r = ident("usa110806150012")
    assert (r.kind, r.valid, r.normalized) == (FOREIGN_PR_ID, True, "USA110806150012")
    assert r.warnings  # no public check algorithm: the clerk compares with the card
    bad = ident("US1110806150012")
    assert bad.kind == FOREIGN_PR_ID and not bad.valid and "第3位“1”" in bad.error


# -- credit codes -------------------------------------------------------------------------------

def test_uscc_enterprise():
    code = credit()
    r = ident(code.lower() + "\n")
    assert (r.kind, r.valid, r.normalized, r.warnings) == (USCC, True, code, ())
    assert r.details["authority_label"] == "工商（市场监管）"
    assert r.details["entity_type"] == "91" and r.details["entity_type_label"] == "企业"
    assert r.details["region_name"] == "山东省烟台市芝罘区"


@pytest.mark.parametrize("head,authority,entity", [("A1", "中央军委改革和编制办公室", "军队事业单位"),
                                                   ("N2", "农业农村", "村级集体经济组织"),
                                                   ("Y1", "其他", "其他")])
def test_uscc_letter_authorities(head, authority, entity):
    r = ident(credit(head=head))
    assert r.valid and r.kind == USCC
    assert (r.details["authority_label"], r.details["entity_type_label"]) == (authority, entity)


def test_uscc_check_and_characters():
    code = credit()
    wrong = "0" if code[-1] != "0" else "1"
    assert ident(code[:17] + wrong).error == f"校验位应为{code[-1]}，实际为{wrong}，请核对号码"
    r = ident(code[:9] + "O" + code[10:])
    assert not r.valid and r.kind == USCC and "第10位“O”" in r.error
    r = ident(code[:17])
    assert r.kind == USCC and "长度为17位，应为18位" in r.error


def test_uscc_organisation_code_off_is_a_warning():
    body = "91370602" + "MA3C0D1E" + ("0" if calc_org_check_char("MA3C0D1E") != "0" else "1")
    r = ident(body + uscc_check(body))
    assert r.valid and any("组织机构代码" in w for w in r.warnings)


@pytest.mark.parametrize("code,part", [
    (credit(head="B1"), "第1位登记管理部门代码“B”不存在"),
    (credit(head="94"), "前2位“94”不是有效的机构类别"),
    (credit(region="990602"), "行政区划代码990602不存在"),
])
def test_uscc_with_an_impossible_authority_type_or_region_is_invalid(code, part):
    # the MOD 31 check passes (1 in 31 random texts do): the fixed tables decide
    r = ident(code)
    assert r.kind == USCC and not r.valid and part in r.error


def test_all_digit_credit_code_is_told_apart_from_an_id():
    # 12 = 事业单位; positions 9-17 are digits, so the code also has a citizen ID's shape
    found = [c for c in (credit(head="12", region="370000", org_body=f"{n:08d}")
                         for n in range(400)) if c.isdigit()]
    assert found
    for code in found:
        r = ident(code)
        assert r.valid
        if calc_check_char(code) != code[-1]:
            assert r.kind == USCC and r.details["entity_type_label"] == "事业单位"
        else:
            assert any("同时符合" in w for w in r.warnings)


def test_typo_landing_on_a_valid_credit_code_is_flagged():
    # 932... permanent residence ID with one digit changed reads as a valid enterprise code
    typo = "911101199801010332"
    assert calc_check_char(typo) != typo[-1] and uscc_check(typo) == typo[-1]
    r = ident(typo)
    assert r.valid and r.kind == USCC
    assert any("也像外国人永久居留身份证号码" in w for w in r.warnings)


# -- project codes -------------------------------------------------------------------------------

def test_project_code():
    r = ident("2021-370602-48-01-123456")
    assert (r.kind, r.valid) == (PROJECT_CODE, True)
    assert r.details == {"year": 2021, "region_code": "370602", "region_name": "山东省烟台市芝罘区",
                         "dept": "48", "type": "01", "serial": "123456",
                         "checked": "format, year, region"}


@pytest.mark.parametrize("text", ["20213706024801123456", "２０２１－３７０６０２－４８－０１－１２３４５６\r\n",
                                  "2021 - 370602 - 48 - 01 - 123456", "2021—370602—48—01—123456"])
def test_project_code_input_forms(text):
    r = ident(text)
    assert r.valid and r.normalized == "2021-370602-48-01-123456"


@pytest.mark.parametrize("text,message", [
    ("2014-370602-48-01-123456", "年份2014不合理"),
    ("2028-370602-48-01-123456", "年份2028不合理"),
    ("2021-990602-48-01-123456", "地区代码990602不存在"),
    ("2021-370602-48-01-12345", "流水号“12345”为5位，应为6位"),
    ("2021-370602-4A-01-123456", "第14位“A”"),
    ("2021-370602-48-01", "实际为4段"),
])
def test_project_code_errors(text, message):
    r = ident(text)
    assert r.kind == PROJECT_CODE and not r.valid
    assert message in r.error


def test_project_code_next_year_is_plausible_and_unknown_county_warned():
    assert ident("2027-370602-48-01-123456").valid
    r = ident("2021-379999-48-01-123456")
    assert r.valid and r.warnings


# -- unknown input, helpers, JSON --------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \r\n", "hello", "张三", "1234", "x" * 500])
def test_unknown_input_gets_a_chinese_message(text):
    r = ident(text)
    assert r.kind == UNKNOWN and not r.valid and r.error
    assert r.error.startswith(("未输入", "无法识别"))


def test_plausible_scan():
    assert plausible_scan(person() + "\r\n")
    assert plausible_scan("３７０６０２１９９００１０１１２３４５６")
    assert plausible_scan(credit())
    assert plausible_scan("2021-370602-48-01-123456")
    assert plausible_scan("370602900101123")
    for text in ("hello", "1234", "", "2021-37-48", "张三李四王五赵六钱七孙八周九吴十郑十一王十二"):
        assert not plausible_scan(text)


def test_normalize_is_idempotent_and_keeps_project_hyphens():
    for text in ("ａｂ－１２ ３\r\n", "2021-370602-48-01-123456", "37-06-02"):
        once = normalize(text)
        assert normalize(once) == once
    assert normalize("37-06-02") == "370602"


def test_describe_is_one_readable_line():
    good = ident(person())
    assert good.describe() == ("居民身份证号码 370602199001011239：有效（出生日期1990-01-01，男，"
                               "山东省烟台市芝罘区）")
    bad = ident(person()[:17])
    assert bad.describe().startswith(f"居民身份证号码 {person()[:17]}：无效。")
    warned = ident(person(region="110118"))
    assert "注意：" in warned.describe()
    assert ident(person()).is_person and not ident(credit()).is_person


def test_warm_up_loads_the_region_table():
    from clerk_console.domain.codes import warm_up

    warm_up()
    assert regions.known("370602")


def test_to_json_round_trips():
    r = ident(person())
    data = json.loads(json.dumps(r.to_json(), ensure_ascii=False))
    assert {"input", "kind", "kind_label", "valid", "normalized", "error", "warnings",
            "details"} <= set(data)
    assert data["kind_label"] == KIND_LABELS[RESIDENT_ID]


def test_region_table_agrees_with_stdnum_numdb():
    from stdnum import numdb

    db = numdb.get("cn/loc")
    codes = regions.all_codes()
    assert len(codes) > 6000
    for code in codes[::7]:
        info = {k: v for _, props in db.info(code) for k, v in props.items()}
        names = [part.split("]")[-1] for part in info["county"].split(",")]
        assert [p.name for p in regions.periods(code)] == names
    assert regions.name("130602", 2000) == "河北省保定市新市区"
    assert regions.name("130602") == "河北省保定市竞秀区"
    assert regions.name("469001") == "海南省五指山市"
    assert regions.name("999999") is None


# -- command line and layering -------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("clerk-console")
    return subprocess.run([str(exe), "identify", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_json_lines_in_input_order():
    codes = [person(), "2021-370602-48-01-123456", person()[:17]]
    out = run_cli("--json", *codes)
    assert out.returncode == 1
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["kind"] for line in lines] == [RESIDENT_ID, PROJECT_CODE, RESIDENT_ID]
    assert [line["valid"] for line in lines] == [True, True, False]
    assert "应为18" in lines[2]["error"]


def test_cli_plain_lines_and_exit_zero():
    out = run_cli(person(), credit())
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and all("有效" in line for line in lines)
    assert "统一社会信用代码" in lines[1]


def test_codes_and_cli_import_nothing_heavy():
    probe = ("import sys, clerk_console.domain, clerk_console.domain.codes, "
             "clerk_console.commands.identify; "
             "print([m for m in ('textual', 'sqlalchemy', 'sqlmodel', 'httpx', 'reportlab') "
             "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
