"""Group classes: sessions with their seats, a seat for a client (the chat's rules: full, already booked), and the
waitlist of a full class (joined as the chat joins it; a client taken off it passes a held seat on, as declining does)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.operations import Call, Operation
from api.problems import Problem
from api.resources.bookings import booking_out
from api.resources.common import after_time_cursor, business_of, page, within
from api.schemas import (
    BookingOut,
    ClassDetailOut,
    ClassOut,
    ClassPage,
    ClassQuery,
    SeatIn,
    SeatOut,
    WaitlistEntryOut,
    WaitlistIn,
    WaitlistList,
)
from conversations.notices import queue_waitlist_offers
from conversations.team_notices import tell
from domain.errors import InThePast
from domain.models import Appointment, Booking, Client, Service, Staff, WaitlistEntry
from domain.scheduling import booking, class_roster, classes
from domain.scheduling.catalog import get_scoped


async def list_classes(call: Call[ClassQuery, None]) -> ClassPage:
    q = call.query
    taken = (select(func.count()).where(Booking.appointment_id == Appointment.id, Booking.status.in_(classes.ACTIVE))
             .correlate(Appointment).scalar_subquery())
    async with call.runtime.sessions() as session:
        business = await business_of(session, call.business_id)
        filters: list[Any] = [Appointment.business_id == call.business_id, Appointment.kind == "class",
                              *within(Appointment.starts_at, business, q),
                              *after_time_cursor(Appointment.starts_at, Appointment.id, q.cursor)]
        if q.service_id:
            filters.append(Appointment.service_id == q.service_id)
        stmt = select(Appointment, taken).where(*filters).order_by(Appointment.starts_at, Appointment.id).limit(q.limit + 1)
        rows = list((await session.execute(stmt)).all())
    shown, cursor = page(rows, q.limit, lambda r: (r[0].starts_at, r[0].id))
    return ClassPage(data=[ClassOut(id=a.id, service_id=a.service_id, staff_id=a.staff_id, starts_at=a.starts_at, ends_at=a.ends_at,
                                    capacity=a.capacity, seats_taken=int(n), status=a.status) for a, n in shown],
                     next_cursor=cursor)


def _queue(entries: list[WaitlistEntry]) -> list[WaitlistEntryOut]:
    """The open entries in queue order, each waiting one with its place (an offered seat has none: it is theirs to take)."""
    out, place = [], 0
    for e in entries:
        if e.status == "waiting":
            place += 1
        out.append(WaitlistEntryOut(id=e.id, client_id=e.client_id, status="offered" if e.status == "offered" else "waiting",
                                    position=place if e.status == "waiting" else None, offer_expires_at=e.offer_expires_at,
                                    created_at=e.created_at))
    return out


async def get_class(call: Call[None, None]) -> ClassDetailOut:
    async with call.runtime.sessions() as session:
        roster = await class_roster.class_roster(session, call.business_id, call.ids["class_id"])
    a = roster.appointment
    return ClassDetailOut(id=a.id, service_id=a.service_id, staff_id=a.staff_id, starts_at=a.starts_at, ends_at=a.ends_at,
                          capacity=a.capacity, seats_taken=roster.seats_taken, status=a.status,
                          seats=[SeatOut(booking_id=b.id, client_id=b.client_id, status=b.status) for b in roster.seats],
                          waitlist=_queue(roster.waitlist))


async def get_waitlist(call: Call[None, None]) -> WaitlistList:
    async with call.runtime.sessions() as session:
        appointment = await class_roster.class_session(session, call.business_id, call.ids["class_id"])
        return WaitlistList(data=_queue(await class_roster.waitlist(session, appointment.id)))


async def join_waitlist(call: Call[None, WaitlistIn]) -> WaitlistEntryOut:
    """As the chat does it: only a full class that has not started has a waitlist; joining again keeps the first place."""
    client_id, class_id, now = call.body.client_id, call.ids["class_id"], call.runtime.clock.now()
    async with call.runtime.sessions.begin() as session:
        appointment = await class_roster.class_session(session, call.business_id, class_id)
        await get_scoped(session, Client, call.business_id, client_id)
        if appointment.status == "scheduled" and appointment.starts_at <= now:
            raise InThePast("that class has already started")
        if appointment.status == "scheduled" and await classes.seats_left(session, appointment, now, for_client=client_id) > 0:
            raise Problem(409, "class_not_full", "The class has free seats: give the client a seat instead.")
        entry = await classes.join_waitlist(session, call.business_id, client_id=client_id, appointment_id=class_id, now=now)
        queue = _queue(await class_roster.waitlist(session, class_id))
    return next(e for e in queue if e.id == entry.id)


async def leave_waitlist(call: Call[None, None]) -> None:
    """Take a client off the waitlist; a seat that was held for them is offered to the next in line, told in chat."""
    runtime = call.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        business = await business_of(session, call.business_id)
        offers = await class_roster.leave_waitlist(session, business, call.ids["class_id"], call.ids["client_id"], now)
        await queue_waitlist_offers(session, business, offers, now)
    if offers:
        await runtime.wake.deliver([offer.client_id for offer in offers])


async def take_seat(call: Call[None, SeatIn]) -> BookingOut:
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        seat = await classes.book_seat(session, call.business_id, client_id=body.client_id, appointment_id=call.ids["class_id"],
                                       now=now, actor="api")
        row, appointment = await booking.get_booking(session, call.business_id, seat.id)
        if body.notify_client:
            service = await get_scoped(session, Service, call.business_id, appointment.service_id)
            trainer = await get_scoped(session, Staff, call.business_id, appointment.staff_id)
            await tell(session, await business_of(session, call.business_id), body.client_id, now, "team_booked",
                       service=service.name, when=appointment.starts_at, trainer=trainer.name)
        answer = booking_out(row, appointment)
    if body.notify_client:
        await runtime.wake.deliver([body.client_id])
    return answer


OPERATIONS = [
    Operation("GET", "/classes", "listClasses", "Class sessions by day, with seats taken", "classes", list_classes, ClassPage,
              query=ClassQuery, example_query={"from": "2026-11-23", "to": "2026-11-29"}),
    Operation("GET", "/classes/{class_id}", "getClass", "One class session, with its seats and waitlist", "classes", get_class,
              ClassDetailOut, example_ids={"class_id": 1}, errors=(404,)),
    Operation("POST", "/classes/{class_id}/seats", "takeSeat", "Give a client a seat in a class", "classes", take_seat,
              BookingOut, status=201, body=SeatIn, example_ids={"class_id": 1}, example_body={"client_id": 1}, errors=(404, 409)),
    Operation("GET", "/classes/{class_id}/waitlist", "getWaitlist", "A class's waitlist, in queue order", "classes",
              get_waitlist, WaitlistList, example_ids={"class_id": 1}, errors=(404,)),
    Operation("POST", "/classes/{class_id}/waitlist", "joinWaitlist", "Put a client on a full class's waitlist", "classes",
              join_waitlist, WaitlistEntryOut, status=201, body=WaitlistIn, example_ids={"class_id": 1},
              example_body={"client_id": 1}, errors=(404, 409)),
    Operation("DELETE", "/classes/{class_id}/waitlist/{client_id}", "leaveWaitlist",
              "Take a client off a class's waitlist (a seat held for them goes to the next in line)", "classes",
              leave_waitlist, None, status=204, example_ids={"class_id": 1, "client_id": 1}, errors=(404,)),
]
