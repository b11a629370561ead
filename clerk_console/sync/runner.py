"""One sync round: push the outbox, pull every dataset, push what the pull produced.

Used by the background worker and by ``clerk-console sync --once``. A round never loses or
doubles anything when it is interrupted at any point: events leave the outbox only when the
server's answer for them is recorded, and a page is applied in the same transaction as its
cursor.
"""
from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_console.storage.replica import KV_LAST_SYNC, KV_SYNC_URL, Replica, kv
from clerk_console.sync import apply
from clerk_console.sync.client import SyncClient, SyncError, SyncOffline, SyncRefused
from clerk_console.sync.clock import clock_warning, offset_trusted, untrusted_warning
from clerk_console.sync.protocol import (MAX_AUDIT_BATCH, REVOKED, AuditEntryWire, Dataset,
                                         EnrollResponse, PullResponse, push_body)

if TYPE_CHECKING:
    from clerk_console.storage.tables import AuditLogRow

log = logging.getLogger(__name__)

KV_URL = KV_SYNC_URL
KV_WINDOW_ID = "window_id"
KV_REGION = "window_region"
KV_INSTALL_ID = "install_id"  # random, made once: the back office knows a retried enroll by it
KV_DISABLED = "sync_disabled"  # the back office's message when it revoked or replaced us
KV_CLOCK_PENDING = "clock_offset_untrusted"  # an offset beyond a day, waiting for a supervisor
KV_CLOCK_ACCEPTED = "clock_offset_accepted"  # the one a supervisor accepted
KV_AUDIT_PUSHED = "audit_pushed_seq"  # the highest audit entry the back office confirmed
KV_SERVER_KEY = "server_key_sha256"  # the back office's public key seen at enrollment (pinned)
PUSH_BATCH = 2_000  # events per push request (the back office takes up to 5,000)


@dataclass
class RoundReport:
    online: bool = False
    pushed: int = 0  # accepted by the server now
    duplicates: int = 0  # the server had them already (an earlier answer was lost)
    refused: list[dict] = field(default_factory=list)  # {id, entity_id, status, message}
    pulled: dict[str, int] = field(default_factory=dict)  # rows applied per dataset
    deleted: dict[str, int] = field(default_factory=dict)  # tombstones applied per dataset
    resets: list[str] = field(default_factory=list)  # datasets downloaded again from scratch
    skipped: dict[str, int] = field(default_factory=dict)  # malformed rows not applied
    audit_pushed: int = 0  # audit entries the back office now holds in addition
    audit_problem: str = ""  # Chinese: the back office found the window's log rewritten
    queued: int = 0  # events still waiting after the round
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    clock_offset: float | None = None
    clock_warning: str = ""
    numbering: str = ""  # Chinese: the case numbers were behind the back office's
    disabled: bool = False  # the back office revoked this window or enrolled another PC
    error: str = ""
    finished_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def skipped_warning(self) -> str:
        """Chinese: which pulled rows were malformed and skipped, and who fixes them."""
        if not self.skipped:
            return ""
        names = {"elicence": "电子证照", "blacklist": "失信名单", "decisions": "审批结果"}
        what = "、".join(f"{names.get(d, d)}{n}条" for d, n in self.skipped.items())
        return f"后台下发的{what}记录格式有误，已跳过，其余已更新；请联系后台管理员核对数据"


def _push(replica: Replica, client: SyncClient, report: RoundReport, batch: int) -> None:
    while True:
        events = replica.outbox_batch(batch)
        if not events:
            return
        try:
            resp = client.push(push_body(events))
        except SyncError as exc:
            replica.mark_failed([e.id for e in events], str(exc)[:200])
            raise
        _resume_numbering(replica, resp.case_seq, report)
        by_id = {e.id: e for e in events}
        answered = [r for r in resp.results if r.id in by_id]
        replica.mark_pushed(answered)
        for r in answered:
            if r.status == "accepted":
                report.pushed += 1
            elif r.status == "duplicate":
                report.duplicates += 1
            else:
                event = by_id[r.id]
                report.refused.append({"id": r.id, "entity_id": event.entity_id,
                                       "case_no": json.loads(event.payload_json)
                                       .get("case_no", ""),
                                       "status": r.status.value, "message": r.message})
        if not answered:  # a server that answers nothing usable: stop, try next round
            raise SyncError("后台的回答不完整，本轮同步中止，稍后自动重试")


