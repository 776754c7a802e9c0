"""Login attempts counted per key (an account, an address) in one statement each, so parallel guesses cannot
all slip under the limit: every attempt takes its own number before the password is checked."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import LoginAttempts
from domain.sql.upsert import insert_for

WINDOW = timedelta(minutes=15)


async def take_attempt(session: AsyncSession, key: str, limit: int, now: datetime) -> bool:
    """Count one attempt under `key`; False, counting nothing, when `limit` attempts already fill its window.

    The window starts at the first attempt and, once WINDOW has passed, again at the next one.
    """
    table = LoginAttempts.__table__
    expired = LoginAttempts.window_started_at <= now - WINDOW
    stmt = (insert_for(session, table).values(key=key, window_started_at=now, attempts=1)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={"attempts": case((expired, 1), else_=LoginAttempts.attempts + 1),
                      "window_started_at": case((expired, now), else_=LoginAttempts.window_started_at)},
                where=expired | (LoginAttempts.attempts < limit))
            .returning(table.c.attempts))
    return (await session.execute(stmt)).first() is not None


async def give_back(session: AsyncSession, key: str) -> None:
    """Uncount one attempt under `key` (it turned out to be a successful login)."""
    await session.execute(update(LoginAttempts).where(LoginAttempts.key == key, LoginAttempts.attempts > 0)
                          .values(attempts=LoginAttempts.attempts - 1))


async def forget(session: AsyncSession, key: str) -> None:
    """Start `key` afresh."""
    await session.execute(delete(LoginAttempts).where(LoginAttempts.key == key))
