"""Messages to applicants (短信): which events send one, what a message may say, the caps.

Pure domain. Three events send a message, each at most once per case (``message_key``):
the result is ready for pick-up (any back-office decision: the text never says which), a
deferral's supply deadline is two working days away (or less, if that day was missed), and a
deferral was voided. A message carries template parameters, never free text: the case number,
an item name, a date, the hall. No full ID number ever leaves in one (``scrub``), and the
applicant's name is not sent at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .calendar import WorkCalendar
from .masking import mask_id


class MessageKind(StrEnum):
    RESULT_READY = "result_ready"
    DEADLINE = "deadline"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return {"result_ready": "结果领取通知", "deadline": "补正到期提醒",
                "voided": "终止办理通知"}[self.value]


# What each template says, for the clerk's and the log's preview (the provider holds the
# registered wording under the template id; the parameters are the same names).
PREVIEWS = {
    MessageKind.RESULT_READY: "您的办件{case_no}（{item}）办理结果已出，请携带身份证件到{hall}领取。",
    MessageKind.DEADLINE: "您的办件{case_no}须在{deadline}前补交容缺材料，逾期将终止办理。",
    MessageKind.VOIDED: "您的办件{case_no}因逾期未补交材料已终止办理，终止告知书请到{hall}领取。",
}
NEEDS_HALL = frozenset({MessageKind.RESULT_READY, MessageKind.VOIDED})
DEFAULT_HALL = "政务服务中心"
REMIND_WORKDAYS = 2  # a deadline reminder goes out this many working days before (or fewer)
DEFAULT_DAILY_CAP = 5  # messages per phone per day, all kinds together
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A resident ID (18 or 15 digits) or any run of 15+ digits inside a parameter is masked.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15,})(?![0-9A-Za-z])")
PARAM_MAX = 35  # providers cap each template variable (Aliyun: 35 characters)


def is_mobile(phone: str) -> bool:
    """A mainland mobile number (11 digits from 13… to 19…), the only kind an SMS reaches."""
    return bool(MOBILE.fullmatch((phone or "").strip()))


def message_key(kind: MessageKind, case_id: str, deadline: date | None = None) -> str:
    """The one key per message: a second trigger of the same event finds it and adds nothing.
    A deadline reminder is per deadline (a new deadline would be a new reminder)."""
    suffix = f":{deadline.isoformat()}" if kind is MessageKind.DEADLINE and deadline else ""
    return f"{kind.value}:{case_id}{suffix}"


def contact_key(case_no: str) -> str:
    """The one key of where a case's messages go (its phone and opt-out, given at the window):
    the outbox event's entity id and the payload's id; the back office refuses any other."""
    return f"contact:{case_no}"


def remind_now(cal: WorkCalendar, today: date, deadline: date | None) -> bool:
    """Whether a deferral's deadline reminder is due today: at most ``REMIND_WORKDAYS``
    working days left and not yet past."""
    if deadline is None or deadline < today:
        return False
    return cal.workdays_between(today, deadline) <= REMIND_WORKDAYS


def scrub(value: str) -> str:
    """A template parameter as it may leave: ID-like digit runs masked, length capped."""
    text = _ID_LIKE.sub(lambda m: mask_id(m.group(1)), str(value or ""))
    return text[:PARAM_MAX]


@dataclass(frozen=True, slots=True)
class Message:
    kind: MessageKind
    params: dict[str, str]

    @property
    def preview(self) -> str:
        return PREVIEWS[self.kind].format(**self.params)


def message(kind: MessageKind, *, case_no: str, item: str = "", deadline: date | None = None,
            hall: str = "") -> Message:
    """The parameters of one message, each scrubbed."""
    params = {"case_no": case_no}
    if kind is MessageKind.RESULT_READY:
        params["item"] = item or "所办事项"
    if kind is MessageKind.DEADLINE:
        params["deadline"] = f"{deadline:%Y年%m月%d日}" if deadline else ""
    if kind in NEEDS_HALL and hall:
        params["hall"] = hall
    return Message(kind, {k: scrub(v) for k, v in params.items()})


def with_hall(msg: Message, hall: str) -> Message:
    """The message with the pick-up place filled in where its template names one and the
    event did not (the sender's configured hall)."""
    if msg.kind not in NEEDS_HALL or msg.params.get("hall"):
        return msg
    return Message(msg.kind, {**msg.params, "hall": scrub(hall or DEFAULT_HALL)})


def cap_reached(sent_today: int, cap: int) -> bool:
    return sent_today >= cap
