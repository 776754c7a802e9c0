"""Human takeover: a conversation flagged for the trainer, where the bot stays quiet until handed back."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.messaging.conversation_store import lock_conversation
from domain.models import Client, Conversation


async def take_over(session: AsyncSession, business_id: int, client_id: int, now: datetime, by: str | None = None) -> Conversation:
    """A staff member (`by`, their name) takes the conversation: the bot answers nothing until `hand_back`."""
    conversation = await _locked(session, business_id, client_id, now)
    conversation.handoff, conversation.taken_by, conversation.updated_at = True, by or conversation.taken_by, now
    return conversation


async def hand_back(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> Conversation:
    """Give the conversation back to the bot, starting from the menu."""
    conversation = await _locked(session, business_id, client_id, now)
    state = dict(conversation.state or {})
    state.update(flow=None, step=None, slots={})
    conversation.handoff, conversation.taken_by, conversation.state, conversation.updated_at = False, None, state, now
    return conversation


async def waiting_for_human(session: AsyncSession, business_id: int) -> list[Conversation]:
    """Conversations flagged for the trainer, oldest first."""
    stmt = (select(Conversation).where(Conversation.business_id == business_id, Conversation.handoff.is_(True))
            .order_by(Conversation.updated_at))
    return list((await session.execute(stmt)).scalars().all())


async def _locked(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> Conversation:
    client = await session.get(Client, client_id)
    if client is None or client.business_id != business_id:
        raise NotFound(f"client {client_id} not found")
    return await lock_conversation(session, business_id, client_id, now)
