"""What the panel's calendar shows: a range of a business's appointments, with who is booked in them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.i18n import _
from domain.errors import NotFound
from domain.models import Appointment, Booking, Client, Service, Staff
from domain.scheduling.booking_history import ACTIVE


@dataclass(frozen=True)
class Entry:
    """One appointment in the calendar; personal sessions carry their booking and client."""

    appointment_id: int
    kind: str  # personal | class
    starts_at: datetime
    ends_at: datetime
    service: str
    staff_id: int
    trainer: str
    capacity: int
    taken: int  # seats with an active booking
    booking_id: int | None = None
    status: str | None = None  # the personal booking's status
    client_id: int | None = None
    client: str | None = None
    paid_with: str | None = None


def client_label(name: str | None, phone: str | None, client_id: int | None) -> str | None:
    """How the panel names a client: profile name, else phone, else their number."""
    if client_id is None:
        return None
    return name or phone or _("Client #%(id)s", id=client_id)


def _entries(business_id: int) -> Select[Any]:
    taken = (select(func.count()).where(Booking.appointment_id == Appointment.id, Booking.status.in_(ACTIVE))
             .correlate(Appointment).scalar_subquery())
    # A personal appointment holds one booking; a cancelled one cancels the appointment too.
    personal = and_(Booking.appointment_id == Appointment.id, Appointment.kind == "personal")
    return (
        select(Appointment.id, Appointment.kind, Appointment.starts_at, Appointment.ends_at, Service.name,
               Appointment.staff_id, Staff.name, Appointment.capacity, taken, Booking.id, Booking.status,
               Booking.client_id, Client.profile_name, Client.phone_e164, Booking.paid_with)
        .join(Service, Service.id == Appointment.service_id)
        .join(Staff, Staff.id == Appointment.staff_id)
        .outerjoin(Booking, personal)
        .outerjoin(Client, Client.id == Booking.client_id)
        .where(Appointment.business_id == business_id, Appointment.status == "scheduled")
    )


def _entry(row: Any) -> Entry:
    (appointment_id, kind, starts_at, ends_at, service, staff_id, trainer, capacity, taken, booking_id, status,
     client_id, name, phone, paid_with) = row
    return Entry(appointment_id, kind, starts_at, ends_at, service, staff_id, trainer, capacity, int(taken or 0),
                 booking_id, status, client_id, client_label(name, phone, client_id), paid_with)


async def entries_between(session: AsyncSession, business_id: int, start: datetime, end: datetime, *,
                          staff_id: int | None = None) -> list[Entry]:
    """Live appointments starting in [start, end), for one trainer or the whole business, in time order."""
    stmt = _entries(business_id).where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if staff_id is not None:
        stmt = stmt.where(Appointment.staff_id == staff_id)
    rows = (await session.execute(stmt.order_by(Appointment.starts_at, Staff.name, Appointment.id))).all()
    return [_entry(row) for row in rows]


async def booking_entry(session: AsyncSession, business_id: int, booking_id: int, *,
                        staff_id: int | None = None) -> Entry:
    """One personal booking as the calendar shows it; NotFound outside the business (or the trainer's own)."""
    stmt = _entries(business_id).where(Booking.id == booking_id, Booking.business_id == business_id)
    if staff_id is not None:
        stmt = stmt.where(Appointment.staff_id == staff_id)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"booking {booking_id} not found")
    return _entry(row)
