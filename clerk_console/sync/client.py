"""HTTP client of the sync protocol: httpx, gzip bodies, tenacity retries with jitter.

Network errors, 5xx and 429 are retried with exponential backoff and jitter; any other refusal
raises ``SyncRefused`` with the back office's Chinese message.
"""
from __future__ import annotations

import functools
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
from pydantic import BaseModel
from tenacity import (Retrying, retry_if_exception_type, stop_after_attempt,
                      wait_exponential_jitter)

from clerk_console.sync.protocol import (API_PREFIX, MAX_ANSWER_BYTES, MAX_ANSWER_WIRE_BYTES,
                                         SERVER_TIME_HEADER, BodyTooLarge, Dataset,
                                         EnrollRequest, EnrollResponse, PullRequest,
                                         PullResponse, PushItem, PushRequest, PushResponse,
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

    def json(self):
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


def _server_time(resp: httpx.Response) -> datetime | None:
    value = resp.headers.get(SERVER_TIME_HEADER)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def tls_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per process and setting, shared by every client: loading the CA bundle
    costs about 20 ms of CPU, and the background worker makes a client every round."""
    if isinstance(verify, str):  # a CA file of the hall's own back office
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=verify)


class SyncClient:
    def __init__(self, base_url: str, token: str = "", *, timeout: float = 30.0,
                 attempts: int = 5, max_wait: float = 30.0,
                 transport: httpx.BaseTransport | None = None, verify: bool | str = True,
                 clock=time.time):
        self.base_url = base_url.rstrip("/")
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

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self, method: str, path: str, **kw) -> Answer:
        """The answer, streamed: at most MAX_ANSWER_WIRE_BYTES on the wire and
        MAX_ANSWER_BYTES once gunzipped (a gzip bomb from a rogue server stops there)."""
        with self.http.stream(method, path, **kw) as resp:
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

    def pull(self, cursors: dict[Dataset, int], limits: dict[Dataset, int] | None = None,
             stage_floors: dict[Dataset, int] | None = None) -> PullResponse:
        req = PullRequest(cursors=cursors, limits=limits or {}, stage_floors=stage_floors or {})
        return PullResponse.model_validate_json(self._call("/pull", req).content)
