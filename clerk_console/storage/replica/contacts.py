"""Where an applicant's messages go (短信): the phone and the opt-out given at the window, per
case, sent to the back office as ``entity="contact"`` (the back office sends the messages)."""
from __future__ import annotations

from datetime import datetime

from . import outbox
from ..sqltext import local
from .base import ReplicaBase
from .codecs import iso


class Contacts(ReplicaBase):
    def save_contact(self, case_no: str, phone: str, opt_out: bool, at: datetime) -> None:
        """One outbox event; the back office keeps the newest per case."""
        at = local(at)
        with self.write() as s:
            outbox.enqueue(s, "contact", f"contact:{case_no}", "save",
                           {"id": f"contact:{case_no}", "case_no": case_no, "phone": phone,
                            "opt_out": opt_out, "at": iso(at)}, at)
