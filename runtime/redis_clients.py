"""Redis clients that ride out a Redis restart: they reconnect and retry with backoff.

Set here rather than left to redis-py's defaults, which have changed between releases; the
rate limiter's reservations, the wake-ups and Dramatiq's own client all use these.
"""
from __future__ import annotations

from redis import Redis as SyncRedis
from redis import retry as sync_retry
from redis.asyncio import Redis
from redis.asyncio import retry as async_retry
from redis.backoff import ExponentialWithJitterBackoff

RETRIES = 8  # about six seconds of backoff in all: a restart, not an outage
HEALTH_CHECK_EVERY_S = 15  # a pooled connection idle this long is checked before use


def _backoff() -> ExponentialWithJitterBackoff:
    return ExponentialWithJitterBackoff(base=0.05, cap=1.0)


def async_redis(url: str) -> Redis:
    """The asyncio client a Runtime uses."""
    return Redis.from_url(url, retry=async_retry.Retry(_backoff(), RETRIES), health_check_interval=HEALTH_CHECK_EVERY_S)


def sync_redis(url: str) -> SyncRedis:
    """The synchronous client Dramatiq's RedisBroker uses."""
    return SyncRedis.from_url(url, retry=sync_retry.Retry(_backoff(), RETRIES), health_check_interval=HEALTH_CHECK_EVERY_S)
