"""Bookings: list by day, one, book a personal session, move it, cancel it, under the chat's and the panel's rules.

Every change goes through domain.scheduling.booking and, unless asked not to, the client hears about it in chat
with the panel's messages (team_booked, team_moved, team_cancelled), and by email with its .ics when WhatsApp
cannot reach them, as from the panel."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.operations import Call, Operation
from api.resources.common import after_time_cursor, business_of, page, within
from api.schemas import BookingIn, BookingOut, BookingPage, BookingQuery, CancelIn, CancelOut, MoveIn
from conversations.email_notices import email_booking, email_cancelled, email_instead, email_moved
from conversations.notices import queue_waitlist_offers
from conversations.team_notices import Value, tell
from domain.models import Appointment, Booking, Business, Client, Service, Staff
from domain.scheduling import booking
from domain.scheduling.catalog import get_scoped, load_booking_parties
from domain.sql.direct import fetch_one


def booking_out(row: Booking, appointment: Appointment) -> BookingOut:
    return BookingOut(id=row.id, client_id=row.client_id, service_id=appointment.service_id, staff_id=appointment.staff_id,
                      appointment_id=appointment.id, kind="class" if appointment.kind == "class" else "personal",
                      status=row.status, starts_at=appointment.starts_at, ends_at=appointment.ends_at, paid_with=row.paid_with,
                      cancelled_by=row.cancelled_by, late_cancel=row.late_cancel, created_at=row.created_at)


async def list_bookings(call: Call[BookingQuery, None]) -> BookingPage:
    q = call.query
    async with call.runtime.sessions() as session:
        business = await business_of(session, call.business_id)
        filters: list[Any] = [Booking.business_id == call.business_id, *within(Appointment.starts_at, business, q),
                              *after_time_cursor(Appointment.starts_at, Booking.id, q.cursor)]
        if q.client_id:
            filters.append(Booking.client_id == q.client_id)
        if q.staff_id:
            filters.append(Appointment.staff_id == q.staff_id)
        if q.status:
            filters.append(Booking.status == q.status)
        stmt = (select(Booking, Appointment).join(Appointment, Appointment.id == Booking.appointment_id).where(*filters)
                .order_by(Appointment.starts_at, Booking.id).limit(q.limit + 1))
        rows = list((await session.execute(stmt)).all())
    shown, cursor = page(rows, q.limit, lambda r: (r[1].starts_at, r[0].id))
    return BookingPage(data=[booking_out(b, a) for b, a in shown], next_cursor=cursor)


async def get_booking(call: Call[None, None]) -> BookingOut:
    async with call.runtime.sessions() as session:
        return booking_out(*await booking.get_booking(session, call.business_id, call.ids["booking_id"]))


_PLACED = select(Appointment.service_id, Appointment.staff_id, Appointment.starts_at, Appointment.ends_at).where(
    Appointment.id == bindparam("id"))


async def create_booking(call: Call[None, BookingIn]) -> BookingOut:
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    emailed = False
    async with runtime.sessions.begin() as session:
        # Held while booking: the checks find these in the session instead of reading each on its own.
        _parties = await load_booking_parties(session, call.business_id, service_id=body.service_id,
                                              staff_id=body.staff_id, client_id=body.client_id)
        row = await booking.book_personal(session, call.business_id, client_id=body.client_id, service_id=body.service_id,
                                          staff_id=body.staff_id, starts_at=body.starts_at, now=now, actor="api")
        # The session no longer holds the appointment just placed (it keeps rows weakly): its row, read directly.
        placed = await fetch_one(session, _PLACED, {"id": row.appointment_id})
        assert placed is not None
        answer = BookingOut(id=row.id, client_id=row.client_id, service_id=placed[0], staff_id=placed[1],
                            appointment_id=row.appointment_id, kind="personal", status=row.status, starts_at=placed[2],
                            ends_at=placed[3], paid_with=row.paid_with, cancelled_by=row.cancelled_by,
                            late_cancel=row.late_cancel, created_at=row.created_at)
        if body.notify_client:
            appointment = await session.get(Appointment, row.appointment_id)
            assert appointment is not None
            service, trainer = await _names(session, call.business_id, appointment)
            emailed = await _tell(call, session, row.client_id, now, "team_booked", lambda business, client, sender: email_booking(
                session, business, client, row.id, service=service, starts_at=placed[2], trainer=trainer, now=now,
                sender=sender), service=service, when=appointment.starts_at, trainer=trainer)
    await _after_commit(call, [body.client_id] if body.notify_client else [], emailed)
    return answer


async def move_booking(call: Call[None, MoveIn]) -> BookingOut:
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    emailed = False
    async with runtime.sessions.begin() as session:
        _, before = await booking.get_booking(session, call.business_id, call.ids["booking_id"])
        old_start = before.starts_at
        await booking.reschedule(session, call.business_id, call.ids["booking_id"], body.starts_at, now, by="api")
        row, appointment = await booking.get_booking(session, call.business_id, call.ids["booking_id"])
        if body.notify_client:
            service, trainer = await _names(session, call.business_id, appointment)
            emailed = await _tell(call, session, row.client_id, now, "team_moved", lambda business, client, sender: email_moved(
                session, business, client, row.id, service=service, old=old_start, new=appointment.starts_at,
                trainer=trainer, now=now, sender=sender), service=service, old=old_start, new=appointment.starts_at)
        answer = booking_out(row, appointment)
    await _after_commit(call, [answer.client_id] if body.notify_client else [], emailed)
    return answer


async def cancel_booking(call: Call[None, CancelIn]) -> CancelOut:
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    emailed = False
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, call.business_id, call.ids["booking_id"], now,
                                       by="client" if body.by == "client" else "trainer", reason=body.reason, actor="api")
        row, appointment = await booking.get_booking(session, call.business_id, call.ids["booking_id"])
        if body.notify_client:
            service, _trainer = await _names(session, call.business_id, appointment)
            emailed = await _tell(call, session, row.client_id, now, "team_cancelled", lambda business, client, sender: email_cancelled(
                session, business, client, row.id, service=service, starts_at=appointment.starts_at,
                refunded=outcome.refunded, late=outcome.late, reason=body.reason, now=now, sender=sender),
                service=service, when=appointment.starts_at, refunded=outcome.refunded, late=outcome.late)
        if outcome.offers:  # a class seat freed is held for the first on its waitlist, who is told as the chat tells them
            await queue_waitlist_offers(session, await business_of(session, call.business_id), outcome.offers, now)
        answer = CancelOut(booking=booking_out(row, appointment), late=outcome.late, refunded=outcome.refunded)
    told = ([answer.booking.client_id] if body.notify_client else []) + [offer.client_id for offer in outcome.offers]
    await _after_commit(call, told, emailed)
    return answer


async def _tell(call: Call[Any, Any], session: AsyncSession, client_id: int, now: datetime, message: str,
                email: Callable[[Business, Client, str], Awaitable[None]], **params: Value) -> bool:
    """Tell the client in chat as the panel does, and by `email` too when WhatsApp cannot reach them (and email is set
    up); whether a mail was queued."""
    business = await business_of(session, call.business_id)
    told = await tell(session, business, client_id, now, message, **params)
    mailer = call.runtime.mailer
    if mailer is None or told is None:
        return False
    return await email_instead(session, business, client_id, told, lambda client: email(business, client, mailer.sender))


async def _after_commit(call: Call[Any, Any], told: list[int], emailed: bool) -> None:
    """Wake the senders for what the committed change queued."""
    if told:
        await call.runtime.wake.deliver(told)
    if emailed:
        await call.runtime.wake.mail()


async def _names(session: AsyncSession, business_id: int, appointment: Appointment) -> tuple[str, str]:
    service = await get_scoped(session, Service, business_id, appointment.service_id)
    trainer = await get_scoped(session, Staff, business_id, appointment.staff_id)
    return service.name, trainer.name


OPERATIONS = [
    Operation("GET", "/bookings", "listBookings", "Bookings by day (personal sessions and class seats)", "bookings",
              list_bookings, BookingPage, query=BookingQuery, example_query={"from": "2026-11-23", "to": "2026-11-29", "limit": 50}),
    Operation("GET", "/bookings/{booking_id}", "getBooking", "One booking", "bookings", get_booking, BookingOut,
              example_ids={"booking_id": 1}, errors=(404,)),
    Operation("POST", "/bookings", "createBooking", "Book a personal session", "bookings", create_booking, BookingOut,
              status=201, body=BookingIn, errors=(404, 409),
              example_body={"client_id": 1, "service_id": 1, "staff_id": 1, "starts_at": "2026-11-24T07:00:00-03:00"}),
    Operation("POST", "/bookings/{booking_id}/move", "moveBooking", "Move a personal session to another time", "bookings",
              move_booking, BookingOut, body=MoveIn, example_ids={"booking_id": 1}, errors=(404, 409),
              example_body={"starts_at": "2026-11-25T18:00:00-03:00"}),
    Operation("POST", "/bookings/{booking_id}/cancel", "cancelBooking", "Cancel a booking (late-cancel policy when the client asked)",
              "bookings", cancel_booking, CancelOut, body=CancelIn, example_ids={"booking_id": 1}, errors=(404, 409),
              example_body={"by": "client", "reason": "viagem"}),
]
