"""The per-number send rate is shared through Redis by every sender."""
from __future__ import annotations

import asyncio
import time

from workers.rate_limit import RedisRateLimiter


async def test_two_senders_share_one_numbers_budget(redis):
    await redis.flushdb()
    first, second = RedisRateLimiter(redis, rate_per_s=20), RedisRateLimiter(redis, rate_per_s=20)
    started = time.monotonic()
    await asyncio.gather(*(limiter.wait_turn("106540352242922") for limiter in [first, second] * 10))
    elapsed = time.monotonic() - started
    # 20 sends at 20/s, paced one every 50 ms: the 20th cannot go before ~0.95 s
    assert elapsed >= 0.9


async def test_numbers_have_separate_budgets(redis):
    await redis.flushdb()
    limiter = RedisRateLimiter(redis, rate_per_s=1)
    started = time.monotonic()
    await asyncio.gather(*(limiter.wait_turn(f"number-{i}") for i in range(20)))
    assert time.monotonic() - started < 0.5
