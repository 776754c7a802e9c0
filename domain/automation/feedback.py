"""Session feedback: which follow-up a bare "1".."5" answers, and storing the rating once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Booking, ScheduledMessage, SessionFeedback
from domain.sql.upsert import insert_for

ANSWER_WITHIN = timedelta(hours=48)


async def awaiting_rating(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> int | None:
    """The booking of the newest follow-up sent to the client in the last 48 h and not yet rated."""
    rated = select(SessionFeedback.booking_id).where(SessionFeedback.booking_id == Booking.id).exists()
    stmt = (select(Booking.id).join(ScheduledMessage, ScheduledMessage.subject_id == Booking.id)
            .where(Booking.business_id == business_id, Booking.client_id == client_id,
                   ScheduledMessage.kind == "followup", ScheduledMessage.status == "done",
                   ScheduledMessage.updated_at > now - ANSWER_WITHIN, ~rated)
            .order_by(ScheduledMessage.updated_at.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_rating(session: AsyncSession, business_id: int, client_id: int, booking_id: int, rating: int,
                        now: datetime) -> None:
    """Store the client's 1–5 for their booking; a second answer replaces the first."""
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.business_id != business_id or booking.client_id != client_id:
        raise NotFound(f"booking {booking_id} not found")
    if not 1 <= rating <= 5:
        raise ValueError("a rating is 1 to 5")
    stmt = insert_for(session, SessionFeedback).values(business_id=business_id, booking_id=booking_id,
                                                        client_id=client_id, rating=rating, created_at=now)
    await session.execute(stmt.on_conflict_do_update(index_elements=["booking_id"],
                                                     set_={"rating": rating, "created_at": now}))
