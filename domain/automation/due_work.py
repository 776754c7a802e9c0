"""Claiming due rows and recording what became of them.

`claim_due` takes pending rows whose time has come with SELECT … FOR UPDATE SKIP LOCKED: two
schedulers or workers claim disjoint rows, and a worker that dies mid-batch rolls its claim back
with its transaction, so the rows are claimed again later and nothing is sent twice or lost.
(SQLite, the demo, has no row locks; its single writer makes the plain select safe.)
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import ScheduledMessage


class DueRow(NamedTuple):
    """A claimed row as the work reads it (a plain row: a batch of ORM objects cost more than the work)."""

    id: int
    business_id: int
    kind: str
    subject_id: int
    offset_min: int
    target_at: datetime


async def claim_due(session: AsyncSession, now: datetime, limit: int = 200) -> list[DueRow]:
    """Lock up to `limit` pending rows that are due, oldest first; others skip them."""
    t = ScheduledMessage.__table__.c
    stmt = (select(t.id, t.business_id, t.kind, t.subject_id, t.offset_min, t.target_at)
            .where(t.status == "pending", t.due_at <= now)
            .order_by(t.due_at).limit(limit).with_for_update(skip_locked=True))
    return [DueRow(*r) for r in (await session.execute(stmt)).all()]


async def defer_many(session: AsyncSession, ids: Sequence[int], until: datetime, now: datetime) -> None:
    """Quiet hours: the rows stay pending and come due again when they end."""
    if ids:
        await session.execute(update(ScheduledMessage).where(ScheduledMessage.id.in_(ids))
                              .values(due_at=until, outcome="deferred: quiet hours", updated_at=now)
                              .execution_options(synchronize_session=False))


async def pending_count(session: AsyncSession, kinds: Sequence[str] | None = None) -> int:
    """How many rows wait (for the benchmark and the tests)."""
    stmt = select(func.count()).select_from(ScheduledMessage).where(ScheduledMessage.status == "pending")
    if kinds:
        stmt = stmt.where(ScheduledMessage.kind.in_(kinds))
    return int((await session.execute(stmt)).scalar_one())


async def mark_many(session: AsyncSession, ids: Sequence[int], status: str, outcome: str, now: datetime) -> None:
    """done (sent) or skipped with the reason, for many rows with the same outcome, in one statement."""
    if ids:
        await session.execute(update(ScheduledMessage).where(ScheduledMessage.id.in_(ids))
                              .values(status=status, outcome=outcome, updated_at=now)
                              .execution_options(synchronize_session=False))
