"""The back office's list imports take what Excel on a Chinese PC writes: GBK/GB18030 CSV,
UTF-8 with a BOM, UTF-16 "Unicode text", and .xlsx; a bad row names its line and column."""
from __future__ import annotations

from datetime import datetime

import pytest

from clerk_console.backoffice import cli
from clerk_console.backoffice.loaders import LoadError, blacklist_records, csv_encoding, elicence_records

HEADER = "subject_id,name,reason,listed_on"
ROWS = ["91370600MA3C00000X,烟台某某餐饮有限公司,拒不履行法院判决,2025-01-02",
        "370602197510100046,赵𠈌强,失信被执行人,2025-03-01"]


def _csv(tmp_path, encoding: str, rows=ROWS, sep=",", name="bl.csv"):
    path = tmp_path / name
    text = "\r\n".join([HEADER.replace(",", sep)] + [r.replace(",", sep) for r in rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, detected", [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"),
                                                ("gb18030", "gb18030")])
def test_csv_in_any_encoding_excel_writes(tmp_path, encoding, detected):
    path = _csv(tmp_path, encoding)
    assert csv_encoding(path) == detected
    records = blacklist_records(path)
    assert records[("", "370602197510100046")]["name"] == "赵𠈌强"
    assert records[("", "91370600MA3C00000X")]["reason"] == "拒不履行法院判决"


def test_plain_gbk_and_utf16_tab_separated_text(tmp_path):
    gbk = _csv(tmp_path, "gbk", rows=[ROWS[0]], name="gbk.csv")
    assert blacklist_records(gbk)[("", "91370600MA3C00000X")]["name"] == "烟台某某餐饮有限公司"
    utf16 = _csv(tmp_path, "utf-16", sep="\t", name="u16.txt")
    assert len(blacklist_records(utf16)) == 2


def _xlsx(tmp_path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)
    return path


def test_xlsx_with_dates_and_numbers(tmp_path):
    path = _xlsx(tmp_path, [HEADER.split(","),
                            ["91370600MA3C00000X", "烟台某某餐饮有限公司", "严重失信", datetime(2025, 1, 2)],
                            [None, None, None, None],
                            ["370602197510100046", "赵强", "失信被执行人", "2025-03-01"]])
    records = blacklist_records(path)
    assert records[("", "91370600MA3C00000X")]["listed_on"] == "2025-01-02"
    assert len(records) == 2


def test_a_bad_xlsx_row_names_line_and_column_and_nothing_is_returned(tmp_path):
    path = _xlsx(tmp_path, [HEADER.split(","), ["91370600MA3C00000X", "某公司", "严重失信", None],
                            [370602197510100046, "赵强", "失信被执行人", None]])
    with pytest.raises(LoadError, match=r"第3行 subject_id列：数字 .* 位数过多"):
        blacklist_records(path)
    lic = _xlsx(tmp_path, [["holder_id", "type_code", "name", "number", "issued", "expires", "region"],
                           ["370602199001011234", "yyzz", "营业执照", "N1", "2020-01-01", None, "370602"],
                           ["370602199001011234", "yyzz", "营业执照", "N2", "2020-13-01", None, "370602"]])
    with pytest.raises(LoadError, match=r"第3行：issued“2020-13-01”不是日期"):
        elicence_records(lic)


def test_a_broken_xlsx_and_a_truncated_gbk_csv_are_refused_in_chinese(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    assert cli.main(["--db", db, "import-blacklist", str(bad)]) == 1
    assert "不是有效的 Excel .xlsx 文件" in capsys.readouterr().err
    cut = _csv(tmp_path, "gb18030", rows=[ROWS[0], "370602197510100046,赵强"], name="cut.csv")
    assert cli.main(["--db", db, "import-blacklist", str(cut)]) == 1
    err = capsys.readouterr().err
    assert "第3行" in err and "未导入任何数据" in err
