"""Delivery statuses from the provider: recorded once each, applied to the outbox, never backwards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging import outbox
from domain.sql.arrays import unnest
from domain.models import MessageStatusEvent, OutboundMessage
from domain.sql.upsert import insert_for

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


async def mark_sent(session: AsyncSession, sent: Sequence[tuple[int, int, str | None]], now: datetime) -> None:
    """Mark (business id, outbox row id, provider message id) rows sent, and apply the statuses that
    arrived before their sends were answered (rare, but then already stored)."""
    if not sent:
        return
    if session.get_bind().dialect.name != "postgresql":
        await outbox.mark_sent_many(session, [(row_id, pid) for _, row_id, pid in sent], now)
        await apply_early_statuses_across(session, [(b, pid) for b, _, pid in sent if pid])
        return
    # One statement: the marks as a data-modifying CTE whose rows the early statuses join.
    params = {"sent_row_id": [row_id for _, row_id, _ in sent], "sent_provider_id": [pid for _, _, pid in sent], "now": now}
    for event in (await session.execute(_MARK_SENT_EARLY, params)).all():
        await _advance(session, event.business_id, event.provider_message_id, event.status, event.occurred_at, event.error)


async def apply_early_statuses_across(session: AsyncSession, sent: Sequence[tuple[int, str]]) -> None:
    """Apply the statuses that arrived before these (business id, message id) sends were answered: one query
    finds the (rare) early statuses, where a query per business cost a round trip each in a batch spanning
    a hundred businesses."""
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


def _mark_sent_early() -> Any:
    o, e = OutboundMessage.__table__, MessageStatusEvent.__table__
    rows = unnest({"row_id": o.c.id.type, "provider_id": o.c.provider_message_id.type}, "sent_")
    now = bindparam("now", type_=o.c.sent_at.type)
    marked = (update(o).where(o.c.id == rows.c.row_id)
              .values(status="sent", provider_message_id=rows.c.provider_id, sent_at=now, updated_at=now, last_error=None)
              .returning(o.c.business_id, o.c.provider_message_id).cte("marked"))
    return (select(e.c.business_id, e.c.provider_message_id, e.c.status, e.c.occurred_at, e.c.error)
            .join_from(e, marked, (e.c.business_id == marked.c.business_id)
                       & (e.c.provider_message_id == marked.c.provider_message_id)))


_MARK_SENT_EARLY = _mark_sent_early()


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
