"""Group classes: scheduling, seats up to capacity (even under concurrency), the waitlist and its offers."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import scheduled_work
from domain.errors import AlreadyBooked, BookingError, ClassFull, NoCredits, NotFound, OfferExpired
from domain.models import Appointment, Booking, Business, Client, Service, Staff, WaitlistEntry
from domain.platform import plans
from domain.scheduling import appointments, booking_history, payment_rules
from domain.scheduling.booking_rules import Span, check_free, check_horizon, check_timing
from domain.scheduling.catalog import get_scoped, offers
from domain.scheduling.schedule_times import quiet_until
from domain.webhooks import events as webhook_events

ACTIVE = booking_history.ACTIVE


async def schedule_class(session: AsyncSession, business_id: int, *, service_id: int, staff_id: int, starts_at: datetime,
                         now: datetime, capacity: int | None = None) -> Appointment:
    """Put a class session in the trainer's calendar: inside their hours, clashing with nothing, and no further
    ahead than the business's booking horizon (the rule the chat applies to every booking)."""
    business = await get_scoped(session, Business, business_id, business_id)
    service = await get_scoped(session, Service, business_id, service_id)
    await get_scoped(session, Staff, business_id, staff_id)
    if service.capacity <= 1:
        raise BookingError("only group services are scheduled as classes")
    if not await offers(session, business_id, service_id, staff_id):
        raise NotFound("that trainer does not teach this class")
    if starts_at <= now:
        raise BookingError("a class cannot be scheduled in the past")
    check_horizon(business, starts_at, now)
    span = Span.of(service, starts_at)
    await check_free(session, business, staff_id, span)
    return await appointments.place(session, service, staff_id, span, now, capacity=capacity)


async def seats_left(session: AsyncSession, appointment: Appointment, now: datetime, *, for_client: int | None = None) -> int:
    """Capacity minus booked seats minus seats held by live waitlist offers (except `for_client`'s own)."""
    booked = select(func.count()).where(Booking.appointment_id == appointment.id, _taken(now))
    held = select(func.count()).where(
        WaitlistEntry.appointment_id == appointment.id, WaitlistEntry.status == "offered",
        WaitlistEntry.offer_expires_at > now,
    )
    if for_client is not None:
        held = held.where(WaitlistEntry.client_id != for_client)
    taken = (await session.execute(booked)).scalar_one() + (await session.execute(held)).scalar_one()
    return max(0, appointment.capacity - taken)


async def book_seat(session: AsyncSession, business_id: int, *, client_id: int, appointment_id: int, now: datetime,
                    actor: str = "client", hold_for: timedelta | None = None) -> Booking:
    """Take a seat. The class row is locked first, so concurrent attempts for the last seat queue up
    and exactly one gets it; the others get ClassFull (and may join the waitlist). With `hold_for`, a
    client who cannot pay gets the seat held for them that long instead of NoCredits."""
    business = await get_scoped(session, Business, business_id, business_id)
    await get_scoped(session, Client, business_id, client_id)
    await plans.check_booking(session, business, client_id, now)
    appointment = await _locked_class(session, business_id, appointment_id)
    check_timing(business, appointment.starts_at, now)
    if await _active_booking(session, appointment.id, client_id, now) is not None:
        raise AlreadyBooked("you already have a seat in this class")
    if await seats_left(session, appointment, now, for_client=client_id) <= 0:
        raise ClassFull("this class is full")
    service = await get_scoped(session, Service, business_id, appointment.service_id)
    try:
        paid_with = await payment_rules.how_paid(session, business, service, client_id, appointment.starts_at, now)
    except NoCredits:
        if hold_for is None:
            raise
        paid_with = None
    offer = await _open_entry(session, appointment.id, client_id)
    if offer is not None:
        offer.status, offer.updated_at = "accepted", now
    booking = Booking(business_id=business_id, appointment_id=appointment.id, client_id=client_id,
                      status="booked" if paid_with else "held", paid_with="none", created_at=now, updated_at=now,
                      held_until=None if paid_with or hold_for is None else now + hold_for)
    session.add(booking)
    await session.flush()
    if paid_with is None:  # held: no reminders until it is paid for (holds.confirm_held)
        booking_history.record_creation(session, booking, actor, now)
        return booking
    await payment_rules.settle(session, business, booking, paid_with, now)
    booking_history.record_creation(session, booking, actor, now)
    await scheduled_work.plan_booking(session, business, booking, appointment, now)
    await webhook_events.booking_event(session, "booking.created", booking, now)
    return booking


