"""How far behind the message path is, across every business: what an operator's monitoring watches."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging.outbox import UNFINISHED
from domain.models import InboundMessage, OutboundMessage, ScheduledMessage

FAILED_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Backlog:
    """Work waiting right now, and how old its oldest piece is (0 when there is none)."""

    inbound_unprocessed: int
    inbound_oldest_s: float
    outbound_unfinished: int
    outbound_oldest_s: float
    scheduled_overdue: int
    outbound_failed_last_hour: int


async def read_backlog(session: AsyncSession, now: datetime) -> Backlog:
    """Each count is served by a partial index, so a scrape stays cheap however large the tables grow."""
    inbound = (await session.execute(
        select(func.count(), func.min(InboundMessage.received_at)).where(InboundMessage.processed_at.is_(None))
    )).one()
    outbound = (await session.execute(
        select(func.count(), func.min(OutboundMessage.created_at)).where(OutboundMessage.status.in_(UNFINISHED))
    )).one()
    overdue = await session.scalar(
        select(func.count()).select_from(ScheduledMessage)
        .where(ScheduledMessage.status == "pending", ScheduledMessage.due_at <= now)
    )
    failed = await session.scalar(
        select(func.count()).select_from(OutboundMessage)
        .where(OutboundMessage.status == "failed", OutboundMessage.failed_at >= now - FAILED_WINDOW)
    )
    return Backlog(
        inbound_unprocessed=inbound[0], inbound_oldest_s=_age_s(inbound[1], now),
        outbound_unfinished=outbound[0], outbound_oldest_s=_age_s(outbound[1], now),
        scheduled_overdue=overdue or 0, outbound_failed_last_hour=failed or 0,
    )


def _age_s(oldest: datetime | None, now: datetime) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
