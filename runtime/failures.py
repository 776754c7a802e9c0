"""Outages worth riding out, and logging them without a flood.

When PostgreSQL restarts, every request and every worker in flight fails the same way; a full
traceback each would bury the one line that matters. A failure is logged once per interval per
kind, with the count of those left unsaid since.
"""
from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

LOG_EVERY_S = 10.0
_last: dict[tuple[str, str, str], tuple[float, int]] = {}


# PostgreSQL's errors that pass by themselves: a deadlock or serialization failure (the other
# transaction won), a server shutting down or starting up, and the connection exceptions (class 08).
_PASSING_SQLSTATES = ("40P01", "40001", "57P01", "57P02", "57P03", "08")


def service_away(error: BaseException) -> bool:
    """PostgreSQL or Redis could not be reached, dropped the connection, or refused this once: worth
    trying again shortly."""
    if isinstance(error, (OSError, TimeoutError, OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return error.connection_invalidated or sqlstate.startswith(_PASSING_SQLSTATES)


def log_failure(logger: logging.Logger, what: str, error: BaseException, every_s: float = LOG_EVERY_S) -> None:
    """Log `what` failed with `error`: at most once per `every_s` for each kind of error."""
    key = (logger.name, what, type(error).__name__)
    now = time.monotonic()
    last_at, unsaid = _last.get(key, (float("-inf"), 0))
    if now - last_at < every_s:
        _last[key] = (last_at, unsaid + 1)
        return
    _last[key] = (now, 0)
    since = f" ({unsaid} more since the last report)" if unsaid else ""
    logger.warning("%s: %s: %s%s", what, type(error).__name__, str(error).splitlines()[0] if str(error) else "", since)
