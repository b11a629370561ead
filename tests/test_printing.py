"""Notices as documents and A4 PDFs, read back with pypdf (the samples: tests/support/printing.py)."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from clerk_console.config import Settings
from clerk_console.domain.case import Status
from clerk_console.printing import documents as D
from clerk_console.printing import glyphs, pdf
from clerk_console.printing.templates import load_templates
from support.printing import (ALL, EXT_B_NAME, MASKED, NOW, SETTINGS, flat, make,
                              pdf_text, sample_cases, sample_catalogue, tiny_font)

def test_kinds_for_every_outcome():
    cases = sample_cases()
    assert D.kinds_for(cases["accepted"]) == ["receipt"]
    assert D.kinds_for(cases["deferred"]) == ["deferral_notice", "deferral_commitment"]
    assert D.kinds_for(cases["approved_on_commitment"]) == ["commitment_approval"]
    assert D.kinds_for(cases["notified"]) == ["one_time_notice"]
    assert D.kinds_for(cases["signposted"]) == ["signpost"]
    assert D.kinds_for(cases["delivered"]) == ["receipt", "delivery"]
    assert D.kinds_for(replace(cases["deferred"], status=Status.COMPLETED)) == [
        "deferral_notice", "deferral_commitment", "receipt"]


@pytest.mark.parametrize("name,kind", ALL)
def test_every_document_reads_back_with_every_field(name, kind):
    case = sample_cases()[name]
    doc = make(kind, case)
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    expected = [case.case_no, doc.title, "张三丰", MASKED, "李受理", "C007", "3号综合窗口",
                SETTINGS.hall_name, "2026年11月27日"]
    catalogue = sample_catalogue()
    for code in case.items:
        expected += [catalogue.items[code].name, code]
    if kind != "signpost":  # the deciding department's own seal line and the date under it
        expected += ["烟台市市场监督管理局（行政审批专用章）", "2026年11月27日"]
    for m in case.materials if kind not in ("signpost", "delivery") else ():
        if kind in ("deferral_commitment",) and m.state.satisfied:
            continue
        if kind in ("deferral_notice", "one_time_notice") and m.state.satisfied:
            expected.append(m.name)  # in the list of what was received, grouped by how
            continue
        expected += [m.name, D.state_label(m, case)]
        if m.reason:
            expected.append(m.reason)
    if case.promised_date and kind != "signpost":
        expected.append(D.day_text(case.promised_date))
    if kind in ("deferral_notice", "deferral_commitment"):
        expected += ["2026年12月4日（星期五）前", "废止"]
    if kind == "commitment_approval":
        expected += ["虚假承诺", "撤销"]
    if kind == "signpost":
        expected += ["烟台市公安局治安支队", "烟台市芝罘区南大街99号", "0535-6788110",
                     "工作日8:30-17:30", "营业执照", "经营场所平面图", "复印件2份"]
    if kind == "delivery":
        expected += ["准予许可", "2026年11月27日15:30"]
    if kind == "one_time_notice":
        expected += ["原件1份", "A4纸，法定代表人签字"]
    missing = [e for e in expected if flat(e) not in text]
    assert "待核" not in text  # a closed case has no material "still to check"
    assert not missing, f"{kind}: {missing} not in PDF text"
    for sig in doc.signatures:
        assert flat(sig) in text


def test_deadline_counts_working_days_and_estimated_years_are_noted():
    case = replace(sample_cases()["deferred"], deadline_estimated=True, deadline=date(2027, 1, 6))
    doc = make("deferral_notice", case, deadline_days=5)
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    assert "2027年1月6日（星期三）前（自受理之日起5个工作日内，节假日不计）" in text
    assert "2027年节假日安排尚未公布" in text
    doc = make("deferral_notice", case, calendar_note="以国务院办公厅通知为准")
    assert "以国务院办公厅通知为准" in flat(pdf_text(pdf.render(doc, SETTINGS).data))


def test_one_pdf_holds_deferral_notice_and_commitment_on_separate_pages():
    case = sample_cases()["deferred"]
    docs = [make(k, case) for k in D.kinds_for(case)]
    reader = PdfReader(BytesIO(pdf.render(docs, SETTINGS).data))
    pages = [flat(p.extract_text()) for p in reader.pages]
    notice = [i for i, p in enumerate(pages) if "容缺受理通知书" in p and "编号：" in p]
    assert "第一联申请人留存" in pages[notice[0]]  # 一式两份: applicant's and the file's
    assert any("第二联受理机关存档" in pages[i] for i in notice[1:])
    assert any("容缺受理承诺书" in p for p in pages[notice[-1] + 1:])


def test_ext_b_name_is_printed_in_safe_form_with_a_warning():
    case = replace(sample_cases()["accepted"], applicant_name=EXT_B_NAME)
    doc = make("receipt", case)
    assert EXT_B_NAME in doc.strings()  # the document keeps the true name
    rendered = pdf.render(doc, SETTINGS)
    text = pdf_text(rendered.data)
    assert "王[U+20BB7]" in flat(text)
    assert "\U00020BB7" not in text and "\ufffd" not in text
    assert not re.search(r"[\ud800-\udfff]", text)  # no stray surrogate halves
    assert any("U+20BB7" in w and "生僻字" in w for w in rendered.warnings)
    # the rest of the name's line is intact
    assert MASKED in flat(text)


def test_ext_a_and_gbk_coverage():
    assert glyphs.gbk_covers("张") and glyphs.gbk_covers("A") and glyphs.gbk_covers("：")
    assert not glyphs.gbk_covers("\u3400")  # Ext-A
    assert not glyphs.gbk_covers("\U00020BB7")  # Ext-B
    assert glyphs.uncovered("\u3400王\U00020BB7\u3400") == ["\u3400", "\U00020BB7"]
    assert glyphs.safe_form("王\u3400") == "王[U+3400]"
    assert glyphs.warning([]) == ""


def test_embedded_font_prints_the_ext_b_name_itself(tmp_path):
    pytest.importorskip("fontTools")
    case = replace(sample_cases()["accepted"], applicant_name=EXT_B_NAME)
    doc = make("receipt", case)
    renderer_text = "".join(chr(c) for c in range(33, 127)) + "（）：　年月日编号受理专用章无"
    chars = "".join(sorted({ch for s in doc.strings() for ch in s if ch != " "} | set(renderer_text)))
    font = tiny_font(tmp_path / "tiny.ttf", chars)
    rendered = pdf.render(doc, Settings(cjk_font=str(font)))
    assert not rendered.warnings
    reader = PdfReader(BytesIO(rendered.data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [f.get_object() for f in fonts.values()]
    assert any(f["/Subtype"] == "/TrueType" and "/FontFile2" in f["/FontDescriptor"] for f in embedded)
    assert not any("STSong" in f["/BaseFont"] for f in embedded)  # no CID fallback
    text = reader.pages[0].extract_text()
    assert "[U+20BB7]" not in text and "\x00" not in text
    # reportlab writes the ToUnicode entry of a non-BMP glyph as 5 hex digits, which readers
    # cannot map back: the glyph prints, the copied text lacks it; the line stays intact
    assert re.search(r"申请人王\U00020BB7?证件号码" + re.escape(MASKED), flat(text))


def test_unreadable_font_falls_back_to_cid_with_a_warning(tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    rendered = pdf.render(make("receipt", sample_cases()["accepted"]), Settings(cjk_font=str(bad)))
    assert any("无法使用" in w for w in rendered.warnings)
    assert "受理回执" in flat(pdf_text(rendered.data))


def test_qr_is_standard_not_micro():
    m = pdf.qr_matrix("YT0103-20261127-0001")
    n = len(m)
    assert all(len(row) == n for row in m)
    assert n >= 21 and (n - 17) % 4 == 0  # standard sizes 21, 25, ...; Micro QR is 11-17

    def finder(r, c):  # 7x7 finder pattern: dark ring, light ring, dark 3x3 centre
        return all(m[r + i][c + j] == (i in (0, 6) or j in (0, 6) or (2 <= i <= 4 and 2 <= j <= 4))
                   for i in range(7) for j in range(7))

    assert finder(0, 0) and finder(0, n - 7) and finder(n - 7, 0)  # Micro QR has only one


def test_text_with_markup_characters_does_not_break_the_pdf():
    case = replace(sample_cases()["notified"], applicant_name="A&B<公司>")
    text = pdf_text(pdf.render(make("one_time_notice", case), SETTINGS).data)
    assert "A&B<公司>" in flat(text)


def test_handover_report_lists_every_case():
    cases = list(sample_cases().values())
    doc = D.handover_report(cases, catalogue=sample_catalogue(), window="3号综合窗口",
                            clerk_name="李受理", settings=SETTINGS, day=date(2026, 11, 27), now=NOW)
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    for c in cases:
        assert c.case_no in text and c.status.label in text
    assert "张*丰" in text and "窗口日结交接报表" in text and f"办件总数{len(cases)}" in text


def test_hall_wording_override_and_bad_keys(tmp_path):
    (tmp_path / "receipt.toml").write_text(
        'title = "受理通知书"\nintro = "{applicant}，您好：{nosuch}"\npromise = "{promised_date"\n'
        'colour = "red"\nsignatures = "x"\n', encoding="utf-8")
    (tmp_path / "nosuchdoc.toml").write_text('title = "x"\n', encoding="utf-8")
    t = load_templates(tmp_path)
    assert t.raw("receipt", "title") == "受理通知书"
    assert t.raw("receipt", "intro") == load_templates().raw("receipt", "intro")
    joined = "\n".join(t.warnings)
    assert "receipt.toml 的“intro”使用了未知的占位符 {nosuch}" in joined
    assert "“promise”花括号不成对" in joined
    assert "“colour”不是可设置的项" in joined
    assert "“signatures”应为文字列表" in joined
    assert "没有名为“nosuchdoc”的文书" in joined
    doc = make("receipt", sample_cases()["accepted"], templates=t)
    assert doc.title == "受理通知书" and doc.warnings == t.warnings
    (tmp_path / "receipt.toml").write_text("title = [broken", encoding="utf-8")
    assert any("格式有误" in w for w in load_templates(tmp_path).warnings)


def test_signpost_without_department_points_to_the_hotline():
    case = replace(sample_cases()["signposted"], signpost_dept="", items=("GONE99",))
    text = flat(pdf_text(pdf.render(make("signpost", case), SETTINGS).data))
    assert "请拨打服务热线12345查询办理地点" in text


def test_unknown_item_code_is_shown_not_crashed():
    case = replace(sample_cases()["accepted"], items=("3706FOOD01", "GONE99"))
    text = flat(pdf_text(pdf.render(make("receipt", case), SETTINGS).data))
    assert "GONE99" in text and "目录中已无此事项" in text


def test_render_page_to_png_artefact():
    exe = shutil.which("pdftoppm")
    if not exe:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = Path(__file__).parent / "artifacts"
    out.mkdir(exist_ok=True)
    case = sample_cases()["deferred"]
    src = out / "deferral_notice.pdf"
    src.write_bytes(pdf.render([make(k, case) for k in D.kinds_for(case)], SETTINGS).data)
    subprocess.run([exe, "-png", "-r", "60", "-f", "1", "-l", "1", str(src), str(out / "deferral_notice")],
                   check=True, timeout=60)
    pngs = list(out.glob("deferral_notice*.png"))
    assert pngs and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reportlab_and_escpos_load_only_when_printing():
    import subprocess
    import sys

    code = ("import sys\n"
            "import clerk_console.printing.documents, clerk_console.printing.text\n"
            "import clerk_console.printing.printers, clerk_console.printing.notices\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'escpos', 'textual'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
