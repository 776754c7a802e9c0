"""The whole path on real parts: webhook → Redis broker → Dramatiq worker → Graph API (respx)."""
from __future__ import annotations

import asyncio
import itertools

import httpx
import respx
from dramatiq import Worker
from sqlalchemy import func, select

from app.bootstrap import bootstrap
from domain.models import InboundMessage, OutboundMessage
from runtime.broker import INBOUND_QUEUE, build_broker
from runtime.wake import Wake
from tests.conftest import GRAPH
from tests.support import PHONE_NUMBER_ID, inbound, serving, signed

SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"


async def wait_for(predicate, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_dramatiq_worker_on_redis_answers_a_webhook(runtime, business, settings):
    await runtime.redis.flushdb()  # type: ignore[union-attr]
    worker_side, web_side = bootstrap(settings), bootstrap(settings)  # two processes' wiring, one Redis
    worker = Worker(worker_side.broker, worker_threads=2, worker_timeout=50)
    ids = itertools.count()
    with respx.mock(assert_all_mocked=True) as mock:
        route = mock.post(SEND_URL).mock(
            side_effect=lambda request: httpx.Response(200, json={"messages": [{"id": f"wamid.W{next(ids)}"}]}))
        worker.start()
        try:
            async with serving(web_side) as web:
                raw, headers = signed(inbound("text", message_id="wamid.REAL", text="hello"))
                assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200

                async def all_sent() -> bool:
                    async with runtime.sessions() as session:
                        statuses = (await session.execute(select(OutboundMessage.status))).scalars().all()
                    return len(statuses) == 3 and set(statuses) == {"sent"}

                await wait_for(all_sent)
        finally:
            await asyncio.to_thread(worker.stop)
            worker_side.broker.close()
            web_side.broker.close()
    assert route.call_count == 3
    assert "This is *Studio Força*" in route.calls[1].request.content.decode()


async def test_webhook_still_stores_and_answers_when_redis_is_down(runtime, business, settings):
    dead_broker = build_broker("redis://127.0.0.1:1/0")
    async with serving(bootstrap(settings, broker=dead_broker)) as web:
        raw, headers = signed(inbound("text", message_id="wamid.NOREDIS"))
        response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 200
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(InboundMessage))).scalar_one() == 1


async def test_waking_many_contacts_sends_every_message_to_redis(redis, settings):
    await redis.flushdb()
    app = bootstrap(settings)
    broker = app.broker
    try:
        await Wake(broker, app.actors, redis).process([11, 12, 13])
        consumer = broker.consume(INBOUND_QUEUE, prefetch=3, timeout=100)
        woken = []
        for _ in range(50):  # the consumer answers None while it fetches
            message = next(consumer)
            if message is not None:
                woken += message.args[0]
            if len(woken) == 3:
                break
        consumer.close()
    finally:
        broker.close()
    assert sorted(woken) == [11, 12, 13]
