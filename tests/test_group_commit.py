"""Writes arriving while one is in flight share the next one: how webhooks are stored and sends recorded."""
from __future__ import annotations

import asyncio

import pytest

from runtime.group_commit import GroupCommit


async def test_sends_ending_while_a_record_is_written_share_the_next_transaction():
    written: list[list[str]] = []
    first_may_commit = asyncio.Event()

    async def record_sends(batch: list[str]) -> None:
        written.append(batch)
        if len(written) == 1:
            await first_may_commit.wait()

    records: GroupCommit[str, None] = GroupCommit(record_sends)
    first = asyncio.create_task(records.submit(["claim of 1"]))
    await asyncio.sleep(0)
    later = [asyncio.create_task(records.submit([f"claim of {n}"])) for n in (2, 3)]
    await asyncio.sleep(0)
    assert not any(t.done() for t in [first, *later])  # each caller waits until its own items are written
    first_may_commit.set()
    await asyncio.gather(first, *later)
    assert written == [["claim of 1"], ["claim of 2", "claim of 3"]]


async def test_a_batch_that_fails_is_written_again_caller_by_caller_so_only_the_bad_one_fails():
    written: list[list[str]] = []

    async def store(batch: list[str]) -> None:
        if "poison" in batch:
            raise ValueError("cannot store this one")
        written.append(batch)

    batches: GroupCommit[str, None] = GroupCommit(store)
    outcomes = await asyncio.gather(*(batches.submit([item]) for item in ("ok 1", "poison", "ok 2")),
                                    return_exceptions=True)
    assert [type(o).__name__ for o in outcomes] == ["NoneType", "ValueError", "NoneType"]
    assert sorted(written, key=str) == [["ok 1"], ["ok 2"]]


async def test_when_the_database_is_gone_every_caller_fails_and_the_next_write_tries_again():
    async def record_sends(batch: list[str]) -> None:
        raise ConnectionError("database went away")

    records: GroupCommit[str, None] = GroupCommit(record_sends)
    outcomes = await asyncio.gather(*(records.submit([f"claim of {n}"]) for n in (1, 2)), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)  # raised: the broker retries each wake-up
    with pytest.raises(ConnectionError):
        await records.submit(["claim of 3"])


async def test_each_written_batch_is_handed_on_without_holding_up_the_next():
    handed: list[int] = []

    async def store(batch: list[int]) -> int:
        return sum(batch)

    batches: GroupCommit[int, int] = GroupCommit(store, max_batch=2, then=handed.append)
    await asyncio.gather(*(batches.submit([n]) for n in (1, 2, 3)))
    assert handed == [3, 3]  # at most two callers a batch: (1, 2), then (3)
