"""Messages to applicants (短信) through an SMS gateway's HTTP API, from an outbox.

- **Queued in the transaction of the event** (``queue``): a back-office decision (result ready
  for pick-up; ``queue_decided`` also finds decisions recorded by any other path, such as the
  workbench's item decisions), a window's push voiding a deferral, and the reminder scan
  (``queue_reminders``: a deferral's deadline two working days away). Each message has one key
  (``domain.messages.message_key``, unique in ``bo_sms_outbox``): a second trigger adds nothing.
- **Sent by** ``deliver``: phone and opt-out are read at sending time from what the window
  reported (``bo_sms_contact``), so an opt-out given after the event still holds; at most
  ``daily_cap`` messages per phone per day (China time), the rest wait for the next day; each
  request is retried ``attempts`` times, then the message waits (backing off) for the next
  round: a gateway outage loses nothing. A message is claimed (``sending``) before its request,
  so two senders never send it twice; a crash between the gateway's answer and the commit can
  repeat it once, with the same ``OutId`` (the message id) for the provider to recognise.
- **The gateway** (``Gateway``): a JSON POST in the field names of the Chinese providers'
  SendSms APIs (``PhoneNumbers``, ``SignName``, ``TemplateCode``, ``TemplateParam``,
  ``OutId``), to the configured URL, with an optional bearer token from an environment
  variable; the answer ``{"Code": "OK"}`` means sent. Providers that sign each request:
  ``signing = "aliyun"`` (``sms_aliyun.py``: SendSms, HMAC-SHA1 over the canonical query);
  ``gateway_for`` picks the class. Only template parameters travel, scrubbed of ID
  numbers (``domain.messages.scrub``); the applicant's name never does.

Configuration: a TOML file (``load_config``), e.g. ``sms.toml``::

    url = "https://sms.example.gov.cn/api/send"
    sign_name = "烟台政务服务"
    token_env = "CLERK_SMS_TOKEN"      # "" for none
    hall = "烟台市政务服务中心"          # where results are picked up
    daily_cap = 5
    [templates]
    result_ready = "SMS_000001"
    deadline = "SMS_000002"
    voided = "SMS_000003"

Signed (Alibaba Cloud SendSms), in addition::

    url = "https://dysmsapi.aliyuncs.com/"
    signing = "aliyun"
    access_key_id = "LTAI..."
    secret_env = "CLERK_SMS_SECRET"     # the AccessKey Secret is read from this variable
    region = "cn-hangzhou"              # api_version = "2017-05-25"
"""
from __future__ import annotations

import json
import logging
import os
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, exists, func, literal, select, update

from clerk_console import toml_text
from clerk_console.backoffice.tables import ServerContact, SmsMessage
from clerk_console.domain.calendar import CHINA_TIME, WorkCalendar
from clerk_console.domain.case import SUPPLY_STATUSES
from clerk_console.domain.ids import new_id
from clerk_console.domain.masking import mask_phone
from clerk_console.domain.messages import (DEFAULT_DAILY_CAP, Message, MessageKind, cap_reached,
                                           message, message_key, remind_now, with_hall)
from clerk_console.sync.protocol import Dataset

from .service.common import CASE, DEC, LOG, _insert

log = logging.getLogger("clerk_backoffice.sms")

SMS = SmsMessage.__table__
CONTACT = ServerContact.__table__
CHINA = CHINA_TIME  # the working days' clock (domain.calendar)
CLAIM_SECONDS = 600  # a message claimed longer ago than this by a sender that died is retried
MAX_BACKOFF_MINUTES = 60
SEND_BATCH = 200
# decisions older than this get no result-ready message from the scan (not the whole history
# when messages are first switched on)
DECIDED_LOOKBACK = timedelta(days=3)


class SmsConfigError(ValueError):
    """The SMS configuration cannot be used; the message is Chinese and names the key."""


@dataclass(frozen=True)
class SmsConfig:
    url: str
    sign_name: str
    templates: dict[str, str]
    token_env: str = ""
    hall: str = ""
    daily_cap: int = DEFAULT_DAILY_CAP
    timeout_seconds: float = 10.0
    attempts: int = 3  # requests per message per round
    retry_wait_seconds: float = 1.0  # first wait between them (doubling)
    interval_seconds: float = 60.0  # between rounds of the worker
    # a provider that signs each request (SIGNING): "" none (bearer token), "aliyun" (SendSms,
    # HMAC-SHA1, sms_aliyun.py) with the AccessKey id and the environment variable holding
    # the secret (never the secret itself in the file)
    signing: str = ""
    access_key_id: str = ""
    secret_env: str = ""
    region: str = "cn-hangzhou"
    api_version: str = "2017-05-25"


