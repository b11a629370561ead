"""Scanner burst detection, without a terminal."""
from clerk_console.ui.scanner import BurstDetector, pasted_scan, scan_char

CODE = "37060219900307123X"


def feed_all(det: BurstDetector, text: str, start: float, step: float) -> float:
    t = start
    for ch in text:
        det.feed(ch, t)
        t += step
    return t


def test_fast_burst_closed_by_enter_is_a_scan():
    det = BurstDetector(gap=0.1)
    t = feed_all(det, CODE, 10.0, 0.002)
    assert det.enter(t) == CODE
    assert det.pending == 0


def test_human_typing_is_not_a_scan():
    det = BurstDetector(gap=0.1)
    t = feed_all(det, CODE, 10.0, 0.15)
    assert det.enter(t) is None


def test_short_burst_is_not_a_scan():
    det = BurstDetector(gap=0.1)
    t = feed_all(det, "kfd", 10.0, 0.001)
    assert det.enter(t) is None


def test_pause_before_enter_breaks_the_burst():
    det = BurstDetector(gap=0.1)
    t = feed_all(det, CODE, 10.0, 0.001)
    assert det.enter(t + 0.5) is None


def test_a_slow_start_then_a_burst_keeps_only_the_burst():
    det = BurstDetector(gap=0.1)
    det.feed("k", 1.0)
    det.feed("f", 1.5)  # human typing, then the scanner fires
    t = feed_all(det, CODE, 3.0, 0.001)
    assert det.enter(t) == CODE


def test_scan_char_folds_full_width_and_takes_what_payloads_carry():
    assert scan_char("３") == "3"
    assert scan_char("Ｘ") == "X"
    # URLs, labels, records in Chinese, MRZ fillers, brackets, framing controls, Tab
    for c in ":/?=&.%_<(【张：|\x02\x03\t ":
        assert scan_char(c) is not None, repr(c)
    assert scan_char(None) is None
    assert scan_char("\x1b") is None and scan_char("\x7f") is None


def test_tab_and_space_continue_a_burst_but_never_start_one():
    det = BurstDetector(gap=0.1)
    assert not det.accepts("\t", 1.0) and not det.accepts(" ", 1.0)
    det.feed("A", 1.0)
    assert det.accepts("\t", 1.01) and det.accepts(" ", 1.01)
    assert not det.accepts("\t", 1.5)  # the burst is over: a Tab moves the focus


def test_a_short_code_is_a_scan_only_at_scanner_speed_and_in_a_document_shape():
    det = BurstDetector(gap=0.1)
    for code in ("08123456", "H60123458", "A123456(3)", "F234567816", "USA:A12345678"):
        t = feed_all(det, code, 1.0, 0.002)
        assert det.enter(t) == code
    t = feed_all(det, "08123456", 1.0, 0.06)  # a fast typist: gaps under 0.1 s
    assert det.enter(t) is None
    t = feed_all(det, "13805351234", 1.0, 0.002)  # a phone number is no document
    assert det.enter(t) is None


def test_paste_with_line_end_is_a_scan_and_without_is_text():
    assert pasted_scan(CODE + "\r") == CODE
    assert pasted_scan(CODE) is None
    assert pasted_scan("咖啡店\n") is None
    assert pasted_scan("123\n") is None


def test_console_start_up_imports_no_storage_pinyin_or_pdf():
    """Cold start: the sign-in screen must paint before SQLModel, pypinyin, reportlab load."""
    import subprocess
    import sys

    code = ("import sys, clerk_console.ui.app, clerk_console.commands.run;"
            "print(','.join(m for m in ('sqlmodel','sqlalchemy','pypinyin','reportlab','httpx')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
