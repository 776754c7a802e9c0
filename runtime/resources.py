"""What one event loop works with: engine, sessions, Redis, channel, rate limiter, clock, wake-ups.

One Runtime per event loop (async engines belong to one loop): the composition root
(app.bootstrap) makes it on first use inside the loop that needs it, the web app's or a worker's.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.base import Channel
from domain.clock import Clock
from domain.sql.db import single_statement_sessions
from gateways.base import Gateway
from gateways.mail import Mailer
from gateways.webhook_post import Resolve, system_resolve
from runtime.group_commit import GroupCommit
from runtime.rate_limit import RateLimiter
from runtime.send_leases import SendLeases
from runtime.settings import Settings
from runtime.wake import Wake

SENDS_IN_FLIGHT = 64


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    channel: Channel
    limiter: RateLimiter
    clock: Clock
    wake: Wake
    # How a batch of sends' outcomes is recorded (workers.delivery.record); `send_records` batches the calls.
    record_sends: Callable[[Runtime, list[Any]], Awaitable[Any]]
    redis: Redis | None = None
    # The payment provider (None when the deployment does not sell through the chat).
    gateway: Gateway | None = None
    # How mails go out: SMTP, the demo's sandbox, or None when email is off (no SMTP_HOST).
    mailer: Mailer | None = None
    # How webhook hosts are looked up (checked when an endpoint is saved and at each connection); tests hand in a fake.
    resolve: Resolve = system_resolve
    business_cache: dict[str, object] = field(default_factory=dict)
    # Sends in flight on this loop, whichever batch they belong to: each holds a Graph API
    # connection (64 per channel) and, for its rate-limit turn, one of the Redis pool's 100.
    sends_in_flight: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SENDS_IN_FLIGHT))
    # Turns in flight on this loop, whichever wake-up they belong to: each holds a pooled connection,
    # and past the pool every connection is a new PostgreSQL backend opened for one turn.
    turns_in_flight: asyncio.Semaphore = field(init=False)
    # Sends that end while a record is being written share the next one.
    send_records: GroupCommit[Any, Any] = field(init=False)
    # For work that is a single statement: no BEGIN and COMMIT round trips on PostgreSQL (domain.sql.db).
    single_statements: async_sessionmaker[AsyncSession] = field(init=False)
    # The outbox rows this loop is sending: their leases are renewed until their outcome is recorded.
    leases: SendLeases = field(init=False)

    def __post_init__(self) -> None:
        self.turns_in_flight = asyncio.Semaphore(self.settings.db_pool_size)
        self.single_statements = single_statement_sessions(self.engine)
        self.send_records = GroupCommit(partial(self.record_sends, self))
        self.leases = SendLeases(self.single_statements, self.clock)

    @property
    def pay_links(self) -> str | None:
        """Where payment links start (PUBLIC_URL) when this deployment takes online payments; None when it takes none."""
        return self.settings.public_url if self.gateway is not None else None

    async def close(self) -> None:
        await self.leases.close()
        await self.channel.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


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
        """Close this loop's Runtime, if it has one (a second call does nothing)."""
        future = self._runtimes.pop(asyncio.get_running_loop(), None)
        if future is not None and future.done() and not future.exception():
            await future.result().close()
