"""What the API changes is recorded as the API's doing: each booking history row it writes has the actor `api`."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import BookingEvent
from domain.scheduling import classes
from tests.api_support import open_api
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import book


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _history(runtime, booking_id: int) -> list[tuple[str | None, str, str]]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        rows = (await session.execute(select(BookingEvent).where(BookingEvent.booking_id == booking_id)
                                      .order_by(BookingEvent.id))).scalars().all()
    return [(r.from_status, r.to_status, r.actor) for r in rows]


async def test_bookings_moves_cancels_seats_and_check_ins_made_through_the_api_are_recorded_as_api(web, runtime, business, clock):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    request = {"client_id": studio.clients[0], "service_id": studio.personal, "staff_id": studio.ana,
               "starts_at": "2026-11-24T07:00:00-03:00", "notify_client": False}
    made = (await setup.api.post("/bookings", request))[1]
    await setup.api.post(f"/bookings/{made['id']}/move", {"starts_at": "2026-11-25T18:00:00-03:00", "notify_client": False})
    await setup.api.post(f"/bookings/{made['id']}/cancel", {"by": "client", "notify_client": False})
    assert await _history(runtime, made["id"]) == [(None, "booked", "api"), ("booked", "booked", "api"),
                                                   ("booked", "cancelled", "api")]
    cancelled = (await setup.api.get(f"/bookings/{made['id']}"))[1]
    assert cancelled["cancelled_by"] == "client"  # who asked, for the late-cancel rule; the API is who did it
    async with runtime.sessions.begin() as session:
        class_id = (await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                                 starts_at=local(25, 18), now=NOW)).id
    seat = (await setup.api.post(f"/classes/{class_id}/seats", {"client_id": studio.clients[1], "notify_client": False}))[1]
    assert await _history(runtime, seat["id"]) == [(None, "booked", "api")]
    session_booking = await book(runtime, studio, local(24, 7), client=2)
    clock.advance(hours=22, minutes=50)  # Tuesday 07:50 local, the session under way
    assert (await setup.api.post("/check-ins", {"client_id": studio.clients[2]}))[1]["booking_id"] == session_booking.id
    assert await _history(runtime, session_booking.id) == [(None, "booked", "client"), ("booked", "checked_in", "api")]
