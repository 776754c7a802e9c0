"""The per-number send rate is shared through Redis by every sender."""
from __future__ import annotations

import asyncio
import time

from runtime.rate_limit import MemoryRateLimiter, RedisRateLimiter
from runtime.reserved_turns import ReservedTurns


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


class CountingLimiter(MemoryRateLimiter):
    """The demo limiter, counting the calls a batch makes on it (each is a Redis round trip in production)."""

    calls = 0

    async def wait_turn(self, key: str) -> None:
        self.calls += 1
        await super().wait_turn(key)

    async def reserve(self, counts):  # type: ignore[no-untyped-def]
        self.calls += 1
        return await super().reserve(counts)


async def test_a_batch_late_for_its_slots_reserves_fresh_ones_in_one_call_not_one_per_send():
    shared = CountingLimiter(rate_per_s=1000)
    turns = ReservedTurns(shared)
    await turns.take({"n": 40})
    await asyncio.sleep(0.2)  # the batch was held up: all 40 slots (40 ms) are long gone
    started = time.monotonic()
    await asyncio.gather(*(turns.wait_turn("n") for _ in range(40)))
    assert shared.calls == 2  # the first reservation and one refill for all 40 sends
    assert time.monotonic() - started >= 0.035  # and the refill keeps the number's pace


async def test_a_reservation_still_works_after_redis_forgot_its_scripts(redis):
    await redis.flushdb()
    limiter = RedisRateLimiter(redis, rate_per_s=20)
    await limiter.reserve({"a": 2, "b": 1})
    await redis.script_flush()  # as after a Redis restart
    slots = await limiter.reserve({"a": 1, "b": 1})
    assert set(slots) == {"a", "b"}
    assert slots["a"][0] >= asyncio.get_running_loop().time() + 0.05  # behind the two taken before