def load_config(path: Path) -> SmsConfig:
    try:
        data = toml_text.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SmsConfigError(f"短信设置文件 {path} 无法读取或格式有误（{exc}）") from None
    return check_config(data, str(path))


def check_config(data: dict[str, Any], where: str = "短信设置") -> SmsConfig:
    known = set(SmsConfig.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise SmsConfigError(f"{where}：没有设置项“{'、'.join(unknown)}”")
    for key in ("url", "sign_name", "templates"):
        if not data.get(key):
            raise SmsConfigError(f"{where}：缺少“{key}”")
    if not str(data["url"]).startswith(("http://", "https://")):
        raise SmsConfigError(f"{where}：url 应以 http:// 或 https:// 开头")
    templates = data["templates"]
    missing = [k.value for k in MessageKind if not isinstance(templates, dict)
               or not str(templates.get(k.value, "")).strip()]
    if missing:
        raise SmsConfigError(f"{where}：[templates] 缺少 {'、'.join(missing)} 的模板编号")
    cap = data.get("daily_cap", DEFAULT_DAILY_CAP)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 50:
        raise SmsConfigError(f"{where}：daily_cap 应为 1-50 的整数")
    attempts = data.get("attempts", 3)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 10:
        raise SmsConfigError(f"{where}：attempts 应为 1-10 的整数")
    if data.get("signing", "") not in SIGNING:
        raise SmsConfigError(f"{where}：signing 应为 {'、'.join(repr(k) for k in SIGNING)} 之一"
                             f"（{'；'.join(f'{k!r}：{v}' for k, v in SIGNING.items())}）")
    if data.get("signing") and not (data.get("access_key_id") and data.get("secret_env")):
        raise SmsConfigError(f"{where}：signing = \"{data['signing']}\" 需要 access_key_id 和 "
                             "secret_env（保存密钥的环境变量名）")
    return SmsConfig(**{**data, "templates": {k: str(v) for k, v in templates.items()}})


SIGNING = {"": "不签名（可用 token_env 的 Bearer 令牌）",
           "aliyun": "阿里云短信 SendSms，HMAC-SHA1 签名"}


def gateway_for(config: SmsConfig) -> "Gateway":
    """The gateway the settings name: signed requests where ``signing`` says so."""
    if config.signing == "aliyun":
        from .sms_aliyun import AliyunGateway

        return AliyunGateway(config)
    return Gateway(config)


# ---------------------------------------------------------------- the gateway


class GatewayError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass
class Gateway:
    """One provider's HTTP API. ``send`` returns the provider's id of the message or raises
    ``GatewayError`` (``transient``: worth retrying later)."""

    config: SmsConfig
    client: httpx.Client = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.Client(timeout=self.config.timeout_seconds)

    def close(self) -> None:
        self.client.close()

    def request(self, phone: str, msg: Message, out_id: str) -> httpx.Request:
        c = self.config
        body = {"PhoneNumbers": phone, "SignName": c.sign_name,
                "TemplateCode": c.templates[msg.kind.value],
                "TemplateParam": json.dumps(msg.params, ensure_ascii=False), "OutId": out_id}
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = os.environ.get(c.token_env, "") if c.token_env else ""
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.build_request("POST", c.url, headers=headers,
                                         content=json.dumps(body, ensure_ascii=False).encode())

    def send(self, phone: str, msg: Message, out_id: str) -> str:
        try:
            resp = self.client.send(self.request(phone, msg, out_id))
        except httpx.HTTPError as exc:
            raise GatewayError(f"短信网关无法连接（{type(exc).__name__}）", transient=True) \
                from None
        if resp.status_code >= 500 or resp.status_code == 429:
            raise GatewayError(f"短信网关暂不可用（HTTP {resp.status_code}）", transient=True)
        try:
            answer = resp.json()
        except ValueError:
            answer = {}
        code = str(answer.get("Code", "")) if isinstance(answer, dict) else ""
        if resp.status_code == 200 and code == "OK":
            return str(answer.get("BizId", ""))
        transient = any(w in code.upper() for w in ("LIMIT", "BUSY", "THROTTL"))
        why = str(answer.get("Message", ""))[:200] if isinstance(answer, dict) else ""
        raise GatewayError(f"短信网关拒绝（HTTP {resp.status_code} {code} {why}）".strip(),
                           transient=transient)


# ---------------------------------------------------------------- queueing


def queue(conn: Connection, kind: MessageKind, *, case_id: str, case_no: str, window_id: str,
          now: datetime, item: str = "", deadline: date | None = None, hall: str = "") -> bool:
    """The message of this event, once (False: it was queued before)."""
    msg = message(kind, case_no=case_no, item=item, deadline=deadline, hall=hall)
    stmt = _insert(conn, SMS).values(
        id=new_id(), key=message_key(kind, case_id, deadline), window_id=window_id,
        case_no=case_no, kind=kind.value, params=json.dumps(msg.params, ensure_ascii=False),
        status="pending", attempts=0, last_error="", phone="", created_at=now, next_at=now)
    return conn.execute(stmt.on_conflict_do_nothing(index_elements=[SMS.c.key])).rowcount == 1


def _item_name(conn: Connection, codes: list[str]) -> str:
    """The first item's name from the published catalogue ("" when not found)."""
    row = conn.execute(select(LOG.c.payload).where(
        (LOG.c.dataset == Dataset.CATALOGUE.value) & (LOG.c.deleted.is_(False)))).first()
    if row is None or not codes:
        return ""
    items = {i.get("code"): i.get("name", "") for i in json.loads(row[0]).get("items", [])
             if isinstance(i, dict)}
    name = items.get(codes[0], "")
    return f"{name}等{len(codes)}项" if name and len(codes) > 1 else name


def queue_result_ready(conn: Connection, case: Any, now: datetime) -> bool:
    """A back-office decision on ``case`` (a ``bo_case`` row): the result is ready for
    pick-up. The text never says which decision (it is told at the window)."""
    payload = json.loads(case["payload"])
    return queue(conn, MessageKind.RESULT_READY, case_id=case["id"], case_no=case["case_no"],
                 window_id=case["window_id"], now=now,
                 item=_item_name(conn, list(payload.get("items", []))))


def queue_decided(conn: Connection, now: datetime) -> int:
    """Result-ready messages for every case the back office decided in the last
    ``DECIDED_LOOKBACK`` without one yet, whatever path recorded the decision (``decide``, the
    workbench's item decisions): the ``bo_decision`` row is the mark of a ready result."""
    key = literal(f"{MessageKind.RESULT_READY.value}:") + DEC.c.case_id
    rows = conn.execute(
        select(CASE).join(DEC, DEC.c.case_id == CASE.c.id)
        .where((DEC.c.decided_at >= now - DECIDED_LOOKBACK)
               & ~exists().where(SMS.c.key == key))).mappings().all()
    return sum(queue_result_ready(conn, row, now) for row in rows)


def queue_voided(conn: Connection, *, case_id: str, case_no: str, window_id: str,
                 now: datetime) -> bool:
    return queue(conn, MessageKind.VOIDED, case_id=case_id, case_no=case_no,
                 window_id=window_id, now=now)


def calendar_of(conn: Connection) -> WorkCalendar:
    """The working-day calendar the back office publishes (its loaded years over the
    package's own)."""
    from .service.catalogue import published_calendar

    return published_calendar(conn)


def queue_reminders(conn: Connection, now: datetime, cal: WorkCalendar | None = None) -> int:
    """Deadline reminders due today (China time) for every case owing materials; returns
    how many were queued now."""
    cal = cal or calendar_of(conn)
    today = now.astimezone(CHINA).date()
    statuses = [s.value for s in SUPPLY_STATUSES]
    queued = 0
    for row in conn.execute(select(CASE.c.id, CASE.c.case_no, CASE.c.window_id, CASE.c.payload)
                            .where(CASE.c.status.in_(statuses))).mappings():
        raw = json.loads(row["payload"]).get("deadline")
        try:
            deadline = date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            continue
        if remind_now(cal, today, deadline):
            queued += queue(conn, MessageKind.DEADLINE, case_id=row["id"],
                            case_no=row["case_no"], window_id=row["window_id"], now=now,
                            deadline=deadline)
    return queued


# ---------------------------------------------------------------- sending


@dataclass
class Round:
    sent: int = 0
    waiting: int = 0  # gateway trouble or the daily cap: tried again later
    failed: int = 0  # refused by the gateway for good
    skipped: int = 0  # opted out or no mobile phone

    def as_dict(self) -> dict[str, int]:
        return dict(sent=self.sent, waiting=self.waiting, failed=self.failed,
                    skipped=self.skipped)


def _next_morning(now: datetime) -> datetime:
    local = now.astimezone(CHINA)
    morning = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                               CHINA).replace(hour=8)
    return morning.astimezone(now.tzinfo or timezone.utc)


