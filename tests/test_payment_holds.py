"""A time held for a payment: a client without credits keeps the time they picked for the business's
hold minutes; paid in time it is booked (with the credit spent and reminders planned), else let go."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.errors import ClassFull, SlotTaken
from domain.models import Booking, Business, Client, OutboundMessage, Purchase, ScheduledMessage, WaitlistEntry
from domain.payments import purchases
from domain.scheduling import booking, classes, credits
from tests.booking_setup import make_studio
from tests.stripe_support import add_demo_products, post_event, stripe_event
from tests.support import drain
from workers.due_work import release_holds

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo
AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday 07:00


@pytest.fixture
async def held(runtime, business, clock):  # type: ignore[no-untyped-def]
    """Client 0 holds Tuesday 07:00 with Ana while paying for a pack."""
    clock._now = NOW
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        shop.quiet_start_min = shop.quiet_end_min = 0
        (await session.get(Client, studio.clients[0])).last_inbound_at = NOW  # chatting: inside the 24-hour window
        hold = await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                           staff_id=studio.ana, starts_at=AT, now=NOW, hold_for=timedelta(minutes=30))
        pack = (await add_demo_products(session, business.id, NOW))["pack"]
        purchase = await purchases.start(session, shop, studio.clients[0], pack.id, NOW, resume_booking=f"held:{hold.id}")
    return {"studio": studio, "hold": hold, "purchase": purchase}


async def test_a_held_time_is_nobody_elses_and_has_no_reminders(runtime, business, held):
    assert held["hold"].status == "held"
    studio = held["studio"]
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[1], 5, NOW)
    with pytest.raises(SlotTaken):
        async with runtime.sessions.begin() as session:
            await booking.book_personal(session, business.id, client_id=studio.clients[1], service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=AT, now=NOW)
    async with runtime.sessions() as session:
        assert (await session.execute(select(ScheduledMessage))).first() is None


async def test_paid_in_time_the_held_time_is_booked_with_the_new_credit(web, runtime, broker, business, held, clock):
    clock.advance(minutes=10)
    await post_event(web, stripe_event("checkout.session.completed", held["purchase"], paid=True))
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        made = await session.get(Booking, held["hold"].id)
        assert (made.status, made.paid_with) == ("booked", "credit")
        assert await credits.balance(session, business.id, held["studio"].clients[0]) == 9
        assert (await session.execute(select(ScheduledMessage).where(ScheduledMessage.subject_id == made.id))).first()
        texts = (await session.execute(select(OutboundMessage.body).order_by(OutboundMessage.id))).scalars().all()
    assert "✅ Marcado! *Treino personal*, ter 24/11 às 07:00, com Ana. Usei 1 crédito do que você comprou." in texts[-1]


async def test_an_expired_hold_is_let_go_and_the_client_told(runtime, business, held, clock):
    clock.advance(minutes=31)
    assert await release_holds(runtime) == {held["studio"].clients[0]}
    async with runtime.sessions() as session:
        assert (await session.get(Booking, held["hold"].id)).status == "cancelled"
        text = (await session.execute(select(OutboundMessage.body).order_by(OutboundMessage.id.desc()))).scalars().first()
    assert "que eu guardei pra você foi liberado" in text
    async with runtime.sessions.begin() as session:  # the time is free again
        await credits.add_pack(session, business.id, held["studio"].clients[1], 1, clock.now())
        await booking.book_personal(session, business.id, client_id=held["studio"].clients[1], service_id=held["studio"].personal,
                                    staff_id=held["studio"].ana, starts_at=AT, now=clock.now())


async def test_paid_after_the_hold_ran_out_the_credits_stay_and_the_client_is_told(web, runtime, broker, business, held, clock):
    clock.advance(minutes=31)
    await release_holds(runtime)
    await post_event(web, stripe_event("checkout.session.completed", held["purchase"], paid=True))
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        assert await credits.balance(session, business.id, held["studio"].clients[0]) == 10
        assert (await session.get(Purchase, held["purchase"].id)).status == "paid"
        text = (await session.execute(select(OutboundMessage.body).order_by(OutboundMessage.id.desc()))).scalars().first()
    assert "Seus créditos estão aí" in text


async def test_a_held_class_seat_counts_until_it_runs_out(runtime, business, clock):
    clock._now = NOW
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        spinning = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                                starts_at=AT, now=NOW, capacity=2)
        await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=spinning.id, now=NOW,
                                hold_for=timedelta(minutes=30))
        await credits.add_pack(session, business.id, studio.clients[1], 1, NOW)
        await classes.book_seat(session, business.id, client_id=studio.clients[1], appointment_id=spinning.id, now=NOW)
    with pytest.raises(ClassFull):
        async with runtime.sessions.begin() as session:
            await credits.add_pack(session, business.id, studio.clients[2], 1, NOW)
            await classes.book_seat(session, business.id, client_id=studio.clients[2], appointment_id=spinning.id, now=NOW)
    clock.advance(minutes=31)
    await release_holds(runtime)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[2], 1, clock.now())
        seat = await classes.book_seat(session, business.id, client_id=studio.clients[2], appointment_id=spinning.id, now=clock.now())
    assert seat.status == "booked"


async def test_a_class_seat_let_go_is_offered_to_the_waitlist(runtime, business, clock):
    clock._now = NOW
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        spinning = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                                starts_at=AT, now=NOW, capacity=1)
        await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=spinning.id, now=NOW,
                                hold_for=timedelta(minutes=30))
        waiting = await classes.join_waitlist(session, business.id, client_id=studio.clients[1], appointment_id=spinning.id, now=NOW)
    clock.advance(minutes=31)
    woken = await release_holds(runtime)
    assert woken == {studio.clients[0], studio.clients[1]}
    async with runtime.sessions() as session:
        assert (await session.get(WaitlistEntry, waiting.id)).status == "offered"
