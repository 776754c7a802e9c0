"""Waking workers up. The database is the source of truth; a lost wake-up is found by the sweeper."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Iterable
from uuid import uuid4

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import current_millis, dq_name
from redis.asyncio import Redis

from runtime.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE, SCHEDULED_QUEUE
from runtime.redis_scripts import Call, run_many

log = logging.getLogger(__name__)
Item = tuple[str, str, tuple[Any, ...], "int | None"]

# Turns that share a transaction in `process_contacts`: BEGIN, COMMIT, a pooled connection and the
# locking, reading and writing statements serve them all. Bounded, as the first turn's conversation
# lock is held until the last one of its group is done. At 48 conversations in flight, once the
# Graph sends got cheaper, alternating benches gave 32 the edge: 390-418 turns/s for 24 against
# 362-400 for 16, and 371-420 for 32 against 376-401 for 24; 48 did no better than 32. The web
# process wakes a worker once this many clients wait.
TURNS_PER_TRANSACTION = 32


class Enqueuer:
    """Sends actor messages from async code without blocking the event loop."""

    def __init__(self, broker: dramatiq.Broker, redis: Redis | None = None) -> None:
        self.broker = broker
        self._dispatch = _AsyncRedisDispatch(broker, redis) if redis is not None and not isinstance(broker, StubBroker) else None

    async def process(self, client_ids: Iterable[int], per_message: int = 64) -> None:
        """Wake the processing actor for clients with new inbound messages, `per_message` at a time."""
        ids = sorted(client_ids)
        await self._send([(INBOUND_QUEUE, "process_contacts", (ids[i:i + per_message],), None)
                          for i in range(0, len(ids), per_message)])

    async def deliver(self, client_id: int, delay_ms: int | None = None) -> None:
        """Wake the delivery actor for a client's outbox (after `delay_ms`, for a backoff)."""
        await self._send([(OUTBOUND_QUEUE, "deliver", (client_id,), delay_ms)])

    async def deliver_many(self, client_ids: Iterable[int], per_message: int = 200) -> None:
        """Wake batch delivery for many clients' outboxes (automated messages), `per_message` at a time."""
        ids = sorted(client_ids)
        await self._send([(OUTBOUND_QUEUE, "deliver_many", (ids[i:i + per_message],), None)
                          for i in range(0, len(ids), per_message)])

    async def sweep(self) -> None:
        await self._send([(MAINTENANCE_QUEUE, "sweep", (), None)])

    async def plan_due(self) -> None:
        """The scheduler's tick: plan due rows and wake `run_due`."""
        await self._send([(MAINTENANCE_QUEUE, "plan_due", (), None)])

    async def run_due(self) -> None:
        await self._send([(SCHEDULED_QUEUE, "run_due", (), None)])

    async def _send(self, items: list[Item]) -> None:
        messages = [
            (dramatiq.Message(queue_name=queue, actor_name=actor, args=args, kwargs={}, options={}), delay_ms)
            for queue, actor, args, delay_ms in items
        ]
        if self._dispatch is not None:
            await self._dispatch.enqueue(messages)
            return
        for message, delay_ms in messages:
            if isinstance(self.broker, StubBroker):  # in memory (demo, tests): nothing to wait for
                self.broker.enqueue(message, delay=delay_ms)
            else:  # a Redis broker with no asyncio client at hand (the scheduler): keep the loop free
                await asyncio.to_thread(self.broker.enqueue, message, delay=delay_ms)


class _AsyncRedisDispatch:
    """RedisBroker.enqueue on an asyncio Redis client: the same Lua script, keys and message format.

    Dramatiq's Redis client is synchronous; run in a thread per webhook it cost most of the web
    process's CPU (thread hand-offs and GIL contention), so the web process enqueues through this.
    Enqueue middleware hooks are not run here: FitZap's brokers have none that act on enqueue.
    """

    def __init__(self, broker: dramatiq.Broker, redis: Redis) -> None:
        self.broker: Any = broker
        self._redis = redis
        self._script = redis.register_script(broker.scripts["dispatch"].script)  # type: ignore[attr-defined]

    async def enqueue(self, messages: list[tuple[dramatiq.Message[Any], int | None]]) -> None:
        """Dispatch the messages in one round trip (each is its own script call, as in Dramatiq)."""
        await run_many(self._redis, self._script, [self._call(message, delay_ms) for message, delay_ms in messages])

    def _call(self, message: dramatiq.Message[Any], delay_ms: int | None) -> Call:
        queue = message.queue_name
        message = message.copy(options={"redis_message_id": str(uuid4())})
        if delay_ms is not None:
            queue = dq_name(queue)
            message = message.copy(queue_name=queue, options={"eta": current_millis() + delay_ms})
        b = self.broker
        # Same argument list as RedisBroker._dispatch: maintenance off, unpack size unused by "enqueue".
        args = ["enqueue", current_millis(), queue, b.broker_id, b.heartbeat_timeout, b.dead_message_ttl, 0, 0,
                message.options["redis_message_id"], message.encode()]
        return [b.namespace], args
