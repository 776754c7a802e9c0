"""Storing webhooks durably: those that arrive while a write is in flight share the next transaction.

Each webhook is still answered only after its rows are committed; batching only spreads the
transaction and round-trip cost over the webhooks that arrived together. The clients with new
messages go to the processing wake-ups once their batch is written.

A webhook that cannot be stored whole is stored message by message and status by status: Meta
sends a POST answered with an error again, all of it, for a week, so one message that can never be
stored must not hold back the others that came with it.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.wake_ups import WakeUps
from domain.messaging.inbox import IncomingMessage, record_inbound
from domain.messaging.statuses import StatusUpdate, record_statuses
from runtime.group_commit import GroupCommit
from runtime.resources import Runtime

log = logging.getLogger(__name__)
MAX_BATCH = 256  # webhooks per transaction


@dataclass
class Received:
    """What one webhook brought for one business."""

    business_id: int
    messages: list[IncomingMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


class InboundStore:
    def __init__(self, runtime: Runtime, wake_ups: WakeUps) -> None:
        self._runtime = runtime
        # The wake-up goes in a task of its own: the next batch's write need not wait for Redis's answer.
        self._batches: GroupCommit[Received, set[int]] = GroupCommit(self._write, max_batch=MAX_BATCH,
                                                                      then=wake_ups.add_soon)

    async def store(self, received: list[Received]) -> None:
        """Return once `received` is durable, or all of it that can be: what cannot is logged and left out.

        Raises when nothing could be stored (the database is down, say), so that Meta sends it again.
        """
        try:
            await self._batches.submit(received)
        except Exception:
            pieces = _one_by_one(received)
            if len(pieces) < 2:  # nothing to set apart
                raise
            await self._store_each(pieces)

    async def _store_each(self, pieces: list[Received]) -> None:
        outcomes = await asyncio.gather(*(self._batches.submit([piece]) for piece in pieces), return_exceptions=True)
        failed = [(piece, outcome) for piece, outcome in zip(pieces, outcomes, strict=True) if isinstance(outcome, BaseException)]
        if len(failed) == len(pieces):
            raise failed[0][1]
        for piece, error in failed:
            log.error("%s for business %s could not be stored; the rest of its webhook was", _named(piece), piece.business_id,
                      exc_info=error)

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


def _one_by_one(received: list[Received]) -> list[Received]:
    """Each message and each status of a webhook on its own."""
    messages = [Received(r.business_id, messages=[m]) for r in received for m in r.messages]
    statuses = [Received(r.business_id, statuses=[s]) for r in received for s in r.statuses]
    return messages + statuses


def _named(piece: Received) -> str:
    if piece.messages:
        return f"message {piece.messages[0].provider_message_id}"
    return f"status {piece.statuses[0].status} of {piece.statuses[0].provider_message_id}"
