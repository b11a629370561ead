"""Notices embed the Chinese font they use (found on the system or configured); the CID font
is only a fallback that warns. Real PDFs read back with pypdf."""
from __future__ import annotations

import os
from dataclasses import replace
from io import BytesIO

import pytest
from pypdf import PdfReader

from clerk_console.config import Settings
from clerk_console.printing import fonts, pdf
from support.printing import EXT_B_NAME, MASKED, flat, make, sample_cases
from support.printing import tiny_font as _square_font


def _tiny_font(path, chars: str):
    """test_printing's square-glyph font under a family name of its own (reportlab tells
    embedded fonts apart by family name)."""
    from fontTools.ttLib import TTFont

    _square_font(path, chars)
    font = TTFont(str(path))
    family = "Clerk" + path.stem.replace("-", "")
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6):
            record.string = family
    font.save(str(path))
    return path


@pytest.fixture
def font_dir(tmp_path, monkeypatch):
    folder = tmp_path / "fonts"
    folder.mkdir()
    monkeypatch.setenv("CLERK_CONSOLE_FONT_DIRS", str(folder))
    pdf.forget_fonts()
    yield folder
    pdf.forget_fonts()


def _fonts_of(data: bytes) -> list:
    reader = PdfReader(BytesIO(data))
    found = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            f = ref.get_object()
            if f["/Subtype"] != "/Type1":  # reportlab's unused default Helvetica
                found[f["/BaseFont"]] = f
    return list(found.values())


def _embedded(f) -> bool:
    desc = f.get("/FontDescriptor")
    if desc is None and "/DescendantFonts" in f:
        desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    desc = desc.get_object() if desc is not None else {}
    return any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _receipt(name: str = "张伟"):
    return make("receipt", replace(sample_cases()["accepted"], applicant_name=name))


def _chars(doc) -> str:
    renderer = "".join(chr(c) for c in range(33, 127)) + "（）：　年月日编号受理专用章无"
    return "".join(sorted({ch for s in doc.strings() for ch in s if ch != " "} | set(renderer)))


def test_a_system_font_and_an_ext_b_font_are_found_and_embedded(font_dir):
    doc = _receipt(EXT_B_NAME)
    bmp = "".join(ch for ch in _chars(doc) if ord(ch) <= 0xFFFF)
    _tiny_font(font_dir / "wqy-microhei.ttc", bmp)  # a TrueType file under a known name
    (font_dir / "sub").mkdir()
    _tiny_font(font_dir / "sub" / "HanaMinB.ttf", "\U00020BB7")
    rendered = pdf.render(doc, Settings())
    assert rendered.warnings == ()
    used = _fonts_of(rendered.data)
    assert all(_embedded(f) for f in used)
    assert {f["/BaseFont"].split("+")[1] for f in used} == {"Clerkwqymicrohei", "ClerkHanaMinB"}
    assert not any("STSong" in f["/BaseFont"] for f in used)
    text = flat(PdfReader(BytesIO(rendered.data)).pages[0].extract_text())
    assert "受理回执" in text and MASKED in text and "[U+20BB7]" not in text


def test_no_embeddable_font_falls_back_to_cid_with_a_warning(font_dir):
    (font_dir / "NotoSansCJK-Regular.ttc").write_bytes(b"OTTO not truetype")
    rendered = pdf.render(_receipt(), Settings())
    assert pdf.NO_FONT_WARNING in rendered.warnings
    used = _fonts_of(rendered.data)
    assert [f["/BaseFont"] for f in used] == ["/STSong-Light"] and not _embedded(used[0])
    assert "受理回执" in flat(PdfReader(BytesIO(rendered.data)).pages[0].extract_text())


def test_a_broken_configured_font_gives_way_to_a_found_one_with_a_warning(font_dir, tmp_path):
    _tiny_font(font_dir / "simsun.ttc", _chars(_receipt()))
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    rendered = pdf.render(_receipt(), Settings(cjk_font=str(bad)))
    assert any("无法使用" in w and "simsun.ttc" in w for w in rendered.warnings)
    assert all(_embedded(f) for f in _fonts_of(rendered.data))


def test_the_real_free_font_of_this_machine_is_embedded_as_a_subset(monkeypatch):
    monkeypatch.delenv("CLERK_CONSOLE_FONT_DIRS")
    pdf.forget_fonts()
    try:
        if not fonts.candidates():
            if os.environ.get("CI"):
                pytest.fail("CI installs fonts-wqy-microhei (.ci/run): no CJK TrueType font found")
            pytest.skip("no free CJK TrueType font here (apt-get install fonts-wqy-microhei)")
        rendered = pdf.render(_receipt("王\U0002023C"), Settings())
        used = _fonts_of(rendered.data)
        assert used and all(_embedded(f) for f in used)
        assert all("+" in f["/BaseFont"] for f in used)  # a subset, not the whole font
        assert len(rendered.data) < 400_000
        text = flat(PdfReader(BytesIO(rendered.data)).pages[0].extract_text())
        assert "受理回执" in text and MASKED in text
        if fonts.candidates(ext_b=True):  # fonts-hanazono: 𠈌 itself is printed
            assert not any("生僻字" in w for w in rendered.warnings)
    finally:
        pdf.forget_fonts()
