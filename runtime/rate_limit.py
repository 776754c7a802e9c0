"""Per-phone-number send rate limit, shared by every sender through Redis.

GCRA in one Lua call: one round trip, atomic, async. Dramatiq's own limiters use a sync
client with WATCH retry loops, which would block the event loop and thrash under load.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Protocol

from redis.asyncio import Redis

from runtime.redis_scripts import run_many

# GCRA with reservations: each call takes the next ARGV[2] free slots (one interval apart) and learns
# how long (µs) to wait for the first, so a sender makes one round trip per message (or per batch)
# however many senders share the number.
_GCRA = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + tonumber(now[2]) / 1000
local taken = tonumber(ARGV[1]) * tonumber(ARGV[2])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or now_ms), now_ms)
redis.call('SET', KEYS[1], slot + taken, 'PX', math.ceil(slot + taken - now_ms) + 1000)
return math.ceil((slot - now_ms) * 1000)
"""
# Push the key's next free slot to at least now + ARGV[1] ms: every sender on the number waits.
_PAUSE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local until_ms = now_ms + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if until_ms > tat then redis.call('SET', KEYS[1], until_ms, 'PX', math.ceil(until_ms - now_ms) + 1000) end
return 0
"""


class RateLimiter(Protocol):
    async def wait_turn(self, key: str) -> None:
        """Return once a message may go out under `key`'s rate."""

    async def pause(self, key: str, seconds: float) -> None:
        """Meta said "too fast" for this number: nobody sends on it for `seconds`."""

    async def reserve(self, counts: Mapping[str, int]) -> dict[str, list[float]]:
        """Take `counts[key]` consecutive slots under each key's rate at once: when each may go (event loop time)."""


def _interval_ms(rate_per_s: float) -> float:
    return 1000.0 / rate_per_s


def _slots(first_wait_s: float, count: int, interval_ms: float) -> list[float]:
    start = asyncio.get_running_loop().time() + first_wait_s
    return [start + i * interval_ms / 1000.0 for i in range(count)]


class RedisRateLimiter:
    """At most `rate_per_s` sends per key per second across all processes."""

    def __init__(self, redis: Redis, rate_per_s: float) -> None:
        self._redis = redis
        self._script = redis.register_script(_GCRA)
        self._pause = redis.register_script(_PAUSE)
        self._interval_ms = _interval_ms(rate_per_s)

    async def pause(self, key: str, seconds: float) -> None:
        await self._pause(keys=[f"fitzap:rate:{key}"], args=[int(seconds * 1000)])

    async def wait_turn(self, key: str) -> None:
        wait_us = int(await self._script(keys=[f"fitzap:rate:{key}"], args=[self._interval_ms, 1]))
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)

    async def reserve(self, counts: Mapping[str, int]) -> dict[str, list[float]]:
        keys = [k for k, n in counts.items() if n > 0]
        if not keys:
            return {}
        waits_us = await run_many(self._redis, self._script,  # every number in one round trip
                                  [([f"fitzap:rate:{k}"], [self._interval_ms, counts[k]]) for k in keys])
        return {k: _slots(max(0, int(w)) / 1_000_000, counts[k], self._interval_ms) for k, w in zip(keys, waits_us)}


class MemoryRateLimiter:
    """The same pacing for the single-process demo, without Redis."""

    def __init__(self, rate_per_s: float) -> None:
        self._interval_ms = _interval_ms(rate_per_s)
        self._tat: dict[str, float] = {}

    async def pause(self, key: str, seconds: float) -> None:
        until = time.monotonic() * 1000.0 + seconds * 1000.0
        self._tat[key] = max(self._tat.get(key, 0.0), until)

    async def wait_turn(self, key: str) -> None:
        wait_ms = self._take(key, 1)
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000.0)

    async def reserve(self, counts: Mapping[str, int]) -> dict[str, list[float]]:
        return {k: _slots(self._take(k, n) / 1000.0, n, self._interval_ms) for k, n in counts.items() if n > 0}

    def _take(self, key: str, count: int) -> float:
        """Take `count` slots; how long (ms) until the first."""
        now_ms = time.monotonic() * 1000.0
        slot = max(self._tat.get(key, now_ms), now_ms)
        self._tat[key] = slot + self._interval_ms * count
        return slot - now_ms
