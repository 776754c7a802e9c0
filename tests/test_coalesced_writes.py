"""Writes arriving while one is in flight share the next one: how the worker records its turns' sends."""
from __future__ import annotations

import asyncio

import pytest

from runtime.coalesced_writes import CoalescedWrites


async def test_sends_ending_while_a_record_is_written_share_the_next_transaction():
    written: list[list[str]] = []
    first_may_commit = asyncio.Event()

    async def record_sends(batch: list[str]) -> None:
        written.append(batch)
        if len(written) == 1:
            await first_may_commit.wait()

    records: CoalescedWrites[str] = CoalescedWrites()
    first = asyncio.create_task(records.write(["claim of 1"], record_sends))
    await asyncio.sleep(0)
    later = [asyncio.create_task(records.write([f"claim of {n}"], record_sends)) for n in (2, 3)]
    await asyncio.sleep(0)
    assert not any(t.done() for t in [first, *later])  # each wake-up waits until its own sends are recorded
    first_may_commit.set()
    await asyncio.gather(first, *later)
    assert written == [["claim of 1"], ["claim of 2", "claim of 3"]]


async def test_a_record_that_fails_fails_every_wake_up_in_it():
    async def record_sends(batch: list[str]) -> None:
        raise ConnectionError("database went away")

    records: CoalescedWrites[str] = CoalescedWrites()
    outcomes = await asyncio.gather(*(records.write([f"claim of {n}"], record_sends) for n in (1, 2)),
                                    return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)  # raised: the broker retries each wake-up
    with pytest.raises(ConnectionError):
        await records.write(["claim of 3"], record_sends)  # and the next one writes again
