"""Time held for a payment: a client without credits who buys in the chat keeps the time they picked
for the business's `payment_hold_min`; paid in time it becomes a booking, else it is let go."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation import scheduled_work
from domain.errors import BookingError, OfferExpired
from domain.models import Booking, Business, Service
from domain.scheduling import booking, booking_history, payment_rules
from domain.scheduling.catalog import get_scoped
from domain.webhooks import events as webhook_events


async def confirm_held(session: AsyncSession, business_id: int, booking_id: int, now: datetime) -> Booking:
    """The payment came in: the held time becomes a booking, paid for like any other; OfferExpired when
    the hold ran out (or was let go) first."""
    business = await get_scoped(session, Business, business_id, business_id)
    held, appointment = await booking.get_booking(session, business_id, booking_id, lock=True)
    if held.status != "held" or held.held_until is None or held.held_until <= now:
        raise OfferExpired(held.held_until)
    service = await get_scoped(session, Service, business_id, appointment.service_id)
    paid_with = await payment_rules.how_paid(session, business, service, held.client_id, appointment.starts_at, now)
    booking_history.move(session, held, "booked", "client", now, {"reason": "paid"})
    held.held_until = None
    await payment_rules.settle(session, business, held, paid_with, now)
    await scheduled_work.plan_booking(session, business, held, appointment, now)
    await webhook_events.booking_event(session, "booking.created", held, now)
    await session.flush()
    return held


async def release_expired(session: AsyncSession, now: datetime, limit: int = 500) -> list[booking.Cancellation]:
    """Let go of holds whose time ran out, freeing the trainer's time or the class seat (offered to the
    waitlist); returns their cancellations."""
    stmt = (select(Booking).where(Booking.status == "held", Booking.held_until <= now)
            .order_by(Booking.held_until).limit(limit).with_for_update(skip_locked=True))
    released = []
    for held in (await session.execute(stmt)).scalars().all():
        try:
            released.append(await booking.cancel(session, held.business_id, held.id, now, by="system",
                                                  reason="payment hold expired"))
        except BookingError:
            continue
    return released
