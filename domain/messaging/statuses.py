"""Delivery statuses from the provider: each event kept once, and the outbox row moved forward to it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging import outbox
from domain.models import MessageStatusEvent
from domain.sql.upsert import insert_for


@dataclass(frozen=True)
class StatusUpdate:
    provider_message_id: str
    status: str
    occurred_at: datetime
    error: dict[str, Any] | None = None


async def record_statuses(session: AsyncSession, business_id: int, updates: Sequence[StatusUpdate]) -> None:
    """Keep each status event once and move the matching outbox rows forward."""
    if not updates:
        return
    rows = [
        {"business_id": business_id, "provider_message_id": u.provider_message_id, "status": u.status,
         "occurred_at": u.occurred_at, "error": u.error}
        for u in updates
    ]
    await session.execute(insert_for(session, MessageStatusEvent).values(rows).on_conflict_do_nothing())
    for u in updates:
        await outbox.advance(session, business_id, u.provider_message_id, u.status, u.occurred_at, u.error)
