"""A batch's send slots, reserved up front: one rate-limit round trip per number, not one per message.

A delivery batch knows how many rows it will send on each number, so it takes that many consecutive
slots in one call and each send then waits for the next one locally. The number's rate holds just
as it does slot by slot (a send that never happens leaves its slot unused, which only slows things).
A send that reaches its slot more than LATE_SLOT_S after it (queued behind the batch's other
sends, or woken late by a busy loop) leaves it unused and tries the next; once none is left, one
call reserves fresh slots for all the sends the batch still has to make on that number. Catching
up on missed slots would burst; so every send goes within LATE_SLOT_S of its own slot in the
number's one sequence: any second sees at most its rate plus one, plus LATE_SLOT_S's worth of
slots (1% at 10 ms), less than the allowance a slot taken per message already gets from a busy
loop's wake-up delay after its sleep, which nothing bounds. A throughput error drops the batch's
remaining slots on that number: the fresh ones come after the pause.
"""
from __future__ import annotations

import asyncio
from collections import Counter, defaultdict, deque
from collections.abc import Mapping

from runtime.rate_limit import RateLimiter

# A busy loop wakes sleepers late, and a shorter life sent most sends back to Redis for a fresh
# slot; a longer one let sends bunch up past what the rate-limit test allows (docs/performance.md).
LATE_SLOT_S = 0.01


class ReservedTurns:
    """A RateLimiter for one batch, drawing on slots reserved from the shared limiter."""

    def __init__(self, shared: RateLimiter) -> None:
        self._shared = shared
        self._slots: dict[str, deque[float]] = {}
        self._left: Counter[str] = Counter()  # sends the batch has still to make, per key
        self._refills: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def take(self, sends_per_key: Mapping[str, int]) -> None:
        """Reserve every slot the batch needs, in one call."""
        self._left = Counter(sends_per_key)
        self._slots = {k: deque(slots) for k, slots in (await self._shared.reserve(sends_per_key)).items()}

    async def wait_turn(self, key: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            slots = self._slots.setdefault(key, deque())
            now = loop.time()
            while slots and slots[0] < now - LATE_SLOT_S:
                slots.popleft()  # missed: left unused
            if not slots:  # none reserved, all missed, or dropped after a pause
                await self._refill(key)
                continue
            slot = slots.popleft()
            if slot > now:
                await asyncio.sleep(slot - now)
            if loop.time() <= slot + LATE_SLOT_S:  # a busy loop can wake a sleeper late: then that slot is spent
                self._left[key] -= 1
                return

    async def _refill(self, key: str) -> None:
        """Fresh slots for every send still to make on `key`, in one call (not one per send)."""
        async with self._refills[key]:
            if self._slots.get(key):
                return  # a send side by side refilled while this one waited for the lock
            fresh = await self._shared.reserve({key: max(1, self._left[key])})
            self._slots[key] = deque(fresh.get(key, ()))

    async def pause(self, key: str, seconds: float) -> None:
        self._slots.pop(key, None)
        await self._shared.pause(key, seconds)

    async def reserve(self, counts: Mapping[str, int]) -> dict[str, list[float]]:
        return await self._shared.reserve(counts)
