"""Health and readiness endpoints."""
from __future__ import annotations


async def test_healthz_says_the_process_is_up(web):
    response = await web.get("/healthz")
    assert response.status == 200 and (await response.json())["status"] == "ok"


async def test_readyz_checks_database_and_redis(web):
    response = await web.get("/readyz")
    body = await response.json()
    assert response.status == 200, body
    assert body["checks"] == {"database": "ok", "redis": "ok"}


async def test_sandbox_messages_are_not_served_outside_the_sandbox(web):
    assert (await web.get("/sandbox/messages", params={"to": "5511987654321"})).status == 404
