"""The composition root: settings → engine, sessions, channel, rate limiter, clock.

One Runtime per event loop (async engines belong to one loop); `RuntimeProvider` makes it
on first use inside the loop that needs it: the web app's loop or the worker's loop.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.base import Channel
from runtime.settings import Settings
from domain.clock import Clock, SystemClock
from domain.sql.db import create_engine, create_sessionmaker, single_statement_sessions
from runtime.rate_limit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from runtime.coalesced_writes import CoalescedWrites


SENDS_IN_FLIGHT = 64


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    channel: Channel
    limiter: RateLimiter
    clock: Clock
    redis: Redis | None = None
    business_cache: dict[str, object] = field(default_factory=dict)
    # Batch sends in flight on this loop, whichever batch they belong to: each holds a Graph API
    # connection (64 per channel) and, for its rate-limit turn, one of the Redis pool's 100.
    sends_in_flight: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SENDS_IN_FLIGHT))
    # Turns in flight on this loop, whichever wake-up they belong to: each holds a pooled connection.
    # Capped per wake-up only, four wake-ups side by side took the pool into overflow, and every
    # overflow connection is a new PostgreSQL backend, opened and closed again for one turn.
    turns_in_flight: asyncio.Semaphore = field(init=False)
    # What the turns' sends did, recorded in shared transactions (workers.processing).
    send_records: CoalescedWrites[Any] = field(default_factory=CoalescedWrites)
    # For work that is a single statement: no BEGIN and COMMIT round trips on PostgreSQL (domain.sql.db).
    single_statements: async_sessionmaker[AsyncSession] = field(init=False)

    def __post_init__(self) -> None:
        self.turns_in_flight = asyncio.Semaphore(self.settings.db_pool_size)
        self.single_statements = single_statement_sessions(self.engine)

    async def close(self) -> None:
        await self.channel.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def build_channel(settings: Settings) -> Channel:
    """The channel the settings ask for: the real Cloud API or the sandbox."""
    if settings.channel == "sandbox":
        from channels.sandbox import SandboxChannel

        return SandboxChannel()
    from channels.cloud_api import MAX_CONNECTIONS, CloudApiChannel
    from channels.graph_connections import KeepAliveGraph
    from channels.graph_transport import GraphHttp, HttpxGraph

    http: GraphHttp = (HttpxGraph(MAX_CONNECTIONS, timeout_s=10.0) if settings.whatsapp_http_transport == "httpx"
                       else KeepAliveGraph(MAX_CONNECTIONS, timeout_s=10.0))
    return CloudApiChannel(token=settings.whatsapp_token.get_secret_value(), api_version=settings.whatsapp_api_version,
                           base_url=settings.whatsapp_api_base_url, http=http)


async def create_runtime(settings: Settings, *, clock: Clock | None = None, channel: Channel | None = None) -> Runtime:
    """Wire everything for the running loop."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    limiter: RateLimiter = (
        RedisRateLimiter(redis, settings.send_rate_per_s) if redis is not None else MemoryRateLimiter(settings.send_rate_per_s)
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=create_sessionmaker(engine),
        channel=channel or build_channel(settings),
        limiter=limiter,
        clock=clock or SystemClock(),
        redis=redis,
    )


class RuntimeProvider:
    """Hands each event loop its own Runtime, created on first use."""

    def __init__(self, factory: Callable[[], Awaitable[Runtime]]) -> None:
        self._factory = factory
        self._runtimes: dict[asyncio.AbstractEventLoop, asyncio.Future[Runtime]] = {}

    async def get(self) -> Runtime:
        loop = asyncio.get_running_loop()
        if loop not in self._runtimes:
            future: asyncio.Future[Runtime] = loop.create_future()
            self._runtimes[loop] = future
            try:
                future.set_result(await self._factory())
            except BaseException as exc:
                del self._runtimes[loop]
                future.set_exception(exc)
                raise
        return await asyncio.shield(self._runtimes[loop])

    async def close_current(self) -> None:
        future = self._runtimes.pop(asyncio.get_running_loop(), None)
        if future is not None and future.done() and not future.exception():
            await future.result().close()



class BorrowedRuntime(RuntimeProvider):
    """Hands out a runtime someone else owns and closes (tests, single-loop tools)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def get(self) -> Runtime:
        return self._runtime

    async def close_current(self) -> None:
        """The owner closes it."""
