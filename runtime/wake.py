"""Waking the workers: a message to an actor. The database is the source of truth; a lost wake-up
is found by the sweeper."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from redis.asyncio import Redis

from runtime.redis_dispatch import RedisDispatch

# Turns that share a transaction in the processing actor; the web process wakes a worker once
# this many clients wait. Bounded: the first turn's conversation lock is held until its group ends.
# 32: more did no better, fewer cost throughput (docs/performance.md).
TURNS_PER_TRANSACTION = 32
PROCESS_PER_MESSAGE = 64
DELIVER_PER_MESSAGE = 200


@dataclass(frozen=True)
class Actors:
    """The actors, as objects: the composition root declares them on its broker (workers.actors)."""

    process: dramatiq.Actor[Any, Any]
    deliver: dramatiq.Actor[Any, Any]
    sweep: dramatiq.Actor[Any, Any]
    plan_due: dramatiq.Actor[Any, Any]
    run_due: dramatiq.Actor[Any, Any]
    payments: dramatiq.Actor[Any, Any]
    media: dramatiq.Actor[Any, Any]
    churn: dramatiq.Actor[Any, Any]
    mail: dramatiq.Actor[Any, Any]
    webhooks: dramatiq.Actor[Any, Any]


class Wake:
    """Sends actor messages from async code without blocking the event loop."""

    def __init__(self, broker: dramatiq.Broker, actors: Actors, redis: Redis | None = None) -> None:
        self.broker, self.actors = broker, actors
        self._dispatch = RedisDispatch(broker, redis) if redis is not None and not isinstance(broker, StubBroker) else None

    async def process(self, client_ids: Iterable[int]) -> None:
        """Clients with new inbound messages: take their turns."""
        await self._send(self.actors.process, client_ids, PROCESS_PER_MESSAGE)

    async def deliver(self, client_ids: Iterable[int], delay_ms: int | None = None) -> None:
        """Clients whose outbox has rows to send (after `delay_ms`, for a backoff)."""
        await self._send(self.actors.deliver, client_ids, DELIVER_PER_MESSAGE, delay_ms)

    async def sweep(self) -> None:
        await self._enqueue([(self.actors.sweep.message(), None)])

    async def plan_due(self) -> None:
        """The scheduler's tick: plan due rows and wake `run_due`."""
        await self._enqueue([(self.actors.plan_due.message(), None)])

    async def run_due(self) -> None:
        await self._enqueue([(self.actors.run_due.message(), None)])

    async def payments(self) -> None:
        """Stored payment events wait: apply them."""
        await self._enqueue([(self.actors.payments.message(), None)])

    async def media(self) -> None:
        """Progress photos wait for their download."""
        await self._enqueue([(self.actors.media.message(), None)])

    async def churn(self) -> None:
        """A business's night has come: score its members' churn risk."""
        await self._enqueue([(self.actors.churn.message(), None)])

    async def webhooks(self) -> None:
        """Outgoing webhook deliveries may be due: send them."""
        await self._enqueue([(self.actors.webhooks.message(), None)])

    async def mail(self, delay_ms: int | None = None) -> None:
        """Mails wait to go out (after `delay_ms`, for a retry)."""
        await self._enqueue([(self.actors.mail.message(), delay_ms)])

    async def _send(self, actor: dramatiq.Actor[Any, Any], client_ids: Iterable[int], per_message: int,
                    delay_ms: int | None = None) -> None:
        ids = sorted(client_ids)
        await self._enqueue([(actor.message(ids[i:i + per_message]), delay_ms) for i in range(0, len(ids), per_message)])

    async def _enqueue(self, messages: list[tuple[dramatiq.Message[Any], int | None]]) -> None:
        if not messages:
            return
        if self._dispatch is not None:
            await self._dispatch.enqueue(messages)
        elif isinstance(self.broker, StubBroker):  # in memory (demo, tests): nothing to wait for
            for message, delay_ms in messages:
                self.broker.enqueue(message, delay=delay_ms)
        else:  # a Redis broker with no asyncio client at hand: Dramatiq's own client, off the loop
            for message, delay_ms in messages:
                await asyncio.to_thread(self.broker.enqueue, message, delay=delay_ms)
