"""Pilot tests: every kind of document registers an applicant end to end (scan or type ->
quick entry -> intake -> notice), scanner payloads open the right applicant on any screen, and
a code typed by hand (F12) is looked up as a scan is."""
from __future__ import annotations

import re

import pytest
from clerk_console.domain.codes.passport import mrz_check_digit
from clerk_console.domain.masking import mask_id
from support.keyclock import scan
from support.printing import flat, pdf_text
from support.ui import (
    COMPANY, PERSON, UNKNOWN, keys, new_app, panel, replica_of, sign_in, type_text)



async def burst(app, pilot, text: str, enter: bool = True) -> None:
    """Every key in one go, as a keyboard-mode scanner or card reader types them."""
    assert pilot.app is app
    await scan(pilot, text, enter=enter)


def mrz_lines(number="A12345678", nationality="USA", name="SMITH<<JOHN<PAUL") -> tuple[str, str]:
    line2 = (number + mrz_check_digit(number) + nationality + "850612" + mrz_check_digit("850612")
             + "M" + "330101" + mrz_check_digit("330101") + "<" * 15)
    line2 += mrz_check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    return f"P<{nationality}{name}".ljust(44, "<"), line2


def field(app, selector: str) -> str:
    return app.screen.query_one(selector).value


async def finish_quick_entry(app, pilot, phone="13805350000") -> None:
    app.screen.query_one("#qe-phone").focus()
    await type_text(pilot, phone)
    await pilot.press("enter")
    await pilot.pause()


# -- every document kind, end to end --------------------------------------------------------

DOCUMENTS = [
    ("hk_macao_home_return_permit", "H60123458", "H60123458", "陈家明", ""),
    ("tw_compatriot_permit", "08123456", "08123456", "林志豪", ""),
    ("hk_identity_card", "Y654321(7)", "Y6543217", "黄淑敏", ""),
    ("tw_national_id", "F234567816", "F234567816", "蔡雅婷", ""),
    ("passport", "E98765432", "E98765432", "王小川", ""),
    ("passport", "GBR 123456789", "GBR:123456789", "SMITH JANE", "GBR"),
    ("foreign_permanent_resident_id", "USA378506120014", "USA378506120014", "BROWN DAVID", "USA"),
]


@pytest.mark.parametrize("kind,scanned,stored,name,nationality", DOCUMENTS,
                         ids=[f"{d[0]}-{d[2]}" for d in DOCUMENTS])
async def test_each_document_registers_an_applicant_through_to_the_notice(
        home, kind, scanned, stored, name, nationality):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, scanned)
        assert app.screen.query_one("#qe-name")  # unknown: quick entry opens
        assert stored not in str(app.screen.query_one("Label").render())
        app.screen.query_one("#qe-name").insert_text_at_cursor(name)
        if nationality:
            assert field(app, "#qe-nationality") == nationality  # from the document
        await finish_quick_entry(app, pilot)
        saved = replica_of(app).find_applicant(stored)
        assert saved is not None, (app.screen, [str(n.render()) for n in app.screen.query(".error")],
                                   app._notifications and [n.message for n in app._notifications])
        assert (saved.id_kind, saved.name, saved.nationality) == (kind, name, nationality)
        assert mask_id(stored, kind) in panel(app) and stored not in panel(app)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter")
        await keys(pilot, "1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [case] = replica_of(app).cases_of(stored)
        assert case.applicant_name == name
        [notice] = sorted((home / "notices").glob("*.pdf"))
        text = flat(pdf_text(notice.read_bytes()))
        assert re.sub(r"\s+", "", mask_id(stored, kind)) in text and stored not in text


async def test_a_foreign_passport_name_must_be_in_latin_letters(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, "USA:B98765432")
        app.screen.query_one("#qe-name").insert_text_at_cursor("史密斯")
        await finish_quick_entry(app, pilot)
        assert "拉丁字母" in str(app.screen.query_one("#qe-error").render())
        assert replica_of(app).find_applicant("USA:B98765432") is None


# -- payloads ----------------------------------------------------------------------------------

async def test_passport_mrz_in_two_bursts_prefills_name_and_nationality(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        line1, line2 = mrz_lines()
        await burst(app, pilot, line1)  # readers end each line with Enter
        await burst(app, pilot, line2)
        assert field(app, "#qe-name") == "SMITH JOHN PAUL"
        assert field(app, "#qe-nationality") == "USA"
        await finish_quick_entry(app, pilot)
        saved = replica_of(app).find_applicant("USA:A12345678")
        assert (saved.kind.value, saved.name, saved.nationality) == ("person", "SMITH JOHN PAUL",
                                                                   "USA")


@pytest.mark.parametrize("sep", ["\t", "|"])
async def test_id_card_reader_record_prefills_quick_entry(home, sep):
    record = sep.join(["孙丽", "女", "汉", "20000101", "山东省烟台市芝罘区南大街9号", UNKNOWN,
                       "烟台市公安局芝罘分局", "2020.01.01-2030.01.01"])
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, record + "\t")
        assert field(app, "#qe-name") == "孙丽"
        assert field(app, "#qe-address") == "山东省烟台市芝罘区南大街9号"
        await finish_quick_entry(app, pilot)
        saved = replica_of(app).find_applicant(UNKNOWN)
        assert (saved.name, saved.address) == ("孙丽", "山东省烟台市芝罘区南大街9号")


async def test_a_bad_reader_record_never_echoes_the_holder(home):
    record = "\t".join(["孙丽", "女", "汉", "20000101", "山东省烟台市芝罘区南大街9号",
                        "37060220000I010020", "烟台市公安局芝罘分局", "2020.01.01-2030.01.01"])
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, record)
        shown = panel(app)
        assert "无法识别" in shown and "孙" not in shown and "南大街" not in shown


async def test_licence_qr_scanned_on_another_screen_opens_the_company(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f10")  # the day view
        await pilot.pause()
        assert app.screen.id != "intake"
        await burst(app, pilot, f"]Q1http://www.gsxt.gov.cn/index?uniscid={COMPANY}&t=1")
        assert app.screen.id == "intake" and "烟台海风咖啡有限公司" in panel(app)


@pytest.mark.parametrize("payload", [f"\x02{PERSON}\x03", f"身份证号：{PERSON}", f"【{PERSON}】",
                                     f"{PERSON[:6]}，{PERSON[6:]}"])
async def test_framed_scans_open_the_applicant(home, payload):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, payload)
        assert "张伟" in panel(app) or "张*" in panel(app)
        assert field(app, "#item-query") == ""  # nothing of the burst leaked into the search


async def test_a_ctid_qr_says_it_needs_the_online_check(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        await burst(app, pilot, "CTID" + "Qm9vayBvZiBhIHRva2Vu" * 7)
        assert "网证" in panel(app) and "联网核验" in panel(app)


# -- manual entry --------------------------------------------------------------------------------

async def test_f12_opens_a_code_field_and_enter_looks_it_up_as_a_scan(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(app, pilot)
        app.scanner.gap = 0.0001  # every key "late": a person typing
        await pilot.press("f12")
        await pilot.pause()
        await type_text(pilot, PERSON)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.id == "intake" and "张" in panel(app)
        assert app.scans_seen == 1
        assert field(app, "#item-query") == ""


async def test_the_palette_offers_manual_entry(home):
    from clerk_console.ui.screens.intake import ACTIONS

    assert ("enter_code", "手工输入号码") in ACTIONS
