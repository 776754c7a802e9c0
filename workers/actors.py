"""Dramatiq actors: thin async wrappers that fetch the loop's Runtime and call the work."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import dramatiq

from runtime.resources import Runtime, RuntimeProvider
from workers import delivery, delivery_batch, due_work, processing, sweeper
from runtime.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE, SCHEDULED_QUEUE
from runtime.wake import Enqueuer

Work = Callable[..., Awaitable[Any]]

# actor name -> (queue, the work it does, given the runtime and an enqueuer first)
WORK: dict[str, tuple[str, Work]] = {
    "process_contacts": (INBOUND_QUEUE, processing.process_contacts),
    "deliver": (OUTBOUND_QUEUE, delivery.deliver),
    "deliver_many": (OUTBOUND_QUEUE, delivery_batch.deliver_many),
    "sweep": (MAINTENANCE_QUEUE, sweeper.sweep),
    "plan_due": (MAINTENANCE_QUEUE, due_work.plan_due),
    "run_due": (SCHEDULED_QUEUE, due_work.run_due),
}


def declare_actors(broker: dramatiq.Broker, runtimes: RuntimeProvider) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Register every actor on `broker`; each runs its work with the Runtime of its loop."""
    enqueuers: dict[int, Enqueuer] = {}  # one per runtime, on that runtime's asyncio Redis client
    return {
        name: dramatiq.actor(_bind(work, runtimes, broker, enqueuers), broker=broker, actor_name=name, queue_name=queue,
                             max_retries=5)
        for name, (queue, work) in WORK.items()
    }


def _bind(work: Work, runtimes: RuntimeProvider, broker: dramatiq.Broker,
          enqueuers: dict[int, Enqueuer]) -> Callable[..., Awaitable[None]]:
    async def run(*args: Any) -> None:
        runtime: Runtime = await runtimes.get()
        enqueuer = enqueuers.setdefault(id(runtime), Enqueuer(broker, runtime.redis))
        await work(runtime, enqueuer, *args)

    run.__name__ = run.__qualname__ = work.__name__
    return run
