"""After the session: no-shows, the 1–5 follow-up and its answer, waitlist holds, the trainer's digest."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conversations.notices import queue_waitlist_offers
from domain.automation import digest_data
from domain.messaging import handoff
from domain.models import Appointment, Booking, Business, Client, SessionFeedback, Staff, WaitlistEntry
from domain.scheduling import booking, checkins, classes, credits
from tests.booking_setup import NOW, local, make_studio
from tests.scheduled_setup import book, chatting, outbox, run_due_at
from tests.support import drain, inbound, signed
from tests.transcript_runner import CLIENT_WA


async def test_no_show_is_marked_after_the_grace_period_and_the_client_is_offered_a_new_time(runtime, business, broker, clock):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 2, NOW)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(24, 10))
    assert [r.kind for r in await run_due_at(runtime, broker, clock, local(24, 19, 14))] == []
    sent = await run_due_at(runtime, broker, clock, local(24, 19, 15))  # the end (19:00) + 15 min
    assert [r.kind for r in sent] == ["buttons"]
    assert sent[0].body.startswith("Oi Cliente 0, sentimos sua falta no *Treino personal* ter 24/11 às 18:00")
    assert sent[0].payload["buttons"] == [{"id": "menu:book", "title": "Marcar outro"}]
    async with runtime.sessions() as session:
        assert (await session.get(Booking, booking_id)).status == "no_show"
        assert await credits.balance(session, business.id, studio.clients[0]) == 1  # the credit stays spent
    assert await run_due_at(runtime, broker, clock, local(24, 20, 30)) == []  # no follow-up for a no-show


async def test_checked_in_client_gets_the_followup_and_a_typed_rating_is_stored(web, runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        client = await session.get(Client, studio.clients[0])
        client.wa_id, client.contact_key, client.phone_e164 = CLIENT_WA, f"+{CLIENT_WA}", f"+{CLIENT_WA}"
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(24, 10))
    clock._now = local(24, 17, 55)
    async with runtime.sessions.begin() as session:
        await checkins.check_in(session, business.id, studio.clients[0], clock.now(), method="chat")
    assert await run_due_at(runtime, broker, clock, local(24, 19, 30)) == []  # checked in: not a no-show
    sent = await run_due_at(runtime, broker, clock, local(24, 20))
    assert sent[0].kind == "list" and "Como foi o treino (*Treino personal*)? Dê uma nota de 1 a 5" in sent[0].body
    assert [r["id"] for r in sent[0].payload["sections"][0]["rows"]][0] == f"rate:{booking_id}:5"
    raw, headers = signed(inbound("text", message_id="wamid.RATE", text="4", wa_id=CLIENT_WA, timestamp=int(clock.now().timestamp())))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        stored = (await session.execute(select(SessionFeedback))).scalars().all()
    assert [(f.booking_id, f.rating) for f in stored] == [(booking_id, 4)]
    replies = [r.body for r in await outbox(runtime) if r.kind == "text"]
    assert replies[-1] == "Valeu pela nota 4! 🙌 Até o próximo treino."


async def test_waitlist_hold_lapses_and_the_seat_goes_to_the_next_client(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW, capacity=1)
        seat = await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=spin.id, now=NOW)
        for n in (1, 2):
            await classes.join_waitlist(session, business.id, client_id=studio.clients[n], appointment_id=spin.id, now=NOW)
        offered = (await booking.cancel(session, business.id, seat.id, NOW)).offers
    assert [o.client_id for o in offered] == [studio.clients[1]]
    assert await run_due_at(runtime, broker, clock, NOW + timedelta(minutes=29)) == []
    sent = await run_due_at(runtime, broker, clock, NOW + timedelta(minutes=31))
    assert [(r.client_id, r.kind, r.payload["name"]) for r in sent] == [(studio.clients[2], "template", "waitlist_offer")]
    async with runtime.sessions() as session:
        entries = (await session.execute(select(WaitlistEntry).order_by(WaitlistEntry.id))).scalars().all()
    assert [e.status for e in entries] == ["expired", "offered"]


async def _waitlisted_class(runtime, business, starts_at):  # type: ignore[no-untyped-def]
    """A one-seat class taken by client 0, with client 1 waiting; returns the studio, client 0's seat and the class."""
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=starts_at, now=NOW, capacity=1)
        seat = await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=spin.id, now=NOW)
        await classes.join_waitlist(session, business.id, client_id=studio.clients[1], appointment_id=spin.id, now=NOW)
    return studio, seat.id, spin.id


