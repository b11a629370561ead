"""The window's local replica: reference data, cases, people, audit log and the sync outbox.

Every method takes and returns domain objects (``clerk_console.domain``). Every write runs in
one ``BEGIN IMMEDIATE`` transaction; ``with replica.write():`` around several calls makes them
one transaction (services use it to save a case, its outbox event and its audit entry at once).
Datetimes are the window's naive wall-clock time; aware ones are converted to local time.

One module per concern; :class:`Replica` is all of them on one file:

- ``reference``: the catalogue and the calendar;
- ``applicants``: applicants, related persons, e-licences, blacklist, credit;
- ``cases``: numbering, saving (with outbox and audit), queries, decisions;
- ``decisions``: each item's decision and the 行业综合许可证 pulled from the back office;
- ``clerks``: clerk accounts and PINs, this window, item usage;
- ``audit``: the append-only audit log;
- ``ratings``: 好差评 and bad-rating follow-ups; ``contacts``: where messages go (phone, opt-out);
- ``outbox``: events waiting to be pushed;
- ``pull``: pulled datasets, one registered handler each, staged whole downloads;
- ``kv``: small settings (token, clock offset); ``codecs``: rows and JSON <-> domain.
"""
from __future__ import annotations

from ..db import ReplicaError
from ..sqltext import local
from .applicants import RELATED_ROLES, Applicants
from .audit import AuditLog
from .cases import Cases
from .clerks import ROLES, Clerks, check_pin
from .codecs import case_from_dict, case_to_dict
from .contacts import Contacts
from .decisions import Decisions
from .kv import KV_CLOCK_OFFSET, KV_LAST_SYNC, KV_SYNC_URL, KV_WINDOW_TOKEN, Kv
from .notices import Notices
from .outbox import Outbox
from .pull import DATASETS, Pull
from .ratings import Ratings
from .reference import ReferenceData
from .values import (MAX_PIN_ATTEMPTS, AuditEntry, Clerk, Followup, OutboxEvent, OutboxWire,
                     Rating, WindowInfo)

__all__ = ["Replica", "ReplicaError", "WindowInfo", "Clerk", "OutboxEvent", "OutboxWire",
           "AuditEntry", "Rating", "Followup", "case_to_dict", "case_from_dict",
           "check_pin", "local", "MAX_PIN_ATTEMPTS", "ROLES", "RELATED_ROLES", "DATASETS",
           "KV_CLOCK_OFFSET", "KV_LAST_SYNC", "KV_SYNC_URL", "KV_WINDOW_TOKEN"]


class Replica(ReferenceData, Applicants, Pull, Decisions, Cases, Clerks, AuditLog, Ratings,
              Contacts, Notices, Outbox, Kv):
    """One window's replica file. Create with :meth:`open`; close with :meth:`close`."""
