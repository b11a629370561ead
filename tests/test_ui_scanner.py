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


def test_scan_char_folds_full_width_and_rejects_cjk():
    assert scan_char("３") == "3"
    assert scan_char("Ｘ") == "X"
    assert scan_char("咖") is None
    assert scan_char(None) is None
    assert scan_char(" ") is None


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
