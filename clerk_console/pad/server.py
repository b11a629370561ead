"""The pad's HTTP server: one page and a small JSON API, on the address the clerk configured.

It reads and writes the window's own replica (its own connection; SQLite WAL), so it works
with the back office offline:

- ``GET /``: the page (``pad/page.py``).
- ``POST /api/pair {"code"}``: the one-time code -> the pad's cookie (``pairing.py``).
- ``GET /api/state`` (paired): idle (window, clerk on duty, queue number where a queue system
  is configured: none yet) or the case just closed at this window and not yet rated (items,
  outcome, masked name) with the five levels and the GB/T 39734 reasons. Each call tells the
  console a pad is paired (``services.rating.PAD_SEEN``): the clerk's keys 1-5 then refuse.
- ``POST /api/rate {"case_no", "level", "reasons", "comment"}`` (paired): the rating, recorded
  as entered on the pad, for the offered case only.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from clerk_console.domain.case import Status
from clerk_console.domain.parties import mask_party_name
from clerk_console.domain.rating import LEVELS

from .page import PAGE
from .pairing import Pairing

log = logging.getLogger("clerk_console.pad")

COOKIE = "pad"
OFFER_MINUTES = 30  # a case closed longer ago than this is no longer offered for rating
SEEN_EVERY = timedelta(seconds=5)  # how often a state poll refreshes PAD_SEEN
MAX_BODY = 16 * 1024


class PadServer:
    def __init__(self, replica_path: Path, host: str, port: int, *,
                 clock: Callable[[], datetime] = datetime.now):
        from clerk_console.storage.replica import Replica

        self.clock = clock
        self.replica = Replica.open(replica_path)
        self.lock = threading.Lock()  # one request at a time on the replica
        self.pairing = Pairing(clock)
        self._seen: datetime | None = None
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="pad",
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "PadServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.replica.close()

    # ------------------------------------------------------------------ what the pad shows

    def state(self) -> dict[str, Any]:
        from clerk_console.services.rating import PAD_SEEN, bad_reasons

        now = self.clock()
        with self.lock:
            if self._seen is None or now - self._seen >= SEEN_EVERY:
                self.replica.set_kv(PAD_SEEN, now.isoformat())
                self._seen = now
            window = self.replica.window()
            idle = {"mode": "idle", "window": window.name if window else "",
                    "hall": window.hall if window else "", "clerk": self._on_duty(),
                    "queue": None}
            case = self._offered(now)
            if case is None:
                return idle
            cat = self.replica.catalogue()
        items = [cat.items[c].name if c in cat.items else c for c in case.items]
        return {**idle, "mode": "rate",
                "case": {"case_no": case.case_no, "items": items,
                         "outcome": case.outcome.label if case.outcome else case.status.label,
                         "name": mask_party_name(case.applicant_name, case.applicant_kind)},
                "levels": [{"level": n, "label": label} for n, label in LEVELS.items()],
                "reasons": [{"code": r.code, "group": r.group, "label": r.label}
                            for r in bad_reasons()]}

    def _on_duty(self) -> dict[str, str] | None:
        """The clerk signed in last at this window: name and number, as halls display them."""
        for e in self.replica.audit_entries(limit=500):
            if e.action == "clerk.login":
                clerk = self.replica.get_clerk(e.clerk_id)
                if clerk is not None:
                    return {"name": clerk.name, "id": clerk.id}
        return None

    def _offered(self, now: datetime):
        since = now - timedelta(minutes=OFFER_MINUTES)
        for case in self.replica.list_cases(day=now.date(), limit=20):
            closed = case.accepted_at or case.created_at
            if case.status is Status.DRAFT or closed is None or closed < since:
                continue
            if self.replica.rating(case.case_no) is None:
                return case
            return None  # the newest closed case is rated: nothing to offer
        return None

    def rate(self, body: dict[str, Any]) -> dict[str, Any]:
        from clerk_console.services import ServiceError, rating

        now = self.clock()
        with self.lock:
            case = self._offered(now)
            if case is None or body.get("case_no") != case.case_no:
                raise ServiceError("该办件已评价或已不在评价时间内")
            reasons = body.get("reasons") or []
            if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
                raise ServiceError("差评原因格式不对")
            saved, followup = rating.rate(self.replica, case, body.get("level"),
                                          clerk_id=case.clerk_id, now=now,
                                          reason=str(body.get("comment") or ""),
                                          reasons=tuple(reasons), entered_by="pad")
        return {"ok": True, "level": saved.level, "followup": followup is not None}


def _handler(pad: PadServer):
    from clerk_console.domain.errors import ClerkError

    class Handler(BaseHTTPRequestHandler):
        server_version = "clerk-pad"

        def log_message(self, fmt, *args):  # no request lines (they carry nothing useful)
            pass

        def _send(self, status: int, body: bytes, ctype: str, headers=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Frame-Options", "DENY")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict, headers=()) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode(),
                       "application/json; charset=utf-8", headers)

        def _token(self) -> str | None:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
            return cookie[COOKIE].value if COOKIE in cookie else None

        def _body(self) -> dict:
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                raise ValueError("too large")
            data = json.loads(self.rfile.read(n) or b"{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data

        def do_GET(self):
            if self.path in ("/", "/index.html"):
                return self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            if self.path == "/api/state":
                if not pad.pairing.is_paired(self._token()):
                    return self._json(HTTPStatus.FORBIDDEN, {"error": "未配对"})
                try:
                    return self._json(200, pad.state())
                except ClerkError as exc:
                    return self._json(500, {"error": str(exc)})
            self._json(404, {"error": "无此页面"})

        def do_POST(self):
            try:
                body = self._body()
            except ValueError:
                return self._json(400, {"error": "请求格式错误"})
            if self.path == "/api/pair":
                token = pad.pairing.pair(str(body.get("code", "")))
                if token is None:
                    return self._json(HTTPStatus.FORBIDDEN,
                                      {"error": "配对码不对或已失效，请向窗口人员索取新的配对码"})
                cookie = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
                return self._json(200, {"ok": True}, [("Set-Cookie", cookie)])
            if self.path == "/api/rate":
                if not pad.pairing.is_paired(self._token()):
                    return self._json(HTTPStatus.FORBIDDEN, {"error": "未配对"})
                try:
                    return self._json(200, pad.rate(body))
                except ClerkError as exc:
                    return self._json(400, {"error": str(exc)})
            self._json(404, {"error": "无此接口"})

    return Handler
