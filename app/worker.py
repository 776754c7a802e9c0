"""The module `dramatiq` loads in `fitzap worker`: Redis broker, actors, runtime per worker loop.

Dramatiq needs the broker at import; the engine and pools are only made later, in the
worker's own event loop, on first use.
"""
from __future__ import annotations

import asyncio

import dramatiq
import uvloop

from app.heap import freeze_startup_heap
from runtime.resources import RuntimeProvider, create_runtime
from runtime.settings import load_settings
from workers.actors import declare_actors
from runtime.broker import build_broker
from app.lifecycle import RuntimeLifecycle

# The AsyncIO middleware makes the worker's loop at boot; uvloop's costs less CPU per send and query.
asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
settings = load_settings()
broker = build_broker(settings.redis_url)
runtimes = RuntimeProvider(lambda: create_runtime(settings))
broker.add_middleware(RuntimeLifecycle(runtimes))
actors = declare_actors(broker, runtimes)
dramatiq.set_broker(broker)
freeze_startup_heap()  # full collections over the imported modules stalled turns in flight
