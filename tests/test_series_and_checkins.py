"""Recurring bookings and check-ins."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from domain.models import Booking, CheckIn
from domain.scheduling import booking, checkins, series
from tests.booking_setup import NOW, local, make_studio


async def test_every_monday_and_wednesday_at_seven_for_four_weeks_books_eight_sessions(runtime, business):
    studio = await make_studio(runtime, business, clients=2)
    async with runtime.sessions.begin() as session:
        result = await series.book_series(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                          staff_id=studio.ana, weekdays=[0, 2], at=time(7), starts_on=date(2026, 11, 24),
                                          weeks=4, now=NOW)
    assert len(result.booked) == 8 and result.conflicts == []  # Wed 25 Nov … Mon 21 Dec
    async with runtime.sessions() as session:
        rows = (await session.execute(select(Booking).where(Booking.series_id == result.series.id))).scalars().all()
    assert len(rows) == 8


async def test_conflicting_occurrences_are_reported_and_the_rest_booked(runtime, business):
    studio = await make_studio(runtime, business, clients=2)
    async with runtime.sessions.begin() as session:
        await booking.book_personal(session, business.id, client_id=studio.clients[1], service_id=studio.personal,
                                    staff_id=studio.ana, starts_at=local(2, 7, month=12), now=NOW)
    async with runtime.sessions.begin() as session:
        result = await series.book_series(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                          staff_id=studio.ana, weekdays=[2], at=time(7), starts_on=date(2026, 11, 24),
                                          weeks=3, now=NOW)
    assert len(result.booked) == 2
    assert result.conflicts == [(local(2, 7, month=12), "slot_taken")]


async def test_cancelling_a_series_cancels_its_future_sessions(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        result = await series.book_series(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                          staff_id=studio.ana, weekdays=[1], at=time(7), starts_on=date(2026, 11, 24),
                                          weeks=3, now=NOW)
    async with runtime.sessions.begin() as session:
        cancelled = await series.cancel_series(session, business.id, result.series.id, NOW)
    assert len(cancelled) == 3 and all(c.booking.status == "cancelled" for c in cancelled)


async def test_one_occurrence_of_a_series_can_be_cancelled_alone(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        result = await series.book_series(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                          staff_id=studio.ana, weekdays=[1], at=time(7), starts_on=date(2026, 11, 24),
                                          weeks=3, now=NOW)
        await booking.cancel(session, business.id, result.booked[1].id, NOW)
    async with runtime.sessions() as session:
        statuses = [(await session.get(Booking, b.id)).status for b in result.booked]
    assert statuses == ["booked", "cancelled", "booked"]


def test_weekly_seven_oclock_stays_seven_local_across_new_york_dst():
    starts = series.occurrences([0], time(7), date(2026, 3, 2), 2, "America/New_York")
    assert [s.hour for s in starts] == [12, 11]  # 07:00 EST, then 07:00 EDT
    lisbon = series.occurrences([6], time(7), date(2026, 10, 18), 2, "Europe/Lisbon")
    assert [s.hour for s in lisbon] == [6, 7]  # 07:00 WEST, then 07:00 WET


async def test_checking_in_against_todays_booking(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        made = await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                           staff_id=studio.ana, starts_at=local(24, 7), now=NOW)
    arrival = local(24, 6, 50)
    async with runtime.sessions.begin() as session:
        visit = await checkins.check_in(session, business.id, studio.clients[0], arrival, method="chat")
        again = await checkins.check_in(session, business.id, studio.clients[0], arrival + timedelta(minutes=2), method="qr")
    assert visit.booking_id == made.id and again.id == visit.id
    async with runtime.sessions() as session:
        assert (await session.get(Booking, made.id)).status == "checked_in"


async def test_checking_in_without_a_booking_is_a_walk_in(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        visit = await checkins.check_in(session, business.id, studio.clients[0], local(24, 10), method="staff", actor="trainer")
    assert visit.booking_id is None and visit.method == "staff"
    async with runtime.sessions() as session:
        assert len((await session.execute(select(CheckIn))).scalars().all()) == 1
