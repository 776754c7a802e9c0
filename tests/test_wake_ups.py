"""The web process spaces processing wake-ups: a lone message goes at once, a burst shares one."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.wake_ups import WakeUps


class RecordingWake:
    """Stands in for Wake: notes each wake-up and when it went (loop time)."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[float, list[int]]] = []
        self.fail = fail

    async def process(self, client_ids: Iterable[int]) -> None:
        if self.fail:
            raise ConnectionError("Redis is down")
        self.sent.append((asyncio.get_running_loop().time(), sorted(client_ids)))


async def test_a_lone_message_wakes_a_worker_at_once():
    wake = RecordingWake()
    wake_ups = WakeUps(wake, every_s=0.05)  # type: ignore[arg-type]
    await wake_ups.add({7})
    assert [ids for _, ids in wake.sent] == [[7]]


async def test_messages_arriving_within_the_interval_share_the_next_wake_up():
    wake = RecordingWake()
    wake_ups = WakeUps(wake, every_s=0.05)  # type: ignore[arg-type]
    await wake_ups.add({1})
    for client_id in (2, 3, 2):
        await wake_ups.add({client_id})
    assert [ids for _, ids in wake.sent] == [[1]]  # the others wait for the interval
    await wake_ups.close()
    assert [ids for _, ids in wake.sent] == [[1], [2, 3]]
    (first, _), (second, _) = wake.sent
    assert second - first >= 0.05


async def test_a_full_group_of_waiting_clients_wakes_a_worker_before_the_interval_ends():
    wake = RecordingWake()
    wake_ups = WakeUps(wake, every_s=0.05, full=3)  # type: ignore[arg-type]
    for client_id in (1, 2, 3, 4, 5):
        await wake_ups.add({client_id})
    assert [ids for _, ids in wake.sent] == [[1], [2, 3, 4]]  # the first went at once, the next three as a group
    await wake_ups.add({6})
    assert [ids for _, ids in wake.sent] == [[1], [2, 3, 4]]  # 5 and 6 wait for the interval (or a full group)
    await wake_ups.close()
    assert [ids for _, ids in wake.sent] == [[1], [2, 3, 4], [5, 6]]
    (_, _), (group, _), (rest, _) = wake.sent
    assert rest - group >= 0.05  # an interval after the full group, not after the first wake-up


async def test_a_message_added_while_a_wake_up_is_sent_is_not_left_behind():
    wake = RecordingWake()
    wake_ups = WakeUps(wake, every_s=0.02)  # type: ignore[arg-type]
    await wake_ups.add({1})
    await wake_ups.add({2})
    await asyncio.sleep(0.03)  # the second wake-up has gone
    await wake_ups.add({3})
    await wake_ups.close()
    assert [ids for _, ids in wake.sent] == [[1], [2], [3]]


async def test_a_broker_failure_is_logged_and_the_webhook_path_goes_on(caplog):
    wake_ups = WakeUps(RecordingWake(fail=True), every_s=0.0)  # type: ignore[arg-type]
    await wake_ups.add({1})  # does not raise: the rows are durable and the sweeper wakes a worker later
    assert "could not enqueue processing for 1 clients" in caplog.text


async def test_a_wake_up_added_without_waiting_still_goes_before_shutdown_ends():
    wake = RecordingWake()
    wake_ups = WakeUps(wake, every_s=0.05)  # type: ignore[arg-type]
    wake_ups.add_soon({1})
    wake_ups.add_soon({2})
    assert wake.sent == []  # the caller went on at once
    await wake_ups.close()
    assert [ids for _, ids in wake.sent] == [[1], [2]]
