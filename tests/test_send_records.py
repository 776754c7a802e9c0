"""Wake-ups on one event loop whose sends end while a record transaction is running share the next one."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from workers import delivery_batch
from workers.send_records import SendRecords


def _sent(client_id: int) -> list[tuple[Any, Any]]:
    return [(f"claim of {client_id}", ([], None))]


async def test_sends_ending_while_a_record_is_written_share_the_next_transaction(runtime, monkeypatch):
    written: list[list[str]] = []
    first_may_commit = asyncio.Event()

    async def record_sends(rt, enqueuer, sent):  # type: ignore[no-untyped-def]
        written.append([claim for claim, _ in sent])
        if len(written) == 1:
            await first_may_commit.wait()

    monkeypatch.setattr(delivery_batch, "record_sends", record_sends)
    records = SendRecords()
    first = asyncio.create_task(records.record(runtime, None, _sent(1)))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    later = [asyncio.create_task(records.record(runtime, None, _sent(n))) for n in (2, 3)]  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert not any(t.done() for t in [first, *later])  # each wake-up waits until its own sends are recorded
    first_may_commit.set()
    await asyncio.gather(first, *later)
    assert written == [["claim of 1"], ["claim of 2", "claim of 3"]]


async def test_a_record_that_fails_fails_every_wake_up_in_it(runtime, monkeypatch):
    async def record_sends(rt, enqueuer, sent):  # type: ignore[no-untyped-def]
        raise ConnectionError("database went away")

    monkeypatch.setattr(delivery_batch, "record_sends", record_sends)
    records = SendRecords()
    outcomes = await asyncio.gather(*(records.record(runtime, None, _sent(n)) for n in (1, 2)),  # type: ignore[arg-type]
                                    return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)  # raised: the broker retries each wake-up
    with pytest.raises(ConnectionError):
        await records.record(runtime, None, _sent(3))  # type: ignore[arg-type]  # and the next one writes again
