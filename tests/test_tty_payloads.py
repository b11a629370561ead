"""The real console in a real terminal (tmux, 80x24): what real scanners and readers send —
licence QR URLs, framing, labels, ID-card records, passport MRZ lines, short document numbers —
opens the right applicant, and a code typed by hand after F12 is looked up as a scan."""
from __future__ import annotations

import time

import pytest

from support.tty import Pane

pytestmark = [pytest.mark.slow]

COFFEE = "91370613MA3CKF011N"  # 烟台海岸咖啡有限公司 in the demo data
ZHANG = "370613198803120159"  # 张晓明
MASKED_ZHANG = "3706**********0159"
LINE1 = "P<USASMITH<<JOHN<PAUL<<<<<<<<<<<<<<<<<<<<<<<"
LINE2 = "A123456784USA8506128M3301018<<<<<<<<<<<<<<<4"


def signed_in(pane: Pane) -> Pane:
    pane.wait_for("窗口：YT0101")
    pane.send("demo\r")
    time.sleep(0.3)  # real terminal, no virtual key clock: a clerk's pause before the PIN
    pane.send("123456\r")
    pane.wait_for("选事项")
    return pane


def test_scanner_payloads_open_the_right_applicant(console):  # noqa: F811
    pane = signed_in(console)
    pane.send(f"]Q1http://www.gsxt.gov.cn/index.html?uniscid={COFFEE}&sign=x\r")
    pane.wait_for("烟台海岸咖啡")
    for payload in (f"\x02身份证号：{ZHANG}\x03\r", f"【{ZHANG}】\t\r", f"]C0ID:{ZHANG}\r"):
        pane.send("\x1b")
        pane.send(f"https://zzlz.gsxt.gov.cn/businessShow?serial={COFFEE}-20240101-01\r")
        pane.wait_for("烟台海岸咖啡")
        pane.send(payload)
        pane.wait_for(MASKED_ZHANG)
    pane.send("H60123458\r")  # a short document number, typed by the scanner in one go
    pane.wait_for("H6*****58")
    screen = pane.wait_for("事项")
    assert ZHANG not in screen and "uniscid" not in screen


def test_reader_record_and_mrz_prefill_quick_entry(console):  # noqa: F811
    pane = signed_in(console)
    record = "\t".join(["孙丽", "女", "汉", "20000101", "山东省烟台市芝罘区南大街9号",
                        "370602200001010020", "烟台市公安局芝罘分局", "2020.01.01-2030.01.01"])
    pane.send(record + "\r")
    pane.wait_for("孙丽")  # the form, pre-filled for the clerk to confirm
    pane.wait_for("快速登记")
    pane.send("\x1b")
    time.sleep(0.3)  # real time: ESC read alone, not as an escape sequence with LINE1
    pane.send(LINE1 + "\r")
    pane.send(LINE2 + "\r")
    pane.wait_for("SMITH JOHN PAUL")
    pane.wait_for("USA")


def test_f12_opens_a_code_field_for_typing_by_hand(console):  # noqa: F811
    pane = signed_in(console)
    pane.send("\x1b[24~")  # F12
    pane.wait_for("手工输入号码")
    for ch in ZHANG:  # at human speed
        pane.send(ch)
        time.sleep(0.15)  # real time on purpose: typed at a person's speed
    pane.send("\r")
    pane.wait_for(MASKED_ZHANG)
