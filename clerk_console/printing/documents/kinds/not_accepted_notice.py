"""不予受理通知书 (行政许可法 art. 32(1)(1)-(2)): why the application is not accepted, the body
to apply to when another one is competent, and the applicant's rights to 行政复议 and
行政诉讼 with their time limits."""
from __future__ import annotations

from clerk_console.domain.case import Outcome
from clerk_console.domain.catalogue import Item

from ..facts import Facts, closing, intro
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
    out.append(Section("权利告知", paragraphs=(f.fill(NAME, "rights").format(
        review_body=review_body(f)),)))
    return out + [closing(f, NAME)]


def review_body(f: Facts) -> str:
    """The 行政复议机关 of the deciding department(s), as configured (or a general phrase)."""
    bodies = [f.catalogue.departments[i.dept].review_body for i in f.items
              if isinstance(i, Item) and i.dept in f.catalogue.departments]
    named = [b for b in dict.fromkeys(bodies) if b]
    return "或".join(named) if named else "有管辖权的行政复议机关"


register(Kind(NAME, 45, body, outcomes=(Outcome.NOT_ACCEPTED,), reception=True))
