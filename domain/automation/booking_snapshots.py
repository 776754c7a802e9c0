"""What the reminders, follow-ups and no-show notices of a batch read about their bookings, in one query.

Plain rows, not ORM objects: five objects per booking were the largest cost of a reminder batch.
The notices change nothing through them.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, Client, Service, Staff


class BookingView(NamedTuple):
    id: int
    business_id: int
    status: str


class AppointmentView(NamedTuple):
    status: str
    starts_at: datetime


class ClientView(NamedTuple):
    id: int
    wa_id: str | None
    erased_at: datetime | None
    last_inbound_at: datetime | None
    profile_name: str | None
    locale: str | None


class Named(NamedTuple):
    name: str


class BookingSnapshot(NamedTuple):
    """A booking with everything its messages mention, as read."""

    booking: BookingView
    appointment: AppointmentView
    client: ClientView
    service: Named
    trainer: Named


async def booking_snapshots(session: AsyncSession, booking_ids: Sequence[int]) -> dict[int, BookingSnapshot]:
    """The bookings with their appointment, client, service and trainer, by booking id (any business: callers check)."""
    if not booking_ids:
        return {}
    stmt = (select(Booking.id, Booking.business_id, Booking.status, Appointment.status, Appointment.starts_at,
                   Client.id, Client.wa_id, Client.erased_at, Client.last_inbound_at, Client.profile_name, Client.locale,
                   Service.name, Staff.name)
            .join(Appointment, Appointment.id == Booking.appointment_id).join(Client, Client.id == Booking.client_id)
            .join(Service, Service.id == Appointment.service_id).join(Staff, Staff.id == Appointment.staff_id)
            .where(Booking.id.in_(booking_ids)))
    return {r[0]: BookingSnapshot(BookingView(*r[0:3]), AppointmentView(*r[3:5]), ClientView(*r[5:11]), Named(r[11]),
                                  Named(r[12]))
            for r in (await session.execute(stmt)).all()}
