"""A client's sessions still to come, with what a message about them names (service, trainer)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, Service, Staff

LIVE = ("booked", "confirmed")


@dataclass(frozen=True)
class UpcomingBooking:
    booking: Booking
    appointment: Appointment
    service: Service
    trainer: Staff


async def upcoming_bookings(session: AsyncSession, business_id: int, client_id: int, now: datetime, *,
                            limit: int = 10) -> list[UpcomingBooking]:
    """The client's live bookings that have not started yet, soonest first."""
    stmt = (
        select(Booking, Appointment, Service, Staff)
        .join(Appointment, Appointment.id == Booking.appointment_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .where(Booking.business_id == business_id, Booking.client_id == client_id,
               Booking.status.in_(LIVE), Appointment.starts_at > now)
        .order_by(Appointment.starts_at)
        .limit(limit)
    )
    return [UpcomingBooking(*row) for row in (await session.execute(stmt)).all()]
