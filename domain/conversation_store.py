"""Loading and locking a client's conversation: its row is the per-conversation lock."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Conversation
from domain.upsert import insert_for


async def lock_conversation(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> Conversation:
    """Get (or start) the client's conversation, locked until the transaction ends.

    PostgreSQL: SELECT … FOR UPDATE. SQLite: every transaction already holds the write lock.
    """
    create = insert_for(session, Conversation).values(
        business_id=business_id, client_id=client_id, state={}, handoff=False, version=0, updated_at=now
    ).on_conflict_do_nothing(index_elements=["client_id"])
    await session.execute(create)
    stmt = select(Conversation).where(Conversation.client_id == client_id).with_for_update()
    return (await session.execute(stmt)).scalar_one()
