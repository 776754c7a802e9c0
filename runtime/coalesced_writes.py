"""Writes that arrive while one is in flight share the next: one transaction for the whole batch.

The worker records what its turns' sends did this way. Webhooks arrive spread out, so most
wake-ups carry a client or two, and a record transaction per wake-up (begin, mark sent, early
statuses, commit, and the read for rows queued behind) cost about as much CPU as a turn's own.
Each caller still returns only once its own items are written.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Generic, TypeVar

T = TypeVar("T")
Write = Callable[[list[T]], Awaitable[Any]]


class CoalescedWrites(Generic[T]):
    def __init__(self) -> None:
        self._waiting: list[tuple[list[T], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, items: list[T], write: Write[T]) -> None:
        """Return once `items` are written by `write`, together with whatever else is waiting then.

        Callers on one loop pass the same kind of `write`; the batch goes through the first waiting one's.
        """
        if not items:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(write))
        await done

    async def _drain(self, write: Write[T]) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await write([item for items, _ in batch for item in items])
            except Exception as error:  # every caller in the batch fails (the broker retries each wake-up)
                for _, done in batch:
                    done.set_exception(error)
            else:
                for _, done in batch:
                    done.set_result(None)
