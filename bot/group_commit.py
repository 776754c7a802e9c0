"""Group commit for webhooks: those that arrive while a write is in flight share the next transaction.

Each webhook is still answered only after its rows are committed; batching only spreads the
transaction and round-trip cost over the webhooks that arrived together.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from runtime.resources import Runtime
from bot.wake_ups import WakeUps
from domain.messaging.inbox import IncomingMessage, record_inbound
from domain.messaging.statuses import StatusUpdate, record_statuses

MAX_BATCH = 256  # webhooks per transaction


@dataclass
class Received:
    """What one webhook brought for one business."""

    business_id: int
    messages: list[IncomingMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


class GroupCommit:
    def __init__(self, runtime: Runtime, wake_ups: WakeUps) -> None:
        self._runtime, self._wake_ups = runtime, wake_ups
        self._waiting: list[tuple[list[Received], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, received: list[Received]) -> None:
        """Return once `received` is durable (raises if it could not be stored)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((received, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                client_ids = await self._write([r for items, _ in batch for r in items])
            except Exception:  # one bad webhook must not fail the others: store them one by one
                client_ids = await self._write_each(batch)
            else:
                for _, done in batch:
                    done.set_result(None)
            self._wake_ups.add_soon(client_ids)  # the next batch's write need not wait for Redis's answer

    async def _write(self, received: list[Received]) -> set[int]:
        client_ids: set[int] = set()
        business_ids = sorted({r.business_id for r in received})
        # The usual batch, one business's messages, is one statement on PostgreSQL (domain.messaging.inbox).
        one_statement = len(business_ids) == 1 and not any(r.statuses for r in received)
        sessions = self._runtime.single_statements if one_statement else self._runtime.sessions
        async with sessions.begin() as session:
            now = self._runtime.clock.now()
            for business_id in business_ids:
                mine = [r for r in received if r.business_id == business_id]
                client_ids.update(await record_inbound(session, business_id, [m for r in mine for m in r.messages], now))
                await record_statuses(session, business_id, [s for r in mine for s in r.statuses])
        return client_ids

    async def _write_each(self, batch: list[tuple[list[Received], asyncio.Future[None]]]) -> set[int]:
        client_ids: set[int] = set()
        for items, done in batch:
            try:
                client_ids |= await self._write(items)
            except Exception as error:
                done.set_exception(error)
            else:
                done.set_result(None)
        return client_ids