def _push_audit(replica: Replica, client: SyncClient, report: RoundReport, batch: int) -> None:
    """The audit entries the back office has not confirmed, oldest first. Where its copy
    finds one that does not chain (the log was rewritten here after it was pushed), the round
    says so and the entries stay here: nothing after the break is confirmed."""
    through = int(replica.get_kv(KV_AUDIT_PUSHED) or 0)
    while rows := replica.audit_after(through, min(batch, MAX_AUDIT_BATCH)):
        entries = [_audit_wire(r) for r in rows]
        resp = client.push_audit(entries)
        if resp.through > through:
            report.audit_pushed += resp.through - through
            through = resp.through
            replica.set_kv(KV_AUDIT_PUSHED, str(through))
        if resp.problem:
            report.audit_problem = f"后台核对审计日志发现问题：{resp.problem}；请联系大厅信息管理员"
            log.error("the back office refused the audit log: %s", resp.problem)
            return
        if resp.through < entries[-1].seq:
            return  # nothing more taken this round


def _audit_wire(r: AuditLogRow) -> AuditEntryWire:
    assert r.seq is not None  # audit_after reads entries after a seq: all chained
    return AuditEntryWire(seq=r.seq, id=r.id, at=r.at, clerk_id=r.clerk_id, action=r.action,
                          subject=r.subject, detail=r.detail or {}, prev_hash=r.prev_hash or "",
                          hash=r.hash)


def _predict(cursors: dict[Dataset, int], staging: dict[Dataset, int], resp: PullResponse
             ) -> tuple[dict[Dataset, int], dict[Dataset, int]] | None:
    """Where the next pull starts once this response is applied (None: after a reset)."""
    nxt, nxt_staging = dict(cursors), {}
    for ds, page in resp.pages.items():
        if page.reset:
            return None
        nxt[ds] = page.cursor
        if ds in staging and page.more:
            nxt_staging[ds] = page.floor
        elif ds in staging and page.cursor == 0 and not page.rows:
            nxt_staging[ds] = staging[ds]  # never published: still waiting for a first copy
    return nxt, nxt_staging


def _pull(replica: Replica, client: SyncClient, report: RoundReport,
          limits: dict | None) -> None:
    """Pages until nothing more; the next page is fetched while this one is applied (only
    used if the replica then stands exactly where it was predicted to)."""
    cursors, staging = apply.positions(replica)
    with ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch") as pool:
        resp = client.pull(cursors, limits, staging)
        _resume_numbering(replica, resp.case_seq, report)
        while True:
            more = any(p.more or p.reset for p in resp.pages.values())
            predicted = _predict(cursors, staging, resp) if more else None
            ahead = (pool.submit(client.pull, predicted[0], limits, predicted[1])
                     if predicted else None)
            for ds, page in resp.pages.items():
                if page.reset:
                    apply.restart(replica, ds)
                    report.resets.append(ds.value)
                    continue
                changed = page.rows or page.tombstones or page.cursor != cursors.get(ds, 0)
                if changed or ds in staging:
                    if skipped := apply.apply(replica, ds, page, staging=ds in staging):
                        report.skipped[ds.value] = report.skipped.get(ds.value, 0) + skipped
                if page.rows:
                    report.pulled[ds.value] = report.pulled.get(ds.value, 0) + len(page.rows)
                if page.tombstones:
                    report.deleted[ds.value] = (report.deleted.get(ds.value, 0)
                                                + len(page.tombstones))
            if not more:
                return
            cursors, staging = apply.positions(replica)
            if ahead is not None and predicted == (cursors, staging):
                resp = ahead.result()
            else:
                if ahead is not None:
                    ahead.exception()  # let it finish; its answer is not used
                resp = client.pull(cursors, limits, staging)


def sync_once(replica: Replica, client: SyncClient, *, batch: int = PUSH_BATCH,
              limits: dict | None = None) -> RoundReport:
    """Push, pull, push; the report says what moved. Network trouble ends the round cleanly."""
    report = RoundReport()
    completed = False
    try:
        _push(replica, client, report, batch)
        _pull(replica, client, report, limits)
        _push(replica, client, report, batch)  # decided cases go back up at once
        _push_audit(replica, client, report, batch)
        report.online = completed = True
    except SyncOffline as exc:
        report.error = str(exc)
    except SyncRefused as exc:
        report.online = True
        report.error = str(exc)
        if exc.status == 401 and str(exc).startswith(REVOKED):
            report.disabled = True
            replica.set_kv(KV_DISABLED, str(exc))
    except SyncError as exc:
        report.online = client.requests > 0
        report.error = str(exc)
    except ValueError as exc:  # a page the replica refused (CatalogueError, …): not applied
        report.online = True
        report.error = f"后台数据未能应用，本轮已停止，已应用的部分保留：{exc}"
    trusted = True
    with replica.write() as s:  # the round's bookkeeping in one commit
        if completed:
            replica.set_kv(KV_LAST_SYNC, datetime.now().isoformat(timespec="seconds"))
        if client.timing is not None:
            offset = client.timing.offset_seconds
            accepted = replica.get_kv(KV_CLOCK_ACCEPTED)
            trusted = offset_trusted(offset, float(accepted) if accepted else None)
            if trusted:
                replica.clock_offset = offset
                kv.put(s, KV_CLOCK_PENDING, None)
            else:
                kv.put(s, KV_CLOCK_PENDING, repr(offset))
    if client.timing is not None:
        report.clock_offset = round(client.timing.offset_seconds, 3)
        report.clock_warning = (clock_warning(client.timing.offset_seconds) if trusted
                                else untrusted_warning(client.timing.offset_seconds))
    report.queued = replica.outbox_queue()["pending"]
    report.requests = client.requests
    report.bytes_sent = client.bytes_sent
    report.bytes_received = client.bytes_received
    report.finished_at = datetime.now().isoformat(timespec="seconds")
    if report.error:
        log.warning("sync round ended: %s", report.error)
    return report


