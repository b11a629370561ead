"""HTTP client of the sync protocol: httpx, gzip bodies, tenacity retries with jitter.

Network errors, 5xx and 429 are retried with exponential backoff and jitter; any other refusal
raises ``SyncRefused`` with the back office's Chinese message.

Transport (:func:`check_transport`): ``https://`` always; plain ``http://`` only to a loopback
address (the demo's embedded back office) unless the window's settings allow it
(``allow_plain_http``, then ``plain_http_warning`` says so). TLS is verified against the
system's CAs or the hall's own CA (``ca_file``); with a pin (``server_key_sha256``: SHA-256
of the server certificate's SubjectPublicKeyInfo, hex, taken at enrollment or set in the
settings) every connection whose key differs is refused, whatever CA signed it.
"""
from __future__ import annotations

import functools
import hashlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import BaseModel
from tenacity import (Retrying, retry_if_exception_type, stop_after_attempt,
                      wait_exponential_jitter)

from clerk_console.sync.protocol import (API_PREFIX, MAX_ANSWER_BYTES, MAX_ANSWER_WIRE_BYTES,
                                         SERVER_TIME_HEADER, BodyTooLarge, Dataset,
                                         EnrollRequest, EnrollResponse, PullRequest,
                                         PullResponse, PushItem, AuditEntryWire, AuditPushRequest,
                                         AuditPushResponse, PushRequest, PushResponse,
                                         decode_body, encode_body)


class SyncError(Exception):
    """Sync could not complete; ``str()`` is a Chinese message for the clerk."""


class SyncOffline(SyncError):
    """The back office cannot be reached (after retries)."""


class SyncRefused(SyncError):
    """The back office answered with a refusal that retrying cannot fix (4xx)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass
class Answer:
    """An answer read within the caps: status, headers and the decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    request_headers: httpx.Headers

    def json(self) -> Any:
        import json

        return json.loads(self.content)


class _Retryable(Exception):
    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


@dataclass
class Timing:
    """Server time and the local clock's offset from it, measured on the last answer."""

    server_time: datetime
    offset_seconds: float  # server - local


def _server_time(resp: Answer) -> datetime | None:
    value = resp.headers.get(SERVER_TIME_HEADER)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class TransportRefused(SyncError):
    """The back office's address or certificate is not acceptable (plain http, bad pin)."""


