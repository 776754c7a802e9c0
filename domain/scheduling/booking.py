"""Personal sessions: book, reschedule (atomically), cancel (with the late-cancel rule), life cycle."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import scheduled_work
from domain.errors import BookingError, InThePast, NoCredits, NotFound
from domain.models import Appointment, Booking, Business, Client, Service, Staff, WaitlistEntry
from domain.platform import plans
from domain.scheduling import appointments, booking_history, payment_rules
from domain.scheduling.booking_rules import Span, check_free, check_timing
from domain.scheduling.catalog import get_scoped, offers
from domain.webhooks import events as webhook_events


@dataclass(frozen=True)
class Cancellation:
    booking: Booking
    late: bool
    refunded: bool
    offers: list[WaitlistEntry] = field(default_factory=list)  # seats offered to the waitlist


async def book_personal(
    session: AsyncSession, business_id: int, *, client_id: int, service_id: int, staff_id: int, starts_at: datetime,
    now: datetime, actor: str = "client", series_id: int | None = None, hold_for: timedelta | None = None,
) -> Booking:
    """Book a personal session: every rule checked, the trainer's time taken, paid for, in one go. With
    `hold_for`, a client who cannot pay gets the time held for them that long instead of NoCredits."""
    business = await get_scoped(session, Business, business_id, business_id)
    service = await get_scoped(session, Service, business_id, service_id)
    await get_scoped(session, Staff, business_id, staff_id)
    await get_scoped(session, Client, business_id, client_id)
    await plans.check_booking(session, business, client_id, now)
    if service.capacity > 1:
        raise BookingError("group classes are booked by seat, not as personal sessions")
    if not await offers(session, business_id, service_id, staff_id):
        raise NotFound("that trainer does not offer this service")
    span = Span.of(service, starts_at)
    check_timing(business, starts_at, now)
    await check_free(session, business, staff_id, span)
    try:
        paid_with = await payment_rules.how_paid(session, business, service, client_id, starts_at, now)
    except NoCredits:
        if hold_for is None:
            raise
        paid_with = None
    appointment = await appointments.place(session, service, staff_id, span, now)
    booking = Booking(business_id=business_id, appointment_id=appointment.id, client_id=client_id, series_id=series_id,
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


async def get_booking(session: AsyncSession, business_id: int, booking_id: int, *, lock: bool = False) -> tuple[Booking, Appointment]:
    """A booking of this business and its appointment (locked for update when asked)."""
    stmt = (select(Booking, Appointment).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.id == booking_id, Booking.business_id == business_id))
    if lock:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"booking {booking_id} not found")
    return row[0], row[1]


def is_late(business: Business, appointment: Appointment, now: datetime) -> bool:
    """Inside the late-cancel window: cancelling now forfeits the credit."""
    return now > appointment.starts_at - timedelta(minutes=business.late_cancel_window_min)


async def cancel(session: AsyncSession, business_id: int, booking_id: int, now: datetime, *, by: str = "client",
                 reason: str | None = None, actor: str | None = None) -> Cancellation:
    """Cancel a booking. A client's late cancel forfeits the credit; a trainer's cancel never does. `by` is who asked
    (the rule that applies); `actor`, who made the change when not them (the API acting for either)."""
    from domain.scheduling import classes  # classes builds on this module

    business = await get_scoped(session, Business, business_id, business_id)
    booking, appointment = await get_booking(session, business_id, booking_id, lock=True)
    if appointment.starts_at <= now and by == "client":
        raise InThePast("that session has already started")
    late = by == "client" and is_late(business, appointment, now)
    was_held = booking.status == "held"  # a hold let go was never a booking: nothing to tell
    booking_history.move(session, booking, "cancelled", actor or by, now, {"reason": reason, "late": late})
    booking.cancelled_by, booking.cancel_reason, booking.late_cancel = by, reason, late
    refunded = False if late else await payment_rules.give_back(session, business_id, booking, now)
    await scheduled_work.cancel_booking_work(session, booking.id, now)
    offered: list[WaitlistEntry] = []
    if appointment.kind == "personal":
        appointment.status, appointment.cancel_reason, appointment.updated_at = "cancelled", reason, now
    else:
        await session.flush()
        offered = await classes.offer_freed_seats(session, business, appointment, now)
    if not was_held:
        await webhook_events.booking_event(session, "booking.cancelled", booking, now, {"cancelled_by": by, "late": late})
    await session.flush()
    return Cancellation(booking, late, refunded, offered)


async def reschedule(session: AsyncSession, business_id: int, booking_id: int, new_starts_at: datetime, now: datetime, *,
                     by: str = "client") -> Booking:
    """Move a personal session: the new time is taken and the old one freed together, or nothing changes."""
    business = await get_scoped(session, Business, business_id, business_id)
    booking, appointment = await get_booking(session, business_id, booking_id, lock=True)
    if appointment.kind != "personal":
        raise BookingError("to change class, cancel this seat and book another class")
    if booking.status not in ("booked", "confirmed"):
        raise BookingError(f"a {booking.status} booking cannot be rescheduled")
    service = await get_scoped(session, Service, business_id, appointment.service_id)
    span = Span.of(service, new_starts_at)
    check_timing(business, new_starts_at, now)
    await check_free(session, business, appointment.staff_id, span, ignore_appointment_id=appointment.id)
    old_start = appointment.starts_at
    await appointments.move(session, appointment, span, now)
    booking_history.note(session, booking, by, now, {"rescheduled_from": old_start.isoformat()})
    await scheduled_work.replan_booking(session, business, booking, appointment, now)
    await webhook_events.booking_event(session, "booking.moved", booking, now, {"moved_from": old_start.isoformat()})
    return booking


async def set_status(session: AsyncSession, business_id: int, booking_id: int, to_status: str, now: datetime, *,
                     actor: str = "trainer") -> Booking:
    """confirm, complete or mark a no-show (which forfeits the credit: nothing is refunded)."""
    if to_status not in ("confirmed", "completed", "no_show"):
        raise BookingError(f"use cancel or check-in for {to_status}")
    booking, appointment = await get_booking(session, business_id, booking_id, lock=True)
    if to_status in ("completed", "no_show") and appointment.starts_at > now:
        raise BookingError("the session has not started yet")
    booking_history.move(session, booking, to_status, actor, now)
    return booking
