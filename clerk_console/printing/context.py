"""The placeholders of the notice wording, as one typed record.

Every ``{name}`` a template in ``data/templates/*.toml`` (or a hall's override) may use is a
field here, and nothing else is: ``templates.PLACEHOLDERS`` is read from these fields. Adding
a placeholder means adding a field (and filling it in ``documents.facts``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True, slots=True)
class NoticeContext:
    hall: str = ""  # the hall's name (settings)
    hall_address: str = ""
    hotline: str = ""
    window: str = ""  # the window's label
    clerk: str = ""  # name and clerk id
    case_no: str = ""
    applicant: str = ""
    id_masked: str = ""  # the applicant's document number, masked
    items: str = ""  # “item”、“item” …
    accepted_at: str = ""
    deadline_text: str = ""  # supply-by date with how it is counted
    deadline_year: str = ""
    promised_date: str = ""
    owed_count: str = ""
    department: str = ""  # the first department the case goes to (signpost: the one named)
    dept_address: str = ""
    dept_phone: str = ""
    dept_hours: str = ""
    decision: str = ""
    delivered_at: str = ""
    day: str = ""  # the day of acceptance (handover: the report's day)
    review_body: str = ""  # the 行政复议机关 of the deciding departments
    voided_on: str = ""  # the day a deferral was voided (终止办理)
    deciding_dept: str = ""  # the department that decided the item (出件 papers)
    decided_on: str = ""  # the day it decided
    notified_on: str = ""  # the day a one-time notice told what to correct (补正)
    original_promised: str = ""  # the promised date before an extension / excluded time

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


PLACEHOLDER_NAMES = frozenset(f.name for f in fields(NoticeContext))