PLAIN_HTTP_WARNING = "与后台的连接未加密（明文 http），个人信息在网络上可被截取：请改用 https"


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(url: str, *, allow_plain_http: bool = False) -> str:
    """The URL when its transport is acceptable, else ``SyncError`` saying why in Chinese:
    https anywhere; http only to loopback, or anywhere when ``allow_plain_http``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise TransportRefused(f"后台地址“{url}”不正确：应如 https://backoffice.example.gov.cn:8700") from None
    if parsed.scheme == "https" and parsed.host:
        return url
    if parsed.scheme != "http" or not parsed.host:
        raise TransportRefused(f"后台地址“{url}”不正确：应以 https:// 开头，如 https://backoffice.example.gov.cn:8700")
    if _loopback(parsed.host) or allow_plain_http:
        return url
    raise TransportRefused(f"拒绝以明文 http 连接后台 {parsed.host}：办件和个人信息会在网络上明文传输。"
                    "请使用 https:// 地址；仅在隔离的内网确需明文时，可在 settings.toml 中设置 "
                    "allow_plain_http = 1")


def public_key_sha256(der_certificate: bytes) -> str:
    """SHA-256 (hex) of a DER certificate's SubjectPublicKeyInfo: what a pin names (it stays
    the same when the certificate is renewed with the same key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_der_x509_certificate(der_certificate).public_key()
    return hashlib.sha256(key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def _normal_pin(pin: str) -> str:
    return pin.replace(":", "").strip().lower()


@functools.lru_cache(maxsize=8)
def tls_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per process and setting, shared by every client: loading the CA bundle
    costs about 20 ms of CPU, and the background worker makes a client every round."""
    if isinstance(verify, str):  # a CA file of the hall's own back office
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=verify)


@functools.lru_cache(maxsize=16)
def _key_of(der: bytes) -> str:
    return public_key_sha256(der)


def _certificate_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class SyncClient:
    def __init__(self, base_url: str, token: str = "", *, timeout: float = 30.0,
                 attempts: int = 5, max_wait: float = 30.0,
                 transport: httpx.BaseTransport | None = None, verify: bool | str = True,
                 pin_sha256: str = "", allow_plain_http: bool = False,
                 clock: Callable[[], float] = time.time):
        self.base_url = check_transport(base_url.rstrip("/"), allow_plain_http=allow_plain_http)
        self.plain_http_warning = (PLAIN_HTTP_WARNING if httpx.URL(self.base_url).scheme == "http"
                                   and not _loopback(httpx.URL(self.base_url).host) else "")
        self.pin_sha256 = _normal_pin(pin_sha256)
        self.server_key_sha256 = ""  # of the last TLS connection answered (enrollment keeps it)
        self.attempts = attempts
        self.max_wait = max_wait
        headers = {"Accept-Encoding": "gzip"}  # the one encoding decoded within the caps
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=self.base_url + API_PREFIX, headers=headers,
                                 timeout=timeout, transport=transport,
                                 verify=tls_context(verify))
        self.timing: Timing | None = None
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests = 0
        self.clock = clock  # the local clock (tests pass a skewed one)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "SyncClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, method: str, path: str, **kw: Any) -> Answer:
        """The answer, streamed: at most MAX_ANSWER_WIRE_BYTES on the wire and
        MAX_ANSWER_BYTES once gunzipped (a gzip bomb from a rogue server stops there)."""
        with self.http.stream(method, path, **kw) as resp:
            self._check_pin(resp)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_raw():
                size += len(chunk)
                if size > MAX_ANSWER_WIRE_BYTES:
                    raise SyncRefused(f"后台的回答{BodyTooLarge(MAX_ANSWER_WIRE_BYTES)}", 413)
                chunks.append(chunk)
            try:
                content = decode_body(b"".join(chunks), resp.headers.get("content-encoding"),
                                      MAX_ANSWER_BYTES)
            except BodyTooLarge as exc:
                raise SyncRefused(f"后台的回答{exc}", 413) from None
            except ValueError as exc:
                raise SyncRefused(f"后台的回答无法解码（{type(exc).__name__}），"
                                  "请联系后台管理员", 502) from None
            return Answer(resp.status_code, resp.headers, content, resp.request.headers)

    def _check_pin(self, resp: httpx.Response) -> None:
        """Note the server's key; refuse the answer unread when it is not the pinned one."""
        stream = resp.extensions.get("network_stream")
        tls = stream.get_extra_info("ssl_object") if stream is not None else None
        der = tls.getpeercert(True) if tls is not None else None  # DER
        if der is None:
            if self.pin_sha256:
                raise SyncRefused("后台连接没有证书，与本窗口注册时记下的后台证书不符：已拒绝", 495)
            return
        self.server_key_sha256 = _key_of(der)
        if self.pin_sha256 and self.server_key_sha256 != self.pin_sha256:
            raise SyncRefused("后台证书的公钥与本窗口注册时记下的不符（可能有人冒充后台）：已拒绝连接。"
                              "如后台确实更换了密钥，请向后台管理员核对新的公钥指纹后重新注册", 495)

    def _once(self, path: str, body: BaseModel | bytes | None) -> Answer:
        sent = self.clock()
        if body is None:
            resp = self._read("GET", path)
            size = 0
        else:
            raw, headers = encode_body(body)
            size = len(raw)
            resp = self._read("POST", path, content=raw, headers=headers)
        received = self.clock()
        self.requests += 1
        self.bytes_sent += size + sum(len(k) + len(v) + 4 for k, v in resp.request_headers.items())
        self.bytes_received += (int(resp.headers.get("content-length", 0) or 0)
                                + sum(len(k) + len(v) + 4 for k, v in resp.headers.items()))
        server = _server_time(resp)
        if server is not None:
            local_mid = datetime.fromtimestamp((sent + received) / 2, timezone.utc)
            self.timing = Timing(server, (server - local_mid).total_seconds())
        if resp.status_code >= 500 or resp.status_code == 429:
            raise _Retryable(resp.status_code)
        return resp

    def _call(self, path: str, body: BaseModel | bytes | None = None) -> Answer:
        retrying = Retrying(
            retry=retry_if_exception_type((httpx.TransportError, _Retryable)),
            wait=wait_exponential_jitter(multiplier=0.2, max=self.max_wait, jitter=0.5),
            stop=stop_after_attempt(self.attempts), reraise=True)
        try:
            resp = retrying(self._once, path, body)
        except httpx.TransportError as exc:
            if _certificate_problem(exc):
                raise SyncRefused(f"后台（{self.base_url}）的证书无法验证：如后台使用本大厅自己的 CA，"
                                  "请在 settings.toml 中设置 ca_file = \"CA 证书文件\"", 495) from None
            raise SyncOffline(f"无法连接后台（{self.base_url}）：{type(exc).__name__}。"
                              "数据已保存在本机，网络恢复后自动同步") from None
        except _Retryable as exc:
            raise SyncOffline(f"后台暂时不可用（HTTP {exc.status}），稍后自动重试") from None
        if resp.status_code >= 400:
            try:
                detail = resp.json().get("detail")
            except ValueError:
                detail = None
            raise SyncRefused(str(detail or f"后台拒绝了请求（HTTP {resp.status_code}）"),
                              resp.status_code)
        return resp

    def ping(self) -> datetime:
        self._call("/ping")
        assert self.timing is not None
        return self.timing.server_time

    def enroll(self, code: str, install_id: str = "") -> EnrollResponse:
        """``install_id``: the window's own random id, kept before the first attempt, so a
        retry after a lost answer is recognised as the same window."""
        req = EnrollRequest(code=code.strip(), hostname=socket.gethostname()[:255],
                            install_id=install_id)
        return EnrollResponse.model_validate_json(self._call("/enroll", req).content)

    def push(self, items: list[PushItem] | bytes) -> PushResponse:
        """Items, or a PushRequest body already encoded (``protocol.push_body``)."""
        body = items if isinstance(items, bytes) else PushRequest(items=items)
        return PushResponse.model_validate_json(self._call("/push", body).content)

    def push_audit(self, entries: list[AuditEntryWire]) -> AuditPushResponse:
        return AuditPushResponse.model_validate_json(
            self._call("/audit", AuditPushRequest(entries=entries)).content)

    def pull(self, cursors: dict[Dataset, int], limits: dict[Dataset, int] | None = None,
             stage_floors: dict[Dataset, int] | None = None) -> PullResponse:
        req = PullRequest(cursors=cursors, limits=limits or {}, stage_floors=stage_floors or {})
        return PullResponse.model_validate_json(self._call("/pull", req).content)
