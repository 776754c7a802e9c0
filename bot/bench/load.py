"""The load generator: N distinct signed webhooks, C in flight, one latency per request or turn."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterator

import aiohttp
import orjson

from admin.simulator_payloads import inbound_message
from bot.bench.graph_standin import GraphStandIn
from bot.signature import sign


@dataclass(frozen=True)
class Webhook:
    wa_id: str
    raw: bytes
    headers: dict[str, str]


@dataclass
class Outcome:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def build_webhooks(app_secret: str, phone_number_id: str, count: int, first: int) -> list[Webhook]:
    """`count` signed webhooks, each from its own client; built up front so signing is not timed."""
    hooks = []
    for i in range(first, first + count):
        wa_id = f"55119{i:08d}"  # a distinct, valid Brazilian mobile per webhook
        body = inbound_message(phone_number_id=phone_number_id, wa_id=wa_id, name=f"Bench {i}", text="oi")
        raw = orjson.dumps(body)
        hooks.append(Webhook(wa_id, raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, app_secret)}))
    return hooks


def client_session(concurrency: int) -> aiohttp.ClientSession:
    """Keep-alive connections, one per concurrent sender, as Meta's delivery fleet would hold."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency, force_close=False))


async def _post(http: aiohttp.ClientSession, url: str, hook: Webhook) -> bool:
    try:
        async with http.post(url, data=hook.raw, headers=hook.headers) as response:
            await response.read()
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


# Sends one webhook and returns its latency in seconds, or None when it failed.
One = Callable[[Webhook], Awaitable[float | None]]


async def _run(concurrency: int, hooks: list[Webhook], one: One) -> Outcome:
    outcome = Outcome()
    pending: Iterator[Webhook] = iter(hooks)

    async def sender() -> None:
        for hook in pending:  # the iterator is shared: each sender takes the next webhook
            latency = await one(hook)
            if latency is None:
                outcome.errors += 1
            else:
                outcome.latencies_s.append(latency)

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    outcome.seconds = time.perf_counter() - started
    return outcome


async def ingest(http: aiohttp.ClientSession, url: str, hooks: list[Webhook], concurrency: int) -> Outcome:
    """Closed loop: C senders, each posting its next webhook once the previous one was answered."""

    async def one(hook: Webhook) -> float | None:
        started = time.perf_counter()
        ok = await _post(http, url, hook)
        return time.perf_counter() - started if ok else None

    return await _run(concurrency, hooks, one)


async def turns(
    http: aiohttp.ClientSession, url: str, hooks: list[Webhook], concurrency: int,
    standin: GraphStandIn, turn_timeout_s: float,
) -> Outcome:
    """Closed loop over whole turns: a sender's slot is busy until the stand-in got the reply.

    Counting C turns in flight (not C webhook requests) keeps the latency a turn's own time
    rather than the age of a backlog that an open-loop burst would build.
    """

    async def one(hook: Webhook) -> float | None:
        started = time.perf_counter()
        replied = standin.expect(hook.wa_id)
        if not await _post(http, url, hook):
            standin.forget(hook.wa_id)
            return None
        try:
            return await asyncio.wait_for(replied, turn_timeout_s) - started
        except asyncio.TimeoutError:  # a missing reply: counted in "errors"
            standin.forget(hook.wa_id)
            return None

    return await _run(concurrency, hooks, one)
