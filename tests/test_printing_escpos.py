"""80 mm receipt byte stream and the console text preview."""
from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from clerk_console.printing import documents as D
from clerk_console.printing import escpos, text
from support.printing import ALL, EXT_B_NAME, make, sample_cases


def _receipt(name: str = "accepted", kind: str = "receipt", **changes) -> D.Document:
    return make(kind, replace(sample_cases()[name], **changes))


def test_receipt_bytes_have_init_chinese_mode_title_qr_and_cut():
    doc = _receipt()
    data = escpos.render(doc)
    assert data.startswith(b"\x1b@\x1c&")  # ESC @ then FS &
    title = "受理回执".encode("gb18030")
    assert b"\x1bE\x01\x1d!\x11" + title in data  # bold, double size
    for s in ("张三丰", "3706**********1237", "食品经营许可", "行政审批专用章", "李受理"):
        assert s.encode("gb18030") in data
    case_no = doc.case_no.encode()
    store = b"\x1d(k" + bytes([len(case_no) + 3, 0]) + b"1P0" + case_no  # GS ( k fn 180
    assert store in data
    assert b"\x1d(k\x04\x001A2\x00" in data  # model 2 = standard QR, not Micro
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    assert data.index(store) < data.rindex(b"\x1dV")  # cut after the QR
    assert data.endswith(b"\x1dV\x00")


def test_punctuation_only_and_ext_a_text_never_become_question_marks():
    doc = _receipt(applicant_name="：（）\u3400")
    data = escpos.render(doc)
    assert "申请人：：（）[U+3400]\n".encode("gb18030") in data  # the whole line, as GB18030


def test_ext_b_name_prints_in_safe_form_on_receipt():
    data = escpos.render(_receipt(applicant_name=EXT_B_NAME))
    assert "王[U+20BB7]".encode("gb18030") in data
    assert "\U00020BB7".encode("gb18030") not in data


def test_receipt_lines_fit_48_columns():
    doc = _receipt("signposted", "signpost")
    for line in text.layout(doc, escpos.COLUMNS):
        limit = escpos.COLUMNS // 2 if line.style == "title" else escpos.COLUMNS
        assert cell_len(line.text) <= limit, line


def test_preview_fits_80_cells_for_every_document():
    cases = sample_cases()
    for name, kind in ALL:
        preview = text.render(make(kind, cases[name]))
        assert max(cell_len(line) for line in preview.splitlines()) <= 80
        assert cases[name].case_no in preview


def test_preview_shows_warning_and_safe_form():
    preview = text.render(_receipt(applicant_name=EXT_B_NAME))
    first = preview.splitlines()[0]
    assert first.startswith("！") and "生僻字" in first
    assert "申请人：王[U+20BB7]" in preview


def test_wrap_keeps_ascii_words_and_closing_punctuation():
    lines = text.wrap_cells("请拨打服务热线12345。编号YT0103-20261127-0005。", 16)
    assert all(cell_len(line) <= 16 for line in lines)
    joined = "".join(lines)
    assert "12345" in joined and "YT0103-20261127-0005" in joined
    assert not any(line.startswith("。") for line in lines)
    assert text.wrap_cells("x" * 30, 10) == ["x" * 10] * 3


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from("张三丰王A1-_ ，。（）：YT0103\u3000"), max_size=120),
       st.integers(min_value=4, max_value=80))
def test_wrap_never_overflows_and_keeps_every_character(s, width):
    lines = text.wrap_cells(s, width, "  ")
    assert all(cell_len(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(s.split())  # only blanks may go
