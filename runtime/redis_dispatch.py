"""Dramatiq's RedisBroker.enqueue on an asyncio Redis client: the same Lua script, keys and message format.

Dramatiq's Redis client is synchronous, so from an event loop it has to run in a thread; the web
process wakes workers many times a second and the thread hand-offs cost more than the enqueue
(docs/performance.md). Enqueue middleware hooks are not run here: FitZap's brokers have none.
"""
from __future__ import annotations

from typing import Any
from uuid import uuid4

import dramatiq
from dramatiq.common import current_millis, dq_name
from redis.asyncio import Redis

from runtime.redis_scripts import Call, run_many


class RedisDispatch:
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
