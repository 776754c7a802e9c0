"""Group commit: writes that arrive while one is in flight share the next transaction.

The web process stores webhooks this way and the worker records what its turns' sends did:
both arrive spread out, and a transaction each cost about as much as the work itself. Every
caller still returns only once its own items are written (or raises if they could not be). A
batch that fails is written again caller by caller, so one bad item fails only its own caller.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Waiting = tuple[list[T], "asyncio.Future[None]"]


class GroupCommit(Generic[T, R]):
    """`write(items)` for everything waiting, one batch of at most `max_batch` callers at a time.

    `then(result)` runs after each batch that was written, without holding up the next one.
    """

    def __init__(self, write: Callable[[list[T]], Awaitable[R]], *, max_batch: int = 256,
                 then: Callable[[R], None] | None = None) -> None:
        self._write, self._max_batch, self._then = write, max_batch, then
        self._waiting: list[Waiting[T]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, items: list[T]) -> None:
        """Return once `items` are written, together with whatever else was waiting then."""
        if not items:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            try:
                results = [await self._write([item for items, _ in batch for item in items])]
            except Exception:
                results = await self._each(batch)
            else:
                for _, done in batch:
                    _settle(done)
            if self._then is not None:
                for result in results:
                    self._then(result)

    async def _each(self, batch: list[Waiting[T]]) -> list[R]:
        results: list[R] = []
        for items, done in batch:
            try:
                results.append(await self._write(items))
            except Exception as error:
                _settle(done, error)
            else:
                _settle(done)
        return results


def _settle(done: asyncio.Future[None], error: Exception | None = None) -> None:
    if done.done():  # its caller was cancelled meanwhile: nobody waits for the answer
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
