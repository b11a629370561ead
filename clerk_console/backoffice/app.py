"""The back office's HTTP API (FastAPI). Handlers hold no state: everything is in the database."""
from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from clerk_console.backoffice import service
from clerk_console.backoffice.db import reading
from clerk_console.backoffice.enrollment import check_enroll_rate, enroll_logged
from clerk_console.backoffice.push_rules import case_seq
from clerk_console.backoffice.service import BackofficeError
from clerk_console.sync.protocol import (API_PREFIX, GZIP_MIN_BYTES, MAX_PUSH_BYTES,
                                         MAX_SMALL_BYTES, AuditPushRequest, AuditPushResponse,
                                         MAX_WIRE_BYTES, SERVER_TIME_HEADER,
                                         BodyTooLarge, EnrollRequest, EnrollResponse,
                                         PullRequest, PushRequest, PushResponse, decode_body)

log = logging.getLogger("clerk_backoffice")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _json(body: bytes, request: Request, status: int = 200) -> Response:
    headers = {SERVER_TIME_HEADER: utcnow().isoformat()}
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=1 if len(body) > 1_000_000 else 5)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _read(request: Request, model, limit: int):
    """The body as ``model``: at most ``limit`` bytes, read only after the caller checked who
    is asking. Streamed with a running count (a declared Content-Length above the cap is
    refused before anything is read); gunzipped and parsed off the event loop."""
    wire_limit = min(limit, MAX_WIRE_BYTES)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > wire_limit:
        raise BackofficeError(str(BodyTooLarge(wire_limit)), 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > wire_limit:
            raise BackofficeError(str(BodyTooLarge(wire_limit)), 413)
        chunks.append(chunk)
    encoding = request.headers.get("content-encoding")

    def parse():
        return model.model_validate_json(decode_body(b"".join(chunks), encoding, limit))

    try:
        return await run_in_threadpool(parse)
    except BodyTooLarge as exc:
        raise BackofficeError(str(exc), 413) from None
    except (ValidationError, OSError, EOFError, ValueError, RecursionError) as exc:
        raise BackofficeError(f"请求格式错误，终端与后台版本可能不一致：{type(exc).__name__}",
                              400) from None


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _prune_events(engine: Engine, days: int) -> None:
    with engine.begin() as conn:
        n = service.prune_events(conn, now=utcnow(), days=days)
    if n:
        log.info("retention: %d received events older than %d days pruned", n, days)


async def _pruning(engine: Engine, days: int, every: float) -> None:
    """Prune received events now and every ``every`` seconds (each worker process does it;
    the DELETE is idempotent, so several at once only repeat each other)."""
    while True:
        try:
            await run_in_threadpool(_prune_events, engine, days)
        except Exception:  # the database down for a while: try again next time
            log.warning("retention: pruning received events failed", exc_info=True)
        await asyncio.sleep(every)


def create_app(engine: Engine | None = None, *, prune_every: float | None = None,
               retention_days: int | None = None,
               clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The app on ``engine``. With ``prune_every`` (seconds) it prunes received events older
    than ``retention_days`` (default: the setting, ``service.retention_days()``) while it
    serves.

    Without ``engine`` it is the factory for process managers: the database from
    ``$CLERK_BACKOFFICE_DB`` and hourly pruning, e.g. ``gunicorn -k uvicorn.workers.UvicornWorker
    -w 4 'clerk_console.backoffice.app:create_app()'`` or ``uvicorn --factory --workers 4
    clerk_console.backoffice.app:create_app``; each worker process opens its own pool.
    ``clock`` (aware now) is the dashboard's today and the workbench's now (sessions, due
    dates, decisions)."""
    if engine is None:
        from clerk_console.backoffice.db import make_engine
        from clerk_console.backoffice.service.retention import PRUNE_EVERY_SECONDS

        engine = make_engine()
        prune_every = PRUNE_EVERY_SECONDS if prune_every is None else prune_every
    days = service.retention_days() if retention_days is None else retention_days

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        task = (asyncio.create_task(_pruning(engine, days, prune_every))
                if prune_every and days > 0 else None)
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(title="clerk-backoffice", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)

    @app.exception_handler(BackofficeError)
    async def _refused(request: Request, exc: BackofficeError):
        return JSONResponse({"detail": exc.message}, status_code=exc.status,
                            headers={SERVER_TIME_HEADER: utcnow().isoformat()})

    from clerk_console.backoffice.dashboard.routes import router as dashboard_router
    from clerk_console.backoffice.dashboard.routes import supervisors

    app.include_router(dashboard_router(engine, clock=clock, guard=supervisors(engine, clock)))

    from clerk_console.backoffice.workbench import router as workbench_router
    from clerk_console.backoffice.workbench.routes import mount_static

    app.include_router(workbench_router(engine, clock=clock))  # /wb (workbench), /p (progress)
    mount_static(app)

    @app.get(API_PREFIX + "/ping")
    async def ping(request: Request):
        return _json(f'{{"server_time":"{utcnow().isoformat()}"}}'.encode(), request)

    @app.get(API_PREFIX + "/health")
    async def health(request: Request):
        """For a load balancer or systemd watchdog: 200 when the database answers a
        ``SELECT 1``, 503 with the reason in Chinese when it does not."""
        def check() -> str | None:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except SQLAlchemyError as exc:
                log.warning("health: database unreachable: %s", type(exc).__name__)
                return f"数据库无法连接（{type(exc).__name__}），同步服务暂不可用"
            return None

        reason = await run_in_threadpool(check)
        if reason is not None:
            return JSONResponse({"status": "down", "detail": reason}, status_code=503,
                                headers={SERVER_TIME_HEADER: utcnow().isoformat()})
        return _json(f'{{"status":"ok","database":"ok","server_time":"{utcnow().isoformat()}"}}'
                     .encode(), request)

    def _check_token(request: Request):
        with reading(engine) as conn:
            return service.authenticate(conn, _token(request))

    @app.post(API_PREFIX + "/enroll")
    async def enroll(request: Request):
        client = _client(request)
        await run_in_threadpool(check_enroll_rate, engine, client, utcnow())
        req = await _read(request, EnrollRequest, MAX_SMALL_BYTES)

        def work():
            window, token = enroll_logged(engine, req, client=client, now=utcnow())
            with reading(engine) as conn:
                seq = case_seq(conn, window, utcnow())
            return EnrollResponse(window_id=window.id, window_code=window.code,
                                  region=window.region, token=token, server_time=utcnow(),
                                  case_seq=seq)

        resp = await run_in_threadpool(work)
        log.info("window %s enrolled", resp.window_code)
        return _json(resp.model_dump_json().encode(), request)

    @app.post(API_PREFIX + "/push")
    async def push(request: Request):
        await run_in_threadpool(_check_token, request)  # before a byte of the body is read
        req = await _read(request, PushRequest, MAX_PUSH_BYTES)

        def work():
            with engine.begin() as conn:
                window = service.authenticate(conn, _token(request))
                results = service.push(conn, window, req.items, now=utcnow())
                seq = case_seq(conn, window, utcnow())
            return window, PushResponse(results=results, server_time=utcnow(), case_seq=seq)

        window, resp = await run_in_threadpool(work)
        log.info("push from %s: %d items", window.code, len(req.items))
        return _json(resp.model_dump_json().encode(), request)

    @app.post(API_PREFIX + "/pull")
    async def pull(request: Request):
        await run_in_threadpool(_check_token, request)
        req = await _read(request, PullRequest, MAX_SMALL_BYTES)

        def work():
            with reading(engine) as conn:
                window = service.authenticate(conn, _token(request))
                pages = service.pull(conn, window, req.cursors, req.limits, req.stage_floors)
                seq = case_seq(conn, window, utcnow())
            return service.render_pull(pages, utcnow(), case_seq=seq)

        return _json(await run_in_threadpool(work), request)

    @app.post(API_PREFIX + "/audit")
    async def audit(request: Request):
        await run_in_threadpool(_check_token, request)
        req = await _read(request, AuditPushRequest, MAX_PUSH_BYTES)

        def work():
            with engine.begin() as conn:
                window = service.authenticate(conn, _token(request))
                through, problem = service.receive_audit(conn, window, req.entries,
                                                         now=utcnow())
            if problem:
                log.warning("audit chain of %s broken at the back office's copy", window.code)
            return AuditPushResponse(through=through, problem=problem, server_time=utcnow())

        resp = await run_in_threadpool(work)
        return _json(resp.model_dump_json().encode(), request)

    return app
