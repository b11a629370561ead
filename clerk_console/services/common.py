"""Helpers shared by the services: loading a case, the window settings, supervisors."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case
from clerk_console.domain.accounts import Clerk
from clerk_console.domain.errors import RuleError

from .ports import ReplicaPort

from . import ServiceError


def settings_of(replica: ReplicaPort, settings: Settings | None) -> Settings:
    """The given settings, else the window's ``settings.toml`` beside the replica."""
    return settings if settings is not None else Settings.load(replica.path.parent)


def load_case(replica: ReplicaPort, case: Case | str) -> Case:
    """The stored (current) version of a case given by object or case number."""
    case_no = case.case_no if isinstance(case, Case) else str(case or "").strip()
    if not case_no:
        raise ServiceError("请输入办件编号")
    found = replica.get_case(case_no)
    if found is None:
        raise ServiceError(f"找不到办件 {case_no}，请核对编号")
    return found


def require_supervisor(replica: ReplicaPort, supervisor_id: str) -> Clerk:
    clerk = replica.get_clerk(supervisor_id) if supervisor_id else None
    if clerk is None or not clerk.active:
        raise ServiceError("需要负责人确认：请负责人输入本人工号")
    if not clerk.is_supervisor:
        raise ServiceError(f"{clerk.name} 不是负责人，此操作需负责人确认")
    return clerk


@contextmanager
def refused(prefix: str = "") -> Iterator[None]:
    """A domain rule's refusal (RuleError) becomes the service's ServiceError, same message
    (after ``prefix``); nothing has been saved."""
    try:
        yield
    except RuleError as exc:
        raise ServiceError(prefix + str(exc)) from None


def require_now(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise ServiceError("缺少办理时间")
    return now
