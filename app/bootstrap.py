"""The composition root: settings in, everything FitZap runs on wired together once.

`bootstrap(settings)` declares the broker and its actors; each event loop that needs them gets
its own Runtime (engine, sessions, Redis, channel, rate limiter, wake-ups) on first use, since
async engines and clients belong to one loop. `fitzap serve|worker|scheduler|demo`, the benches
and the tests all start here. Nothing is wired at import time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import dramatiq

from app.lifecycle import RuntimeLifecycle
from channels.base import Channel
from domain.clock import Clock, SystemClock
from domain.platform import plans
from domain.sql.db import create_engine, create_sessionmaker
from gateways.base import Gateway
from gateways.mail import Mailer
from runtime.broker import build_broker
from runtime.rate_limit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from runtime.redis_clients import async_redis
from runtime.resources import Runtime, RuntimeProvider
from runtime.settings import Settings
from runtime.wake import Actors, Wake
from workers.actors import declare_actors
from workers.delivery import record


@dataclass
class App:
    settings: Settings
    broker: dramatiq.Broker
    clock: Clock
    channel: Channel | None = None  # a stand-in for every runtime (tests); else one built from the settings
    runtimes: RuntimeProvider = field(init=False)
    actors: Actors = field(init=False)

    def __post_init__(self) -> None:
        self.runtimes = RuntimeProvider(self.open_runtime)
        self.actors = declare_actors(self.broker, self.runtimes)
        self.broker.add_middleware(RuntimeLifecycle(self.runtimes))  # a worker on this broker closes its loop's Runtime

    async def runtime(self) -> Runtime:
        """The running loop's Runtime, made on first use; `close` closes it."""
        return await self.runtimes.get()

    async def open_runtime(self) -> Runtime:
        """A Runtime of its own for the running loop (a second worker in a test); the caller closes it."""
        settings = self.settings
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        redis = async_redis(settings.redis_url) if settings.redis_url else None
        limiter: RateLimiter = (RedisRateLimiter(redis, settings.send_rate_per_s) if redis is not None
                                else MemoryRateLimiter(settings.send_rate_per_s))
        return Runtime(settings=settings, engine=engine, sessions=create_sessionmaker(engine),
                       channel=self.channel or build_channel(settings), limiter=limiter, clock=self.clock,
                       wake=Wake(self.broker, self.actors, redis), record_sends=record, redis=redis,
                       gateway=build_gateway(settings), mailer=build_mailer(settings))

    async def close(self) -> None:
        """Close the running loop's Runtime (its engine, Redis client and channel)."""
        await self.runtimes.close_current()


def bootstrap(settings: Settings, *, clock: Clock | None = None, channel: Channel | None = None,
              broker: dramatiq.Broker | None = None) -> App:
    """Wire FitZap for these settings; `clock`, `channel` and `broker` replace the real ones (tests)."""
    plans.use_plans(plans.with_overrides(settings.plan_overrides()))
    return App(settings, broker or build_broker(settings.redis_url), clock or SystemClock(), channel)


def build_gateway(settings: Settings) -> Gateway | None:
    """The payment provider the settings ask for: Stripe, the demo's sandbox, or none."""
    if settings.payments == "stripe":
        from gateways.stripe_checkout import StripeGateway

        assert settings.stripe_secret_key is not None
        return StripeGateway(settings.stripe_secret_key.get_secret_value(), settings.stripe_platform_fee_percent)
    if settings.payments == "sandbox":
        from gateways.sandbox import SandboxGateway

        assert settings.public_url is not None and settings.stripe_webhook_secret is not None
        return SandboxGateway(settings.public_url, settings.stripe_webhook_secret.get_secret_value())
    return None


def build_mailer(settings: Settings) -> Mailer | None:
    """How mails go out: SMTP, the demo's sandbox (kept for /sandbox/emails), or none (no SMTP_HOST)."""
    from gateways.mail import SandboxMailer, SmtpMailer

    if settings.mail == "sandbox":
        return SandboxMailer(settings.mail_from or "FitZap demo <demo@localhost>")
    if settings.mail == "smtp":
        assert settings.smtp_host is not None and settings.mail_from is not None
        password = settings.smtp_password.get_secret_value() if settings.smtp_password is not None else None
        return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from, username=settings.smtp_username,
                          password=password, starttls=settings.smtp_starttls, tls=settings.smtp_tls)
    return None


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