def _sent_today(conn: Connection, phone: str, now: datetime) -> int:
    local = now.astimezone(CHINA)
    start = datetime.combine(local.date(), datetime.min.time(), CHINA)
    n: int = conn.execute(select(func.count()).select_from(SMS).where(
        (SMS.c.phone == phone) & (SMS.c.status == "sent")
        & (SMS.c.sent_at >= start.astimezone(now.tzinfo or timezone.utc)))).scalar_one()
    return n


def _claim(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """Due messages, claimed (``sending``) in one committed transaction."""
    with engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(
            select(SMS).where(SMS.c.status.in_(("pending", "sending")) & (SMS.c.next_at <= now))
            .order_by(SMS.c.created_at, SMS.c.id).limit(SEND_BATCH)).mappings()]
        claimed = []
        for r in rows:
            done = conn.execute(update(SMS).where((SMS.c.id == r["id"])
                                                  & (SMS.c.status == r["status"])
                                                  & (SMS.c.next_at == r["next_at"]))
                                .values(status="sending",
                                        next_at=now + timedelta(seconds=CLAIM_SECONDS)))
            if done.rowcount == 1:
                claimed.append(r)
    return claimed


def _contact(conn: Connection, window_id: str, case_no: str) -> tuple[str, bool]:
    row = conn.execute(select(CONTACT.c.phone, CONTACT.c.opt_out).where(
        (CONTACT.c.window_id == window_id) & (CONTACT.c.case_no == case_no))).first()
    return (row[0], bool(row[1])) if row else ("", False)


