"""Free slots from the database: weekly hours minus time off minus appointments, per trainer."""
from __future__ import annotations

from datetime import date, timedelta

from domain.scheduling import booking, catalog, classes, slots
from tests.booking_setup import NOW, local, make_studio


async def test_free_slots_leave_out_booked_times_with_their_buffers(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                    staff_id=studio.ana, starts_at=local(24, 7), now=NOW)
        found = await slots.personal_slots(session, business.id, studio.personal, window_start=date(2026, 11, 24), days=1,
                                           now=NOW, staff_id=studio.ana)
    starts = [s.slot.start for s in found]
    assert local(24, 6) not in starts  # would run into the 07:00 session
    assert local(24, 7) not in starts and local(24, 7, 30) not in starts and local(24, 8) not in starts
    assert local(24, 8, 30) in starts and local(24, 11) in starts  # 11:00-12:00 is the last morning slot
    assert local(24, 11, 30) not in starts and local(24, 13) not in starts
    assert local(24, 14) in starts and local(24, 20) in starts


async def test_free_slots_skip_time_off_and_respect_notice(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        await catalog.add_time_off(session, business.id, local(24, 0), local(25, 0), staff_id=studio.ana)
        found = await slots.personal_slots(session, business.id, studio.personal, window_start=date(2026, 11, 23), days=2,
                                           now=NOW)
    assert all(s.staff_id == studio.bruno for s in found if s.slot.start.date() == date(2026, 11, 24))
    assert min(s.slot.start for s in found) >= NOW + timedelta(minutes=120)


async def test_open_classes_show_seats_left(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        made = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW)
        await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=made.id, now=NOW)
        found = await slots.open_classes(session, business.id, studio.spinning, start=NOW, end=NOW + timedelta(days=7), now=NOW)
    assert [(c.appointment.id, c.seats_left) for c in found] == [(made.id, 4)]
