"""Group classes: capacity holds under concurrency; the waitlist gets freed seats in order."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.errors import AlreadyBooked, ClassFull, OfferExpired
from domain.models import Booking, WaitlistEntry
from domain.scheduling import booking, classes
from tests.booking_setup import NOW, local, make_studio


async def schedule(runtime, studio, starts_at, capacity=None):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        made = await classes.schedule_class(session, studio.business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=starts_at, now=NOW, capacity=capacity)
        return made.id


async def take_seat(runtime, studio, class_id, client, now=NOW):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await classes.book_seat(session, studio.business.id, client_id=studio.clients[client], appointment_id=class_id, now=now)


async def wait(runtime, studio, class_id, client):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await classes.join_waitlist(session, studio.business.id, client_id=studio.clients[client],
                                           appointment_id=class_id, now=NOW)


async def test_fifty_concurrent_attempts_for_the_last_seat_have_exactly_one_winner(runtime, business):
    studio = await make_studio(runtime, business, clients=54)
    class_id = await schedule(runtime, studio, local(24, 18))
    for client in range(4):
        await take_seat(runtime, studio, class_id, client)
    results = await asyncio.gather(*(take_seat(runtime, studio, class_id, c) for c in range(4, 54)), return_exceptions=True)
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert sum(isinstance(r, ClassFull) for r in results) == 49
    async with runtime.sessions() as session:
        seats = (await session.execute(select(func.count()).select_from(Booking).where(Booking.appointment_id == class_id))).scalar_one()
    assert seats == 5


async def test_a_client_cannot_take_two_seats_in_one_class(runtime, business):
    studio = await make_studio(runtime, business)
    class_id = await schedule(runtime, studio, local(24, 18))
    await take_seat(runtime, studio, class_id, 0)
    with pytest.raises(AlreadyBooked):
        await take_seat(runtime, studio, class_id, 0)


async def test_a_class_trainer_cannot_also_take_a_personal_session_then(runtime, business):
    studio = await make_studio(runtime, business)
    await schedule(runtime, studio, local(24, 18))
    from domain.errors import SlotTaken

    async with runtime.sessions.begin() as session:
        with pytest.raises(SlotTaken):
            await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                        staff_id=studio.bruno, starts_at=local(24, 18, 30), now=NOW)


async def test_a_freed_seat_is_offered_to_the_first_waiting_client_and_held(runtime, business):
    studio = await make_studio(runtime, business, clients=4)
    class_id = await schedule(runtime, studio, local(24, 18), capacity=2)
    first = await take_seat(runtime, studio, class_id, 0)
    await take_seat(runtime, studio, class_id, 1)
    with pytest.raises(ClassFull):
        await take_seat(runtime, studio, class_id, 2)
    await wait(runtime, studio, class_id, 2)
    await wait(runtime, studio, class_id, 3)
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, business.id, first.id, NOW)
    assert [(o.client_id, o.status) for o in outcome.offers] == [(studio.clients[2], "offered")]
    assert outcome.offers[0].offer_expires_at == NOW + timedelta(minutes=30)
    with pytest.raises(ClassFull):  # the seat is held for the offered client
        await take_seat(runtime, studio, class_id, 3)
    async with runtime.sessions.begin() as session:
        seat = await classes.accept_offer(session, business.id, outcome.offers[0].id, NOW + timedelta(minutes=5))
    assert seat.client_id == studio.clients[2]


async def test_a_lapsed_offer_passes_to_the_next_client(runtime, business):
    studio = await make_studio(runtime, business, clients=4)
    class_id = await schedule(runtime, studio, local(24, 18), capacity=1)
    first = await take_seat(runtime, studio, class_id, 0)
    await wait(runtime, studio, class_id, 1)
    await wait(runtime, studio, class_id, 2)
    async with runtime.sessions.begin() as session:
        offer = (await booking.cancel(session, business.id, first.id, NOW)).offers[0]
    later = NOW + timedelta(minutes=31)
    async with runtime.sessions.begin() as session:
        passed_on = await classes.expire_offers(session, business.id, later)
    assert [o.client_id for o in passed_on] == [studio.clients[2]]
    async with runtime.sessions.begin() as session:
        with pytest.raises(OfferExpired):
            await classes.accept_offer(session, business.id, offer.id, later)
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(WaitlistEntry.status).order_by(WaitlistEntry.id))).scalars().all()
    assert statuses == ["expired", "offered"]


async def test_seats_left_counts_bookings_and_held_offers(runtime, business):
    studio = await make_studio(runtime, business)
    class_id = await schedule(runtime, studio, local(24, 18), capacity=3)
    await take_seat(runtime, studio, class_id, 0)
    async with runtime.sessions() as session:
        from domain.models import Appointment

        appointment = await session.get(Appointment, class_id)
        assert await classes.seats_left(session, appointment, NOW) == 2
