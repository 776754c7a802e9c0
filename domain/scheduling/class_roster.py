"""A class session with its seats and waitlist, as integrations read it, and taking a client off the waitlist."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Appointment, Booking, Business, WaitlistEntry
from domain.scheduling import waitlist_offers
from domain.scheduling.booking_history import ACTIVE
from domain.scheduling.catalog import get_scoped

OPEN = ("waiting", "offered")


@dataclass(frozen=True)
class ClassRoster:
    appointment: Appointment
    seats: list[Booking]  # every booking but cancelled ones, in booking order
    waitlist: list[WaitlistEntry]  # open entries, in queue order

    @property
    def seats_taken(self) -> int:
        return sum(1 for b in self.seats if b.status in ACTIVE)


async def class_session(session: AsyncSession, business_id: int, appointment_id: int) -> Appointment:
    """The business's class session, scheduled or cancelled; anything else (a personal session too) is NotFound."""
    appointment = await get_scoped(session, Appointment, business_id, appointment_id)
    if appointment.kind != "class":
        raise NotFound(f"class {appointment_id} not found")
    return appointment


async def waitlist(session: AsyncSession, appointment_id: int) -> list[WaitlistEntry]:
    """The class's open waitlist entries (waiting, or holding an offered seat), first come first."""
    stmt = (select(WaitlistEntry).where(WaitlistEntry.appointment_id == appointment_id, WaitlistEntry.status.in_(OPEN))
            .order_by(WaitlistEntry.id))
    return list((await session.execute(stmt)).scalars().all())


async def class_roster(session: AsyncSession, business_id: int, appointment_id: int) -> ClassRoster:
    appointment = await class_session(session, business_id, appointment_id)
    seats = (await session.execute(select(Booking).where(Booking.appointment_id == appointment.id,
                                                         Booking.status != "cancelled").order_by(Booking.id))).scalars().all()
    return ClassRoster(appointment, list(seats), await waitlist(session, appointment.id))


async def leave_waitlist(session: AsyncSession, business: Business, appointment_id: int, client_id: int,
                         now: datetime) -> list[WaitlistEntry]:
    """Take the client off the class's waitlist as if they had declined in chat: a seat held for them passes to the
    next in line. Returns the offers that made (to tell those clients); NotFound when the client is not on it."""
    await class_session(session, business.id, appointment_id)
    # The class row first, as taking a seat locks it: the freed seat is offered once, never also booked past it.
    await session.execute(select(Appointment.id).where(Appointment.id == appointment_id).with_for_update())
    stmt = (select(WaitlistEntry).where(WaitlistEntry.appointment_id == appointment_id, WaitlistEntry.client_id == client_id,
                                        WaitlistEntry.status.in_(OPEN)).with_for_update())
    entry = (await session.execute(stmt)).scalar_one_or_none()
    if entry is None:
        raise NotFound(f"client {client_id} is not on the waitlist of class {appointment_id}")
    return await waitlist_offers.decline(session, business, entry, now)
