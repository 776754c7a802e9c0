"""The load generator: N distinct signed webhooks, C in flight, one latency per request or turn."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import orjson

from admin.simulator_payloads import inbound_message
from bench.graph_standin import GraphStandIn
from bench.http_client import KeepAliveClient, build_request
from channels.signature import sign


@dataclass(frozen=True)
class Webhook:
    wa_id: str
    request: bytes  # the whole signed POST, as written to the connection


@dataclass
class Outcome:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def build_webhooks(url: str, app_secret: str, phone_number_id: str, count: int, first: int) -> list[Webhook]:
    """`count` signed webhooks to `url`, each from its own client; built up front so signing is not timed."""
    hooks = []
    for i in range(first, first + count):
        wa_id = f"55119{i:08d}"  # a distinct, valid Brazilian mobile per webhook
        body = inbound_message(phone_number_id=phone_number_id, wa_id=wa_id, name=f"Bench {i}", text="oi")
        raw = orjson.dumps(body)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, app_secret)}
        hooks.append(Webhook(wa_id, build_request(url, raw, headers)))
    return hooks


async def _post(http: KeepAliveClient, hook: Webhook) -> bool:
    try:
        return await http.post(hook.request) == 200
    except OSError:  # refused, reset or closed: ConnectionError is one
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


async def ingest(http: KeepAliveClient, hooks: list[Webhook], concurrency: int) -> Outcome:
    """Closed loop: C senders, each posting its next webhook once the previous one was answered."""

    async def one(hook: Webhook) -> float | None:
        started = time.perf_counter()
        ok = await _post(http, hook)
        return time.perf_counter() - started if ok else None

    return await _run(concurrency, hooks, one)


async def turns(
    http: KeepAliveClient, hooks: list[Webhook], concurrency: int,
    standin: GraphStandIn, turn_timeout_s: float,
) -> Outcome:
    """Closed loop over whole turns: a sender's slot is busy until the stand-in got the reply.

    Counting C turns in flight (not C webhook requests) keeps the latency a turn's own time
    rather than the age of a backlog that an open-loop burst would build.
    """

    async def one(hook: Webhook) -> float | None:
        started = time.perf_counter()
        replied = standin.expect(hook.wa_id)
        if not await _post(http, hook):
            standin.forget(hook.wa_id)
            return None
        try:
            return await asyncio.wait_for(replied, turn_timeout_s) - started
        except TimeoutError:  # a missing reply: counted in "errors"
            standin.forget(hook.wa_id)
            return None

    return await _run(concurrency, hooks, one)
