"""Group classes: scheduled sessions with their seats, and a seat for a client (the chat's rules: full, already booked)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.operations import Call, Operation
from api.resources.bookings import booking_out
from api.resources.common import after_time_cursor, business_of, page, within
from api.schemas import BookingOut, ClassOut, ClassPage, ClassQuery, SeatIn
from conversations.team_notices import tell
from domain.models import Appointment, Booking, Service, Staff
from domain.scheduling import booking, classes
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


async def take_seat(call: Call[None, SeatIn]) -> BookingOut:
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        seat = await classes.book_seat(session, call.business_id, client_id=body.client_id, appointment_id=call.ids["class_id"],
                                       now=now, actor="trainer")
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
    Operation("POST", "/classes/{class_id}/seats", "takeSeat", "Give a client a seat in a class", "classes", take_seat,
              BookingOut, status=201, body=SeatIn, example_ids={"class_id": 1}, example_body={"client_id": 1}, errors=(404, 409)),
]
