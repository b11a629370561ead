"""The applicant's progress page (``domain.progress``): the case's unguessable token, made at
the window (offline too) and pushed with the case, and the URL its notices' QR encodes."""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from clerk_console.domain.case import Case
from clerk_console.domain.progress import TOKEN_BYTES, progress_url
from clerk_console.storage.replica.kv import KV_SYNC_URL

from .ports import ReplicaPort


def new_token() -> str:
    """128 random bits, URL-safe: never derived from the case number."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def with_token(replica: ReplicaPort, case: Case, *, now: datetime) -> Case:
    """``case`` with its progress token: a case saved before tokens existed gets one now,
    saved (so it is pushed with the case) before its first notice prints."""
    if case.progress_token or not case.case_no:
        return case
    stored = replica.get_case(case.case_no)
    if stored is None:
        return case
    if stored.progress_token:
        return replace(case, progress_token=stored.progress_token)
    token = new_token()
    replica.save_case(replace(stored, progress_token=token, version=stored.version + 1),
                      clerk_id=stored.clerk_id, action="case.progress_token", at=now)
    return replace(case, progress_token=token, version=stored.version + 1)


def progress_base(replica: ReplicaPort, configured: str) -> str:
    """The progress page's base: the ``progress_url`` setting, else the back office's address
    the window enrolled with ("" before enrollment)."""
    return configured.strip() or (replica.get_kv(KV_SYNC_URL) or "")


def qr_url(replica: ReplicaPort, case: Case, configured: str) -> str:
    """What the QR of ``case``'s notices encodes ("" when no base is known yet)."""
    base = progress_base(replica, configured)
    return progress_url(base, case.progress_token) if base and case.progress_token else ""
