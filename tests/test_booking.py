"""Personal sessions: booking rules, the database's guard against double-booking, reschedule, cancel."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import InThePast, InvalidTransition, NoCredits, NotFound, OutsideAvailability, SlotTaken, TooFar, TooSoon
from domain.models import Appointment, Booking, BookingEvent, Business, Service
from domain.scheduling import appointments, booking, catalog, credits, memberships
from domain.scheduling.booking_rules import Span
from tests.booking_setup import NOW, local, make_client, make_studio


async def book(runtime, studio, starts_at, *, client=0, trainer=None, now=NOW):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await booking.book_personal(session, studio.business.id, client_id=studio.clients[client],
                                           service_id=studio.personal, staff_id=trainer or studio.ana,
                                           starts_at=starts_at, now=now)


async def test_client_books_a_free_personal_session(runtime, business):
    studio = await make_studio(runtime, business)
    made = await book(runtime, studio, local(24, 7))
    async with runtime.sessions() as session:
        appointment = await session.get(Appointment, made.appointment_id)
    assert made.status == "booked" and made.paid_with == "none"
    assert (appointment.starts_at, appointment.ends_at) == (local(24, 7), local(24, 8))
    assert appointment.blocked_until == local(24, 8, 10)  # the 10-minute buffer after


async def test_trainer_is_never_double_booked(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    with pytest.raises(SlotTaken):
        await book(runtime, studio, local(24, 7, 30), client=1)
    await book(runtime, studio, local(24, 7, 30), client=1, trainer=studio.bruno)  # another trainer is free


async def test_buffer_after_a_session_keeps_the_next_start_free(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    with pytest.raises(SlotTaken):
        await book(runtime, studio, local(24, 8), client=1)
    await book(runtime, studio, local(24, 8, 10), client=1)


async def test_outside_working_hours_is_refused(runtime, business):
    studio = await make_studio(runtime, business)
    with pytest.raises(OutsideAvailability):
        await book(runtime, studio, local(24, 11, 30))  # would end 12:30, after the morning shift
    with pytest.raises(OutsideAvailability):
        await book(runtime, studio, local(29, 9))  # Sunday


async def test_time_off_is_refused(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        await catalog.add_time_off(session, business.id, local(24, 0), local(25, 0), staff_id=studio.ana, reason="médico")
        await catalog.add_time_off(session, business.id, local(26, 0), local(27, 0), reason="feriado")
    with pytest.raises(OutsideAvailability):
        await book(runtime, studio, local(24, 7))
    with pytest.raises(OutsideAvailability):
        await book(runtime, studio, local(26, 7), trainer=studio.bruno)  # the whole business is closed
    await book(runtime, studio, local(24, 7), trainer=studio.bruno)


async def test_minimum_notice_horizon_and_past_are_refused(runtime, business):
    studio = await make_studio(runtime, business)
    with pytest.raises(InThePast):
        await book(runtime, studio, local(23, 8))
    with pytest.raises(TooSoon):
        await book(runtime, studio, local(23, 10))  # 1 hour from now; the policy wants 2
    with pytest.raises(TooFar):
        await book(runtime, studio, local(24, 7) + timedelta(days=31))


async def test_concurrent_bookings_of_one_slot_have_exactly_one_winner(runtime, business):
    studio = await make_studio(runtime, business, clients=20)
    results = await asyncio.gather(*(book(runtime, studio, local(24, 7), client=i) for i in range(20)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, Booking)]
    assert len(winners) == 1
    assert all(isinstance(r, SlotTaken) for r in results if not isinstance(r, Booking))


async def test_database_refuses_an_overlap_even_when_the_application_check_is_skipped(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        service = await session.get(Service, studio.personal)
        with pytest.raises(SlotTaken):
            await appointments.place(session, service, studio.ana, Span.of(service, local(24, 7, 30)), NOW)


async def test_reschedule_takes_the_new_time_and_frees_the_old_one(runtime, business):
    studio = await make_studio(runtime, business)
    made = await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        await booking.reschedule(session, business.id, made.id, local(25, 18), NOW)
    await book(runtime, studio, local(24, 7), client=1)  # the old time is free again
    with pytest.raises(SlotTaken):
        await book(runtime, studio, local(25, 18), client=2)
    async with runtime.sessions() as session:
        events = (await session.execute(select(BookingEvent).where(BookingEvent.booking_id == made.id))).scalars().all()
    assert [e.detail.get("rescheduled_from") if e.detail else None for e in events][-1] == local(24, 7).isoformat()


async def test_reschedule_into_a_taken_time_changes_nothing(runtime, business):
    studio = await make_studio(runtime, business)
    mine = await book(runtime, studio, local(24, 7))
    await book(runtime, studio, local(25, 18), client=1)
    async with runtime.sessions.begin() as session:
        with pytest.raises(SlotTaken):
            await booking.reschedule(session, business.id, mine.id, local(25, 18), NOW)
    async with runtime.sessions() as session:
        appointment = await session.get(Appointment, mine.appointment_id)
    assert appointment.starts_at == local(24, 7) and appointment.status == "scheduled"


async def test_concurrent_reschedules_into_one_slot_have_exactly_one_winner(runtime, business):
    studio = await make_studio(runtime, business, clients=10)
    mine = [await book(runtime, studio, local(24, 6) + timedelta(minutes=70 * i), client=i) for i in range(5)]

    async def move(made):  # type: ignore[no-untyped-def]
        async with runtime.sessions.begin() as session:
            return await booking.reschedule(session, business.id, made.id, local(25, 18), NOW)

    results = await asyncio.gather(*(move(m) for m in mine), return_exceptions=True)
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert all(isinstance(r, SlotTaken) for r in results if not isinstance(r, Booking))


async def test_timely_cancel_gives_the_credit_back(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 2, NOW)
    made = await book(runtime, studio, local(25, 7))
    assert made.paid_with == "credit"
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, business.id, made.id, NOW)
        assert (outcome.late, outcome.refunded) == (False, True)
        assert await credits.balance(session, business.id, studio.clients[0]) == 2


async def test_late_cancel_forfeits_the_credit(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 1, NOW)
    made = await book(runtime, studio, local(23, 18))  # today, 6 hours ahead: inside the 12-hour window
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, business.id, made.id, NOW)
        assert (outcome.late, outcome.refunded) == (True, False)
        assert await credits.balance(session, business.id, studio.clients[0]) == 0


async def test_a_trainer_cancelling_late_still_refunds(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 1, NOW)
    made = await book(runtime, studio, local(23, 18))
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, business.id, made.id, NOW, by="trainer", reason="doente")
        assert (outcome.late, outcome.refunded) == (False, True)


async def test_no_show_forfeits_the_credit_and_is_recorded(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 1, NOW)
    made = await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, business.id, made.id, "no_show", local(24, 8, 30))
        assert await credits.balance(session, business.id, studio.clients[0]) == 0
    async with runtime.sessions.begin() as session:
        with pytest.raises(InvalidTransition):
            await booking.cancel(session, business.id, made.id, local(24, 8, 30), by="trainer")


async def test_booking_that_needs_a_credit_without_one_is_refused_and_leaves_nothing(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    with pytest.raises(NoCredits):
        await book(runtime, studio, local(24, 7))
    async with runtime.sessions() as session:
        assert (await session.execute(select(Appointment))).first() is None


async def test_a_refused_booking_writes_nothing_even_when_its_transaction_commits(runtime, business):
    """The chat catches NoCredits and commits its turn: the refused booking must not be in it."""
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        with pytest.raises(NoCredits):
            await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=local(24, 7), now=NOW)
    async with runtime.sessions() as session:
        assert (await session.execute(select(Appointment))).first() is None
        assert (await session.execute(select(Booking))).first() is None


async def test_membership_covers_the_booking_instead_of_a_credit(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await memberships.add_membership(session, business.id, studio.clients[0], "Mensal ilimitado",
                                         local(1, 12).date(), local(30, 12).date(), NOW)
    made = await book(runtime, studio, local(24, 7))
    assert made.paid_with == "membership"


async def test_booking_history_is_kept(runtime, business):
    studio = await make_studio(runtime, business)
    made = await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, business.id, made.id, "confirmed", NOW)
        await booking.cancel(session, business.id, made.id, NOW, reason="viagem")
    async with runtime.sessions() as session:
        stmt = select(BookingEvent).where(BookingEvent.booking_id == made.id).order_by(BookingEvent.id)
        events = (await session.execute(stmt)).scalars().all()
        kept = await session.get(Booking, made.id)
    assert [(e.from_status, e.to_status) for e in events] == [(None, "booked"), ("booked", "confirmed"), ("confirmed", "cancelled")]
    assert (kept.status, kept.cancel_reason, kept.cancelled_by) == ("cancelled", "viagem", "client")


async def test_ids_of_another_business_are_not_found(runtime, business):
    studio = await make_studio(runtime, business)
    made = await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        other = Business(name="Outro Studio", phone_number_id="999", timezone="America/Sao_Paulo", locale="pt-BR",
                         currency="BRL", created_at=NOW)
        session.add(other)
        await session.flush()
        stranger = await make_client(session, other.id, 99)
        other_id = other.id
    async with runtime.sessions.begin() as session:
        with pytest.raises(NotFound):
            await booking.book_personal(session, other_id, client_id=stranger, service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=local(24, 9), now=NOW)
        with pytest.raises(NotFound):
            await booking.cancel(session, other_id, made.id, NOW)
        with pytest.raises(NotFound):
            await booking.book_personal(session, business.id, client_id=stranger, service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=local(24, 9), now=NOW)
