"""Due work under stress: two schedulers, a worker dying mid-batch, 10,000 reminders under the rate limit."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import select

from bench.bulk_bookings import load_bookings
from channels.base import OutboundEnvelope
from conversations.automations import run as automations
from domain.messaging import outbox
from domain.models import Business, OutboundMessage
from tests.booking_setup import NOW, make_studio
from tests.conftest import GRAPH
from tests.scheduled_setup import due_rows
from tests.support import PHONE_NUMBER_ID
from workers import delivery, due_work, sending


async def _due_now(runtime: Any, business: Business, clock: Any, n: int, clients: int) -> None:
    """`n` bookings whose 2-hour reminder is due now (imported: the reconcile step plans them)."""
    clock._now = NOW
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        shop.reminder_offsets_min, shop.quiet_start_min, shop.quiet_end_min = "120", 0, 0
        await load_bookings(session, business.id, bookings=n, clients=clients, first_start=NOW + timedelta(minutes=60),
                            booked_at=NOW - timedelta(days=3), trainers=max(1, n // 50))  # starts within the hour


async def _reminders_per_booking(runtime: Any) -> Counter[str]:
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboundMessage.payload))).scalars().all()
    return Counter(p["buttons"][0] for p in rows)  # reminder:confirm:<booking id>


async def test_two_schedulers_send_one_reminder(app, runtime, business, broker, clock, settings, monkeypatch):
    await _due_now(runtime, business, clock, 600, clients=600)
    monkeypatch.setattr(due_work, "BATCH", 25)  # many small batches, so the two really interleave
    other = await app.open_runtime()
    try:
        await asyncio.gather(*(due_work.plan_due(rt) for rt in (runtime, other)))
        counts = await asyncio.gather(*(due_work.run_due(rt) for rt in (runtime, other) for _ in range(2)))
    finally:
        await other.close()
    assert sum(counts) == 600  # the reminders (follow-ups and no-show checks are not due yet)
    per_booking = await _reminders_per_booking(runtime)
    assert len(per_booking) == 600 and set(per_booking.values()) == {1}
    assert len(await due_rows(runtime, kind="reminder")) == 600


async def test_worker_killed_mid_batch_neither_loses_nor_doubles_a_reminder(runtime, business, broker, clock, monkeypatch):
    await _due_now(runtime, business, clock, 300, clients=300)
    await due_work.plan_due(runtime)
    monkeypatch.setattr(due_work, "BATCH", 100)
    real_run_one, seen, stuck = automations._run_one, [0], asyncio.Event()

    async def dies_on_the_150th(*args: Any) -> Any:
        seen[0] += 1
        if seen[0] == 150:
            stuck.set()
            await asyncio.sleep(3600)  # the worker is killed here, mid-batch
        return await real_run_one(*args)

    monkeypatch.setattr(automations, "_run_one", dies_on_the_150th)
    worker = asyncio.create_task(due_work.run_due(runtime))
    await stuck.wait()
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert len(await _reminders_per_booking(runtime)) == 100  # the first batch committed; the second rolled back
    monkeypatch.setattr(automations, "_run_one", real_run_one)
    assert await due_work.run_due(runtime) == 200
    per_booking = await _reminders_per_booking(runtime)
    assert len(per_booking) == 300 and set(per_booking.values()) == {1}


class RecordingChannel:
    """A fake Cloud API that notes when each message left."""

    name = "recording"

    def __init__(self) -> None:
        self.sent_at: list[float] = []

    async def send(self, envelope: OutboundEnvelope) -> str | None:
        self.sent_at.append(time.perf_counter())
        return f"wamid.R{len(self.sent_at)}"

    async def aclose(self) -> None:
        return None


async def test_10000_due_reminders_are_all_delivered_within_the_rate_limit(runtime, business, broker, clock, monkeypatch):
    rate = 2000
    await _due_now(runtime, business, clock, 10_000, clients=10_000)
    channel = RecordingChannel()
    monkeypatch.setattr(runtime, "channel", channel)
    monkeypatch.setattr(runtime, "limiter", type(runtime.limiter)(runtime.redis, rate))
    await due_work.plan_due(runtime)
    assert await due_work.run_due(runtime) == 10_000
    batches = [m.args[0] for m in _queued(broker, "outbound") if m.actor_name == "deliver"]

    async def worker(mine: list[list[int]]) -> None:
        for client_ids in mine:
            await delivery.deliver(runtime, client_ids)
        while (following := _queued(broker, "outbound")):  # clients with more rows go on
            for message in following:
                await delivery.deliver(runtime, *message.args)

    await asyncio.gather(*(worker(batches[i::4]) for i in range(4)))  # four workers share one number
    times = sorted(channel.sent_at)
    assert len(times) == 10_000
    async with runtime.sessions() as session:
        left = (await session.execute(select(OutboundMessage.id).where(OutboundMessage.status != "sent"))).all()
    assert left == []
    # Any 1,000 consecutive sends span at least half a second. The limiter spaces the slots; a send leaves
    # a little after its slot when the loop is busy, so a window whose first send was late looks shorter by
    # that lateness: 50 ms of it is allowed.
    window = rate // 2
    tightest = min(times[i + window] - times[i] for i in range(len(times) - window))
    assert tightest >= 0.5 - 0.05, f"{window} sends in {tightest:.3f}s: faster than {rate}/s"
    assert (times[-1] - times[0]) >= (len(times) - 1) / rate * 0.97


def _queued(broker: Any, queue: str) -> list[Any]:
    from dramatiq import Message

    q = broker.queues[queue]
    return [Message.decode(q.get_nowait()) for _ in range(q.qsize())]


async def test_throughput_error_slows_every_sender_on_the_number(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        for client_id in studio.clients[:2]:
            await outbox.queue_messages(session, business.id, client_id, [outbox.OutgoingMessage(
                "template", "[template appointment_reminder]", {"name": "appointment_reminder", "language": "pt_BR"})],
                clock.now())
    calls: list[float] = []

    def graph(_request: Any) -> httpx.Response:
        calls.append(time.perf_counter())
        if len(calls) == 1:  # Meta: this number is sending too fast
            return httpx.Response(400, json={"error": {"code": 130429, "message": "Rate limit hit"}})
        return httpx.Response(200, json={"messages": [{"id": f"wamid.T{len(calls)}"}]})

    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages").mock(side_effect=graph)
        for client_id in studio.clients[:2]:
            await delivery.deliver(runtime, [client_id])
    assert len(calls) == 2
    assert calls[1] - calls[0] >= sending.THROTTLE_PAUSE_S * 0.95  # the other client waited for the number
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboundMessage).order_by(OutboundMessage.client_id))).scalars().all()
    assert [(r.status, r.last_error is not None) for r in rows] == [("queued", True), ("sent", False)]
