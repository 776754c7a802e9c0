"""Check-ins: against today's booking when there is one, otherwise as a walk-in."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, CheckIn, Client
from domain.scheduling import booking_history
from domain.scheduling.catalog import get_scoped
from domain.webhooks import events as webhook_events

METHODS = ("chat", "qr", "staff")
# How early a client may check in for a session, and how late after it started.
EARLY = timedelta(hours=2)
LATE = timedelta(hours=1)


async def check_in(session: AsyncSession, business_id: int, client_id: int, now: datetime, *, method: str,
                   actor: str = "client") -> CheckIn:
    """Record the client's arrival; a booking around now is checked in, else it is a walk-in."""
    if method not in METHODS:
        raise ValueError(f"check-in method must be one of {METHODS}")
    await get_scoped(session, Client, business_id, client_id)
    booking = await _booking_around(session, business_id, client_id, now)
    if booking is not None:
        existing = (await session.execute(select(CheckIn).where(CheckIn.booking_id == booking.id))).scalar_one_or_none()
        if existing is not None:
            return existing  # a second "cheguei" is the same arrival
        booking_history.move(session, booking, "checked_in", actor, now, {"method": method})
    visit = CheckIn(business_id=business_id, client_id=client_id, booking_id=booking.id if booking else None,
                    method=method, checked_in_at=now)
    session.add(visit)
    await session.flush()
    await webhook_events.checkin_event(session, visit, now)
    return visit


async def _booking_around(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> Booking | None:
    stmt = (
        select(Booking)
        .join(Appointment, Appointment.id == Booking.appointment_id)
        .where(Booking.business_id == business_id, Booking.client_id == client_id,
               Booking.status.in_(("booked", "confirmed", "checked_in")),
               Appointment.starts_at <= now + EARLY, Appointment.starts_at >= now - LATE)
        .order_by(Appointment.starts_at)
        .limit(1)
        .with_for_update(of=Booking)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
