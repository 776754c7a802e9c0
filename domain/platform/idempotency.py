"""Idempotent POSTs: the first request under a key is answered and its answer kept; a retry gets that answer again.

Kept in PostgreSQL next to what the request changed, not in Redis: a replay must hold as long as the booking
it made does (a Redis flush or failover must not turn a retry into a second booking).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import ApiIdempotencyKey
from domain.sql.upsert import insert_for

KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Seen:
    """What an earlier request under the key left: its hash and, once answered, the answer (status None: in flight)."""

    request_hash: str
    status: int | None
    body: str | None


async def reserve(session: AsyncSession, token_id: int, key: str, request_hash: str, now: datetime) -> Seen | None:
    """Claim the key for this request (None), or what the request that claimed it first left."""
    stmt = insert_for(session, ApiIdempotencyKey).values(token_id=token_id, key=key, request_hash=request_hash,
                                                         created_at=now).on_conflict_do_nothing()
    if (await session.execute(stmt)).rowcount == 1:
        return None
    row = (await session.execute(select(ApiIdempotencyKey.request_hash, ApiIdempotencyKey.status, ApiIdempotencyKey.body)
                                 .where(ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key))).one()
    return Seen(row[0], row[1], row[2])


async def record(session: AsyncSession, token_id: int, key: str, status: int, body: str) -> None:
    """Keep the answer for retries."""
    await session.execute(update(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key)
                          .values(status=status, body=body))


async def release(session: AsyncSession, token_id: int, key: str) -> None:
    """Free the key after a failure that changed nothing (a retry runs the request again)."""
    await session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key,
                                                          ApiIdempotencyKey.status.is_(None)))


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Drop keys older than KEEP_FOR; returns how many."""
    result = await session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < now - KEEP_FOR))
    return int(result.rowcount or 0)
