"""Delivery statuses from the provider: recorded once each, applied to the outbox, never backwards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import MessageStatusEvent, OutboundMessage
from domain.upsert import insert_for

RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5}
_TIMESTAMP_COLUMN = {"delivered": "delivered_at", "read": "read_at", "failed": "failed_at", "sent": "sent_at"}
# 'played' (voice messages) means the same to us as 'read'.
_ALIASES = {"played": "read"}


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
    stmt = insert_for(session, MessageStatusEvent).values(rows).on_conflict_do_nothing()
    await session.execute(stmt)
    for u in updates:
        await _advance(session, business_id, u.provider_message_id, u.status, u.occurred_at, u.error)


async def apply_early_statuses(session: AsyncSession, business_id: int, provider_message_id: str) -> None:
    """Apply statuses that arrived before the send call had returned the message id."""
    stmt = select(MessageStatusEvent).where(
        MessageStatusEvent.business_id == business_id, MessageStatusEvent.provider_message_id == provider_message_id
    )
    for event in (await session.execute(stmt)).scalars().all():
        await _advance(session, business_id, provider_message_id, event.status, event.occurred_at, event.error)


async def apply_early_statuses_many(session: AsyncSession, business_id: int, provider_message_ids: Sequence[str]) -> None:
    """apply_early_statuses for a batch of one business's sends."""
    await apply_early_statuses_across(session, [(business_id, pid) for pid in provider_message_ids])


async def apply_early_statuses_across(session: AsyncSession, sent: Sequence[tuple[int, str]]) -> None:
    """apply_early_statuses for (business id, message id) sends of many businesses: one query finds the (rare)
    early statuses, where a query per business cost a round trip each in a batch spanning a hundred businesses."""
    wanted = set(sent)
    if not wanted:
        return
    params = {"business_ids": sorted({b for b, _ in wanted}), "provider_ids": sorted({p for _, p in wanted})}
    for event in (await session.execute(_EARLY_STATUSES, params)).scalars().all():
        if (event.business_id, event.provider_message_id) in wanted:  # each business sees only its own messages
            await _advance(session, event.business_id, event.provider_message_id, event.status, event.occurred_at,
                           event.error)


_EARLY_STATUSES = select(MessageStatusEvent).where(  # built once: a reply's delivery runs it every time
    MessageStatusEvent.business_id.in_(bindparam("business_ids", expanding=True)),
    MessageStatusEvent.provider_message_id.in_(bindparam("provider_ids", expanding=True)))


async def _advance(
    session: AsyncSession, business_id: int, provider_message_id: str, status: str,
    occurred_at: datetime, error: dict[str, Any] | None,
) -> None:
    status = _ALIASES.get(status, status)
    if status not in RANK:
        return
    current_rank = case(RANK, value=OutboundMessage.status, else_=0)
    # A failure can only follow a message that never reached the phone.
    ceiling = RANK["delivered"] if status == "failed" else RANK[status]
    values: dict[str, Any] = {"status": status, _TIMESTAMP_COLUMN[status]: occurred_at}
    if error:
        values["last_error"] = f"{error.get('code')}: {error.get('title') or error.get('message')}"
    await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.business_id == business_id,
            OutboundMessage.provider_message_id == provider_message_id,
            current_rank < ceiling,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
