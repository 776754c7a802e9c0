"""The scheduler process: APScheduler triggers periodic actors (Dramatiq's recommended pattern)."""
from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from workers.enqueue import Enqueuer

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 30


def start_scheduler(enqueuer: Enqueuer, *, sweep_every_s: int = SWEEP_EVERY_S) -> AsyncIOScheduler:
    """Start periodic jobs on the running loop; the caller shuts the scheduler down."""
    scheduler = AsyncIOScheduler()
    scheduler.add_job(enqueuer.sweep, "interval", seconds=sweep_every_s, id="sweep", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler


async def run_scheduler(enqueuer: Enqueuer) -> None:
    """Run until cancelled (the `fitzap scheduler` process)."""
    scheduler = start_scheduler(enqueuer)
    log.info("scheduler started: sweep every %ss", SWEEP_EVERY_S)
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
