"""Checks for the URLs in the settings: each raises ValueError with what is wrong, so start-up fails in one line."""
from __future__ import annotations

from pydantic import HttpUrl, TypeAdapter, ValidationError

_HTTP_URL = TypeAdapter(HttpUrl)


def check_database_url(url: str) -> str:
    """An asyncpg or aiosqlite URL the engine can use; PostgreSQL's names its database."""
    if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        raise ValueError("must start with postgresql+asyncpg:// or sqlite+aiosqlite://")
    # Imported here: commands that read no URL (`fitzap nlu`) should not pay for SQLAlchemy.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError("is not a valid URL (is the port a number?)") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ValueError("the port must be between 1 and 65535")
    if parsed.drivername.startswith("postgresql") and not parsed.database:
        raise ValueError("must name the database, e.g. postgresql+asyncpg://user:pass@host:5432/fitzap")
    return url


def check_redis_url(url: str) -> str:
    """A redis://, rediss:// or unix:// URL with a host (or a socket path) and a numeric database."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    from redis.connection import parse_url as parse_redis_url

    try:
        parsed = parse_redis_url(url)
    except ValueError as exc:
        raise ValueError(f"is not a valid URL: {exc}") from None
    if url.startswith("unix://"):
        if not parsed.get("path"):
            raise ValueError("must give the socket's path, e.g. unix:///run/redis.sock")
        return url
    if not parsed.get("host"):
        raise ValueError("must name the host, e.g. redis://host:6379/0")
    database = url.split("://", 1)[1].partition("?")[0].partition("/")[2]
    if database and not database.isdigit():
        raise ValueError("the database after the host must be a number, e.g. redis://host:6379/0")
    return url


def check_http_url(url: str) -> str:
    """An http:// or https:// URL with a host."""
    try:
        _HTTP_URL.validate_python(url)
    except ValidationError:
        raise ValueError("must be an http:// or https:// URL with a host") from None
    return url
