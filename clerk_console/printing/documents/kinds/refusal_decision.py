"""不予行政许可决定书 (行政许可法 art. 38(2)): one per refused item, printed at 出件 with the
reasons and the legal basis the department gave, and the applicant's rights to 行政复议
(60 days) and 行政诉讼 (6 months), worded as the 不予受理通知书 words them."""
from __future__ import annotations

from ..facts import Facts, closing, intro, rights_section
from ..model import Section
from ..registry import Kind, register

NAME = "refusal_decision"


def body(f: Facts) -> list[Section]:
    d = f.decision
    return [intro(f, NAME),
            Section("不予许可的理由", paragraphs=(d.reasons if d and d.reasons else "（未记录）",)),
            Section("法律依据", paragraphs=(d.legal_basis if d and d.legal_basis else "（未记录）",)),
            rights_section(f), closing(f, NAME)]


register(Kind(NAME, 81, body, result="refuse"))
