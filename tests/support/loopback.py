"""Loopback tooling for fault drills and benchmarks (test code: not shipped in the package): a back office in its own process, and a
TCP proxy that adds latency, drops connections and loses answers the server already sent."""
from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from clerk_console.sync.client import tls_context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BackofficeProcess:
    """``clerk-backoffice serve`` on 127.0.0.1 in a child process (killable with SIGKILL)."""

    def __init__(self, db_url: str, port: int | None = None, *, home: Path | None = None,
                 certfile: Path | None = None, keyfile: Path | None = None, workers: int = 1):
        self.db_url = db_url
        self.workers = workers
        self.port = port or free_port()
        self.home = home
        self.tls = (str(certfile), str(keyfile)) if certfile and keyfile else None
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "BackofficeProcess":
        env = dict(os.environ)
        if self.home is not None:
            env["CLERK_BACKOFFICE_HOME"] = str(self.home)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "clerk_console.backoffice.cli", "--db", self.db_url, "serve",
             "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers),
             *(["--ssl-certfile", self.tls[0], "--ssl-keyfile", self.tls[1]] if self.tls else [])],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"back office exited with {self.proc.returncode}")
            try:
                httpx.get(self.url + "/v1/ping", timeout=1.0,
                          verify=tls_context(self.tls[0] if self.tls else True))
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("back office did not start")

    def kill(self) -> None:
        """SIGKILL (TerminateProcess on Windows): no shutdown, no flush; whatever was not
        committed is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "BackofficeProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class FaultProxy:
    """TCP proxy on loopback in a thread.

    ``latency``: seconds added before each request chunk is forwarded; ``drop_rate``:
    probability that a connection is cut as an answer comes back (the server has done the
    work, the client never hears it); ``lose_answers``: cut exactly the next N answers.
    """

    def __init__(self, target_port: int, *, latency: float = 0.0, drop_rate: float = 0.0,
                 lose_answers: int = 0, seed: int = 0):
        self.target_port = target_port
        self.latency = latency
        self.drop_rate = drop_rate
        self.lose_answers = lose_answers
        self.rng = random.Random(seed)
        self.dropped = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True, name="fault-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()

    async def _shutdown(self) -> None:
        self._server.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _cut_answer(self) -> bool:
        if self.lose_answers > 0:
            self.lose_answers -= 1
            return True
        return self.drop_rate > 0 and self.rng.random() < self.drop_rate

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return

        async def upstream():
            while data := await reader.read(65536):
                if self.latency:
                    await asyncio.sleep(self.latency)
                up_writer.write(data)
                await up_writer.drain()

        async def downstream():
            while data := await up_reader.read(65536):
                if self._cut_answer():
                    self.dropped += 1
                    raise ConnectionResetError("answer lost on purpose")
                writer.write(data)
                await writer.drain()

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            for w in (writer, up_writer):
                try:
                    w.transport.abort()
                except Exception:
                    pass


def sync_in_child(replica_path: str, batch: int = 500, limits: dict | None = None,
                  rounds: int = 1) -> None:
    """What a console does in a sync round, for a child process the drill kills with SIGKILL."""
    from clerk_console.storage.replica import Replica
    from clerk_console.sync.runner import client_for, sync_once

    replica = Replica.open(Path(replica_path))
    for _ in range(rounds):
        with client_for(replica, attempts=2, max_wait=0.5) as client:
            sync_once(replica, client, batch=batch, limits=limits)
    replica.close()


def kill_sync_child(ctx, replica_path: str, rng, *, batch: int = 4, limits: dict | None = None,
                    longest: float = 0.5) -> bool:
    """One kill -9 trial: start a sync round in a child, SIGKILL it (TerminateProcess on
    Windows) after a random pause of up to ``longest`` seconds; True when it was still running
    (killed mid-round)."""
    import time

    child = ctx.Process(target=sync_in_child, args=(replica_path, batch, limits))
    child.start()
    time.sleep(rng.uniform(0.05, longest))
    alive = child.is_alive()
    if alive:
        child.kill()
    child.join()
    return alive


def child_context():
    """A multiprocessing context whose children start fast (fork server with our modules
    preloaded) and do not inherit the test runner's threads."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    # this module itself is found through the sys.path each child is handed (tests/ on it)
    ctx.set_forkserver_preload(["clerk_console.sync.runner", "clerk_console.storage.replica"])
    return ctx


class AppServer:
    """An ASGI app served by a real uvicorn on 127.0.0.1 in a thread (the app's clock and
    engine stay the test's own, unlike ``BackofficeProcess``)."""

    def __init__(self, app):
        import uvicorn

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning",
                                                     access_log=False))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="app-server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> "AppServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("app server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
