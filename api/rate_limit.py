"""Per-token request limit: a fixed one-minute window that starts at the token's first request in it.

One Redis round trip per request (INCR, and PEXPIRE on the window's first), which also reads back the tokens'
stamp (api.token_cache); without Redis (the demo) a per-process count. Redis away: requests pass (the limit
protects the service; it is no reason to refuse).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from runtime.token_stamp import STAMP_KEY

WINDOW_MS = 60_000
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl, redis.call('GET', KEYS[2]) or ''}
"""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window ends (Retry-After when refused)
    tokens_stamp: str | None = None  # api.token_cache's stamp as Redis holds it now; None without Redis


class ApiRateLimit:
    def __init__(self, redis: Redis | None, per_minute: int) -> None:
        self._limit = per_minute
        self._script = redis.register_script(_COUNT) if redis is not None else None  # EVALSHA, loaded on first use
        self._local: dict[int, tuple[float, int]] = {}

    async def take(self, token_id: int) -> Verdict:
        """Count one request of the token against its window."""
        count, ttl_ms, stamp = await self._count(token_id)
        return Verdict(count <= self._limit, self._limit, max(0, self._limit - count), max(1, math.ceil(ttl_ms / 1000)),
                       stamp)

    async def _count(self, token_id: int) -> tuple[int, float, str | None]:
        if self._script is not None:
            try:
                n, ttl, stamp = await self._script(keys=[f"api:rate:{token_id}", STAMP_KEY], args=[WINDOW_MS])
                return int(n), float(ttl), stamp.decode() if isinstance(stamp, bytes) else str(stamp)
            except RedisError as exc:
                log.warning("API rate limit not counted (Redis: %s)", exc)
                return 0, WINDOW_MS, None
        now = time.monotonic() * 1000
        started, n = self._local.get(token_id, (now, 0))
        if now - started >= WINDOW_MS:
            started, n = now, 0
        self._local[token_id] = (started, n + 1)
        return n + 1, started + WINDOW_MS - now, None
