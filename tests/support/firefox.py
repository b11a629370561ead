"""A headless Firefox driven over WebDriver BiDi, the protocol Firefox speaks itself (no
geckodriver, no downloaded browser): the system's firefox-esr, started with a fresh profile
and ``--remote-debugging-port``; a websocket (aiohttp, already a dependency through
textual-serve) sends commands. Enough for a page's forms: navigate, evaluate, wait."""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser_env() -> dict[str, str]:
    """The environment without a preloaded clock (libfaketime, for the year-ahead run):
    Firefox's remote agent never comes up under it, and the browser's own clock decides
    nothing here (the server's injected clock does; its cookies carry Max-Age)."""
    return {k: v for k, v in os.environ.items()
            if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


class Firefox:
    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="ff-profile-"))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.ws: Any = None
        self.http: aiohttp.ClientSession | None = None
        self.context = ""
        self._ids = itertools.count(1)

    async def __aenter__(self) -> "Firefox":
        (self.profile / "user.js").write_text(  # no network of its own, no first-run pages
            'user_pref("app.update.enabled", false);\n'
            'user_pref("browser.shell.checkDefaultBrowser", false);\n'
            'user_pref("datareporting.policy.dataSubmissionEnabled", false);\n'
            'user_pref("network.captive-portal-service.enabled", false);\n', encoding="utf-8")
        self.proc = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", str(self.profile),
             f"--remote-debugging-port={self.port}", "--width=1366", "--height=768",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=_browser_env())
        self.http = aiohttp.ClientSession()
        for _ in range(300):  # the remote agent listens once Firefox is up
            try:
                self.ws = await self.http.ws_connect(f"ws://127.0.0.1:{self.port}/session")
                break
            except (aiohttp.ClientError, OSError):
                await asyncio.sleep(0.1)
        else:
            raise RuntimeError("firefox's remote agent did not answer")
        await self.send("session.new", {"capabilities": {}})
        tree = await self.send("browsingContext.getTree", {})
        self.context = tree["contexts"][0]["context"]
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            if self.ws is not None:
                await self.send("session.end", {})
                await self.ws.close()
        except Exception:
            pass
        if self.http is not None:
            await self.http.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)

    async def send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ident = next(self._ids)
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.receive_str(), 30))
            if msg.get("id") == ident:
                if msg.get("type") == "error":
                    raise RuntimeError(f"{method}: {msg.get('error')}: {msg.get('message')}")
                return msg["result"]

    async def goto(self, url: str) -> None:
        await self.send("browsingContext.navigate",
                        {"context": self.context, "url": url, "wait": "complete"})

    async def js(self, expression: str) -> Any:
        """The value of ``expression`` in the page (a string, number, boolean or null)."""
        got = await self.send("script.evaluate", {"expression": expression,
                                                  "target": {"context": self.context},
                                                  "awaitPromise": True})
        if got.get("type") == "exception":
            raise RuntimeError(got["exceptionDetails"].get("text", "script error"))
        return got["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 15.0) -> Any:
        for _ in range(int(seconds / 0.05)):
            try:
                value = await self.js(expression)
            except RuntimeError:  # the page is being replaced (a form was submitted)
                value = None
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"not within {seconds:g} s in firefox: {expression}")
