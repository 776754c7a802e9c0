"""Processing wake-ups from the web process, at most one per interval: under load one carries many clients.

Webhooks arrive spread out, so most group commits store one or two; a wake-up each meant the
worker paid a broker message (fetch, ack, thread hand-offs) and a delivery record transaction for
nearly every turn. The first wake-up after a quiet spell goes at once, so a lone message waits
for nothing; under load, a client's wake-up waits at most one interval for the next one to go,
and goes sooner once a full group of clients is waiting: a larger wake-up would only be split.
"""
from __future__ import annotations

import asyncio
import logging

from runtime.wake import TURNS_PER_TRANSACTION, Wake

log = logging.getLogger(__name__)


class WakeUps:
    def __init__(self, wake: Wake, every_s: float, full: int = TURNS_PER_TRANSACTION) -> None:
        self._wake, self._every_s, self._full = wake, every_s, full
        self._waiting: set[int] = set()
        self._last_sent = float("-inf")
        self._later: asyncio.Task[None] | None = None
        self._adding: set[asyncio.Task[None]] = set()

    def add_soon(self, client_ids: set[int]) -> None:
        """`add` in a task of its own, for a caller that must not wait for the broker's answer."""
        task = asyncio.create_task(self.add(client_ids))
        self._adding.add(task)
        task.add_done_callback(self._adding.discard)

    async def add(self, client_ids: set[int]) -> None:
        """Wake the processing actor for these clients: now if no wake-up went lately, else with the next one."""
        if not client_ids:
            return
        self._waiting |= client_ids
        if len(self._waiting) >= self._full:
            await self._send()  # a wake-up still due sends what arrives meanwhile, an interval after this one
            return
        if self._later is not None and not self._later.done():
            return  # a wake-up is due shortly: these go with it
        if self._due_in_s() <= 0:
            await self._send()
        else:
            self._later = asyncio.create_task(self._send_when_due())

    async def close(self) -> None:
        """Send what is still waiting (on shutdown: the rows are durable, but the sweeper is slower)."""
        await asyncio.gather(*self._adding)
        if self._later is not None:
            await self._later

    def _due_in_s(self) -> float:
        return self._last_sent + self._every_s - asyncio.get_running_loop().time()

    async def _send_when_due(self) -> None:
        while self._waiting:  # also those added while the last wake-up was being sent
            if (delay := self._due_in_s()) > 0:
                await asyncio.sleep(delay)
                continue  # a full group may have gone meanwhile, which moves the next wake-up on
            await self._send()

    async def _send(self) -> None:
        client_ids, self._waiting = self._waiting, set()
        self._last_sent = asyncio.get_running_loop().time()
        try:
            await self._wake.process(client_ids)
        except Exception:  # the rows are durable; the sweeper wakes a worker once the broker is back
            log.exception("could not enqueue processing for %d clients", len(client_ids))