class SyncDisabled(SyncError):
    """The back office revoked this window or enrolled another PC for it: no more rounds
    until it is enrolled again; ``str()`` is the back office's Chinese message."""


def client_for(replica: Replica, **kwargs: Any) -> SyncClient:
    """A client for the back office this window enrolled with; SyncError if not enrolled,
    SyncDisabled if the back office stopped this window."""
    from clerk_console.sync.token_store import window_token

    url, token = replica.get_kv(KV_URL), window_token(replica)
    if not url or not token:
        raise SyncError("本窗口尚未注册到后台：请运行 clerk-console enroll 后台地址 注册码")
    disabled = replica.get_kv(KV_DISABLED)
    if disabled:
        raise SyncDisabled(disabled)
    return SyncClient(url, token, **transport_options(replica), **kwargs)


def transport_options(replica: Replica | None, home: Path | None = None) -> dict[str, Any]:
    """TLS and plain-http options from the window's settings; the pin from the settings, else
    the one taken at enrollment."""
    from clerk_console import config

    if home is None:
        if replica is None:
            raise TypeError("transport_options: a replica or its folder")
        home = replica.path.parent
    settings = config.Settings.load(home)
    pin = settings.server_key_sha256 or (replica.get_kv(KV_SERVER_KEY) if replica else "") or ""
    return {"verify": settings.ca_file or True, "pin_sha256": pin,
            "allow_plain_http": bool(settings.allow_plain_http)}


def install_id(replica: Replica) -> str:
    """This window's install id, made and kept before its first enroll attempt."""
    from clerk_console.domain.ids import new_id

    value = replica.get_kv(KV_INSTALL_ID)
    if not value:
        value = new_id()
        replica.set_kv(KV_INSTALL_ID, value)
    return value


def _resume_numbering(replica: Replica, case_seq: dict[str, int], report: RoundReport | None
                      ) -> None:
    """The back office holds higher case numbers of ours than we do (restored backup, a
    replaced PC): number new cases after them, and say so."""
    window = replica.window()
    if not case_seq or window is None:
        return
    behind = replica.resume_case_seq(window.code, case_seq)
    if behind and report is not None:
        report.numbering = ("本机办件编号落后于后台（可能从备份恢复或更换了电脑），新办件将从"
                            + "、".join(f"{day} 第{seq + 1}号" for day, seq in behind)
                            + "起编号")


def save_enrollment(replica: Replica, url: str, resp: EnrollResponse, server_key: str = ""
                    ) -> None:
    """Keep what enrollment gave; ``server_key``: the back office's public-key hash seen on
    the enrollment's TLS connection, pinned from now on."""
    from clerk_console.storage.replica import kv
    from clerk_console.sync.token_store import store_window_token

    with replica.write():
        replica.set_kv(KV_URL, url.rstrip("/"))
        with replica.write() as s:
            kv.put(s, KV_SERVER_KEY, server_key or None)
        store_window_token(replica, resp.token)  # the OS keystore or the encrypted file
        replica.set_kv(KV_WINDOW_ID, resp.window_id)
        replica.set_kv(KV_REGION, resp.region)
        with replica.write() as s:
            kv.put(s, KV_DISABLED, None)
    _resume_numbering(replica, getattr(resp, "case_seq", {}), None)


def accept_clock(replica: Replica, supervisor_id: str) -> float:
    """A supervisor takes the back office's time although it is more than a day off (the
    offset of the last round); audited. ``SyncError`` when no such offset waits."""
    pending = replica.get_kv(KV_CLOCK_PENDING)
    if not pending:
        raise SyncError("没有待确认的后台时间：本机与后台相差不到一天时自动采用后台时间")
    offset = float(pending)
    with replica.write() as s:
        replica.clock_offset = offset
        replica.set_kv(KV_CLOCK_ACCEPTED, repr(offset))
        kv.put(s, KV_CLOCK_PENDING, None)
        replica.audit(supervisor_id, "clock.accept", "clock", {"offset_seconds": offset})
    return offset
