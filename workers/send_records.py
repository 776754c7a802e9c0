"""Recording what turns' sends did: the wake-ups of one event loop whose sends ended meanwhile share a transaction.

Webhooks arrive spread out, so most wake-ups carry a client or two, and a record transaction per
wake-up (begin, mark sent, early statuses, commit, and the read for rows queued behind) cost
about as much CPU as a turn's own. Each wake-up still returns only once its sends are recorded.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Runtime holds one of these per loop: the batch path is imported only when it runs
    from bot.runtime import Runtime
    from workers.delivery_batch import Claim, Outcome
    from workers.enqueue import Enqueuer


class SendRecords:
    def __init__(self) -> None:
        self._waiting: list[tuple[list[tuple[Claim, Outcome]], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, rt: Runtime, enqueuer: Enqueuer, sent: list[tuple[Claim, Outcome]]) -> None:
        """Return once these sends are recorded, in the next transaction this loop writes."""
        if not sent:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((sent, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(rt, enqueuer))
        await done

    async def _drain(self, rt: Runtime, enqueuer: Enqueuer) -> None:
        from workers import delivery_batch

        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with rt.turns_in_flight:  # a connection like a turn's: past the pool, each is a new backend
                    await delivery_batch.record_sends(rt, enqueuer, [item for sent, _ in batch for item in sent])
            except Exception as error:  # every wake-up in the batch fails, and the broker retries each
                for _, done in batch:
                    done.set_exception(error)
            else:
                for _, done in batch:
                    done.set_result(None)
