"""准予行政许可决定书 (行政许可法 art. 38(1), 39): one per approved item, printed at 出件 with
the licence (or approval document) number issued and its validity."""
from __future__ import annotations

from ..facts import Facts, closing, intro
from ..model import Field, Section
from ..registry import Kind, register

NAME = "approval_decision"


def body(f: Facts) -> list[Section]:
    d = f.decision
    return [intro(f, NAME),
            Section("许可决定", fields=(
                Field("许可证编号", d.licence_no if d else "（未记录）"),
                Field("有效期", d.validity_label if d else ""),
                Field("决定机关", f.context.deciding_dept),
                Field("决定日期", f.context.decided_on))),
            closing(f, NAME)]


register(Kind(NAME, 80, body, result="approve"))
