"""The per-number send rate is shared through Redis by every sender."""
from __future__ import annotations

import asyncio
import time

from workers.rate_limit import MemoryRateLimiter, RedisRateLimiter
from workers.reserved_turns import ReservedTurns


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


async def test_a_reservation_takes_consecutive_slots_that_later_senders_wait_behind(redis):
    await redis.flushdb()
    batch, single = RedisRateLimiter(redis, rate_per_s=20), RedisRateLimiter(redis, rate_per_s=20)
    loop = asyncio.get_running_loop()
    slots = await batch.reserve({"106540352242922": 10, "other-number": 0})
    assert list(slots) == ["106540352242922"]
    first, *rest = slots["106540352242922"]
    assert first <= loop.time() + 0.01
    assert [round(b - a, 3) for a, b in zip([first, *rest], rest)] == [0.05] * 9  # one interval apart
    started = time.monotonic()
    await single.wait_turn("106540352242922")  # the eleventh slot: after the ten reserved
    assert time.monotonic() - started >= 0.45


async def test_reserved_turns_pace_a_batch_and_a_pause_sends_the_rest_back_to_the_shared_limiter(redis):
    await redis.flushdb()
    shared = RedisRateLimiter(redis, rate_per_s=20)
    turns = ReservedTurns(shared)
    await turns.take({"106540352242922": 6})
    started = time.monotonic()
    for _ in range(3):
        await turns.wait_turn("106540352242922")
    assert 0.09 <= time.monotonic() - started < 0.3  # slots 0, 50 and 100 ms
    await turns.pause("106540352242922", 0.4)  # Meta said too fast: the three reserved slots left are dropped
    await turns.wait_turn("106540352242922")
    assert time.monotonic() - started >= 0.45


async def test_the_demo_limiter_reserves_the_same_way():
    limiter = MemoryRateLimiter(rate_per_s=10)
    slots = (await limiter.reserve({"n": 3}))["n"]
    assert [round(b - a, 3) for a, b in zip(slots, slots[1:])] == [0.1, 0.1]
    started = time.monotonic()
    await limiter.wait_turn("n")
    assert time.monotonic() - started >= 0.25