async def join_waitlist(session: AsyncSession, business_id: int, *, client_id: int, appointment_id: int,
                        now: datetime) -> WaitlistEntry:
    """Queue for a seat in a full class (joining twice keeps the first place)."""
    await get_scoped(session, Client, business_id, client_id)
    appointment = await _locked_class(session, business_id, appointment_id)
    if await _active_booking(session, appointment.id, client_id, now) is not None:
        raise AlreadyBooked("you already have a seat in this class")
    entry = await _open_entry(session, appointment.id, client_id)
    if entry is None:
        entry = WaitlistEntry(business_id=business_id, appointment_id=appointment.id, client_id=client_id,
                              status="waiting", created_at=now, updated_at=now)
        session.add(entry)
        await session.flush()
    return entry


async def waitlist_position(session: AsyncSession, entry: WaitlistEntry) -> int:
    stmt = select(func.count()).where(
        WaitlistEntry.appointment_id == entry.appointment_id, WaitlistEntry.status == "waiting",
        WaitlistEntry.id <= entry.id,
    )
    return int((await session.execute(stmt)).scalar_one())


async def offer_freed_seats(session: AsyncSession, business: Business, appointment: Appointment, now: datetime) -> list[WaitlistEntry]:
    """Offer each free seat to the longest-waiting client; the offer holds the seat for the policy's time
    from when the client is told (the end of quiet hours, at night)."""
    made: list[WaitlistEntry] = []
    # In quiet hours the client only hears of it when they end (conversations.notices): the hold starts then.
    told_at = quiet_until(business, now) or now
    hold = min(timedelta(minutes=business.waitlist_hold_min), appointment.starts_at - told_at)
    if hold <= timedelta(0) or appointment.status != "scheduled":
        return made  # past, cancelled, or starting before the client could be told: the seat stays free
    while await seats_left(session, appointment, now) > 0:
        stmt = (select(WaitlistEntry).where(WaitlistEntry.appointment_id == appointment.id, WaitlistEntry.status == "waiting")
                .order_by(WaitlistEntry.id).limit(1).with_for_update())
        entry = (await session.execute(stmt)).scalar_one_or_none()
        if entry is None:
            break
        entry.status, entry.offer_expires_at, entry.updated_at = "offered", told_at + hold, now
        await session.flush()
        made.append(entry)
    return made


async def expire_offers(session: AsyncSession, business_id: int, now: datetime) -> list[WaitlistEntry]:
    """Lapse offers whose hold has run out and pass each seat on; returns the new offers."""
    business = await get_scoped(session, Business, business_id, business_id)
    stmt = (select(WaitlistEntry).where(WaitlistEntry.business_id == business_id, WaitlistEntry.status == "offered",
                                        WaitlistEntry.offer_expires_at <= now).with_for_update(skip_locked=True))
    lapsed = list((await session.execute(stmt)).scalars().all())
    for entry in lapsed:
        entry.status, entry.updated_at = "expired", now
    await session.flush()
    made: list[WaitlistEntry] = []
    for appointment_id in sorted({e.appointment_id for e in lapsed}):
        appointment = await _locked_class(session, business_id, appointment_id)
        made += await offer_freed_seats(session, business, appointment, now)
    return made


async def accept_offer(session: AsyncSession, business_id: int, entry_id: int, now: datetime) -> Booking:
    """The offered client takes the held seat (OfferExpired once the hold has run out)."""
    entry = await session.get(WaitlistEntry, entry_id, with_for_update=True)
    if entry is None or entry.business_id != business_id:
        raise NotFound(f"waitlist entry {entry_id} not found")
    if entry.status != "offered" or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise OfferExpired(entry.offer_expires_at)
    return await book_seat(session, business_id, client_id=entry.client_id, appointment_id=entry.appointment_id, now=now)


async def _locked_class(session: AsyncSession, business_id: int, appointment_id: int) -> Appointment:
    stmt = select(Appointment).where(Appointment.id == appointment_id, Appointment.business_id == business_id,
                                     Appointment.kind == "class").with_for_update()
    appointment = (await session.execute(stmt)).scalar_one_or_none()
    if appointment is None or appointment.status != "scheduled":
        raise NotFound(f"class {appointment_id} not found")
    return appointment


async def _active_booking(session: AsyncSession, appointment_id: int, client_id: int, now: datetime) -> Booking | None:
    stmt = select(Booking).where(Booking.appointment_id == appointment_id, Booking.client_id == client_id, _taken(now))
    return (await session.execute(stmt)).scalars().first()


def _taken(now: datetime) -> ColumnElement[bool]:
    """A seat is taken by a booking, or held for a payment that may still come."""
    return Booking.status.in_(ACTIVE) | ((Booking.status == "held") & (Booking.held_until > now))


async def _open_entry(session: AsyncSession, appointment_id: int, client_id: int) -> WaitlistEntry | None:
    stmt = select(WaitlistEntry).where(WaitlistEntry.appointment_id == appointment_id, WaitlistEntry.client_id == client_id,
                                       WaitlistEntry.status.in_(("waiting", "offered")))
    return (await session.execute(stmt)).scalar_one_or_none()
