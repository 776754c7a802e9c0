"""Messages the bot did not understand: kept with its guess, and taught by staff (the panel's Not understood page).

A taught message is the business's own example: a later message that reads the same or nearly (its `key`, the
text as the intent model sees it) is understood as staff said, for every client of that business.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import UnclearMessage

TEXT_MAX = 1000
TAUGHT_MAX = 500  # the newest examples a message is compared with


async def keep(session: AsyncSession, business_id: int, client_id: int | None, text: str, key: str, locale: str,
               guess: str, confidence: float, options: Sequence[str], now: datetime) -> None:
    """Keep a message the bot was unsure of, for staff to teach."""
    session.add(UnclearMessage(business_id=business_id, client_id=client_id, text=text[:TEXT_MAX], key=key[:TEXT_MAX],
                               locale=locale, guess=guess, confidence=round(confidence, 3), options=list(options),
                               received_at=now))


async def taught(session: AsyncSession, business_id: int) -> dict[str, str]:
    """The business's examples: each taught message's key and what it meant (staff's latest word wins)."""
    rows = await session.execute(select(UnclearMessage.key, UnclearMessage.intent).where(
        UnclearMessage.business_id == business_id, UnclearMessage.intent.is_not(None))
        .order_by(UnclearMessage.taught_at.desc()).limit(TAUGHT_MAX))
    examples: dict[str, str] = {}
    for key, intent in rows:
        examples.setdefault(key, intent)
    return examples


async def teach(session: AsyncSession, business_id: int, message_id: int, intent: str, user_id: int, now: datetime) -> UnclearMessage:
    """Staff say what a kept message meant; another business's message is NotFound."""
    message = await session.get(UnclearMessage, message_id)
    if message is None or message.business_id != business_id:
        raise NotFound(f"message {message_id} not found")
    message.intent, message.taught_by, message.taught_at = intent, user_id, now
    return message


async def recent(session: AsyncSession, business_id: int, limit: int = 200) -> list[UnclearMessage]:
    """The business's kept messages, newest first: those still to teach, then the taught."""
    return list(await session.scalars(select(UnclearMessage).where(UnclearMessage.business_id == business_id)
                                      .order_by(UnclearMessage.intent.is_not(None), UnclearMessage.received_at.desc(),
                                                UnclearMessage.id.desc()).limit(limit)))
