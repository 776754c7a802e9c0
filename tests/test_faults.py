"""Faults under traffic: PostgreSQL and Redis restart while clients write. Afterwards every message is
answered, every reply sent exactly once, and within 15 s of recovery.

The web app, a real Dramatiq worker and the scheduler's sweeper run against the machine's PostgreSQL
and Redis through proxies the test cuts, as a restart would (tests/fault_proxy.py). Clients retry a
webhook that was not answered 200, as Meta does.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import httpx
import pytest
import respx
from dramatiq import Worker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.bootstrap import bootstrap
from domain.models import InboundMessage, OutboundMessage
from tests.conftest import GRAPH, REDIS_URL, make_settings
from tests.fault_proxy import CuttableProxy
from tests.support import PHONE_NUMBER_ID, inbound, serving, signed
from workers.scheduler import start_scheduler

SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"
CONTACTS = [f"55119876{n:05d}" for n in range(8)]
RECOVERY_S = 15.0


async def _client_writes(web: Any, wa_id: str, texts: list[str], spacing_s: float) -> None:
    """One contact's messages, each retried until answered 200, as Meta retries a webhook."""
    for n, text in enumerate(texts):
        raw, headers = signed(inbound("text", message_id=f"wamid.F{wa_id}{n}", text=text, wa_id=wa_id,
                                      timestamp=int(time.time())))
        while (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status != 200:
            await asyncio.sleep(0.5)
        await asyncio.sleep(spacing_s)


async def _settled(runtime: Any) -> tuple[int, int, int]:
    """(inbound messages not yet processed, outbox rows not yet sent, outbox rows)."""
    async with runtime.sessions() as session:
        pending = await session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None)))
        unsent = await session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status != "sent"))
        rows = await session.scalar(select(func.count()).select_from(OutboundMessage))
    return pending or 0, unsent or 0, rows or 0


@pytest.mark.parametrize("fault", ["postgresql_restart", "redis_restart"])
async def test_after_a_restart_every_reply_goes_out_once_within_15_s(runtime, business, settings, fault):
    postgres, redis = CuttableProxy(make_url(settings.database_url).port or 5432), CuttableProxy(6379)
    await postgres.start()
    await redis.start()
    url = make_url(settings.database_url).set(host="127.0.0.1", port=postgres.port).render_as_string(hide_password=False)
    proxied = make_settings(DATABASE_URL=url, REDIS_URL=f"redis://127.0.0.1:{redis.port}/{REDIS_URL.rsplit('/', 1)[1]}")
    web_side, worker_side = bootstrap(proxied), bootstrap(proxied)
    worker = Worker(worker_side.broker, worker_threads=4, worker_timeout=50)
    sends = itertools.count()

    async def graph_answers(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)  # sends are in flight when the fault comes
        return httpx.Response(200, json={"messages": [{"id": f"wamid.S{next(sends)}"}]})
    try:
        with respx.mock(assert_all_mocked=True) as graph:
            route = graph.post(SEND_URL).mock(side_effect=graph_answers)
            worker.start()
            async with serving(web_side) as web:
                sweeper = start_scheduler((await web_side.runtime()).wake)
                traffic = asyncio.gather(*(_client_writes(web, wa_id, ["oi", "menu", "ajuda"], 0.7) for wa_id in CONTACTS))
                await asyncio.sleep(1.0)
                (postgres if fault == "postgresql_restart" else redis).cut(2.0 if fault == "postgresql_restart" else 0.3)
                await traffic
                recovered_at = time.monotonic()
                while (left := await _settled(runtime))[:2] != (0, 0):
                    assert time.monotonic() - recovered_at < RECOVERY_S, f"still pending/unsent after {RECOVERY_S} s: {left}"
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.0)  # anything doubled would show up by now
                sweeper.shutdown(wait=False)
            _, _, rows = await _settled(runtime)
            assert rows >= len(CONTACTS) * 3 * 2  # a read receipt and at least one reply for every message
            assert route.call_count == rows  # each row sent exactly once
    finally:
        await asyncio.to_thread(worker.stop)
        for side in (web_side, worker_side):
            side.broker.close()
        await postgres.stop()
        await redis.stop()
