"""不予受理通知书 (行政许可法 art. 32(1)(1)-(2)): why the application is not accepted, the body
to apply to when another one is competent, and the applicant's rights to 行政复议 and
行政诉讼 with their time limits."""
from __future__ import annotations

from clerk_console.domain.case import Outcome

from ..facts import Facts, closing, intro, rights_section
from ..model import Field, Section
from ..registry import Kind, register

NAME = "not_accepted_notice"


def body(f: Facts) -> list[Section]:
    out = [intro(f, NAME), Section("不予受理的理由", paragraphs=(f.case.note or "（未记录）",
                                                        f.fill(NAME, "basis")))]
    dept = f.catalogue.departments.get(f.case.signpost_dept)
    if dept is not None:
        out.append(Section("请向以下机关申请", fields=(
            Field("机关", dept.name), Field("办理地点", f"{dept.hall}　{dept.address}"),
            Field("联系电话", dept.phone), Field("办公时间", dept.hours))))
    return out + [rights_section(f), closing(f, NAME)]


register(Kind(NAME, 45, body, outcomes=(Outcome.NOT_ACCEPTED,), reception=True))
