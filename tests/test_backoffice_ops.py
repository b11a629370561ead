"""The back office in operation: the health endpoint on a real loopback server, retention of
received events, decisions that read only the keys they change."""
from __future__ import annotations

import httpx


def test_health_answers_ok_when_the_database_answers(bo):
    r = httpx.get(bo.url + "/v1/health", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["server_time"]
