"""Redis down for a while: webhooks still answer (inbound is durable in PostgreSQL), scheduler ticks
fail softly, and the work resumes when Redis is back, nothing lost. (The shared Redis server is
never stopped: the web app, scheduler and workers are pointed at a port where nothing listens.)"""
from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from dramatiq import Message
from redis.asyncio import Redis
from sqlalchemy import select

from app.bootstrap import bootstrap
from domain.models import InboundMessage, OutboundMessage
from tests.booking_setup import NOW, local, make_studio
from tests.conftest import GRAPH, REDIS_URL, make_settings
from tests.scheduled_setup import book, due_rows
from tests.support import PHONE_NUMBER_ID, inbound, serving, signed
from workers import processing
from workers.scheduler import _tolerant
from workers.sweeper import sweep

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
async def cut_off(runtime: Any, clock: Any) -> AsyncIterator[Any]:
    """The web process as it is while Redis is unreachable: same database, dead broker and Redis."""
    async with serving(bootstrap(make_settings(REDIS_URL=DEAD_REDIS), clock=clock)) as client:
        yield client


async def _queued_in_redis(queue: str) -> list[Message[Any]]:
    redis = Redis.from_url(REDIS_URL)
    try:
        return [Message.decode(raw) for raw in (await redis.hgetall(f"fitzap:{queue}.msgs")).values()]
    finally:
        await redis.aclose()


async def test_webhook_answers_while_redis_is_down_and_the_message_is_answered_when_it_is_back(cut_off, runtime, business, clock):
    raw, headers = signed(inbound("text", message_id="wamid.OUTAGE1", text="oi", timestamp=int(time.time())))
    response = await cut_off.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 200
    async with runtime.sessions() as session:
        stored = (await session.execute(select(InboundMessage))).scalars().all()
    assert [(m.provider_message_id, m.processed_at) for m in stored] == [("wamid.OUTAGE1", None)]
    # Redis is back: the sweeper finds the durable row and wakes a worker through the real broker.
    live = bootstrap(runtime.settings, clock=clock)  # a worker's wiring on the real broker
    live_runtime = await live.runtime()
    clock.advance(seconds=runtime.settings.sweep_after_s + 1)
    assert await sweep(live_runtime) == (1, 0)
    [wake] = [m for m in await _queued_in_redis("inbound") if m.actor_name == "process"]
    [client_id] = wake.args[0]
    with respx.mock(assert_all_mocked=True) as graph:
        sends = itertools.count()
        graph.post(f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages").mock(
            side_effect=lambda _request: httpx.Response(200, json={"messages": [{"id": f"wamid.BACK{next(sends)}"}]}))
        await processing.process(live_runtime, wake.args[0])
    await live.close()
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(OutboundMessage.status))).scalars().all()
    assert statuses and set(statuses) == {"sent"}


async def test_scheduler_ticks_fail_softly_while_redis_is_down_and_due_work_waits_in_postgresql(runtime, business, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    clock._now = local(23, 18)
    cut_off = bootstrap(make_settings(REDIS_URL=DEAD_REDIS), clock=clock)
    await _tolerant("due", (await cut_off.runtime()).wake.plan_due)()  # logged, not raised
    await cut_off.close()
    assert [r.status for r in await due_rows(runtime, booking_id, "reminder")] == ["pending", "pending"]
    back = bootstrap(runtime.settings, clock=clock)
    await _tolerant("due", (await back.runtime()).wake.plan_due)()
    await back.close()
    assert [m.actor_name for m in await _queued_in_redis("maintenance")] == ["plan_due"]


async def test_while_postgresql_is_away_webhooks_get_503_and_one_log_line_not_a_traceback_each(runtime, business, clock, caplog):
    dead = make_settings(DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")  # nothing listens on port 1
    async with serving(bootstrap(dead, clock=clock)) as web:
        answers = []
        for n in range(20):
            raw, headers = signed(inbound("text", message_id=f"wamid.PGAWAY{n}", text="oi", timestamp=int(time.time())))
            answers.append(await web.post("/webhooks/whatsapp", data=raw, headers=headers))
    assert {a.status for a in answers} == {503}  # Meta sends them again later
    assert answers[0].headers["Retry-After"]
    lines = [r for r in caplog.records if r.name == "bot.webhook_whatsapp"]
    assert len(lines) == 1 and lines[0].exc_info is None  # the outage said once
