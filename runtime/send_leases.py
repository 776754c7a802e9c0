"""The outbox rows this process is sending, whose leases it renews while it lives.

A row claimed for sending stays 'sending' until its outcome is recorded. Should the process die
meanwhile, its rows must go out again soon, but never while it still lives and may yet record
them: so it renews their leases every few seconds, and only rows whose lease has run out
(domain.messaging.outbox.SENDING_STALE_AFTER) are taken by another sender.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.messaging import outbox

log = logging.getLogger(__name__)

RENEW_EVERY_S = 2.5  # a third of the lease: two renewals may fail before another sender takes them


class SendLeases:
    def __init__(self, single_statements: async_sessionmaker[AsyncSession], clock: Clock,
                 every_s: float = RENEW_EVERY_S) -> None:
        self._sessions, self._clock, self._every_s = single_statements, clock, every_s
        self._held: Counter[int] = Counter()
        self._renewer: asyncio.Task[None] | None = None

    def hold(self, row_ids: Iterable[int]) -> None:
        """These rows are being sent by this process from now on."""
        self._held.update(row_ids)
        if self._held and (self._renewer is None or self._renewer.done()):
            self._renewer = asyncio.create_task(self._renew_while_held())

    def let_go(self, row_ids: Iterable[int]) -> None:
        """Their outcome is recorded (or given up on): nothing to renew."""
        self._held.subtract(row_ids)
        self._held = +self._held  # drop the ids no longer held

    async def renew(self) -> None:
        """Renew every held lease now."""
        if self._held:
            async with self._sessions.begin() as session:
                await outbox.renew_leases(session, sorted(self._held), self._clock.now())

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()

    async def _renew_while_held(self) -> None:
        while self._held:
            await asyncio.sleep(self._every_s)
            try:
                await self.renew()
            except Exception as error:  # the database is away: try again at the next beat
                log.warning("could not renew %d send leases (%s)", len(self._held), type(error).__name__)
