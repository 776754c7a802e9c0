"""Dramatiq broker set-up: Redis in production, the StubBroker in the embedded demo and tests."""
from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from runtime.redis_clients import sync_redis

INBOUND_QUEUE = "inbound"
OUTBOUND_QUEUE = "outbound"
MAINTENANCE_QUEUE = "maintenance"
SCHEDULED_QUEUE = "scheduled"  # reminders, follow-ups, no-shows, digests


def build_broker(redis_url: str | None) -> dramatiq.Broker:
    """A broker for the given Redis URL, or an in-memory StubBroker when there is none."""
    broker: dramatiq.Broker
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(client=sync_redis(redis_url), namespace="fitzap")
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    for queue in (INBOUND_QUEUE, OUTBOUND_QUEUE, MAINTENANCE_QUEUE, SCHEDULED_QUEUE):
        broker.declare_queue(queue)
    return broker
