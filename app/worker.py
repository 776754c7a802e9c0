"""What `fitzap worker` has Dramatiq call in each worker process: `dramatiq app.worker:setup`."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from types import FrameType
from typing import Any

import dramatiq
import uvloop

from app.bootstrap import bootstrap
from app.heap import freeze_startup_heap
from runtime.settings import load_settings

log = logging.getLogger(__name__)
# systemd (and `kill -- -<group>`) signals the whole process group: each worker process gets
# SIGTERM from it and again from Dramatiq's main process forwarding it, within this window.
SAME_STOP_WITHIN_S = 2.0
RET_KILLED = 3  # Dramatiq's exit code for a worker stopped by a second signal


def setup() -> None:
    """Wire the worker process on the Redis broker; engines and pools are made later, in the worker's loop."""
    # The AsyncIO middleware makes the worker's loop at boot; uvloop's costs less CPU per send and query.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    dramatiq.set_broker(bootstrap(load_settings()).broker)
    _one_stop_per_group_signal()
    freeze_startup_heap()  # full collections over the imported modules stalled turns in flight


def _one_stop_per_group_signal() -> None:
    """Dramatiq takes a second SIGTERM as "stop now" and exits the main thread while its worker threads
    run on, so a group signal left the process hanging. Here the forwarded copy of a stop is ignored,
    and a later second SIGTERM ends the process at once (the send leases put its sends back)."""
    graceful = signal.getsignal(signal.SIGTERM)
    first_at: list[float] = []

    def on_term(signum: int, frame: FrameType | None) -> Any:
        now = time.monotonic()
        if not first_at:
            first_at.append(now)
            return graceful(signum, frame) if callable(graceful) else None
        if now - first_at[0] < SAME_STOP_WITHIN_S:
            return None
        log.warning("second SIGTERM: stopping at once")
        os._exit(RET_KILLED)

    signal.signal(signal.SIGTERM, on_term)
