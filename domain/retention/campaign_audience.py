"""Whom a campaign reaches: its segment (and minimum churn risk), less those it must never message."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, Campaign, CheckIn, ChurnScore, Client, Conversation, OutboundMessage

INACTIVE_DAYS = 30
UPCOMING = ("held", "booked", "confirmed")
# What the client did not ask for: read receipts are not contact.
NOT_CONTACT = ("read",)


async def choose_members(session: AsyncSession, business_id: int, campaign: Campaign, now: datetime
                         ) -> tuple[dict[int, float], dict[str, int]]:
    """{client id: churn risk (0 unscored)} of those the campaign may message, and {why left out: how many}."""
    scored = campaign.segment == "at_risk" or campaign.min_risk > 0
    risk = ChurnScore.risk if scored else literal(0.0)
    stmt = (select(Client.id, risk, Client.opted_out, Client.marketing_consent, func.coalesce(Conversation.handoff, False))
            .outerjoin(Conversation, Conversation.client_id == Client.id)
            .where(Client.business_id == business_id, Client.erased_at.is_(None), Client.deactivated_at.is_(None)))
    if scored:
        day = await session.scalar(select(func.max(ChurnScore.scored_on)).where(ChurnScore.business_id == business_id))
        if day is None:
            return {}, {}
        stmt = stmt.join(ChurnScore, and_(ChurnScore.client_id == Client.id, ChurnScore.scored_on == day)).where(
            ChurnScore.risk >= campaign.min_risk)
    if campaign.segment != "at_risk":
        stmt = stmt.where(Client.left_on.is_(None))
    if campaign.segment == "inactive_30d":
        stmt = stmt.where(~_active_since(now - timedelta(days=INACTIVE_DAYS), now))
    contacted = (exists().where(OutboundMessage.client_id == Client.id, OutboundMessage.kind.not_in(NOT_CONTACT),
                                OutboundMessage.created_at >= now - timedelta(days=campaign.exclude_contacted_days))
                 if campaign.exclude_contacted_days > 0 else None)
    if contacted is not None:
        stmt = stmt.add_columns(contacted)
    chosen: dict[int, float] = {}
    excluded: Counter[str] = Counter()
    for row in (await session.execute(stmt)).all():
        client_id, client_risk, opted_out, consent, handoff = row[:5]
        why = ("opted out" if opted_out else "declined news" if consent is False else "in a human conversation" if handoff
               else f"contacted in the last {campaign.exclude_contacted_days} days" if contacted is not None and row[5] else None)
        if why:
            excluded[why] += 1
        else:
            chosen[client_id] = float(client_risk)
    return chosen, dict(excluded)


def _active_since(since: datetime, now: datetime) -> ColumnElement[bool]:
    """A visit or a booking made since `since`, or a session still to come."""
    return or_(
        exists().where(CheckIn.client_id == Client.id, CheckIn.checked_in_at >= since),
        exists().where(Booking.client_id == Client.id, Booking.created_at >= since),
        exists().where(Booking.client_id == Client.id, Booking.status.in_(UPCOMING), Appointment.id == Booking.appointment_id,
                       Appointment.starts_at >= now))
