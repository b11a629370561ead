"""Where the back office's messages (短信) to an applicant go: the applicant's mobile phone on
file, sent with each accepted case, and the applicant's opt-out (or opt-in again) recorded at
the window. The back office sends the messages (``backoffice/sms.py``)."""
from __future__ import annotations

from datetime import datetime

from clerk_console.domain.case import Case
from clerk_console.domain.masking import mask_phone
from clerk_console.domain.messages import is_mobile
from clerk_console.storage.db import ReplicaError

from . import ServiceError
from .common import load_case, require_now
from .ports import ReplicaPort


def contact_at_intake(replica: ReplicaPort, case: Case, at: datetime) -> None:
    """Inside the intake's transaction: the applicant's mobile phone, if on file, for this
    case's messages (nothing when there is none: the back office then sends nothing)."""
    applicant = replica.find_applicant(case.applicant_id)
    phone = (applicant.phone if applicant else "").strip()
    if is_mobile(phone):
        replica.save_contact(case.case_no, phone, False, at)


def record_choice(replica: ReplicaPort, case: Case | str, *, clerk_id: str, opt_out: bool,
                  now: datetime, phone: str = "") -> str:
    """The applicant's choice for this case's messages, told to the clerk: no messages
    (opt-out), or messages to ``phone`` (default: the phone on file). Audited; the phone
    appears masked in the audit log. Returns the masked phone (or "")."""
    require_now(now)
    case = load_case(replica, case)
    if not phone:
        applicant = replica.find_applicant(case.applicant_id)
        phone = applicant.phone if applicant else ""
    phone = phone.strip()
    if not opt_out and not is_mobile(phone):
        raise ServiceError(f"“{mask_phone(phone) or '未登记'}”不是手机号码：短信只能发到11位手机号，"
                           "请核对或用 --phone 给出")
    try:
        with replica.write():
            replica.save_contact(case.case_no, phone if is_mobile(phone) else "", opt_out, now)
            replica.audit(clerk_id, "case.sms_opt_out" if opt_out else "case.sms_opt_in",
                          case.case_no, {"phone": mask_phone(phone)}, at=now)
    except ReplicaError as exc:
        raise ServiceError(str(exc)) from None
    return mask_phone(phone)
