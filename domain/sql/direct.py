"""Hot reads run straight on the driver: a Core statement compiled once, its rows as plain tuples.

SQLAlchemy's execution and result machinery cost a few times what asyncpg itself does for a small
read, and the API and the chat pay for it on every request (docs/performance.md). On PostgreSQL the
statement runs on the session's own asyncpg connection, inside its transaction if one has begun;
SQLite (the demo) takes the ordinary path. Only for statements whose binds and columns need no type
processing beyond what asyncpg does itself (ids, text, timestamps, dates, times, JSON).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable


async def fetch(session: AsyncSession, statement: Executable, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """Every row of `statement` (a module-level constant with named binds) for these bind values."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        await session.flush()  # as the ORM does before a query: the read sees the session's own changes
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        return list((await conn.execute(statement, dict(values))).all())
    sql, names, fixed = _compiled(statement, conn.dialect)
    raw = await conn.get_raw_connection()
    return await raw.driver_connection.fetch(sql, *(values[n] if n in values else fixed[n] for n in names))  # type: ignore[union-attr,no-any-return]


async def fetch_one(session: AsyncSession, statement: Executable, values: Mapping[str, Any]) -> Sequence[Any] | None:
    """The first row of `statement`, or None."""
    rows = await fetch(session, statement, values)
    return rows[0] if rows else None


@lru_cache(maxsize=64)
def _compiled(statement: Executable, dialect: Any) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text, parameter order, and the literal values the statement carries itself (e.g. 'cancelled')."""
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)
