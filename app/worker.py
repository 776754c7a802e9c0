"""What `fitzap worker` has Dramatiq call in each worker process: `dramatiq app.worker:setup`."""
from __future__ import annotations

import asyncio

import dramatiq
import uvloop

from app.bootstrap import bootstrap
from app.heap import freeze_startup_heap
from runtime.settings import load_settings


def setup() -> None:
    """Wire the worker process on the Redis broker; engines and pools are made later, in the worker's loop."""
    # The AsyncIO middleware makes the worker's loop at boot; uvloop's costs less CPU per send and query.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    dramatiq.set_broker(bootstrap(load_settings()).broker)
    freeze_startup_heap()  # full collections over the imported modules stalled turns in flight
