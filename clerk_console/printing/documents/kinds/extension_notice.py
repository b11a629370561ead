"""延期告知书: the case's time limit moved by law, told in writing with the new date — the one
extension (行政许可法 art. 42(1): 10 working days, approved by the office's head, with the
reason) and the time of procedures not counted (art. 45: hearing, testing, expert review …)."""
from __future__ import annotations

from clerk_console.domain.case import EXCLUSION_RULE, EXTENSION_RULE

from ..facts import Facts, closing, date_text, day_text, intro
from ..model import Field, Section, Table
from ..registry import Kind, register

NAME = "extension_notice"


def body(f: Facts) -> list[Section]:
    case = f.case
    out = [intro(f, NAME)]
    if case.extension is not None:
        ext = case.extension
        out.append(Section("延长办理期限", fields=(
            Field("延长理由", ext.reason), Field("延长期限", f"{ext.days}个工作日"),
            Field("批准日期", date_text(ext.on)), Field("原承诺办结日期", day_text(ext.before)),
            Field("延长后办结日期", day_text(ext.after))),
            paragraphs=(f"依据：{EXTENSION_RULE}。",)))
    if case.excluded:
        rows = tuple((e.label, f"{date_text(e.start)}至{date_text(e.end)}", f"{e.workdays}个工作日",
                      e.reason) for e in case.excluded)
        out.append(Section("不计入办理期限的时间", table=Table(("程序", "起止日期", "工作日", "说明"), rows),
                           paragraphs=(f"依据：{EXCLUSION_RULE}。",)))
    out.append(Section("", fields=(Field("现承诺办结日期", day_text(case.promised_date)),)))
    return out + [closing(f, NAME)]


register(Kind(NAME, 15, body, moved=True, promised_label="现承诺办结日期"))
