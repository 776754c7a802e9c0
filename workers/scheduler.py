"""The scheduler process: APScheduler triggers periodic actors (Dramatiq's recommended pattern).

It only wakes actors; the due work itself lives in PostgreSQL rows, so a missed or doubled tick
loses nothing and sends nothing twice, and two schedulers running at once are harmless.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from runtime.wake import Wake

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 3  # with the send lease (8 s) and SWEEP_AFTER_S (10 s): a dead worker's work goes on within 15 s
DUE_EVERY_S = 30  # reminders go out within this much of their time
WEBHOOKS_EVERY_S = 5  # outgoing webhooks go out within this much of their change (or their retry time)


def start_scheduler(wake: Wake, *, sweep_every_s: int = SWEEP_EVERY_S, due_every_s: int = DUE_EVERY_S) -> AsyncIOScheduler:
    """Start periodic jobs on the running loop; the caller shuts the scheduler down."""
    scheduler = AsyncIOScheduler()
    jobs = (("sweep", wake.sweep, sweep_every_s), ("due", wake.plan_due, due_every_s),
            ("webhooks", wake.webhooks, WEBHOOKS_EVERY_S))
    for job_id, tick, every_s in jobs:
        scheduler.add_job(_tolerant(job_id, tick), "interval", seconds=every_s, id=job_id, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler


def _tolerant(job_id: str, wake: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """A tick that cannot reach the broker is logged and retried at the next tick (nothing is lost)."""
    async def tick() -> None:
        try:
            await wake()
        except Exception as error:
            log.warning("scheduler tick %s could not enqueue (%s); trying again next tick", job_id, error)

    tick.__name__ = f"tick_{job_id}"
    return tick


async def run_scheduler(wake: Wake) -> None:
    """Run until SIGTERM or SIGINT (the `fitzap scheduler` process)."""
    scheduler = start_scheduler(wake)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    log.info("scheduler started: sweep every %ss, due work every %ss", SWEEP_EVERY_S, DUE_EVERY_S)
    try:
        await stop.wait()
        log.info("scheduler stopping")
    finally:
        scheduler.shutdown(wait=False)
