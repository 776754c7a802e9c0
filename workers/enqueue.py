"""Waking workers up. The database is the source of truth; a lost wake-up is found by the sweeper."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Iterable

import dramatiq
from dramatiq.brokers.stub import StubBroker

from workers.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE

log = logging.getLogger(__name__)


class Enqueuer:
    """Sends actor messages without blocking the event loop on a Redis round trip."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        self._inline = isinstance(broker, StubBroker)

    async def process(self, client_ids: Iterable[int]) -> None:
        """Wake the processing actor for each client with new inbound messages."""
        await self._send([(INBOUND_QUEUE, "process_contact", (cid,), None) for cid in client_ids])

    async def deliver(self, client_id: int, delay_ms: int | None = None) -> None:
        """Wake the delivery actor for a client's outbox (after `delay_ms`, for a backoff)."""
        await self._send([(OUTBOUND_QUEUE, "deliver", (client_id,), delay_ms)])

    async def sweep(self) -> None:
        await self._send([(MAINTENANCE_QUEUE, "sweep", (), None)])

    async def _send(self, items: list[tuple[str, str, tuple[Any, ...], int | None]]) -> None:
        if not items:
            return
        messages = [(dramatiq.Message(queue_name=q, actor_name=a, args=args, kwargs={}, options={}), d) for q, a, args, d in items]
        if self._inline:
            self._enqueue_all(messages)
        else:
            await asyncio.to_thread(self._enqueue_all, messages)

    def _enqueue_all(self, messages: list[tuple[dramatiq.Message[Any], int | None]]) -> None:
        for message, delay_ms in messages:
            self.broker.enqueue(message, delay=delay_ms)
