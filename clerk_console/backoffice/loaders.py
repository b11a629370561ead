"""Read the admin's input files (catalogue, calendar, CSV lists) into change-log records.

Each loader returns ``{(scope, key): payload}`` or raises ``LoadError`` with a Chinese message
naming the file, the line and what to fix.
"""
from __future__ import annotations

import codecs
import csv
import re
from datetime import date, datetime
from pathlib import Path

from clerk_console.domain.parties import elicence_key

REGION_RE = re.compile(r"^\d{6}$")
MAX_FIELD_CHARS = 2_000  # no column of these lists is anywhere near; a 200 KB field is an error

BLACKLIST_COLUMNS = ("subject_id", "name", "reason", "listed_on")
ELICENCE_COLUMNS = ("holder_id", "type_code", "name", "number", "issued", "expires", "region")


class LoadError(ValueError):
    """Bad input file; the message (Chinese) says where and what to do."""


def _validated(load, path: Path):
    """Run one of the console's own file loaders; its Chinese error becomes a LoadError."""
    try:
        return load(path)
    except ValueError as exc:  # CatalogueError, CalendarFileError
        raise LoadError(str(exc)) from None


def catalogue_records(folder: Path) -> dict[tuple[str, str], dict]:
    """The whole validated catalogue as one record (its dict form carries the version)."""
    from clerk_console.datafiles.catalogue import catalogue_to_dict, load_catalogue

    return {("", "catalogue"): catalogue_to_dict(_validated(load_catalogue, folder))}


def calendar_records(path: Path) -> dict[tuple[str, str], dict]:
    """One published calendar year (a file such as data/calendar/2027.toml), validated."""
    from clerk_console.datafiles.calendar import load_calendar_file, schedule_to_dict

    schedule = _validated(load_calendar_file, path)
    return {("", str(schedule.year)): schedule_to_dict(schedule)}


def _date(value: str, path: Path, line: int, column: str) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise LoadError(f"{path} 第{line}行：{column}“{value}”不是日期，应写成 2026-01-31") from None


SAMPLE_BYTES = 1 << 20  # enough of a file to tell UTF-8 from GB18030


def csv_encoding(path: Path) -> str:
    """What Excel on a Chinese PC writes: UTF-8 with a BOM ("CSV UTF-8"), GBK/GB18030 ("CSV"),
    UTF-16 ("Unicode text"); plain UTF-8 from other tools."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _xlsx_cell(value, path: Path, line: int, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if abs(value) >= 1e15:
            raise LoadError(f"{path} 第{line}行 {column}列：数字 {value:.0f} 位数过多，Excel 已把它改写；"
                            "请把这一列设为“文本”格式后重新输入")
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _table(path: Path):
    """``(line, fields)`` of every line of a CSV (any of csv_encoding's) or the first sheet of
    an .xlsx, the header first. A decoding or format error is a LoadError naming the line."""
    if path.suffix.lower() == ".xlsx":
        try:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
            raise LoadError(f"{path}：不是有效的 Excel .xlsx 文件（{exc}），请在 Excel 中另存为 .xlsx 或 CSV") from None
        try:
            header: list[str] = []
            for line, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                if line == 1:
                    header = [str(v or "").strip() for v in row]
                    yield line, header
                    continue
                cells = [_xlsx_cell(v, path, line, header[i] if i < len(header) else str(i + 1))
                         for i, v in enumerate(row)]
                while cells and cells[-1] == "" and len(cells) > len(header):
                    cells.pop()
                yield line, (cells if any(cells) else [])
        finally:
            book.close()
        return
    encoding = csv_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        first = fh.readline()
        dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
        fh.seek(0)
        reader = csv.reader(fh, dialect)
        n = 0
        try:
            for fields in reader:
                n = reader.line_num
                yield n, fields
        except UnicodeDecodeError:
            raise LoadError(f"{path} 第{n + 1}行附近：文字编码有误（按 {encoding} 读取），"
                            "请在 Excel 中另存为“CSV UTF-8”后重试") from None
        except csv.Error as exc:  # a field above the csv module's own limit, a stray quote
            raise LoadError(f"{path} 第{n + 1}行附近：CSV格式错误（{exc}），请检查引号和字段长度"
                            ) from None


def _rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...]):
    """``(line, {column: value})`` of each data row of a CSV or .xlsx. A row with fewer fields
    than the header (a truncated file) or a field above MAX_FIELD_CHARS is an error naming the
    line and column; the caller imports nothing unless every row is good."""
    if not path.is_file():
        raise LoadError(f"文件{path}不存在")
    table = _table(path)
    try:
        _, header = next(table, (1, []))
    except UnicodeDecodeError:
        raise LoadError(f"{path}：文字编码无法识别，请在 Excel 中另存为“CSV UTF-8”后重试") from None
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        table.close()
        raise LoadError(f"{path}：缺少列 {', '.join(missing)}；第一行应为 {','.join(columns)}")
    where = {c: header.index(c) for c in columns}
    for n, fields in table:
        if not fields:
            continue  # a blank line
        if len(fields) < len(header):
            raise LoadError(f"{path} 第{n}行：只有{len(fields)}列，表头有{len(header)}列"
                            "（文件可能不完整或被截断），未导入任何数据，请检查后重试")
        long = [c for c in columns if len(fields[where[c]]) > MAX_FIELD_CHARS]
        if long:
            raise LoadError(f"{path} 第{n}行：{', '.join(long)} 列超过{MAX_FIELD_CHARS}个字符，"
                            "请检查该行（可能缺少引号）")
        values = {c: fields[where[c]].strip() for c in columns}
        empty = [c for c in required if not values[c]]
        if empty:
            raise LoadError(f"{path} 第{n}行：{', '.join(empty)} 列不能为空")
        yield n, values


def blacklist_records(path: Path) -> dict[tuple[str, str], dict]:
    out = {}
    for n, v in _rows(path, BLACKLIST_COLUMNS, ("subject_id", "name", "reason")):
        sid = v["subject_id"].upper()
        out[("", sid)] = {"subject_id": sid, "name": v["name"], "reason": v["reason"],
                          "listed_on": _date(v["listed_on"], path, n, "listed_on")}
    return out


def elicence_records(path: Path) -> dict[tuple[str, str], dict]:
    out = {}
    for n, v in _rows(path, ELICENCE_COLUMNS, ("holder_id", "type_code", "name", "number",
                                               "region")):
        if not REGION_RE.match(v["region"]):
            raise LoadError(f"{path} 第{n}行：region“{v['region']}”应为6位行政区划代码")
        holder = v["holder_id"].upper()
        key = elicence_key(holder, v["type_code"], v["number"])
        out[(v["region"], key)] = {
            "holder_id": holder, "type_code": v["type_code"], "name": v["name"],
            "number": v["number"], "issued": _date(v["issued"], path, n, "issued"),
            "expires": _date(v["expires"], path, n, "expires")}
    return out
