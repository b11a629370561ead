"""Trusted time: the local clock corrected by the offset measured against the back office.

The offset is measured on every sync answer (``X-Server-Time``) and kept in the replica, so
deadlines are computed on the server's time even when the window's PC clock is wrong.
"""
from __future__ import annotations

from datetime import datetime, timedelta

CLOCK_TOLERANCE_SECONDS = 300  # warn the clerk beyond 5 minutes
MAX_TRUSTED_OFFSET_SECONDS = 86_400  # beyond a day the server's time is not taken unasked


def trusted_now(offset_seconds: float, local_now: datetime | None = None) -> datetime:
    """Local wall-clock time corrected to the server's clock (naive local time)."""
    return (local_now or datetime.now()) + timedelta(seconds=offset_seconds)


def clock_warning(offset_seconds: float | None) -> str:
    """A Chinese warning when the local clock is off by more than 5 minutes, else ""."""
    if offset_seconds is None or abs(offset_seconds) <= CLOCK_TOLERANCE_SECONDS:
        return ""
    minutes = abs(offset_seconds) / 60
    amount = f"{minutes / 1440:.1f}天" if minutes >= 1440 else (
        f"{minutes / 60:.1f}小时" if minutes >= 60 else f"{minutes:.0f}分钟")
    way = "慢" if offset_seconds > 0 else "快"
    return f"本机时钟比后台{way}{amount}，期限已按后台时间计算；请联系管理员校准时钟"


def offset_trusted(offset_seconds: float, accepted: float | None = None) -> bool:
    """Whether a measured offset may be used for deadlines: within a day, or within the
    tolerance of the offset a supervisor accepted (``clerk-console sync --accept-clock``).
    A server 400 days off (a wrong clock there, or an impostor) is otherwise refused."""
    if abs(offset_seconds) <= MAX_TRUSTED_OFFSET_SECONDS:
        return True
    return accepted is not None and abs(offset_seconds - accepted) <= CLOCK_TOLERANCE_SECONDS


def untrusted_warning(offset_seconds: float) -> str:
    days = abs(offset_seconds) / 86_400
    way = "慢" if offset_seconds > 0 else "快"
    return (f"后台时间与本机相差{days:.1f}天（本机{way}），超过一天，未采用，期限仍按本机时间计算："
            "请负责人核对本机和后台的时间，确认后台正确时运行 clerk-console sync --accept-clock")
