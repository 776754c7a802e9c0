"""Per-phone-number send rate limit, shared by every sender through Redis.

GCRA in one Lua call: one round trip, atomic, async. Dramatiq's own limiters use a sync
client with WATCH retry loops, which would block the event loop and thrash under load.
"""
from __future__ import annotations

import asyncio
import time
from typing import Protocol

from redis.asyncio import Redis

# GCRA with reservations: each call takes the next free slot and learns how long (µs) to wait
# for it, so a sender makes one round trip per message however many senders share the number.
_GCRA = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + tonumber(now[2]) / 1000
local interval = tonumber(ARGV[1])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or now_ms), now_ms)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(slot + interval - now_ms) + 1000)
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


def _interval_ms(rate_per_s: float) -> float:
    return 1000.0 / rate_per_s


class RedisRateLimiter:
    """At most `rate_per_s` sends per key per second across all processes."""

    def __init__(self, redis: Redis, rate_per_s: float) -> None:
        self._script = redis.register_script(_GCRA)
        self._pause = redis.register_script(_PAUSE)
        self._interval_ms = _interval_ms(rate_per_s)

    async def pause(self, key: str, seconds: float) -> None:
        await self._pause(keys=[f"fitzap:rate:{key}"], args=[int(seconds * 1000)])

    async def wait_turn(self, key: str) -> None:
        wait_us = int(await self._script(keys=[f"fitzap:rate:{key}"], args=[self._interval_ms]))
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)


class MemoryRateLimiter:
    """The same pacing for the single-process demo, without Redis."""

    def __init__(self, rate_per_s: float) -> None:
        self._interval_ms = _interval_ms(rate_per_s)
        self._tat: dict[str, float] = {}

    async def pause(self, key: str, seconds: float) -> None:
        until = time.monotonic() * 1000.0 + seconds * 1000.0
        self._tat[key] = max(self._tat.get(key, 0.0), until)

    async def wait_turn(self, key: str) -> None:
        now_ms = time.monotonic() * 1000.0
        slot = max(self._tat.get(key, now_ms), now_ms)
        self._tat[key] = slot + self._interval_ms
        if slot > now_ms:
            await asyncio.sleep((slot - now_ms) / 1000.0)
