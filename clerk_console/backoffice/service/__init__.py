"""Back-office operations on one open transaction (a SQLAlchemy Connection).

Plain functions used by the HTTP app and the admin CLI alike; nothing here keeps state between
calls, so any number of server processes can share one database. One module per concern:
``enrollment`` (codes, tokens), ``push`` (events in), ``pull`` (pages out), ``reference``
(the change log: publishing datasets), ``decisions`` (cases and decisions), ``followups``
(the windows' 差评 follow-ups), ``admin`` (the admin log), ``retention`` (pruning
received events); ``common`` holds the tables, ``BackofficeError`` and the driver-cursor helpers.
Every public name is importable from here.
"""
from __future__ import annotations

from clerk_console.domain.case import Decision
from clerk_console.sync.protocol import Dataset

from .admin import admin_log, log_admin
from .audit import held_through, receive_audit, window_audit
from .common import CHUNK, BackofficeError, WindowRow
from .decisions import count_cases, decide, list_cases
from .enrollment import (ENROLL_CODE_TTL, ENROLL_RETRY_TTL, authenticate, enroll,
                         issue_enrollment_code, issue_unlock_code, revoke)
from .followups import open_followups
from .pull import MAX_PAGE, RawPage, pull, render_pull, scope_of
from .push import push
from .reference import MAX_REPLACE_SHARE, allocate_seq, compact, import_records, put_records
from .retention import prune_events, retention_days

__all__ = ["held_through", "receive_audit", "window_audit", "BackofficeError", "WindowRow", "CHUNK", "ENROLL_CODE_TTL", "ENROLL_RETRY_TTL", "MAX_REPLACE_SHARE", "MAX_PAGE", "RawPage",
           "admin_log", "log_admin", "issue_enrollment_code", "issue_unlock_code", "enroll", "revoke",
           "authenticate", "push", "allocate_seq", "put_records", "import_records", "compact", "scope_of",
           "pull", "render_pull", "list_cases", "count_cases", "decide", "open_followups",
           "prune_events", "retention_days",
           "Decision", "Dataset"]  # the last two: the arguments' types, for callers' ease
