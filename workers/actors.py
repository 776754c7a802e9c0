"""The Dramatiq actors: each fetches its loop's Runtime and does its work."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq

from runtime.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE, SCHEDULED_QUEUE
from runtime.failures import log_failure, service_away
from runtime.resources import Runtime, RuntimeProvider
from runtime.wake import Actors
from workers import churn_scoring, delivery, due_work, mail, media, payment_events, processing, sweeper
from workers import webhooks as outgoing_webhooks

log = logging.getLogger(__name__)

# A wake-up that fails (PostgreSQL or Redis away, mostly) is tried again within seconds, for a
# minute or two; after that the sweeper finds its work in the database.
RETRIES = {"max_retries": 20, "min_backoff": 500, "max_backoff": 5000}
# Actor name (and Actors' field) → (its work, given the loop's Runtime first; its queue).
WORK: dict[str, tuple[Callable[..., Awaitable[Any]], str]] = {
    "process": (processing.process, INBOUND_QUEUE),
    "deliver": (delivery.deliver, OUTBOUND_QUEUE),
    "sweep": (sweeper.sweep, MAINTENANCE_QUEUE),
    "plan_due": (due_work.plan_due, MAINTENANCE_QUEUE),
    "run_due": (due_work.run_due, SCHEDULED_QUEUE),
    "payments": (payment_events.apply_events, SCHEDULED_QUEUE),
    "media": (media.fetch_photos, SCHEDULED_QUEUE),
    "churn": (churn_scoring.score_due, SCHEDULED_QUEUE),
    "mail": (mail.send_emails, OUTBOUND_QUEUE),
    "webhooks": (outgoing_webhooks.send_webhooks, SCHEDULED_QUEUE),
}


def declare_actors(broker: dramatiq.Broker, runtimes: RuntimeProvider) -> Actors:
    """Declare every actor on `broker`; each runs its work with the Runtime of the loop it runs on."""
    return Actors(**{name: dramatiq.actor(_bound(work, runtimes), broker=broker, actor_name=name, queue_name=queue, **RETRIES)
                     for name, (work, queue) in WORK.items()})


def _bound(work: Callable[..., Awaitable[Any]], runtimes: RuntimeProvider) -> Callable[..., Awaitable[None]]:
    async def run(*args: Any) -> None:
        runtime: Runtime = await runtimes.get()
        try:
            await work(runtime, *args)
        except Exception as error:
            if not service_away(error):
                raise
            log_failure(log, f"{work.__name__} could not finish, trying again", error)
            raise dramatiq.Retry(type(error).__name__) from None  # retried as usual, without a traceback each

    run.__name__ = run.__qualname__ = work.__name__
    return run
