"""Worker hook that closes the worker loop's Runtime (engine, Redis, HTTP client) on shutdown."""
from __future__ import annotations

from typing import Any

from dramatiq import Middleware
from dramatiq.asyncio import get_event_loop_thread

from runtime.resources import RuntimeProvider


class RuntimeLifecycle(Middleware):
    """Runs before the AsyncIO middleware stops the loop, so the close happens on that loop."""

    def __init__(self, runtimes: RuntimeProvider) -> None:
        self.runtimes = runtimes

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self.runtimes.close_current())