async def _cancel_at(runtime, business, booking_id, at):  # type: ignore[no-untyped-def]
    """Client 0 cancels at `at`, as the chat does: the seat's offer is queued in the same transaction."""
    async with runtime.sessions.begin() as session:
        offers = (await booking.cancel(session, business.id, booking_id, at)).offers
        await queue_waitlist_offers(session, await session.get(Business, business.id), offers, at)
    return offers


async def test_a_seat_freed_at_night_is_held_and_offered_when_quiet_hours_end(runtime, business, broker, clock):
    studio, seat, _ = await _waitlisted_class(runtime, business, local(24, 18))
    await chatting(runtime, studio, local(23, 20), client=1)
    offers = await _cancel_at(runtime, business, seat, local(23, 23, 10))
    assert [o.client_id for o in offers] == [studio.clients[1]]
    assert offers[0].offer_expires_at == local(24, 8, 30)  # the 30-minute hold runs from 08:00, when they hear of it
    assert await outbox(runtime) == []  # nothing at 23:10
    assert await run_due_at(runtime, broker, clock, local(24, 7, 59)) == []
    sent = await run_due_at(runtime, broker, clock, local(24, 8))
    assert [(r.client_id, r.kind) for r in sent] == [(studio.clients[1], "buttons")]
    assert "reservada pra você até 08:30" in sent[0].body


async def test_a_night_offer_is_not_sent_once_the_client_left_the_waitlist(runtime, business, broker, clock):
    studio, seat, _ = await _waitlisted_class(runtime, business, local(24, 18))
    offers = await _cancel_at(runtime, business, seat, local(23, 23, 10))
    async with runtime.sessions.begin() as session:
        (await session.get(WaitlistEntry, offers[0].id)).status = "cancelled"
    assert await run_due_at(runtime, broker, clock, local(24, 8)) == []


async def test_a_class_that_starts_before_quiet_hours_end_is_not_offered_at_night(runtime, business, broker, clock):
    studio, seat, spin = await _waitlisted_class(runtime, business, local(24, 7))
    assert await _cancel_at(runtime, business, seat, local(23, 23, 10)) == []
    async with runtime.sessions() as session:
        left = await classes.seats_left(session, await session.get(Appointment, spin), local(23, 23, 10))
    assert left == 1  # free for anyone who books it; nobody is woken for it
    assert await run_due_at(runtime, broker, clock, local(24, 6)) == []


async def test_trainer_digest_lists_today_open_handoffs_and_yesterdays_no_shows(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    yesterday = await book(runtime, studio, local(23, 18), NOW, client=1)
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, business.id, yesterday, "no_show", local(23, 20))
        await handoff.take_over(session, business.id, studio.clients[2], NOW)
        ana = await session.get(Staff, studio.ana)
        ana.wa_id, ana.digest_at_min = "5511955550000", 8 * 60 + 30
        trainer = await digest_data.trainer_contact(session, ana, NOW)
        assert trainer is not None
        trainer_id = trainer.id
    await book(runtime, studio, local(24, 9), NOW)
    await book(runtime, studio, local(24, 18), NOW, client=2)
    clock._now = local(24, 8)
    await chatting(runtime, studio, local(24, 8), client=0)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, trainer_id)).last_inbound_at = local(24, 7)
    assert [r for r in await run_due_at(runtime, broker, clock, local(24, 8, 29)) if r.client_id == trainer_id] == []
    sent = [r for r in await run_due_at(runtime, broker, clock, local(24, 8, 30)) if r.client_id == trainer_id]
    assert len(sent) == 1 and sent[0].kind == "text"
    assert sent[0].body == ("Bom dia! Seu resumo de ter 24/11 📋\n*Hoje* (2):\n• 09:00 — Treino personal: Cliente 0\n"
                            "• 18:00 — Treino personal: Cliente 2\n*Esperando você no chat* (1):\n• Cliente 2\n"
                            "*Faltas ontem* (1):\n• 18:00 Cliente 1")
    assert [r for r in await run_due_at(runtime, broker, clock, local(24, 9)) if r.client_id == trainer_id] == []
