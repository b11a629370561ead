"""Where an applicant's messages go (短信): the phone and the opt-out given at the window, per
case, sent to the back office as ``entity="contact"`` (the back office sends the messages)."""
from __future__ import annotations

from datetime import datetime

from clerk_console.domain.messages import contact_key

from . import outbox
from ..sqltext import local
from .base import ReplicaBase
from .codecs import contact_to_dict


class Contacts(ReplicaBase):
    def save_contact(self, case_no: str, phone: str, opt_out: bool, at: datetime) -> None:
        """One outbox event; the back office keeps the newest per case."""
        with self.write() as s:
            outbox.enqueue(s, "contact", contact_key(case_no), "save",
                           contact_to_dict(case_no, phone, opt_out, at), local(at))
