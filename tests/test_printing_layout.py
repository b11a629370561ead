"""Notices as short as their content, with no code, number or date broken across lines
(issue #9: the coffee shop's deferral was 6 A4 pages and its credit code printed as
``913706 / 13MA3CKF011N``). PDFs are read back with pypdf, line by line."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from rich.cells import cell_len

from clerk_console.cli import main
from clerk_console.config import Settings
from clerk_console.domain.case import MaterialState
from clerk_console.printing import linebreak, pdf, text
from clerk_console.printing.notices import case_documents
from clerk_console.storage.replica import Replica
from support.printing import make, sample_cases

COFFEE = "91370613MA3CKF011N"
# what must never be split: credit codes, (masked) ID numbers, case and item codes, phone
# numbers, dates with or without their weekday and time
UNBROKEN = re.compile(r"[0-9A-Z][0-9A-Z*\-]{5,}[0-9A-Z]|\d{4}年\d{1,2}月\d{1,2}日(?:（星期.）)?")


def lines_of(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))
    return [re.sub(r"[ \t\u3000]", "", line) for page in reader.pages
            for line in page.extract_text().splitlines()]


def unbroken_in(doc) -> list[str]:
    return [m.group(0) for s in doc.strings() for m in UNBROKEN.finditer(s.replace("　", ""))]


def assert_whole_on_lines(docs, data: bytes) -> None:
    """Each code and date of the documents appears whole on a printed line, as often as the
    documents hold it."""
    lines = lines_of(data)
    wanted: dict[str, int] = {}
    for doc in docs:
        for code in unbroken_in(doc):
            wanted[code] = wanted.get(code, 0) + len(doc.copy_labels or ("",))
    broken = {code: (n, sum(line.count(code) for line in lines)) for code, n in wanted.items()
              if sum(line.count(code) for line in lines) < n}
    assert not broken, f"split across lines (wanted, found whole): {broken}"


# ---------------------------------------------------------------------------- the rule


def test_dates_codes_and_numbers_are_single_pieces():
    assert linebreak.pieces("于2026年12月4日（星期五）前") == ["于", "2026年12月4日（星期五）", "前"]
    assert linebreak.pieces("代码91370613MA3CKF011N，") == ["代", "码", "91370613MA3CKF011N，"]
    assert linebreak.pieces("（3706**********0159）") == ["（3706**********0159）"]
    assert linebreak.pieces("2026年12月2日 09:28受理") == ["2026年12月2日 09:28", "受", "理"]


@pytest.mark.parametrize("prefix", range(0, 12))
def test_a_date_or_code_is_moved_whole_to_the_next_line(prefix):
    """Wherever a line ends, a date or a code goes on one line or the next, never half."""
    line = "申" * prefix + "请于2026年12月4日前补交，统一社会信用代码91370613MA3CKF011N。"
    for width in (20, 23, 26, 34):  # the code and its 。 take 20 cells
        out = linebreak.break_lines(line, width, cell_len)
        assert all(cell_len(row) <= width for row in out)
        assert "".join(out) == line
        assert any("2026年12月4日" in row for row in out)
        assert any(COFFEE in row for row in out)


def test_closing_punctuation_never_starts_a_line_and_a_too_long_piece_is_cut():
    out = linebreak.break_lines("材料齐全，予以受理。", 8, cell_len)
    assert not any(row[0] in linebreak.CLOSING for row in out)
    assert linebreak.break_lines("X" * 25, 10, cell_len) == ["X" * 10, "X" * 10, "X" * 5]


def test_column_widths_keep_the_widest_piece_and_fill_the_width():
    columns = [["事项名称", "公众聚集场所投入使用、营业前消防安全检查"], ["事项编码", "37061340100400010000"],
               ["承诺时限", "3个工作日"]]
    widths = linebreak.column_widths(columns, 60, cell_len, 2)
    assert sum(widths) == pytest.approx(60)
    assert widths[1] >= 22  # the 20-digit code and its padding
    assert linebreak.column_widths([["a"], ["b"]], 10, cell_len, 0) == [5, 5]


def test_the_preview_keeps_dates_whole():
    case = replace(sample_cases()["deferred"])
    preview = text.render(make("deferral_notice", case), width=40)
    assert "2026年12月4日" in preview.replace("\n", "|").replace("|", "\n")
    for line in preview.splitlines():
        assert cell_len(line) <= 40


# ---------------------------------------------------------------------------- on paper


def test_codes_and_dates_in_narrow_cells_and_long_reasons_stay_whole():
    """Reasons naming a code and dates at every offset, in the owed table's narrow column,
    and applicants' names of every length before the intro's date."""
    base = sample_cases()["deferred"]
    owed = next(m for m in base.materials if not m.state.satisfied)
    extra = tuple(replace(owed, code=f"X{k}", state=MaterialState.DEFECTIVE, reason="核" * k +
                          f"原件所载代码{COFFEE}与2026年11月30日核发的营业执照不一致，"
                          "请于2026年12月4日前换领") for k in range(16))
    for n in range(0, 24, 3):
        case = replace(base, materials=base.materials + extra, applicant_id=COFFEE,
                       applicant_kind="enterprise", applicant_name="烟台" + "海" * n + "有限公司")
        docs = [make(kind, case) for kind in ("deferral_notice", "deferral_commitment")]
        assert_whole_on_lines(docs, pdf.render(docs, Settings()).data)


FROZEN = datetime(2026, 11, 27, 15, 0)  # the demo's day (its clock is frozen here too)


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from clerk_console.commands import demo as demo_command

    home = tmp_path_factory.mktemp("layout") / "demo"
    mp = pytest.MonkeyPatch()
    mp.setenv("CLERK_CONSOLE_HOME", str(home))
    mp.setenv("CLERK_CONSOLE_DEMO_HOME", str(home))  # the demo has its own folder
    mp.setattr(demo_command, "datetime", FrozenClock)
    try:
        assert main(["demo", "--init-only", "--no-backoffice"]) == 0
    finally:
        mp.undo()
    replica = Replica.open(home / "replica.sqlite3")
    yield replica, home
    replica.close()


def test_the_coffee_shop_deferral_is_three_pages(demo):
    """Notice (applicant's and file copy, one page each) and the commitment: 3 A4 pages."""
    replica, home = demo
    case = next(c for c in replica.list_cases()
                if c.applicant_id == COFFEE and c.outcome == "deferred" and c.owed)
    docs = case_documents(replica, case, settings=Settings(), home=home, now=FROZEN)
    data = pdf.render(docs).data
    assert [d.kind for d in docs] == ["deferral_notice", "deferral_commitment"]
    assert len(PdfReader(BytesIO(data)).pages) <= 3
    assert_whole_on_lines(docs, data)


def test_no_demo_document_breaks_a_code_or_a_date(demo):
    replica, home = demo
    for case in replica.list_cases():
        if not case.outcome:
            continue
        docs = case_documents(replica, case, settings=Settings(), home=home, now=FROZEN)
        data = pdf.render(docs).data
        assert_whole_on_lines(docs, data)
        # the signatures never stand alone on a page: the closing words are with them
        for doc in docs:
            if not doc.signatures:
                continue
            for i, page in enumerate(PdfReader(BytesIO(pdf.render(doc).data)).pages):
                flat_page = re.sub(r"\s+", "", page.extract_text())
                if re.sub(r"\s+", "", doc.signatures[0]) in flat_page:
                    closing = re.sub(r"\s+", "", doc.sections[-1].paragraphs[-1])
                    assert closing[:20] in flat_page, (case.case_no, doc.kind, i)