def _send_with_retries(gateway: Gateway, phone: str, msg: Message, out_id: str) -> str:
    from tenacity import (Retrying, retry_if_exception, stop_after_attempt,
                          wait_exponential)

    cfg = gateway.config
    for attempt in Retrying(stop=stop_after_attempt(cfg.attempts), reraise=True,
                            wait=wait_exponential(multiplier=cfg.retry_wait_seconds,
                                                  max=cfg.retry_wait_seconds * 8),
                            retry=retry_if_exception(lambda e: isinstance(e, GatewayError)
                                                     and e.transient)):
        with attempt:
            return gateway.send(phone, msg, out_id)
    raise AssertionError("unreachable")  # pragma: no cover


def deliver(engine: Engine, gateway: Gateway, now: datetime) -> Round:
    """One round: every due message sent, skipped, or left waiting."""
    result = Round()
    for r in _claim(engine, now):
        kind = MessageKind(r["kind"])
        msg = with_hall(Message(kind, json.loads(r["params"])), gateway.config.hall)
        with engine.begin() as conn:
            phone, opt_out = _contact(conn, r["window_id"], r["case_no"])
            if opt_out or not phone:
                conn.execute(update(SMS).where(SMS.c.id == r["id"]).values(
                    status="opted_out" if opt_out else "no_phone"))
                result.skipped += 1
                continue
            if cap_reached(_sent_today(conn, phone, now), gateway.config.daily_cap):
                conn.execute(update(SMS).where(SMS.c.id == r["id"]).values(
                    status="pending", next_at=_next_morning(now),
                    last_error=f"已达每日上限（{gateway.config.daily_cap}条）"))
                result.waiting += 1
                continue
        try:
            _send_with_retries(gateway, phone, msg, r["id"])
        except GatewayError as exc:
            attempts = r["attempts"] + 1
            wait = timedelta(minutes=min(2 ** (attempts - 1), MAX_BACKOFF_MINUTES))
            with engine.begin() as conn:
                conn.execute(update(SMS).where(SMS.c.id == r["id"]).values(
                    status="pending" if exc.transient else "failed", attempts=attempts,
                    last_error=str(exc)[:500], next_at=now + wait))
            log.warning("短信 %s 发往 %s 未成功：%s", kind.value, mask_phone(phone), exc)
            if exc.transient:
                result.waiting += 1
            else:
                result.failed += 1
            continue
        with engine.begin() as conn:
            conn.execute(update(SMS).where(SMS.c.id == r["id"]).values(
                status="sent", attempts=r["attempts"] + 1, last_error="", phone=phone,
                sent_at=now))
        result.sent += 1
    return result


def run_round(engine: Engine, gateway: Gateway, now: datetime) -> Round:
    """Queue results decided by any path and today's deadline reminders, then deliver what is
    due."""
    with engine.begin() as conn:
        queue_decided(conn, now)
        queue_reminders(conn, now)
    return deliver(engine, gateway, now)


class SmsWorker:
    """A background thread running ``run_round`` every ``interval_seconds`` beside the API."""

    def __init__(self, engine: Engine, config: SmsConfig, clock=None):
        self.engine, self.config = engine, config
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sms", daemon=True)

    def start(self) -> "SmsWorker":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            gateway = gateway_for(self.config)
        except SmsConfigError:
            log.exception("短信设置有误，短信发送未启动")
            return
        try:
            while not self._stop.is_set():
                try:
                    run_round(self.engine, gateway, self.clock())
                except Exception:  # one bad round never stops the sender
                    log.exception("短信发送轮次出错")
                self._stop.wait(self.config.interval_seconds)
        finally:
            gateway.close()
