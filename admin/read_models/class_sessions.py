"""Group class sessions as the panel sees them: upcoming ones with seats taken, a roster, cancelling one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.calendar_week import client_label
from admin.read_models.panel_choices import Choice, ServiceChoice
from domain.errors import BookingError, NotFound
from domain.models import Appointment, Booking, Client, Service, Staff, WaitlistEntry
from domain.scheduling import booking
from domain.scheduling.booking_history import ACTIVE


@dataclass(frozen=True)
class ClassSession:
    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    service: str
    staff_id: int
    trainer: str
    capacity: int
    taken: int
    waiting: int


@dataclass(frozen=True)
class Seat:
    id: int  # booking or waitlist entry id
    client_id: int
    client: str
    status: str


@dataclass(frozen=True)
class Roster:
    session: ClassSession
    bookings: list[Seat]
    waitlist: list[Seat]  # in queue order


@dataclass(frozen=True)
class ClassCancellation:
    booked: list[tuple[int, bool]]  # (client id, credit refunded) of every seat that was cancelled
    waiting: list[int]  # clients who were on the waitlist


def chosen_service(services: list[ServiceChoice], picked: str | None) -> ServiceChoice | None:
    """The class a scheduling form is for: the one picked (an id as typed), else the first."""
    return next((s for s in services if str(s.id) == picked), services[0] if services else None)


def trainers_of(service: ServiceChoice | None, trainers: list[Choice]) -> list[Choice]:
    """The trainers who teach the class; all of them when it has no (active) trainer linked."""
    teaching = [t for t in trainers if service is not None and t.id in service.staff_ids]
    return teaching or trainers


def _sessions(business_id: int) -> Select[Any]:
    taken = (select(func.count()).where(Booking.appointment_id == Appointment.id, Booking.status.in_(ACTIVE))
             .correlate(Appointment).scalar_subquery())
    waiting = (select(func.count()).where(WaitlistEntry.appointment_id == Appointment.id,
                                          WaitlistEntry.status.in_(("waiting", "offered")))
               .correlate(Appointment).scalar_subquery())
    return (select(Appointment.id, Appointment.starts_at, Appointment.ends_at, Service.name, Appointment.staff_id,
                   Staff.name, Appointment.capacity, taken, waiting)
            .join(Service, Service.id == Appointment.service_id).join(Staff, Staff.id == Appointment.staff_id)
            .where(Appointment.business_id == business_id, Appointment.kind == "class",
                   Appointment.status == "scheduled"))


async def upcoming(session: AsyncSession, business_id: int, now: datetime, *, staff_id: int | None = None,
                   limit: int = 100) -> list[ClassSession]:
    """Scheduled class sessions that have not ended, soonest first (one trainer's, or all)."""
    stmt = _sessions(business_id).where(Appointment.ends_at > now)
    if staff_id is not None:
        stmt = stmt.where(Appointment.staff_id == staff_id)
    rows = (await session.execute(stmt.order_by(Appointment.starts_at, Appointment.id).limit(limit))).all()
    return [ClassSession(*row) for row in rows]


async def roster(session: AsyncSession, business_id: int, appointment_id: int, *,
                 staff_id: int | None = None) -> Roster:
    """A scheduled class session with its bookings and waitlist; NotFound outside the business (or trainer)."""
    stmt = _sessions(business_id).where(Appointment.id == appointment_id)
    if staff_id is not None:
        stmt = stmt.where(Appointment.staff_id == staff_id)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"class {appointment_id} not found")
    seats = (await session.execute(
        select(Booking.id, Booking.client_id, Client.profile_name, Client.phone_e164, Booking.status)
        .join(Client, Client.id == Booking.client_id)
        .where(Booking.appointment_id == appointment_id, Booking.status != "cancelled").order_by(Booking.id))).all()
    queue = (await session.execute(
        select(WaitlistEntry.id, WaitlistEntry.client_id, Client.profile_name, Client.phone_e164, WaitlistEntry.status)
        .join(Client, Client.id == WaitlistEntry.client_id)
        .where(WaitlistEntry.appointment_id == appointment_id, WaitlistEntry.status.in_(("waiting", "offered")))
        .order_by(WaitlistEntry.id))).all()
    return Roster(ClassSession(*row), [_seat(r) for r in seats], [_seat(r) for r in queue])


def _seat(row: Any) -> Seat:
    seat_id, client_id, name, phone, status = row
    return Seat(seat_id, client_id, str(client_label(name, phone, client_id)), status)


async def cancel_class(session: AsyncSession, business_id: int, appointment_id: int, now: datetime, *,
                       reason: str | None = None) -> ClassCancellation:
    """Cancel a class session: every seat cancelled by the studio (credits refunded), the waitlist closed."""
    stmt = (select(Appointment).where(Appointment.id == appointment_id, Appointment.business_id == business_id,
                                      Appointment.kind == "class").with_for_update())
    appointment = (await session.execute(stmt)).scalar_one_or_none()
    if appointment is None or appointment.status != "scheduled":
        raise NotFound(f"class {appointment_id} not found")
    if appointment.starts_at <= now:
        raise BookingError("that class has already started")
    # Cancelled first, so freed seats are not offered to the waitlist one by one.
    appointment.status, appointment.cancel_reason, appointment.updated_at = "cancelled", reason, now
    await session.flush()
    seats = (await session.execute(select(Booking.id, Booking.client_id).where(
        Booking.appointment_id == appointment_id, Booking.status.in_(("booked", "confirmed"))).order_by(Booking.id))).all()
    booked = []
    for booking_id, client_id in seats:
        outcome = await booking.cancel(session, business_id, booking_id, now, by="trainer", reason=reason)
        booked.append((client_id, outcome.refunded))
    entries = (await session.execute(select(WaitlistEntry).where(
        WaitlistEntry.appointment_id == appointment_id, WaitlistEntry.status.in_(("waiting", "offered"))))).scalars().all()
    for entry in entries:
        entry.status, entry.updated_at = "cancelled", now
    await session.flush()
    return ClassCancellation(booked, [e.client_id for e in entries])
