"""Use cases: one function per clerk action, validated with Chinese errors (``ServiceError``).

Modules: ``intake`` (draft, evaluate, close), ``returns`` (supplement, void, deliver),
``rating`` (好差评 and follow-ups), ``stats`` (the day view), ``audit`` (login, unmasking),
``accounts`` (clerk accounts: add, PIN, unlock, disable; a supervisor authorises).
Each action saves the case, its outbox event and its audit entry in ONE transaction.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from clerk_console.domain.errors import ClerkError

if TYPE_CHECKING:
    from .ports import ReplicaPort


class ServiceError(ClerkError, ValueError):
    """A clerk action that cannot be done; ``str()`` is the Chinese message saying why and
    what to do. Nothing has been saved when it is raised."""


def audit_unmask(replica: ReplicaPort, supervisor_id: str, applicant_id: str, *, clerk_id: str = "") -> str:
    """The applicant's full ID number, for a supervisor only; the unmasking is audited."""
    from .audit import audit_unmask as unmask

    return unmask(replica, supervisor_id, applicant_id, clerk_id=clerk_id)
